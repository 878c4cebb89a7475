package bidding

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

const (
	srcA12 = "《招标投标法》第二十八条、《招标投标法实施条例》第四十四条"
	srcA14 = "《招标投标法实施条例》第二十七条、第五十一条"
	srcB5  = "《电子招标投标办法》第二十九条至第三十二条"
	srcB6  = "《电子招标投标办法》第三十一条"
)

// StartDue starts the opening of every lot whose deadline has passed
// (RULES A13: the opening happens at the deadline). It is the durable
// scheduled job: its state is the database (lots past their deadline
// without an opening of that deadline's round), so it survives restarts,
// and inserting the openings row is what starts an opening, so with
// several server nodes each round of a lot is started once. Single-source
// purchases are not opened online (MinimumFor). The serve loop calls it
// every few seconds.
func (s *Service) StartDue(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.DB.Query(ctx, `SELECT l.id FROM lots l JOIN projects p ON p.id = l.project_id
		WHERE l.bid_deadline > 0 AND l.bid_deadline <= ? AND l.opening_at > 0 AND p.state IN ('tendering', 'evaluating')
		AND p.procedure <> ? AND NOT EXISTS (SELECT 1 FROM openings o WHERE o.lot_id = l.id AND o.bid_deadline >= l.bid_deadline)
		ORDER BY l.bid_deadline, l.id LIMIT 100`, db.Micros(now), tender.SingleSource)
	if err != nil {
		return 0, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return 0, err
	}
	// One lot that cannot be started does not hold up the others.
	n := 0
	var failed []error
	for _, id := range ids {
		started, err := s.start(ctx, id)
		if err != nil {
			failed = append(failed, fmt.Errorf("开标（标段 %d）: %w", id, err))
			continue
		}
		if started {
			n++
		}
	}
	return n, errors.Join(failed...)
}

