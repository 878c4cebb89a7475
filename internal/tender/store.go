package tender

import (
	"context"
	"database/sql"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The read functions here are shared by the capabilities that hang off a
// project (notices, venues, bids); they apply no access rules, so callers
// must authorize first.

const projectCols = `id, code, name, trade_kind, industry, centre_id, region_code, procedure, state_funded,
	approval_ref, estimated_price, tenderer_org_id, agent_org_id, green_channel, green_reason, state,
	submitted_at, due_at, decided_at, decided_by, return_reason, created_by, created_at, updated_at`

func scanProject(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var agent sql.NullInt64
	var submitted, due, decided, created, updated int64
	err := row.Scan(&p.ID, &p.Code, &p.Name, &p.TradeKind, &p.Industry, &p.CentreID, &p.RegionCode, &p.Procedure,
		&p.StateFunded, &p.ApprovalRef, &p.EstimatedPrice, &p.TendererOrgID, &agent, &p.GreenChannel, &p.GreenReason,
		&p.State, &submitted, &due, &decided, &p.DecidedBy, &p.ReturnReason, &p.CreatedBy, &created, &updated)
	p.AgentOrgID = agent.Int64
	p.SubmittedAt, p.DueAt, p.DecidedAt = db.Time(submitted), db.Time(due), db.Time(decided)
	p.CreatedAt, p.UpdatedAt = db.Time(created), db.Time(updated)
	return p, err
}

// GetProject reads a project with its lots.
func GetProject(ctx context.Context, q db.Querier, id int64) (Project, error) {
	p, err := scanProject(q.QueryRow(ctx, "SELECT "+projectCols+" FROM projects WHERE id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return p, errs.E(errs.NotFound, "项目不存在")
	}
	if err != nil {
		return p, err
	}
	p.Lots, err = LotsOf(ctx, q, id)
	return p, err
}

const lotCols = `id, project_id, seq, name, estimated_price, max_price, deposit, eval_method, bid_deadline,
	opening_at, state, award_price, awardee_org_id, awarded_at`

func scanLot(row interface{ Scan(...any) error }) (Lot, error) {
	var l Lot
	var awardee sql.NullInt64
	var deadline, opening, awarded int64
	err := row.Scan(&l.ID, &l.ProjectID, &l.Seq, &l.Name, &l.EstimatedPrice, &l.MaxPrice, &l.Deposit, &l.EvalMethod,
		&deadline, &opening, &l.State, &l.AwardPrice, &awardee, &awarded)
	l.AwardeeOrgID = awardee.Int64
	l.BidDeadline, l.OpeningAt, l.AwardedAt = db.Time(deadline), db.Time(opening), db.Time(awarded)
	return l, err
}

// LotsOf lists a project's lots in order.
func LotsOf(ctx context.Context, q db.Querier, projectID int64) ([]Lot, error) {
	rows, err := q.Query(ctx, "SELECT "+lotCols+" FROM lots WHERE project_id = ? ORDER BY seq", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lot
	for rows.Next() {
		l, err := scanLot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// GetLot reads one lot.
func GetLot(ctx context.Context, q db.Querier, id int64) (Lot, error) {
	l, err := scanLot(q.QueryRow(ctx, "SELECT "+lotCols+" FROM lots WHERE id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return l, errs.E(errs.NotFound, "标段不存在")
	}
	return l, err
}
