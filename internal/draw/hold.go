package draw

import (
	"context"
	"slices"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/expert"
)

// Bookings while lists are sealed. A sealed draw writes no engagement
// (internal/expert's expert_engagements names the expert, the lot and the
// tenderer in clear): its calls are the only record of who was invited or
// accepted, sealed, until the list is unsealed and the engagements are
// written with their outcomes (unseal.go). Until then “already booked at
// an overlapping time” is decided by the draw service itself, which opens
// the sealed calls of the other draws — inside the system, never shown.

// heldReason is the named exclusion given to the library's pool for an
// expert invited or accepted in another sealed draw at an overlapping
// time (reason code other).
const heldReason = "时间冲突：已被其他项目抽取"

// noteBooked marks a call that failed at once because the expert was
// booked elsewhere: it never reached the expert, so no engagement is
// written for it.
const noteBooked = "同一时段已有评标安排"

// holdLockBase keys the PostgreSQL advisory lock that serialises the
// draws' bookings of one expert ("ggzydr" + id): the check for a hold and
// the call that makes one happen under it.
const holdLockBase int64 = 0x6767_7a79_6472 << 16

// holding are the call states that keep an expert for the evaluation's
// time: invited (not yet answered) or accepted.
var holding = []CallState{Queued, Sent, Accepted}

// sealedHolds returns the experts held — invited or accepted — by calls of
// draws other than drawID that are not yet unsealed and whose evaluation
// overlaps [from, to). With index set, only the calls of that expert
// (draw_calls.expert_index) are read.
func (s *Service) sealedHolds(ctx context.Context, q db.Querier, drawID int64, from, to time.Time,
	index string) (map[int64]bool, error) {
	query := `SELECT c.draw_id, c.specialty, c.position, c.expert_sealed FROM draw_calls c JOIN draws d ON d.id = c.draw_id
		WHERE d.unsealed_at = 0 AND d.id <> ? AND d.eval_end > ? AND d.eval_start < ? AND c.state IN (?, ?, ?)`
	args := []any{drawID, db.Micros(from), db.Micros(to), holding[0], holding[1], holding[2]}
	if index != "" {
		query += " AND c.expert_index = ?"
		args = append(args, index)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var calls []callRow
	for rows.Next() {
		var c callRow
		if err := rows.Scan(&c.DrawID, &c.Specialty, &c.Position, &c.ExpertSealed); err != nil {
			rows.Close()
			return nil, err
		}
		calls = append(calls, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, c := range calls {
		id, err := s.expertOf(c)
		if err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, nil
}

// heldNamed turns the experts held by other sealed draws at an overlapping
// time into named exclusions for the pool, in id order.
func heldNamed(held map[int64]bool) []expert.Named {
	ids := make([]int64, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]expert.Named, len(ids))
	for i, id := range ids {
		out[i] = expert.Named{ExpertID: id, Reason: heldReason}
	}
	return out
}

// heldElsewhere takes the expert's booking lock and reports whether
// another sealed draw holds them at an overlapping time, or — for a draw
// still sealed, which books nobody — an engagement does. (After
// unsealing, EngageTx checks the engagements as it books.) The sealed
// calls are read before the engagements: a draw unsealed in between moves
// its holds from the one to the other in one transaction, so either read
// sees them.
func (s *Service) heldElsewhere(ctx context.Context, tx *db.Tx, r row, id int64) (bool, error) {
	if err := tx.Lock(ctx, holdLockBase+id); err != nil {
		return false, err
	}
	held, err := s.sealedHolds(ctx, tx, r.ID, r.EvalStart, r.EvalEnd, s.expertIndex(id))
	if err != nil || held[id] {
		return held[id], err
	}
	if !r.UnsealedAt.IsZero() {
		return false, nil
	}
	return expert.Held(ctx, tx, id, r.EvalStart, r.EvalEnd)
}
