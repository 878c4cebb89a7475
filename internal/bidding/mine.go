package bidding

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Mine is the bidder's own bid on a lot in the lot's current round: before
// the opening its receipt, after the opening starts its status and the
// wrapped content key, which the bidder's tool unwraps to decrypt. A bid
// of an earlier round is not the current round's (not carried over).
func (s *Service) Mine(ctx context.Context, a auth.Actor, lotID int64) (MyBid, error) {
	if err := a.Authorize(auth.SubmitBid); err != nil {
		return MyBid{}, err
	}
	l, _, err := s.lotFor(ctx, s.DB, a, lotID)
	if err != nil {
		return MyBid{}, err
	}
	round, err := currentRound(ctx, s.DB, l)
	if err != nil {
		return MyBid{}, err
	}
	out := MyBid{LotID: lotID, Round: round}
	ob, err := openedOf(ctx, s.DB, lotID, round, a.OrgID)
	switch {
	case err == nil:
		out.Active, out.Digest, out.Size, out.ReceivedAt = true, ob.blobKey, ob.size, ob.receivedAt
		out.Status, out.StatusText, out.Cause, out.WrappedKey, out.Attempts = ob.status, ob.status.Label(), ob.cause, ob.wrapped, ob.attempts
		if row, found, err := s.lastBid(ctx, s.DB, lotID, round, a.OrgID); err != nil {
			return out, err
		} else if found {
			out.Receipt = row.rec.Receipt
		}
		return out, nil
	case !errs.Is(err, errs.NotFound):
		return out, err
	}
	row, found, err := s.activeBid(ctx, s.DB, lotID, round, s.slotOf(lotID, round, a.OrgID))
	if err != nil {
		return out, err
	}
	if !found { // withdrawn: the withdrawal's receipt, if any
		last, found, err := s.lastBid(ctx, s.DB, lotID, round, a.OrgID)
		if found && last.rec.Withdrawal {
			out.Receipt = last.rec.Receipt
		}
		return out, err
	}
	out.Active, out.Digest, out.Size, out.ReceivedAt, out.Receipt = true, row.rec.Blob, row.rec.Size, dbTime(row.rec.At), row.rec.Receipt
	return out, nil
}

// lastBid is the newest row of a bidder's slot in a round, whatever its
// state.
func (s *Service) lastBid(ctx context.Context, q db.Querier, lotID int64, round int, orgID int64) (activeRow, bool, error) {
	var row activeRow
	var b []byte
	err := q.QueryRow(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND round = ? AND slot = ? ORDER BY id DESC LIMIT 1",
		lotID, round, s.slotOf(lotID, round, orgID)).Scan(&row.id, &b)
	if errs.Is(err, errs.NotFound) {
		return row, false, nil
	}
	if err != nil {
		return row, false, err
	}
	row.rec, _, err = s.unseal(lotID, round, b)
	return row, err == nil, err
}

// Bidders lists the organisations with an active bid on a lot in its
// current round, for the platform's own use (the expert draw avoids their
// employees). It is never shown to anyone before the deadline.
func (s *Service) Bidders(ctx context.Context, q db.Querier, lotID int64) ([]int64, error) {
	l, o, opened, err := current(ctx, q, lotID)
	if err != nil {
		return nil, err
	}
	if opened {
		rows, err := q.Query(ctx, "SELECT bidder_org_id FROM opened_bids WHERE lot_id = ? AND round = ? ORDER BY bidder_org_id", l.ID, o.round)
		if err != nil {
			return nil, err
		}
		return scanIDs(rows)
	}
	var ids []int64
	active, err := s.activeRows(ctx, q, lotID, o.round)
	for _, r := range active {
		ids = append(ids, r.rec.Org)
	}
	return ids, err
}

// activeRows unseals the active real bids of a round of a lot (decoys
// skipped).
func (s *Service) activeRows(ctx context.Context, q db.Querier, lotID int64, round int) ([]activeRow, error) {
	rows, err := q.Query(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND round = ? AND state = 'active' ORDER BY id", lotID, round)
	if err != nil {
		return nil, err
	}
	type raw struct {
		id int64
		b  []byte
	}
	var rs []raw
	for rows.Next() {
		var r raw
		if err := rows.Scan(&r.id, &r.b); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []activeRow
	for _, r := range rs {
		rec, _, err := s.unseal(lotID, round, r.b)
		if err != nil {
			return nil, err
		}
		if !rec.Decoy {
			out = append(out, activeRow{id: r.id, rec: rec})
		}
	}
	return out, nil
}
