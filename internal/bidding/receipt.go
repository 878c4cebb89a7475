package bidding

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"io"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
)

// receiptDomain separates receipt signatures from every other use of the
// platform key.
const receiptDomain = "ggzy/receipt/v1\n"

// receiptMessage is what the platform signs: the domain and the receipt's
// JSON (Go encodes a struct's fields in a fixed order).
func receiptMessage(r Receipt) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append([]byte(receiptDomain), b...), nil
}

// VerifyReceipt checks a receipt's signature against the platform's public
// key, offline (`ggzy receipt verify`).
func VerifyReceipt(pub *ecdsa.PublicKey, sr SignedReceipt) error {
	msg, err := receiptMessage(sr.Receipt)
	if err != nil {
		return err
	}
	if sr.Receipt.Version != 1 && sr.Receipt.Version != 2 {
		return errs.E(errs.Invalid, "回执版本 %d 无法识别", sr.Receipt.Version)
	}
	if !gm.Verify(pub, msg, sr.Signature) {
		return errs.E(errs.Invalid, "回执签名无效：回执被改动过，或不是本平台签发的")
	}
	return nil
}

// containerRef is what a receipt says of a container: its digest and size.
type containerRef struct {
	digest string // hex container digest (sealed.Envelope.ContainerDigest): receipt version 2
	size   int64  // bytes of the whole container
	// wholeFile: digest is the SM3 of the whole file (receipt version 1),
	// for a bid received before containers were stored split.
	wholeFile bool
}

// refOf is the receipt's reference to a stored bid.
func refOf(rec sealedBid) containerRef {
	return containerRef{digest: rec.Blob, size: rec.Size, wholeFile: rec.Section == ""}
}

// ReceiptDigest is the digest a receipt of the given version names for a
// container: for version 2 the container digest
// (sealed.Envelope.ContainerDigest), for version 1 the SM3 of the whole
// file. It returns the digest in hex and the container's size, reading r
// once; for version 2 the container must be valid (sealed.Inspect).
func ReceiptDigest(version int, r io.Reader) (string, int64, error) {
	switch version {
	case 1:
		h := sm3.New()
		n, err := io.Copy(h, r)
		return hex.EncodeToString(h.Sum(nil)), n, err
	case 2:
		d, env, err := sealed.ContainerDigestOf(r)
		return hex.EncodeToString(d), env.Size, err
	}
	return "", 0, errs.E(errs.Invalid, "回执版本 %d 无法识别", version)
}

// newReceipt numbers and signs a receipt.
func (s *Service) newReceipt(ctx context.Context, tx *db.Tx, a auth.Actor, kind string, l tender.Lot, p tender.Project, ref containerRef, now time.Time) (SignedReceipt, error) {
	var seq int64
	if err := tx.QueryRow(ctx, "INSERT INTO receipt_numbers (created_at) VALUES (?) RETURNING id", db.Micros(now)).Scan(&seq); err != nil {
		return SignedReceipt{}, err
	}
	var name, code string
	if err := tx.QueryRow(ctx, "SELECT name, credit_code FROM organisations WHERE id = ?", a.OrgID).Scan(&name, &code); err != nil {
		return SignedReceipt{}, err
	}
	v := 2
	if ref.wholeFile {
		v = 1
	}
	r := Receipt{Version: v, Seq: seq, Kind: kind, LotID: l.ID, ProjectCode: p.Code, LotName: l.Name,
		BidderID: a.OrgID, BidderName: name, CreditCode: code, Digest: ref.digest, Size: ref.size,
		ReceivedAt: now.In(time.UTC), Deadline: l.BidDeadline.In(time.UTC)}
	msg, err := receiptMessage(r)
	if err != nil {
		return SignedReceipt{}, err
	}
	sig, err := gm.Sign(s.Keys.Platform, msg)
	if err != nil {
		return SignedReceipt{}, err
	}
	return SignedReceipt{Receipt: r, Signature: sig}, nil
}

// ReceiptKey is the platform's public key in PEM, published so anybody can
// verify receipts and opening records offline.
func (s *Service) ReceiptKey(a auth.Actor) ([]byte, error) {
	if err := a.Authorize(auth.ReadReceiptKey); err != nil {
		return nil, err
	}
	return gm.MarshalPublicKeyPEM(&s.Keys.Platform.PublicKey)
}