// start opens the current round of one lot: the round's sealed rows are
// unsealed into opened_bids, its decoys dropped, and either the decryption
// window opens or, with fewer bids than the procedure's minimum, the lot
// fails (RULES A12, D8; MinimumFor).
func (s *Service) start(ctx context.Context, lotID int64) (bool, error) {
	started := false
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		l, err := tender.GetLot(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if l.BidDeadline.IsZero() || now.Before(l.BidDeadline) {
			return nil // the deadline moved meanwhile
		}
		p, err := tender.GetProject(ctx, tx, l.ProjectID)
		if err != nil {
			return err
		}
		min, err := onlineMinimum(p)
		if err != nil {
			return err
		}
		round, err := currentRound(ctx, tx, l)
		if err != nil {
			return err
		}
		window := s.DefaultWindow
		var minutes int
		if err := tx.QueryRow(ctx, "SELECT decrypt_minutes FROM lots WHERE id = ?", lotID).Scan(&minutes); err != nil {
			return err
		}
		if minutes > 0 {
			window = time.Duration(minutes) * time.Minute
		}
		res, err := tx.Exec(ctx, `INSERT INTO openings (lot_id, round, bid_deadline, state, started_at, window_ends_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lot_id, round) DO NOTHING`,
			lotID, round, db.Micros(l.BidDeadline), Decrypting, db.Micros(now), db.Micros(now.Add(window)))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another node started it
		}
		active, err := s.activeRows(ctx, tx, lotID, round)
		if err != nil {
			return err
		}
		var commitments []string
		for _, r := range active {
			o := openedRow{id: r.id, lotID: lotID, round: round, orgID: r.rec.Org, userID: r.rec.User, blobKey: r.rec.Blob, size: r.rec.Size,
				certFP: r.rec.CertFP, wrapped: r.rec.Wrapped, ip: r.rec.IP, tool: r.rec.Tool,
				receivedAt: dbTime(r.rec.At), sealedAt: dbTime(r.rec.SealedAt)}
			if r.rec.Receipt != nil {
				o.receiptSeq = r.rec.Receipt.Receipt.Seq
			}
			if err := insertOpened(ctx, tx, o); err != nil {
				return err
			}
		}
		// The commitments of every submission and withdrawal, so each
		// secret audit event can now be matched with its bid.
		all, err := s.allRows(ctx, tx, lotID, round)
		if err != nil {
			return err
		}
		for _, c := range all {
			commitments = append(commitments, c)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM bids WHERE lot_id = ? AND round = ? AND state = 'active'
			AND id NOT IN (SELECT id FROM opened_bids WHERE lot_id = ? AND round = ?)`, lotID, round, lotID, round); err != nil {
			return err
		}
		// The list can be long (one per submission and withdrawal): it is
		// kept with the opening, and the event carries its SM3.
		list, err := json.Marshal(nonNilStrings(commitments))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE openings SET commitments = ? WHERE lot_id = ? AND round = ?", string(list), lotID, round); err != nil {
			return err
		}
		sum := gm.SM3(list)
		details := map[string]any{"lot": l.Name, "round": round, "received": len(active), "commitments": len(commitments),
			"commitments_sm3": hex.EncodeToString(sum[:]), "minimum": min.Bids}
		started = true
		if ok, reason := min.enough(len(active)); !ok {
			if round > 1 {
				reason = roundName(round) + reason
			}
			return s.fail(ctx, tx, l, p, round, len(active), min, reason, details)
		}
		if _, err := tx.Exec(ctx, "UPDATE openings SET bids_received = ? WHERE lot_id = ? AND round = ?", len(active), lotID, round); err != nil {
			return err
		}
		details["window_ends_at"] = now.Add(window)
		return s.Record(ctx, tx, system, "opening.start", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry, details)
	})
	return started, err
}

// allRows returns the commitment of every non-decoy row of a round of a
// lot, in order.
func (s *Service) allRows(ctx context.Context, q db.Querier, lotID int64, round int) ([]string, error) {
	rows, err := q.Query(ctx, "SELECT sealed FROM bids WHERE lot_id = ? AND round = ? ORDER BY id", lotID, round)
	if err != nil {
		return nil, err
	}
	var bs [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		bs = append(bs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, b := range bs {
		rec, c, err := s.unseal(lotID, round, b)
		if err != nil {
			return nil, err
		}
		if !rec.Decoy {
			out = append(out, c)
		}
	}
	return out, nil
}

// fail records a failed opening (流标) of a round, drafts the failure
// notice, and moves the project to 流标 when none of its lots is still
// going on.
func (s *Service) fail(ctx context.Context, tx *db.Tx, l tender.Lot, p tender.Project, round, received int, min Minimum, reason string, details map[string]any) error {
	now := s.now()
	var noticeID any
	if s.Notices != nil {
		id, err := s.Notices.DraftFailureTx(ctx, tx, system, p, l.ID, reason)
		if err != nil {
			return err
		}
		noticeID = id
		details["failure_notice"] = id
	}
	if _, err := tx.Exec(ctx, `UPDATE openings SET state = ?, closed_at = ?, bids_received = ?, failure_reason = ?, failure_notice = ?
		WHERE lot_id = ? AND round = ?`, Failed, db.Micros(now), received, reason, noticeID, l.ID, round); err != nil {
		return err
	}
	details["reason"] = reason
	if err := s.Record(ctx, tx, system, "opening.failed", "lot", fmt.Sprint(l.ID), p.RegionCode, p.Industry, details); err != nil {
		return err
	}
	// The project fails when every lot with a deadline has failed in its
	// current round.
	var going int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM lots l WHERE l.project_id = ? AND l.bid_deadline > 0
		AND NOT EXISTS (SELECT 1 FROM openings o WHERE o.lot_id = l.id AND o.state = 'failed' AND o.bid_deadline >= l.bid_deadline)`,
		p.ID).Scan(&going); err != nil {
		return err
	}
	if going == 0 && tender.CanMove(p.State, tender.Failed) {
		note := "响应文件不足，流标"
		if min.Rule != "" {
			note = fmt.Sprintf("投标人不足%s家，流标（规则 %s）", cnCount(min.Bids), min.Rule)
		}
		return s.Tender.MoveTx(ctx, tx, system, p.ID, tender.Failed, note)
	}
	return nil
}

// CloseDue ends every decryption window that has run out: bids not
// decrypted by then fail with their cause (RULES B6) and the opening
// record is made.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	rows, err := s.DB.Query(ctx, "SELECT lot_id, round FROM openings WHERE state = ? AND window_ends_at <= ? ORDER BY window_ends_at LIMIT 100",
		Decrypting, db.Micros(s.now()))
	if err != nil {
		return 0, err
	}
	due, err := scanRounds(rows)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		if err := s.DB.Transact(ctx, func(tx *db.Tx) error { return s.finish(ctx, tx, d.lotID, d.round) }); err != nil {
			return 0, fmt.Errorf("开标记录（标段 %d %s）: %w", d.lotID, roundName(d.round), err)
		}
	}
	return len(due), nil
}

