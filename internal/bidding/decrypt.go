package bidding

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"

	"encoding/json"
	"errors"
	"fmt"
	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
)

// contentKeyAAD binds a stored content key to its bid.
func contentKeyAAD(bidID int64) []byte {
	return fmt.Appendf(nil, "ggzy/bid-content-key/v1|bid=%d", bidID)
}

// Decrypt takes the content key a bidder hands over during the decryption
// window (its tool unwrapped it with the bidder's private key), decrypts
// the bid, checks every chunk and digest and extracts the bid form
// (RULES B5). A wrong key may be retried until the window closes; damage
// to the stored file is the platform's fault and is final at once (B6).
func (s *Service) Decrypt(ctx context.Context, a auth.Actor, lotID int64, key []byte) (Opened, error) {
	if err := a.Authorize(auth.DecryptBid); err != nil {
		return Opened{}, err
	}
	var f errs.Fields
	if len(key) != 16 {
		f.Add("content_key", "内容密钥应为 16 字节（32 位十六进制）")
	}
	if err := f.Err(); err != nil {
		return Opened{}, err
	}
	_, o, found, err := current(ctx, s.DB, lotID) // the lot's current round (round.go)
	if err != nil {
		return Opened{}, err
	}
	if !found {
		return Opened{}, errNoOpening
	}
	round := o.round
	b, err := openedOf(ctx, s.DB, lotID, round, a.OrgID)
	if err != nil {
		return Opened{}, err
	}
	if o.state != Decrypting || !s.now().Before(o.windowEndsAt) {
		return Opened{}, errs.E(errs.Conflict, "解密时间已结束")
	}
	if b.status != Pending {
		return Opened{}, errs.E(errs.Conflict, "您的投标文件已处理（%s）", b.status.Label())
	}
	// The heavy part, outside any transaction.
	contents, cause, err := s.open(ctx, b, key)
	if err != nil {
		return Opened{}, err
	}
	var out Opened
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, lockKey(lotID)); err != nil {
			return err
		}
		now := s.now()
		o, _, err := getOpening(ctx, tx, lotID, round)
		if err != nil {
			return err
		}
		if o.state != Decrypting || !now.Before(o.windowEndsAt) {
			return errs.E(errs.Conflict, "解密时间已结束")
		}
		b, err := openedOf(ctx, tx, lotID, round, a.OrgID)
		if err != nil {
			return err
		}
		if b.status != Pending {
			return errs.E(errs.Conflict, "您的投标文件已处理（%s）", b.status.Label())
		}
		if cause == CauseNone && s.Certs != nil {
			if certErr := s.Certs.Check(ctx, tx, a.OrgID, contents.Envelope.Cert, now); certErr != nil {
				cause = CauseCert
			}
		}
		l, err := tender.GetLot(ctx, tx, lotID)
		if err != nil {
			return err
		}
		p, err := tender.GetProject(ctx, tx, l.ProjectID)
		if err != nil {
			return err
		}
		details := map[string]any{"lot": l.Name, "round": round, "bid": b.id}
		switch cause {
		case CauseNone:
			if err := s.storeDecrypted(ctx, tx, b, l, contents, key); err != nil {
				return err
			}
			details["result"] = "decrypted"
		case CauseWrongKey, CauseCert:
			// The bidder may try again until the window closes.
			if _, err := tx.Exec(ctx, "UPDATE opened_bids SET attempts = attempts + 1, failure_cause = ? WHERE id = ?", cause, b.id); err != nil {
				return err
			}
			details["result"], details["cause"] = "failed", string(cause)
		default: // the platform's fault: final, treated as withdrawn (B6)
			if _, err := tx.Exec(ctx, "UPDATE opened_bids SET attempts = attempts + 1, status = ?, failure_cause = ? WHERE id = ?",
				Withdrawn, cause, b.id); err != nil {
				return err
			}
			details["result"], details["cause"] = "withdrawn", string(cause)
		}
		if err := s.Record(ctx, tx, a, "bid.decrypt", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry, details); err != nil {
			return err
		}
		if b, err = openedOf(ctx, tx, lotID, round, a.OrgID); err != nil {
			return err
		}
		names, err := orgNames(ctx, tx, []int64{b.orgID})
		if err != nil {
			return err
		}
		out = s.view(ctx, tx, b, names)
		// Everybody done: no need to wait for the window.
		var pending int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM opened_bids WHERE lot_id = ? AND round = ? AND status = ?", lotID, round, Pending).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 {
			return s.finish(ctx, tx, lotID, round)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	switch cause {
	case CauseWrongKey:
		return out, errs.E(errs.Invalid, "提交的密钥无法解密投标文件，请确认使用的是投标时的数字证书；解密时限内可以重试")
	case CauseCert:
		return out, errs.E(errs.Invalid, "数字证书已失效（吊销或过期），无法解密")
	case CauseDamaged, CauseMissing:
		return out, errs.E(errs.Conflict, "平台存储的投标文件%s，按撤回投标处理（规则 B6，%s）", map[Cause]string{CauseDamaged: "损坏", CauseMissing: "缺失"}[cause], srcB6)
	}
	return out, nil
}

