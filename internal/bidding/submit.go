package bidding

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/blob"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
)

// Upload is where a sealed container came from: signals for supervision,
// sealed with the bid and shown only after the opening starts.
type Upload struct {
	IP string
}

const srcA13 = "《招标投标法》第二十八条、《电子招标投标办法》第二十七条"

// biddable loads the lot and its project and checks that bids are being
// taken now (RULES A13: nothing after the deadline, which is the server's
// clock).
func biddable(ctx context.Context, q db.Querier, lotID int64, now time.Time) (tender.Lot, tender.Project, error) {
	l, err := tender.GetLot(ctx, q, lotID)
	if err != nil {
		return l, tender.Project{}, err
	}
	p, err := tender.GetProject(ctx, q, l.ProjectID)
	if err != nil {
		return l, p, err
	}
	// Lots opened by sealed bids have an opening time (set by the tender
	// notice); listings and auctions take applications, not sealed bids.
	if p.State != tender.Tendering || l.BidDeadline.IsZero() || l.OpeningAt.IsZero() {
		return l, p, errs.E(errs.Conflict, "该标段当前不接受投标（项目状态：%s）", p.State.Label())
	}
	if !now.Before(l.BidDeadline) {
		return l, p, errs.Violation("A13", srcA13, "投标截止时间（"+clock.Format(l.BidDeadline)+"）已过，投标文件不予接收")
	}
	return l, p, nil
}

// Submit receives a sealed container for a lot from a bidder, before the
// deadline: streamed to the file store and hashed on the way, its
// structure, certificate and signature checked without decrypting (RULES
// B4), then stored as the bidder's one active bid on the lot (a previous
// one is replaced). It returns the platform-signed receipt. A container
// identical to the active one is not stored twice: its receipt is
// returned again.
func (s *Service) Submit(ctx context.Context, a auth.Actor, lotID int64, r io.Reader, up Upload) (SignedReceipt, error) {
	if err := a.Authorize(auth.SubmitBid); err != nil {
		return SignedReceipt{}, err
	}
	if a.OrgID == 0 {
		return SignedReceipt{}, errs.Forbid()
	}
	if _, _, err := biddable(ctx, s.DB, lotID, s.Clock.Now()); err != nil {
		return SignedReceipt{}, err
	}
	env, ref, err := s.receive(ctx, r)
	if err != nil {
		return SignedReceipt{}, err
	}
	if env.LotID != lotID {
		return SignedReceipt{}, errs.E(errs.Invalid, "投标文件是为另一个标段（编号 %d）加密的，不能投到本标段", env.LotID)
	}
	var out SignedReceipt
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		// The upload must be complete before the deadline, even if it
		// began before (RULES A13); the deadline may have moved meanwhile.
		now := s.now()
		l, p, err := biddable(ctx, tx, lotID, now)
		if err != nil {
			return err
		}
		if s.Certs == nil {
			return errs.E(errs.Internal, "平台未配置数字证书校验")
		}
		if err := s.Certs.Check(ctx, tx, a.OrgID, env.Cert, now); err != nil {
			return err
		}
		if err := s.ensureDecoys(ctx, tx, lotID, now); err != nil {
			return err
		}
		slot := s.slotOf(lotID, a.OrgID)
		prev, found, err := s.activeBid(ctx, tx, lotID, slot)
		if err != nil {
			return err
		}
		if found && prev.rec.Blob == ref.Key && prev.rec.Receipt != nil {
			out = *prev.rec.Receipt // a replayed upload: same bid, same receipt
			return nil
		}
		kind := "submit"
		if found {
			kind = "replace"
			if _, err := tx.Exec(ctx, "UPDATE bids SET state = 'replaced' WHERE id = ? AND state = 'active'", prev.id); err != nil {
				return err
			}
		}
		rc, err := s.newReceipt(ctx, tx, a, kind, l, p, ref, now)
		if err != nil {
			return err
		}
		rec := sealedBid{Org: a.OrgID, User: a.UserID, At: db.Micros(now), Blob: ref.Key, Size: ref.Size,
			CertFP: fingerprint(env), Wrapped: env.WrappedKey, SealedAt: db.Micros(env.SealedAt), IP: up.IP,
			Tool: env.Fingerprint, Receipt: &rc}
		sealedRec, c, err := s.seal(lotID, rec)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bids (lot_id, slot, state, sealed, created_at) VALUES (?, ?, 'active', ?, ?)",
			lotID, slot, sealedRec, coarseDay(now)); err != nil {
			return err
		}
		out = rc
		return s.secretEvent(ctx, tx, "bid.submit", p, c)
	})
	return out, err
}

