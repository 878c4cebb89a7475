package expert

import (
	"context"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The draw's sealed list (internal/draw) books nobody in expert_engagements
// while the list is sealed: those rows name the expert, the lot and the
// tenderer in clear. It asks Held whether someone is booked elsewhere, and
// writes the engagements of its calls with their final outcomes when it
// unseals the list (RecordEngagementTx).

// Held reports whether an engagement holds the expert (invited, accepted
// or served) at a time overlapping [from, to) — the overlap EngageTx
// refuses. Call it in the caller's transaction after taking whatever lock
// serialises the caller's bookings.
func Held(ctx context.Context, q db.Querier, expertID int64, from, to time.Time) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM expert_engagements WHERE expert_id = ? AND to_at > ? AND from_at < ?
		AND outcome IN ('invited', 'accepted', 'served')`, expertID, db.Micros(from), db.Micros(to)).Scan(&n)
	return n > 0, err
}

// HeldAmong is Held for several experts in one statement: the set of ids
// that an engagement holds at a time overlapping [from, to).
func HeldAmong(ctx context.Context, q db.Querier, ids []int64, from, to time.Time) (map[int64]bool, error) {
	held := map[int64]bool{}
	if len(ids) == 0 {
		return held, nil
	}
	st := HeldAmongStmt(ids, from, to, held)
	rows, err := q.Query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := st.Read(rows); err != nil {
		return nil, err
	}
	return held, rows.Err()
}

// HeldAmongStmt is HeldAmong as a statement for db.Tx.Batch (ids not
// empty): running it marks the experts held in held.
func HeldAmongStmt(ids []int64, from, to time.Time, held map[int64]bool) db.Stmt {
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, db.Micros(from), db.Micros(to))
	return db.Stmt{SQL: `SELECT DISTINCT expert_id FROM expert_engagements WHERE expert_id IN (` +
		db.Placeholders(len(ids)) + `) AND to_at > ? AND from_at < ? AND outcome IN ('invited', 'accepted', 'served')`,
		Args: args, Read: func(rows db.Rows) error {
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				held[id] = true
			}
			return nil
		}}
}

// RecordEngagementTx writes an engagement that already took place, with
// its outcome as it stands (invited for a call still waiting for its
// answer). Unlike EngageTx it refuses no overlap: it records what
// happened, it does not book anyone.
func RecordEngagementTx(ctx context.Context, tx *db.Tx, e Engagement) (int64, error) {
	if e.ExpertID <= 0 || e.TendererOrgID <= 0 || e.From.IsZero() || !e.To.After(e.From) || OutcomeLabel(e.Outcome) == "" {
		return 0, errs.E(errs.Invalid, "评标安排无效：专家、招标人、起止时间和结果须完整有效")
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO expert_engagements (expert_id, tenderer_org_id, lot_id, from_at, to_at, ref, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.ExpertID, e.TendererOrgID, nullID(e.LotID), db.Micros(e.From),
		db.Micros(e.To), e.Ref, e.Outcome).Scan(&id)
	return id, err
}

// ServedCount counts the engagements in which the expert served (accepted or
// served) the tenderer from since on: “served this tenderer more than N
// times in M months” for a drawn expert, checked by the draw at call time
// together with the services its own sealed lists hold.
func ServedCount(ctx context.Context, q db.Querier, expertID, tendererOrgID int64, since time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM expert_engagements WHERE tenderer_org_id = ? AND from_at >= ?
		AND outcome IN ('accepted', 'served') AND expert_id = ?`, tendererOrgID, db.Micros(since), expertID).Scan(&n)
	return n, err
}