// Housekeeping runs the opening's scheduled steps once: decoys for new
// lots, openings due, windows run out. The serve loop calls it.
func (s *Service) Housekeeping(ctx context.Context) error {
	if _, err := s.PrepareDue(ctx); err != nil {
		return err
	}
	if _, err := s.StartDue(ctx); err != nil {
		return err
	}
	_, err := s.CloseDue(ctx)
	return err
}

// finish closes the window of a round's opening (inside tx): every bid
// still pending fails — revoked if the bidder caused it, withdrawn if not
// (RULES B6) — and the opening record is made and signed.
func (s *Service) finish(ctx context.Context, tx *db.Tx, lotID int64, round int) error {
	if err := tx.Lock(ctx, lockKey(lotID)); err != nil {
		return err
	}
	o, found, err := getOpening(ctx, tx, lotID, round)
	if err != nil || !found || o.state != Decrypting {
		return err
	}
	now := s.now()
	bids, err := openedOfLot(ctx, tx, lotID, round)
	if err != nil {
		return err
	}
	for _, b := range bids {
		if b.status != Pending {
			continue
		}
		cause := b.cause
		if cause == CauseNone {
			cause = CauseNoKey
		}
		st := Withdrawn
		if cause.BidderCaused() {
			st = Revoked
		}
		if _, err := tx.Exec(ctx, "UPDATE opened_bids SET status = ?, failure_cause = ? WHERE id = ?", st, cause, b.id); err != nil {
			return err
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
	if _, err := tx.Exec(ctx, "UPDATE openings SET state = ?, closed_at = ? WHERE lot_id = ? AND round = ?", Recorded, db.Micros(now), lotID, round); err != nil {
		return err
	}
	digest, renderErr, err := s.makeRecord(ctx, tx, l, p, round)
	if err != nil {
		return err
	}
	details := map[string]any{"lot": l.Name, "round": round, "record_sm3": digest}
	if renderErr != nil {
		details["pdf_error"] = "开标记录 PDF 未能生成，将在首次下载时生成"
	}
	if err := s.Record(ctx, tx, system, "opening.record", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry, details); err != nil {
		return err
	}
	if p.State == tender.Tendering {
		return s.Tender.MoveTx(ctx, tx, system, p.ID, tender.Evaluating, "开标结束，进入评标")
	}
	return nil
}

// lockKey serialises the decryptions and the closing of one lot's opening.
func lockKey(lotID int64) int64 { return 0x6f70656e<<32 | lotID }

var errNoOpening = errs.E(errs.Conflict, "该标段尚未开标")

// cnCount is a small count in Chinese (三家).
func cnCount(n int) string {
	if n >= 0 && n <= 10 {
		return []string{"零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"}[n]
	}
	return fmt.Sprint(n)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Commitments returns the commitments the opening of a round of a lot
// (0: the current round) revealed and their SM3 (as in the opening.start
// audit event): each secret bid.submit and bid.withdraw event names one of
// them.
func (s *Service) Commitments(ctx context.Context, a auth.Actor, lotID int64, round int) ([]string, string, error) {
	if err := a.Authorize(auth.ViewOpening); err != nil {
		return nil, "", err
	}
	l, _, err := s.lotFor(ctx, s.DB, a, lotID)
	if err != nil {
		return nil, "", err
	}
	if round, err = pickRound(ctx, s.DB, l, round); err != nil {
		return nil, "", err
	}
	var list string
	err = s.DB.QueryRow(ctx, "SELECT commitments FROM openings WHERE lot_id = ? AND round = ?", lotID, round).Scan(&list)
	if errs.Is(err, errs.NotFound) {
		return nil, "", errNoOpening
	}
	if err != nil {
		return nil, "", err
	}
	var out []string
	if err := json.Unmarshal([]byte(list), &out); err != nil {
		return nil, "", err
	}
	sum := gm.SM3([]byte(list))
	return out, hex.EncodeToString(sum[:]), nil
}