// open decrypts and verifies a stored bid with key, discarding the files'
// bytes (their digests are kept), and says why it failed if it did. The
// container is reassembled from its envelope, kept sealed in the bid's
// bids row, and its chunk section in the file store (see receive). It must
// still be the container receipted before anything is blamed on the
// bidder: a section swapped in the store (for instance for the bidder's
// own earlier, replaced bid's) fails the bidder's signed digest, which
// sealed.Open checks before it calls a failure the bidder's, and the
// envelope must give the receipt's container digest. So such a swap is
// damage, not a wrong key. A read error is returned for the bidder to
// retry.
func (s *Service) open(ctx context.Context, b openedRow, key []byte) (sealed.Contents, Cause, error) {
	var sealedRec []byte
	err := s.DB.QueryRow(ctx, "SELECT sealed FROM bids WHERE id = ?", b.id).Scan(&sealedRec)
	if errs.Is(err, errs.NotFound) {
		return sealed.Contents{}, CauseMissing, nil // the envelope is gone with its row
	}
	if err != nil {
		return sealed.Contents{}, CauseNone, err
	}
	rec, _, err := s.unseal(b.lotID, b.round, sealedRec)
	if err != nil {
		return sealed.Contents{}, CauseNone, err
	}
	if rec.Section == "" {
		return s.openWhole(ctx, b, key)
	}
	rc, err := s.Blobs.Open(ctx, rec.Section)
	if errs.Is(err, errs.NotFound) {
		return sealed.Contents{}, CauseMissing, nil
	}
	if err != nil {
		return sealed.Contents{}, CauseNone, errs.Wrap(errs.Internal, err, "读取投标文件失败，请稍后重试")
	}
	defer rc.Close()
	c, openErr := sealed.Open(io.MultiReader(bytes.NewReader(rec.Head), rc, bytes.NewReader(rec.Trailer)), key, nil)
	// The envelope is the one receipted: its container digest, with the
	// section's digest as its trailer gives it (which Open has checked
	// against the section, unless it stopped at a wrong key).
	if hex.EncodeToString(sealed.EnvelopeDigest(rec.Head, rec.Trailer)) != b.blobKey {
		return c, CauseDamaged, nil
	}
	cause, err := causeOf(c, b, openErr)
	return c, cause, err
}

// causeOf is whose fault Open's outcome on an intact, receipted container
// is.
func causeOf(c sealed.Contents, b openedRow, openErr error) (Cause, error) {
	switch {
	case openErr == nil:
		if fingerprint(c.Envelope) != b.certFP {
			return CauseDamaged, nil
		}
		return CauseNone, nil
	case errors.Is(openErr, sealed.ErrWrongKey):
		return CauseWrongKey, nil
	case errors.Is(openErr, sealed.ErrDamaged):
		return CauseDamaged, nil
	}
	return CauseNone, errs.Wrap(errs.Internal, openErr, "解密过程出错，请稍后重试")
}

// openWhole opens a bid received before containers were stored split: the
// whole container is in the file store under its SM3, which is also the
// receipt's digest, and is checked while it is read.
func (s *Service) openWhole(ctx context.Context, b openedRow, key []byte) (sealed.Contents, Cause, error) {
	rc, err := s.Blobs.Open(ctx, b.blobKey)
	if errs.Is(err, errs.NotFound) {
		return sealed.Contents{}, CauseMissing, nil
	}
	if err != nil {
		return sealed.Contents{}, CauseNone, errs.Wrap(errs.Internal, err, "读取投标文件失败，请稍后重试")
	}
	defer rc.Close()
	h := sm3.New()
	tee := io.TeeReader(rc, h)
	c, openErr := sealed.Open(tee, key, nil)
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return c, CauseNone, errs.Wrap(errs.Internal, err, "读取投标文件失败，请稍后重试")
	}
	if hex.EncodeToString(h.Sum(nil)) != b.blobKey {
		return c, CauseDamaged, nil
	}
	cause, err := causeOf(c, b, openErr)
	return c, cause, err
}

// storeDecrypted keeps what the opening shows of a decrypted bid and the
// content key (sealed), so evaluation can read the files later; a price
// above the published maximum is marked (RULES A14).
func (s *Service) storeDecrypted(ctx context.Context, tx *db.Tx, b openedRow, l tender.Lot, c sealed.Contents, key []byte) error {
	form := c.Form
	extra, err := json.Marshal(nonNil(form.Extra))
	if err != nil {
		return err
	}
	files := make([]FileInfo, 0, len(c.Files))
	for _, f := range c.Files {
		files = append(files, FileInfo{Name: f.Name, Size: f.Size, Digest: fmt.Sprintf("%x", f.Digest)})
	}
	fj, err := json.Marshal(files)
	if err != nil {
		return err
	}
	above := 0
	if AboveMax(form.Price, l.MaxPrice) {
		above = 1
	}
	_, err = tx.Exec(ctx, `UPDATE opened_bids SET status = ?, failure_cause = '', attempts = attempts + 1, content_key = ?,
		price = ?, duration_days = ?, quality = ?, manager = ?, manager_cert = ?, extra = ?, files = ?, above_max = ?,
		decrypted_at = ? WHERE id = ?`, Decrypted, s.Keys.PII.Seal(key, contentKeyAAD(b.id)), form.Price, form.DurationDays,
		form.Quality, form.Manager, form.ManagerCert, string(extra), string(fj), above, db.Micros(s.now()), b.id)
	return err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
