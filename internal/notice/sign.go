package notice

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"strconv"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/gm"
)

// canonicalVersion heads the canonical encoding; a new layout gets a new
// version and old notices keep verifying under theirs.
const canonicalVersion = "ggzy-notice-v1"

// Canonical is the exact byte string a published notice's content hash is
// computed over (RULES B8): a version line, then one line per field in a
// fixed order, each "name=<length in bytes>:<value>\n", so no value can be
// confused with the next whatever it contains. Times are UTC RFC 3339
// with microseconds ("" when unset), amounts in fen, invitees as their
// number, attachments in id order as "id|size|digest|tender_docs|name". docs/notices.md gives an
// example; anyone can rebuild it from the public notice and check
// SM3(Canonical) against the signed hash.
func Canonical(n Notice) []byte {
	var b bytes.Buffer
	b.WriteString(canonicalVersion + "\n")
	field := func(name, value string) {
		b.WriteString(name + "=" + strconv.Itoa(len(value)) + ":" + value + "\n")
	}
	num := func(name string, v int64) { field(name, strconv.FormatInt(v, 10)) }
	tm := func(name string, t time.Time) {
		if t.IsZero() {
			field(name, "")
			return
		}
		field(name, t.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	num("id", n.ID)
	num("project_id", n.ProjectID)
	field("project_code", n.ProjectCode)
	num("lot_id", n.LotID)
	field("kind", string(n.Kind))
	num("amends_id", n.AmendsID)
	field("trade_kind", string(n.TradeKind))
	field("region_code", n.RegionCode)
	field("title", n.Title)
	field("body", n.Body)
	tm("docs_from", n.DocsFrom)
	tm("docs_until", n.DocsUntil)
	tm("bid_deadline", n.BidDeadline)
	tm("opening_at", n.OpeningAt)
	tm("starts_at", n.StartsAt)
	tm("ends_at", n.EndsAt)
	tm("published_at", n.PublishedAt)
	num("amount", int64(n.Amount))
	num("awardee_org_id", n.AwardeeID)
	field("affects_bids", strconv.FormatBool(n.AffectsBids))
	// Only the number of invited bidders is public (their names are
	// potential bidders', secret under 法 22).
	num("invitees", int64(len(n.Invitees)))
	num("attachments", int64(len(n.Attachments)))
	for _, a := range n.Attachments {
		field("attachment", strconv.FormatInt(a.ID, 10)+"|"+strconv.FormatInt(a.Size, 10)+"|"+a.Digest+"|"+
			strconv.FormatBool(a.TenderDocs)+"|"+a.Name)
	}
	return b.Bytes()
}

// ContentHash is SM3 over Canonical(n).
func ContentHash(n Notice) [32]byte { return gm.SM3(Canonical(n)) }

// VerifyNotice checks a published notice against its stored hash and
// signature with the platform public key: "" when it is intact, else what
// is wrong (Chinese).
func VerifyNotice(pub *ecdsa.PublicKey, n Notice) string {
	if n.State != Published || len(n.ContentHash) == 0 || len(n.Signature) == 0 {
		return "公告尚未发布，没有签名"
	}
	sum := ContentHash(n)
	if !bytes.Equal(sum[:], n.ContentHash) {
		return "公告内容与发布时的摘要不符：发布后被改动"
	}
	if !gm.Verify(pub, n.ContentHash, n.Signature) {
		return "平台签名无效：摘要或签名被改动"
	}
	return ""
}

// Verify tells anyone whether a published notice is as it was signed at
// publication: the content is hashed again, the platform signature is
// checked, and the hash is compared with the one in the audit log.
func (s *Service) Verify(ctx context.Context, a auth.Actor, id int64) (Verification, error) {
	if err := a.Authorize(auth.ReadNotice); err != nil {
		return Verification{}, err
	}
	n, err := getNotice(ctx, s.DB, id)
	if err != nil {
		return Verification{}, err
	}
	if n.State != Published {
		return Verification{}, errNoNotice // unpublished notices are not public
	}
	pemKey, err := gm.MarshalPublicKeyPEM(&s.Keys.Platform.PublicKey)
	if err != nil {
		return Verification{}, err
	}
	sum := ContentHash(n)
	v := Verification{NoticeID: n.ID, ContentHash: sum[:], StoredHash: n.ContentHash, Signature: n.Signature,
		PublicKey: string(pemKey), Canonical: string(Canonical(n)), AuditSeq: -1}
	v.Problem = VerifyNotice(&s.Keys.Platform.PublicKey, n)
	evs, err := audit.List(ctx, s.DB, audit.Filter{ObjectType: "notice", ObjectID: itoa(n.ID), Action: "notice.publish", Limit: 1})
	if err != nil {
		return v, err
	}
	if len(evs) == 1 {
		v.AuditSeq = evs[0].Seq
		h, _ := evs[0].Details["content_hash"].(string)
		v.AuditHashOK = h == n.ContentHash.String()
	}
	if v.Problem == "" && !v.AuditHashOK {
		v.Problem = "审计日志中的发布摘要与公告不符"
	}
	v.Valid = v.Problem == ""
	return v, nil
}
