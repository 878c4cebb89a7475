package draw

import (
	"context"
	"slices"
	"strings"
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

// lockExperts is the statement taking the booking locks of experts ids
// (PostgreSQL advisory locks, in ascending order, in one statement); none
// on SQLite, whose transactions already run one at a time.
func lockExperts(d db.Dialect, ids []int64) []db.Stmt {
	if d != db.Postgres || len(ids) == 0 {
		return nil
	}
	keys := make([]int64, len(ids))
	for i, id := range ids {
		keys[i] = holdLockBase + id
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	args := make([]any, len(keys))
	values := make([]string, len(keys))
	for i, k := range keys {
		args[i], values[i] = k, "(CAST(? AS BIGINT))"
	}
	// Volatile functions in the select list run after the sort, so the
	// locks are taken in key order, as one call after another would.
	return []db.Stmt{{SQL: "SELECT pg_advisory_xact_lock(k) FROM (VALUES " + strings.Join(values, ", ") + ") AS v(k) ORDER BY k",
		Args: args}}
}

// sealedCallsOf is the statement reading the holding calls of experts ids
// (found by the keyed index draw_calls.expert_index) in draws other than
// drawID that are not yet unsealed, and the function that, once it ran,
// opens them and returns them by expert.
func (s *Service) sealedCallsOf(drawID int64, ids []int64) (db.Stmt, func() (map[int64][]sealedCall, error)) {
	out := map[int64][]sealedCall{}
	if len(ids) == 0 {
		return db.Stmt{}, func() (map[int64][]sealedCall, error) { return out, nil }
	}
	whose := make(map[string]int64, len(ids))
	args := make([]any, 0, len(ids)+4)
	for _, id := range ids {
		ix := s.expertIndex(id)
		if _, dup := whose[ix]; !dup {
			whose[ix] = id
			args = append(args, ix)
		}
	}
	n := len(args)
	args = append(args, drawID, string(holding[0]), string(holding[1]), string(holding[2]))
	var found []sealedCall
	// The calls of these experts first, by the keyed index alone (the
	// CTE is materialised, so no planner, however stale its statistics,
	// walks the open draws instead — that cost grows with every draw
	// still sealed), then their draws. The experts' calls over the years
	// are few; the state is checked on those.
	st := db.Stmt{SQL: `WITH c AS MATERIALIZED (SELECT draw_id, specialty, position, expert_sealed, expert_index, state
		FROM draw_calls WHERE expert_index IN (` + db.Placeholders(n) + `))
		SELECT c.draw_id, c.specialty, c.position, c.expert_sealed, c.expert_index, c.state, d.eval_start, d.eval_end,
		p.tenderer_org_id FROM c JOIN draws d ON d.id = c.draw_id JOIN projects p ON p.id = d.project_id
		WHERE d.unsealed_at = 0 AND d.id <> ? AND c.state IN (?, ?, ?)`, Args: args,
		Read: func(rows db.Rows) error {
			for rows.Next() {
				var c sealedCall
				var from, to int64
				var state string
				if err := rows.Scan(&c.DrawID, &c.Specialty, &c.Position, &c.ExpertSealed, &c.ExpertIndex, &state, &from, &to,
					&c.TendererOrgID); err != nil {
					return err
				}
				c.State = CallState(state)
				c.EvalStart, c.EvalEnd = db.Time(from), db.Time(to)
				found = append(found, c)
			}
			return nil
		}}
	return st, func() (map[int64][]sealedCall, error) {
		for _, c := range found {
			got, err := s.expertOf(c.callRow)
			if err != nil {
				return nil, err
			}
			if id := whose[c.ExpertIndex]; got == id { // the keyed index is exact; the sealed id confirms it
				out[id] = append(out[id], c)
			}
		}
		return out, nil
	}
}

// heldElsewhere takes the booking locks of the experts a round of calls
// of draw r is about to reach and reports, per expert, why they cannot be
// called (no entry when they can): another sealed draw holds them at an
// overlapping time, or — for a draw still sealed, which books nobody — an
// engagement does (noteBooked); or, counting the acceptances for the same
// tenderer on lists still sealed, they served it more than the request's
// limit in its months (noteServed — the library's pool counted only the
// engagements it knows). The sealed calls are read before the
// engagements: a draw unsealed in between moves its holds from the one to
// the other in one transaction, so either read sees them. (After
// unsealing, EngageTx checks the engagements as it books.) Whatever the
// round's size, that is three statements in one round trip: the locks, the
// sealed calls, the engagements (and, only for someone with sealed acceptances for the
// tenderer, their past services).
//
// Nothing of this is written anywhere but on the call (state failed and
// the note, the expert sealed): the pool fixed at commit keeps these
// experts, so neither it nor the exclusions tell the database operator
// who is on a sealed list.
func (s *Service) heldElsewhere(ctx context.Context, tx *db.Tx, r row, p tender.Project, ids []int64) (map[int64]string, error) {
	// The three in one round trip (db.Tx.Batch: one after the other, each
	// read with a snapshot taken after the locks are held).
	stmts := lockExperts(tx.Dialect(), ids)
	sealedSt, opened := s.sealedCallsOf(r.ID, ids)
	held := map[int64]bool{}
	if len(ids) > 0 {
		stmts = append(stmts, sealedSt)
		if r.UnsealedAt.IsZero() {
			stmts = append(stmts, expert.HeldAmongStmt(ids, r.EvalStart, r.EvalEnd, held))
		}
	}
	if err := tx.Batch(ctx, stmts...); err != nil {
		return nil, err
	}
	sealed, err := opened()
	if err != nil {
		return nil, err
	}
	since := s.Clock.Now().AddDate(0, -r.Req.ServesMonths, 0)
	notes := map[int64]string{}
	for _, id := range ids {
		served, booked := 0, false
		for _, c := range sealed[id] {
			if c.EvalEnd.After(r.EvalStart) && c.EvalStart.Before(r.EvalEnd) {
				booked = true
				break
			}
			if c.State == Accepted && c.TendererOrgID == p.TendererOrgID && !c.EvalStart.Before(since) {
				served++
			}
		}
		if booked || held[id] {
			notes[id] = noteBooked
			continue
		}
		if served > 0 && r.Req.ServesMonths > 0 {
			n, err := expert.ServedCount(ctx, tx, id, p.TendererOrgID, since)
			if err != nil {
				return nil, err
			}
			if n+served > r.Req.MaxServes {
				notes[id] = noteServed
			}
		}
	}
	return notes, nil
}
