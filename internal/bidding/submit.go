package bidding

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
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
	// Round is the tendering round the bidder means (0: the lot's current
	// one); a round already opened is refused with its number (round.go).
	Round int
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
	// notice); listings and auctions take applications, not sealed bids,
	// and a single source is negotiated (MinimumFor).
	if _, err := onlineMinimum(p); err != nil && !l.OpeningAt.IsZero() {
		return l, p, err
	}
	if p.State != tender.Tendering || l.BidDeadline.IsZero() || l.OpeningAt.IsZero() || !now.Before(l.BidDeadline) {
		// A round already opened says so (round.go).
		if err := closedRound(ctx, q, l); err != nil {
			return l, p, err
		}
	}
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
	got, err := s.receive(ctx, r)
	if err != nil {
		return SignedReceipt{}, err
	}
	env, ref := got.env, got.ref
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
		round, err := bidRound(ctx, tx, l, up.Round, ref.digest)
		if err != nil {
			return err
		}
		if err := s.ensureDecoys(ctx, tx, lotID, round, now); err != nil {
			return err
		}
		slot := s.slotOf(lotID, round, a.OrgID)
		prev, found, err := s.activeBid(ctx, tx, lotID, round, slot)
		if err != nil {
			return err
		}
		if found && prev.rec.Blob == ref.digest && prev.rec.Receipt != nil {
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
		rec := sealedBid{Org: a.OrgID, User: a.UserID, At: db.Micros(now), Blob: ref.digest, Size: ref.size,
			CertFP: fingerprint(env), Wrapped: env.WrappedKey, SealedAt: db.Micros(env.SealedAt), IP: up.IP,
			Tool: env.Fingerprint, Receipt: &rc, Section: got.section, Head: env.Head, Trailer: env.Trailer}
		sealedRec, c, err := s.seal(lotID, round, rec)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bids (lot_id, round, slot, state, sealed, created_at) VALUES (?, ?, ?, 'active', ?, ?)",
			lotID, round, slot, sealedRec, coarseDay(now)); err != nil {
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
		round, err := bidRound(ctx, tx, l, 0, "")
		if err != nil {
			return err
		}
		prev, found, err := s.activeBid(ctx, tx, lotID, round, s.slotOf(lotID, round, a.OrgID))
		if err != nil {
			return err
		}
		if !found {
			return errs.E(errs.NotFound, "您在该标段没有有效的投标文件")
		}
		if _, err := tx.Exec(ctx, "UPDATE bids SET state = 'withdrawn' WHERE id = ? AND state = 'active'", prev.id); err != nil {
			return err
		}
		out, err = s.newReceipt(ctx, tx, a, "withdraw", l, p, refOf(prev.rec), now)
		if err != nil {
			return err
		}
		// The withdrawal is a row of its own in the bidder's slot (the
		// withdrawn bid keeps the record its submission event commits
		// to), so its receipt can be fetched again and the opening can
		// reveal its commitment.
		rec := sealedBid{Org: a.OrgID, User: a.UserID, At: db.Micros(now), Blob: prev.rec.Blob, Size: prev.rec.Size,
			IP: prev.rec.IP, Withdrawal: true, Receipt: &out}
		sealedRec, c, err := s.seal(lotID, round, rec)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bids (lot_id, round, slot, state, sealed, created_at) VALUES (?, ?, ?, 'withdrawn', ?, ?)",
			lotID, round, s.slotOf(lotID, round, a.OrgID), sealedRec, coarseDay(now)); err != nil {
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

// activeBid finds the active bid in a slot of a round.
func (s *Service) activeBid(ctx context.Context, q db.Querier, lotID int64, round int, slot string) (activeRow, bool, error) {
	var row activeRow
	var b []byte
	err := q.QueryRow(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND round = ? AND slot = ? AND state = 'active'",
		lotID, round, slot).Scan(&row.id, &b)
	if errs.Is(err, errs.NotFound) {
		return row, false, nil
	}
	if err != nil {
		return row, false, err
	}
	row.rec, _, err = s.unseal(lotID, round, b)
	return row, err == nil, err
}

// received is what receive kept of a container.
type received struct {
	env sealed.Envelope
	ref containerRef // what the receipt says of it
	// section is the file store's key of the chunk section.
	section string
}

// receive checks a container as it streams in (sealed.InspectSection) and
// stores it split: the chunk section — SM4-GCM ciphertext under the
// bidder's content key, nothing in it names the bidder — goes to the file
// store under its SM3, which the check computes for the bidder's signature
// anyway, so every byte is hashed once; the envelope around it (the
// header with the bidder's certificate and wrapped key, the signatures)
// stays with the caller, to be sealed into the bids row under the platform
// key. So the file store does not tell who bid (RULES B3). Memory does
// not grow with the size.
func (s *Service) receive(ctx context.Context, r io.Reader) (received, error) {
	var got received
	in := &capped{r: r, left: s.MaxBidBytes}
	ref, err := s.Blobs.PutHashed(ctx, s.MaxBidBytes, func(w io.Writer) (string, error) {
		env, err := sealed.InspectSection(in, w)
		got.env = env
		return hex.EncodeToString(env.CipherDigest), err
	})
	switch {
	case in.over:
		return got, errs.E(errs.Invalid, "文件超过大小上限 %d MB", s.MaxBidBytes>>20)
	case err != nil && in.err != nil:
		return got, invalidBid(in.err) // the upload broke off
	case err != nil:
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errs.Invalid {
			return got, err // not a valid container: the parser says why
		}
		return got, errs.Wrap(errs.Internal, err, "保存投标文件失败，请稍后重新上传")
	}
	got.section = ref.Key
	got.ref = containerRef{digest: hex.EncodeToString(got.env.ContainerDigest()), size: got.env.Size}
	return got, nil
}

// capped reads at most left bytes of r and notes a failure of r (a
// connection that broke off), so receive can tell the uploader's problem
// from the container's and the store's.
type capped struct {
	r    io.Reader
	left int64
	over bool
	err  error
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more than allowed tells a container over the limit.
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			c.over = true
			return 0, errs.E(errs.Invalid, "文件超过大小上限")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
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