// Withdraw withdraws the bidder's active bid on a lot before the deadline
// (撤回投标文件) and returns a receipt for the withdrawal.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, lotID int64) (SignedReceipt, error) {
	if err := a.Authorize(auth.SubmitBid); err != nil {
		return SignedReceipt{}, err
	}
	if a.OrgID == 0 {
		return SignedReceipt{}, errs.Forbid()
	}
	var out SignedReceipt
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		l, p, err := biddable(ctx, tx, lotID, now)
		if err != nil {
			return err
		}
		prev, found, err := s.activeBid(ctx, tx, lotID, s.slotOf(lotID, a.OrgID))
		if err != nil {
			return err
		}
		if !found {
			return errs.E(errs.NotFound, "您在该标段没有有效的投标文件")
		}
		if _, err := tx.Exec(ctx, "UPDATE bids SET state = 'withdrawn' WHERE id = ? AND state = 'active'", prev.id); err != nil {
			return err
		}
		out, err = s.newReceipt(ctx, tx, a, "withdraw", l, p, blob.Ref{Key: prev.rec.Blob, Size: prev.rec.Size}, now)
		if err != nil {
			return err
		}
		// The withdrawal is a row of its own in the bidder's slot (the
		// withdrawn bid keeps the record its submission event commits
		// to), so its receipt can be fetched again and the opening can
		// reveal its commitment.
		rec := sealedBid{Org: a.OrgID, User: a.UserID, At: db.Micros(now), Blob: prev.rec.Blob, Size: prev.rec.Size,
			IP: prev.rec.IP, Withdrawal: true, Receipt: &out}
		sealedRec, c, err := s.seal(lotID, rec)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bids (lot_id, slot, state, sealed, created_at) VALUES (?, ?, 'withdrawn', ?, ?)",
			lotID, s.slotOf(lotID, a.OrgID), sealedRec, coarseDay(now)); err != nil {
			return err
		}
		return s.secretEvent(ctx, tx, "bid.withdraw", p, c)
	})
	return out, err
}

// secretEvent appends the audit event of a submission or withdrawal
// without naming who or which lot (see secret.go).
func (s *Service) secretEvent(ctx context.Context, tx *db.Tx, action string, p tender.Project, c string) error {
	_, err := s.Audit.Append(ctx, tx, audit.Event{ActorName: secretActor, Action: action, ObjectType: "sealed_bid",
		ObjectID: c, Region: p.RegionCode, Industry: p.Industry,
		Details: map[string]any{"commitment": c, "scheme": "SM3(" + commitmentDomain[:len(commitmentDomain)-1] + " || 密封明文)"}})
	return err
}

type activeRow struct {
	id  int64
	rec sealedBid
}

// activeBid finds the active bid in a slot.
func (s *Service) activeBid(ctx context.Context, q db.Querier, lotID int64, slot string) (activeRow, bool, error) {
	var row activeRow
	var b []byte
	err := q.QueryRow(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND slot = ? AND state = 'active'", lotID, slot).Scan(&row.id, &b)
	if errs.Is(err, errs.NotFound) {
		return row, false, nil
	}
	if err != nil {
		return row, false, err
	}
	row.rec, _, err = s.unseal(lotID, b)
	return row, err == nil, err
}

// receive streams a container into the file store while checking it: one
// goroutine writes (and hashes) the stored copy, this one parses the
// stream. Memory does not grow with the size.
func (s *Service) receive(ctx context.Context, r io.Reader) (sealed.Envelope, blob.Ref, error) {
	pr, pw := io.Pipe()
	type put struct {
		ref blob.Ref
		err error
	}
	done := make(chan put, 1)
	go func() {
		ref, err := s.Blobs.Put(ctx, pr, s.MaxBidBytes)
		pr.CloseWithError(err) // unblock the writer if the store gave up
		done <- put{ref, err}
	}()
	tee := io.TeeReader(io.LimitReader(r, s.MaxBidBytes+1), pw)
	env, err := sealed.Inspect(tee)
	if err == nil {
		// Anything after the container's end is not part of a valid one.
		var extra int64
		if extra, err = io.Copy(io.Discard, tee); err == nil && extra > 0 {
			err = errs.E(errs.Invalid, "不是有效的加密投标文件：文件末尾有多余数据")
		}
	}
	if err != nil {
		pw.CloseWithError(err)
		if res := <-done; errs.CodeOf(res.err) == errs.Invalid {
			return env, blob.Ref{}, res.err // too large: the store's message says so
		}
		return env, blob.Ref{}, invalidBid(err)
	}
	pw.Close()
	res := <-done
	if res.err != nil {
		return env, blob.Ref{}, res.err
	}
	return env, res.ref, nil
}

// invalidBid keeps the container parser's message and gives any other
// failure (a broken connection) a plain one.
func invalidBid(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Code != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Invalid, err, "投标文件上传未完成，请重新上传")
}

func fingerprint(env sealed.Envelope) string {
	if env.Cert == nil {
		return ""
	}
	sum := gm.SM3(env.Cert.Raw)
	return hex.EncodeToString(sum[:])
}
