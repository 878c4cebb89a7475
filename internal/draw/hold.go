package draw

import (
	"context"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/expert"
	"ggzy/internal/tender"
)

// Bookings while lists are sealed. A sealed draw writes no engagement
// (internal/expert's expert_engagements names the expert, the lot and the
// tenderer in clear): its calls are the only record of who was invited or
// accepted, sealed, until the list is unsealed and the engagements are
// written with their outcomes (unseal.go). Until then “already booked at
// an overlapping time” and the services to a tenderer on those lists are
// decided by the draw service itself when it calls an expert: it opens
// the sealed calls of the other draws — inside the system, never shown.

// noteBooked marks a call that failed at once because the expert was
// booked elsewhere: it never reached the expert, so no engagement is
// written for it.
const noteBooked = "同一时段已有评标安排"

// noteServed marks a call that failed at once because the expert, counting
// the acceptances on other draws' lists still sealed, has served the
// tenderer more often than the request allows. Like noteBooked it reached
// nobody and books nothing.
const noteServed = "已达为该招标人评标次数上限"

// holdLockBase keys the PostgreSQL advisory lock that serialises the
// draws' bookings of one expert ("ggzydr" + id): the check for a hold and
// the call that makes one happen under it.
const holdLockBase int64 = 0x6767_7a79_6472 << 16

// holding are the call states that keep an expert for the evaluation's
// time: invited (not yet answered) or accepted.
var holding = []CallState{Queued, Sent, Accepted}

// sealedCall is a call of another draw still sealed that holds its expert
// (invited or accepted), with that draw's evaluation and tenderer.
type sealedCall struct {
	callRow
	EvalStart, EvalEnd time.Time
	TendererOrgID      int64
}

// sealedCallsOf returns the holding calls of expert id (found by the keyed
// index draw_calls.expert_index, then opened) in draws other than drawID
// that are not yet unsealed.
func (s *Service) sealedCallsOf(ctx context.Context, q db.Querier, drawID, id int64) ([]sealedCall, error) {
	rows, err := q.Query(ctx, `SELECT c.draw_id, c.specialty, c.position, c.expert_sealed, c.state, d.eval_start, d.eval_end,
		p.tenderer_org_id FROM draw_calls c JOIN draws d ON d.id = c.draw_id JOIN projects p ON p.id = d.project_id
		WHERE c.expert_index = ? AND d.unsealed_at = 0 AND d.id <> ? AND c.state IN (?, ?, ?)`,
		s.expertIndex(id), drawID, holding[0], holding[1], holding[2])
	if err != nil {
		return nil, err
	}
	var out []sealedCall
	for rows.Next() {
		var c sealedCall
		var from, to int64
		if err := rows.Scan(&c.DrawID, &c.Specialty, &c.Position, &c.ExpertSealed, &c.State, &from, &to, &c.TendererOrgID); err != nil {
			rows.Close()
			return nil, err
		}
		c.EvalStart, c.EvalEnd = db.Time(from), db.Time(to)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	keep := out[:0]
	for _, c := range out {
		got, err := s.expertOf(c.callRow)
		if err != nil {
			return nil, err
		}
		if got == id { // the keyed index is exact; the sealed id confirms it
			keep = append(keep, c)
		}
	}
	return keep, nil
}

// heldElsewhere takes the expert's booking lock and reports why the expert
// cannot be called for draw r ("" when they can): another sealed draw
// holds them at an overlapping time, or — for a draw still sealed, which
// books nobody — an engagement does (noteBooked); or, counting the
// acceptances for the same tenderer on lists still sealed, they served it
// more than the request's limit in its months (noteServed — the library's
// pool counted only the engagements it knows). The sealed calls are read
// before the engagements: a draw unsealed in between moves its holds from
// the one to the other in one transaction, so either read sees them.
// (After unsealing, EngageTx checks the engagements as it books.)
//
// Nothing of this is written anywhere but on the call (state failed and
// the note, the expert sealed): the pool fixed at commit keeps these
// experts, so neither it nor the exclusions tell the database operator
// who is on a sealed list.
func (s *Service) heldElsewhere(ctx context.Context, tx *db.Tx, r row, p tender.Project, id int64) (string, error) {
	if err := tx.Lock(ctx, holdLockBase+id); err != nil {
		return "", err
	}
	calls, err := s.sealedCallsOf(ctx, tx, r.ID, id)
	if err != nil {
		return "", err
	}
	since := s.Clock.Now().AddDate(0, -r.Req.ServesMonths, 0)
	served := 0
	for _, c := range calls {
		if c.EvalEnd.After(r.EvalStart) && c.EvalStart.Before(r.EvalEnd) {
			return noteBooked, nil
		}
		if c.State == Accepted && c.TendererOrgID == p.TendererOrgID && !c.EvalStart.Before(since) {
			served++
		}
	}
	if r.UnsealedAt.IsZero() {
		held, err := expert.Held(ctx, tx, id, r.EvalStart, r.EvalEnd)
		if err != nil || held {
			return noteBooked, err
		}
	}
	if served > 0 && r.Req.ServesMonths > 0 {
		n, err := expert.ServedCount(ctx, tx, id, p.TendererOrgID, since)
		if err != nil {
			return "", err
		}
		if n+served > r.Req.MaxServes {
			return noteServed, nil
		}
	}
	return "", nil
}
