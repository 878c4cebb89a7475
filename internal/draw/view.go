package draw

import (
	"context"
	"encoding/hex"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/tender"
)

// Get returns a draw as the caller may see it: masked names until the list
// is unsealed for them.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Draw, error) {
	if err := a.Authorize(auth.ReadDraw); err != nil {
		return Draw{}, err
	}
	r, err := getDraw(ctx, s.DB, id)
	if err != nil {
		return Draw{}, err
	}
	p, err := tender.GetProject(ctx, s.DB, r.ProjectID)
	if err != nil {
		return Draw{}, err
	}
	if !reads(a, p) {
		return Draw{}, errs.E(errs.NotFound, "专家抽取记录不存在")
	}
	return s.view(ctx, s.DB, a, r, p, true)
}

// List returns the draws the caller may follow, newest first.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Draw, int, error) {
	if err := a.Authorize(auth.ReadDraw); err != nil {
		return nil, 0, err
	}
	where, args := "1 = 1", []any{}
	switch a.Role {
	case auth.Admin:
	case auth.Staff:
		where, args = "(d.centre_id = ? OR p.region_code LIKE ?)", []any{a.CentreID, regionPrefix(a.Region) + "%"}
	case auth.Supervisor:
		where, args = "p.industry = ? AND p.region_code LIKE ?", []any{string(a.Industry), regionPrefix(a.Region) + "%"}
	default:
		return nil, 0, errs.Forbid()
	}
	if f.LotID > 0 {
		where += " AND d.lot_id = ?"
		args = append(args, f.LotID)
	}
	if f.State != "" {
		if f.State.Label() == "" {
			var fe errs.Fields
			fe.Add("state", "未知的状态")
			return nil, 0, fe.Err()
		}
		where += " AND d.state = ?"
		args = append(args, f.State)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, total, err := listDraws(ctx, s.DB, where, args, limit, max(f.Offset, 0))
	if err != nil {
		return nil, 0, err
	}
	out := make([]Draw, 0, len(rows))
	for _, r := range rows {
		p, err := tender.GetProject(ctx, s.DB, r.ProjectID)
		if err != nil {
			return nil, 0, err
		}
		if !reads(a, p) {
			continue
		}
		d, err := s.view(ctx, s.DB, a, r, p, false)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, nil
}

// regionPrefix is the region prefix a jurisdiction covers, "-" (matching
// nothing) without a region.
func regionPrefix(code string) string {
	switch {
	case len(code) != 6:
		return "-"
	case code[2:] == "0000":
		return code[:2]
	case code[4:] == "00":
		return code[:4]
	}
	return code
}

// view builds what a sees of draw r; calls and names only when full.
func (s *Service) view(ctx context.Context, q db.Querier, a auth.Actor, r row, p tender.Project, full bool) (Draw, error) {
	d := Draw{ID: r.ID, ProjectID: p.ID, ProjectCode: p.Code, ProjectName: p.Name, LotID: r.LotID, TradeKind: p.TradeKind,
		Industry: p.Industry, RegionCode: p.RegionCode, CentreID: r.CentreID, EvalStart: r.EvalStart, EvalEnd: r.EvalEnd,
		Venue: r.Venue, BookingID: r.BookingID, Quotas: r.Req.Quotas, Centres: r.Req.Centres, TendererReps: r.Req.TendererReps,
		Complex: r.Req.Complex, PanelSize: r.PanelSize, MaxServes: r.Req.MaxServes, ServesMonths: r.Req.ServesMonths,
		MaxAge: r.Req.MaxAge, Named: r.Req.Named, AnswerMinutes: r.AnswerMinutes, State: r.State, StateLabel: r.State.Label(),
		WitnessID: r.WitnessID, Unsealed: !r.UnsealedAt.IsZero(), Confidential: p.TradeKind == tender.Procurement,
		Version: r.Version, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, CommittedAt: r.CommittedAt,
		WitnessedAt: r.WitnessedAt, UnsealedAt: r.UnsealedAt, Calls: []Call{}, Alerts: []Alert{}, Progress: []Progress{}}
	if d.Named == nil {
		d.Named = []NamedExclusion{}
	}
	for _, l := range p.Lots {
		if l.ID == r.LotID {
			d.LotName = l.Name
		}
	}
	if len(r.PoolDigest) > 0 {
		d.PoolDigest = hex.EncodeToString(r.PoolDigest)
		d.Commitment = hex.EncodeToString(r.Commitment)
	}
	if len(r.Contribution) > 0 {
		d.Contribution = hex.EncodeToString(r.Contribution)
	}
	if len(r.Seed) > 0 {
		d.Seed = hex.EncodeToString(r.Seed)
	}
	if !full {
		return d, nil
	}
	if r.WitnessID != 0 {
		_ = q.QueryRow(ctx, "SELECT display_name FROM users WHERE id = ?", r.WitnessID).Scan(&d.WitnessName)
	}
	if r.Pool == nil && len(r.PoolDigest) > 0 { // read for a change, without the blobs (lockDraw)
		if err := q.QueryRow(ctx, "SELECT pool, exclusions FROM draws WHERE id = ?", r.ID).Scan(&r.Pool, &r.Exclusions); err != nil {
			return d, err
		}
	}
	var pools []Pool
	if len(r.Pool) > 0 {
		var err error
		if pools, err = DecodePools(r.Pool); err != nil {
			return d, errs.Wrap(errs.Internal, err, "专家池数据损坏")
		}
		d.PoolSizes = map[string]int{}
		for _, pl := range pools {
			d.PoolSizes[pl.Specialty] = len(pl.IDs)
		}
		excl, err := DecodeExclusions(r.Exclusions)
		if err != nil {
			return d, errs.Wrap(errs.Internal, err, "回避记录数据损坏")
		}
		d.Excluded = map[string]int{}
		seen := map[string]bool{}
		for _, e := range excl {
			k := string(e.Reason) + ":" + itoa(e.ExpertID)
			if !seen[k] {
				seen[k] = true
				d.Excluded[string(e.Reason)]++
			}
		}
	}
	resultOut := false
	if d.Unsealed && p.TradeKind == tender.Procurement {
		var err error
		if resultOut, err = resultPublished(ctx, q, p.ID, r.LotID); err != nil {
			return d, err
		}
	}
	d.NamesVisible = seesNames(a, p, d.Unsealed, resultOut)
	// Calls and alerts come with the witness (advance): before it there
	// is nothing to read.
	preWitness := r.State == Requested || r.State == Committed
	var calls []callRow
	short := map[string]bool{} // the specialties the pool ran out for
	if !preWitness {
		var err error
		if calls, err = callsOf(ctx, q, r.ID); err != nil {
			return d, err
		}
		if d.Alerts, short, err = alertsOf(ctx, q, r.ID); err != nil {
			return d, err
		}
	}
	l := newLedger(r.Req.Quotas, pools, nil)
	for _, c := range calls {
		l.record(c.Specialty, c.Position, 0)
		l.calls[c.Specialty][c.Position] = c.State
	}
	roles := l.roles()
	for _, c := range calls {
		id, err := s.expertOf(c)
		if err != nil {
			return d, err
		}
		ct, err := s.lib.Contact(ctx, q, id)
		if err != nil {
			return d, err
		}
		call := Call{ID: c.ID, Specialty: c.Specialty, Position: c.Position, State: c.State, StateLabel: c.State.Label(),
			Role: roles[c.Specialty][c.Position], Channel: c.Channel, Masked: expert.Mask(ct.Name), QueuedAt: c.QueuedAt,
			Deadline: c.Deadline, AnsweredAt: c.AnsweredAt, Note: c.Note}
		if d.NamesVisible {
			call.ExpertID, call.Name, call.Employer, call.CentreCode = id, ct.Name, ct.Employer, ct.CentreCode
		}
		d.Calls = append(d.Calls, call)
	}
	for _, spec := range l.specs {
		pr := l.progress(spec, d.PoolSizes[spec])
		pr.Exhausted = short[spec] && pr.Waiting == 0 && pr.Missing > 0
		d.Progress = append(d.Progress, pr)
	}
	return d, nil
}
