package notice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"slices"
	"strconv"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

// Who obtained tender documents is secret until the lot's bid deadline
// (RULES B3; 电子招标投标办法 21, 招标投标法 22) — from everyone, admins and
// the database operator included:
//
//   - a download row (document_downloads) holds the lot and the day in
//     clear and everything else — user, organisation, notice, attachment,
//     exact time, a random salt — sealed with SM4-GCM under the platform's
//     data key (gm.Box), bound to the lot by the associated data;
//   - when a notice with tender documents is published each lot also gets
//     a random number of sealed decoy rows, so counting rows does not
//     count downloads;
//   - the audit event of a download names no actor, organisation, address,
//     notice or lot: it carries the region and an SM3 commitment to the
//     sealed plaintext, which the unsealed list shows after the deadline,
//     so each record can be matched with its event then and not before;
//   - the service refuses to unseal before the deadline whoever asks.
//
// Residual: whoever holds the data key and the database together can
// unseal early, and the HTTP access log records request paths and
// addresses. docs/notices.md discusses both.

const (
	sealVersion      = 1
	downloadAAD      = "ggzy/document_downloads/v1|lot="
	commitmentDomain = "ggzy/download-commitment/v1\n"
	secretActor      = "投标人（开标前保密）"
	srcB3            = "《电子招标投标办法》第二十一条、《招标投标法》第二十二条"
)

// sealedRecord is the plaintext of document_downloads.sealed.
type sealedRecord struct {
	V          int    `json:"v"`
	Salt       []byte `json:"salt"` // makes the commitment hiding
	Decoy      bool   `json:"decoy,omitempty"`
	Notice     int64  `json:"notice,omitempty"`
	Attachment int64  `json:"attachment,omitempty"`
	User       int64  `json:"user,omitempty"`
	Org        int64  `json:"org,omitempty"`
	At         int64  `json:"at,omitempty"` // microseconds
}

func aadFor(lotID int64) []byte { return []byte(downloadAAD + strconv.FormatInt(lotID, 10)) }

// commitment is what the audit log holds for a download.
func commitment(plain []byte) string {
	sum := gm.SM3([]byte(commitmentDomain), plain)
	return hex.EncodeToString(sum[:])
}

// coarseDay is the only time kept in clear: the day (clock.DayStart).
func coarseDay(t time.Time) int64 { return db.Micros(clock.DayStart(t)) }

// insertSealed seals rec for lot and stores it; it returns the commitment.
func (s *Service) insertSealed(ctx context.Context, tx *db.Tx, lotID int64, rec sealedRecord, now time.Time) (string, error) {
	rec.V = sealVersion
	rec.Salt = make([]byte, 16)
	rand.Read(rec.Salt)
	plain, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	sealed := s.Keys.PII.Seal(plain, aadFor(lotID))
	if _, err := tx.Exec(ctx, "INSERT INTO document_downloads (lot_id, sealed, created_at) VALUES (?, ?, ?)",
		lotID, sealed, coarseDay(now)); err != nil {
		return "", err
	}
	return commitment(plain), nil
}

