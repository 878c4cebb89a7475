package bidding

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Mine is the bidder's own bid on a lot: before the opening its receipt,
// after the opening starts its status and the wrapped content key, which
// the bidder's tool unwraps to decrypt.
func (s *Service) Mine(ctx context.Context, a auth.Actor, lotID int64) (MyBid, error) {
	if err := a.Authorize(auth.SubmitBid); err != nil {
		return MyBid{}, err
	}
	if _, _, err := s.lotFor(ctx, s.DB, a, lotID); err != nil {
		return MyBid{}, err
	}
	out := MyBid{LotID: lotID}
	ob, err := openedOf(ctx, s.DB, lotID, a.OrgID)
	switch {
	case err == nil:
		out.Active, out.Digest, out.Size, out.ReceivedAt = true, ob.blobKey, ob.size, ob.receivedAt
		out.Status, out.StatusText, out.Cause, out.WrappedKey, out.Attempts = ob.status, ob.status.Label(), ob.cause, ob.wrapped, ob.attempts
		if row, found, err := s.lastBid(ctx, s.DB, lotID, a.OrgID); err != nil {
			return out, err
		} else if found {
			out.Receipt = row.rec.Receipt
		}
		return out, nil
	case !errs.Is(err, errs.NotFound):
		return out, err
	}
	row, found, err := s.activeBid(ctx, s.DB, lotID, s.slotOf(lotID, a.OrgID))
	if err != nil {
		return out, err
	}
	if !found { // withdrawn: the withdrawal's receipt, if any
		last, found, err := s.lastBid(ctx, s.DB, lotID, a.OrgID)
		if found && last.rec.Withdrawal {
			out.Receipt = last.rec.Receipt
		}
		return out, err
	}
	out.Active, out.Digest, out.Size, out.ReceivedAt, out.Receipt = true, row.rec.Blob, row.rec.Size, dbTime(row.rec.At), row.rec.Receipt
	return out, nil
}

// lastBid is the newest row of a bidder's slot, whatever its state.
func (s *Service) lastBid(ctx context.Context, q db.Querier, lotID, orgID int64) (activeRow, bool, error) {
	var row activeRow
	var b []byte
	err := q.QueryRow(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND slot = ? ORDER BY id DESC LIMIT 1",
		lotID, s.slotOf(lotID, orgID)).Scan(&row.id, &b)
	if errs.Is(err, errs.NotFound) {
		return row, false, nil
	}
	if err != nil {
		return row, false, err
	}
	row.rec, _, err = s.unseal(lotID, b)
	return row, err == nil, err
}

// Bidders lists the organisations with an active bid on a lot, for the
// platform's own use (the expert draw avoids their employees). It is never
// shown to anyone before the deadline.
func (s *Service) Bidders(ctx context.Context, q db.Querier, lotID int64) ([]int64, error) {
	rows, err := q.Query(ctx, "SELECT bidder_org_id FROM opened_bids WHERE lot_id = ? ORDER BY bidder_org_id", lotID)
	if err != nil {
		return nil, err
	}
	ids, err := scanIDs(rows)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	var opened int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM openings WHERE lot_id = ?", lotID).Scan(&opened); err != nil || opened > 0 {
		return ids, err
	}
	active, err := s.activeRows(ctx, q, lotID)
	for _, r := range active {
		ids = append(ids, r.rec.Org)
	}
	return ids, err
}

// activeRows unseals a lot's active real bids (decoys skipped).
func (s *Service) activeRows(ctx context.Context, q db.Querier, lotID int64) ([]activeRow, error) {
	rows, err := q.Query(ctx, "SELECT id, sealed FROM bids WHERE lot_id = ? AND state = 'active' ORDER BY id", lotID)
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
		rec, _, err := s.unseal(lotID, r.b)
		if err != nil {
			return nil, err
		}
		if !rec.Decoy {
			out = append(out, activeRow{id: r.id, rec: rec})
		}
	}
	return out, nil
}