// addDecoys gives each lot of a notice with tender documents a random
// number of decoy records at publication.
func (s *Service) addDecoys(ctx context.Context, tx *db.Tx, n Notice, p tender.Project, now time.Time) error {
	if !slices.ContainsFunc(n.Attachments, func(a Attachment) bool { return a.TenderDocs }) {
		return nil
	}
	cfg := s.Config()
	for _, l := range coveredLots(p, n.LotID) {
		k := cfg.DecoysMin
		if spread := cfg.DecoysMax - cfg.DecoysMin; spread > 0 {
			r, err := rand.Int(rand.Reader, big.NewInt(int64(spread+1)))
			if err != nil {
				return err
			}
			k += int(r.Int64())
		}
		for range k {
			if _, err := s.insertSealed(ctx, tx, l.ID, sealedRecord{Decoy: true}, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// docsWindow is when a notice's tender documents may be obtained: from
// the later of publication and docs_from, until docs_until (or, for
// amendments and listings, until bidding closes). Zero until = open.
func (s *Service) docsWindow(ctx context.Context, q db.Querier, n Notice, p tender.Project) (time.Time, time.Time, error) {
	from, until := later(n.DocsFrom, n.PublishedAt), n.DocsUntil
	switch n.Kind {
	case KindAmendment:
		orig, err := getNotice(ctx, q, n.AmendsID)
		if err != nil {
			return from, until, err
		}
		if orig.Kind != KindListing {
			until, err = deadlineInForce(ctx, q, orig)
			return from, until, err
		}
		fallthrough
	case KindListing:
		for _, l := range coveredLots(p, n.LotID) {
			if until.IsZero() || l.BidDeadline.Before(until) {
				until = l.BidDeadline
			}
		}
	}
	return from, until, nil
}

// DownloadDocs hands tender documents to a signed-in bidder, free and
// with no other precondition (RULES B2), within the documents' period,
// and records the download sealed (B3). Ordinary attachments are served
// without a record.
func (s *Service) DownloadDocs(ctx context.Context, a auth.Actor, id, attID int64) (Attachment, io.ReadCloser, error) {
	if err := a.Authorize(auth.DownloadDocs); err != nil {
		return Attachment{}, nil, err
	}
	if err := s.publishIfDue(ctx, id); err != nil {
		return Attachment{}, nil, err
	}
	n, p, err := loadFor(ctx, s.DB, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if n.State != Published {
		return Attachment{}, nil, errNoNotice
	}
	att, err := getAttachment(ctx, s.DB, n.ID, attID)
	if err != nil {
		return att, nil, err
	}
	if att.TenderDocs {
		from, until, err := s.docsWindow(ctx, s.DB, n, p)
		if err != nil {
			return att, nil, err
		}
		now := s.Clock.Now()
		if now.Before(from) {
			return att, nil, errs.E(errs.Conflict, "招标文件自 %s 起提供下载", at(from))
		}
		if !until.IsZero() && !now.Before(until) {
			return att, nil, errs.E(errs.Conflict, "招标文件获取期已于 %s 截止", at(until))
		}
	}
	rc, err := s.Blobs.Open(ctx, att.blobKey)
	if err != nil || !att.TenderDocs {
		return att, rc, err
	}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		var commitments []string
		for _, l := range coveredLots(p, n.LotID) {
			c, err := s.insertSealed(ctx, tx, l.ID, sealedRecord{Notice: n.ID, Attachment: att.ID, User: a.UserID,
				Org: a.OrgID, At: db.Micros(now)}, now)
			if err != nil {
				return err
			}
			commitments = append(commitments, c)
		}
		if len(commitments) == 0 {
			return errs.E(errs.Conflict, "公告没有对应的标段")
		}
		// No actor, organisation, address, notice or lot: see the
		// package comment above.
		_, err := s.Audit.Append(ctx, tx, audit.Event{ActorName: secretActor, Action: "notice.download",
			ObjectType: "document_download", ObjectID: commitments[0], Region: p.RegionCode, Industry: p.Industry,
			Details: map[string]any{"commitments": commitments, "scheme": "SM3(" + commitmentDomain[:len(commitmentDomain)-1] + " || 密封明文)"}})
		return err
	})
	if err != nil {
		rc.Close()
		return att, nil, err
	}
	return att, rc, nil
}

// Downloads lists who obtained a notice's tender documents, lot by lot,
// once the lot's bid deadline has passed. Before that nobody — admins
// included — may see who or how many (RULES B3); lots still before their
// deadline are listed closed, without records, and if every lot is, the
// request is refused.
func (s *Service) Downloads(ctx context.Context, a auth.Actor, id int64) ([]LotDownloads, error) {
	if err := a.Authorize(auth.ReadDownloads); err != nil {
		return nil, err
	}
	n, p, err := loadFor(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !mayOversee(a, p) {
		return nil, errNoNotice
	}
	if n.State != Published {
		return nil, errs.E(errs.Conflict, "公告尚未发布，没有下载记录")
	}
	now := s.Clock.Now()
	out := []LotDownloads{}
	var firstClosed time.Time
	anyOpen := false
	names := map[int64]string{}
	for _, l := range coveredLots(p, n.LotID) {
		ld := LotDownloads{LotID: l.ID, LotName: l.Name, BidDeadline: l.BidDeadline, Records: []Download{}}
		ld.Open = !l.BidDeadline.IsZero() && !now.Before(l.BidDeadline)
		if !ld.Open {
			if firstClosed.IsZero() || (!l.BidDeadline.IsZero() && l.BidDeadline.Before(firstClosed)) {
				firstClosed = l.BidDeadline
			}
			out = append(out, ld)
			continue
		}
		anyOpen = true
		if ld.Records, err = s.unseal(ctx, n, l.ID, names); err != nil {
			return nil, err
		}
		out = append(out, ld)
	}
	if !anyOpen {
		when := "投标截止时间"
		if !firstClosed.IsZero() {
			when += "（" + at(firstClosed) + "）"
		}
		return nil, errs.Violation("B3", srcB3, when+"前，任何人不得查看获取招标文件的潜在投标人名称、数量等情况")
	}
	return out, nil
}

// unseal opens the lot's records about notice n, skipping decoys.
func (s *Service) unseal(ctx context.Context, n Notice, lotID int64, names map[int64]string) ([]Download, error) {
	rows, err := s.DB.Query(ctx, "SELECT sealed FROM document_downloads WHERE lot_id = ? ORDER BY id", lotID)
	if err != nil {
		return nil, err
	}
	var sealed [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		sealed = append(sealed, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	attNames := map[int64]string{}
	for _, att := range n.Attachments {
		attNames[att.ID] = att.Name
	}
	out := []Download{}
	for _, b := range sealed {
		plain, err := s.Keys.PII.Open(b, aadFor(lotID))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "下载记录无法解密")
		}
		var rec sealedRecord
		if err := json.Unmarshal(plain, &rec); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "下载记录格式不正确")
		}
		if rec.Decoy || rec.Notice != n.ID {
			continue
		}
		d := Download{LotID: lotID, AttachmentID: rec.Attachment, AttachmentName: attNames[rec.Attachment],
			UserID: rec.User, OrgID: rec.Org, At: db.Time(rec.At), Commitment: commitment(plain)}
		if d.UserName, err = userName(ctx, s.DB, rec.User); err != nil {
			return nil, err
		}
		if name, ok := names[rec.Org]; ok {
			d.OrgName = name
		} else if d.OrgName, err = orgName(ctx, s.DB, rec.Org); err != nil {
			return nil, err
		}
		names[rec.Org] = d.OrgName
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b Download) int { return a.At.Compare(b.At) })
	return out, nil
}

// userName is "显示名(用户名)" of a user.
func userName(ctx context.Context, q db.Querier, id int64) (string, error) {
	var username, display string
	err := q.QueryRow(ctx, "SELECT username, display_name FROM users WHERE id = ?", id).Scan(&username, &display)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return display + "(" + username + ")", nil
}
