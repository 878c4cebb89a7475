package expert

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The expert's own portal (their record through users → experts.user_id,
// future leave, history of evaluations and ratings) and the ratings the
// tenderer's side and the supervisor give after an evaluation.

// mine finds the actor's own expert record.
func (s *Service) mine(ctx context.Context, q db.Querier, a auth.Actor) (Expert, error) {
	e, err := s.getExpert(ctx, q, "e.user_id = ?", a.UserID)
	if errs.Is(err, errs.NotFound) {
		return e, errs.E(errs.NotFound, "您的账户尚未关联专家库中的专家记录，请联系所属交易中心")
	}
	return e, err
}

// Mine is the expert's own record, unmasked, with the history of
// evaluations and the ratings received.
func (s *Service) Mine(ctx context.Context, a auth.Actor) (Portal, error) {
	if err := a.Authorize(auth.ExpertPortal); err != nil {
		return Portal{}, err
	}
	e, err := s.mine(ctx, s.DB, a)
	if err != nil {
		return Portal{}, err
	}
	if e, err = s.complete(ctx, e, false); err != nil {
		return Portal{}, err
	}
	h, err := s.history(ctx, e.ID)
	if err != nil {
		return Portal{}, err
	}
	return Portal{Expert: e, History: h}, nil
}

// AddMyLeave records a future leave period for the signed-in expert.
func (s *Service) AddMyLeave(ctx context.Context, a auth.Actor, in LeaveInput) (Leave, error) {
	if err := a.Authorize(auth.ExpertPortal); err != nil {
		return Leave{}, err
	}
	now := s.Clock.Now()
	from, to, err := in.parse(now, true)
	if err != nil {
		return Leave{}, err
	}
	var l Leave
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.mine(ctx, tx, a)
		if err != nil {
			return err
		}
		l, err = s.insertLeave(ctx, tx, a, e, from, to, in.Reason, now)
		return err
	})
	return l, err
}

// RemoveMyLeave withdraws one of the expert's own leave periods that has
// not started.
func (s *Service) RemoveMyLeave(ctx context.Context, a auth.Actor, leaveID int64) error {
	if err := a.Authorize(auth.ExpertPortal); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.mine(ctx, tx, a)
		if err != nil {
			return err
		}
		return s.deleteLeave(ctx, tx, a, e, leaveID)
	})
}

// History lists an expert's engagements for those who may read the
// record.
func (s *Service) History(ctx context.Context, a auth.Actor, id int64) ([]HistoryEntry, error) {
	if err := a.Authorize(auth.ReadExperts); err != nil {
		return nil, err
	}
	e, err := s.getExpert(ctx, s.DB, "e.id = ?", id)
	if err != nil {
		return nil, err
	}
	if !readsExpert(a, e.CentreCode) {
		return nil, notFound()
	}
	return s.history(ctx, id)
}

// history reads an expert's engagements newest first with their ratings;
// the project is named only once the evaluation is over, so a pending
// invitation says no more than the call-out did.
func (s *Service) history(ctx context.Context, id int64) ([]HistoryEntry, error) {
	now := db.Micros(s.Clock.Now())
	rows, err := s.DB.Query(ctx, `SELECT g.id, g.expert_id, g.tenderer_org_id, COALESCE(g.lot_id, 0), g.from_at, g.to_at, g.ref,
		g.outcome, COALESCE(p.code, ''), COALESCE(p.name, '')
		FROM expert_engagements g LEFT JOIN lots l ON l.id = g.lot_id LEFT JOIN projects p ON p.id = l.project_id
		WHERE g.expert_id = ? ORDER BY g.from_at DESC, g.id DESC LIMIT 200`, id)
	if err != nil {
		return nil, err
	}
	var out []HistoryEntry
	index := map[int64]int{}
	for rows.Next() {
		var h HistoryEntry
		var from, to int64
		if err := rows.Scan(&h.ID, &h.ExpertID, &h.TendererOrgID, &h.LotID, &from, &to, &h.Ref, &h.Outcome, &h.ProjectCode,
			&h.ProjectName); err != nil {
			rows.Close()
			return nil, err
		}
		h.From, h.To = db.Time(from), db.Time(to)
		h.OutcomeLabel = OutcomeLabel(h.Outcome)
		if to > now || !serving(h.Outcome) {
			h.ProjectCode, h.ProjectName = "", ""
		}
		h.Ratings = []Rating{}
		index[h.ID] = len(out)
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.Query(ctx, `SELECT id, engagement_id, expert_id, rater, score, comment, created_at FROM expert_ratings
		WHERE expert_id = ? ORDER BY created_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRating(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := index[r.EngagementID]; ok {
			out[i].Ratings = append(out[i].Ratings, r)
		}
	}
	return orEmpty(out), rows.Err()
}

func scanRating(row interface{ Scan(...any) error }) (Rating, error) {
	var r Rating
	var at int64
	err := row.Scan(&r.ID, &r.EngagementID, &r.ExpertID, &r.Rater, &r.Score, &r.Comment, &at)
	r.RaterLabel, r.CreatedAt = r.Rater.Label(), db.Time(at)
	return r, err
}

// engagementRef is an engagement with what deciding who may rate it needs.
type engagementRef struct {
	Engagement
	agentOrgID  int64
	region      string
	industry    string
	projectCode string
	projectName string
	expertName  string
}

const engagementRefSQL = `SELECT g.id, g.expert_id, g.tenderer_org_id, COALESCE(g.lot_id, 0), g.from_at, g.to_at, g.ref, g.outcome,
	COALESCE(p.agent_org_id, 0), COALESCE(p.region_code, ''), COALESCE(p.industry, ''), COALESCE(p.code, ''),
	COALESCE(p.name, ''), e.name
	FROM expert_engagements g JOIN experts e ON e.id = g.expert_id
	LEFT JOIN lots l ON l.id = g.lot_id LEFT JOIN projects p ON p.id = l.project_id`

func scanEngagementRef(row interface{ Scan(...any) error }) (engagementRef, error) {
	var r engagementRef
	var from, to int64
	err := row.Scan(&r.ID, &r.ExpertID, &r.TendererOrgID, &r.LotID, &from, &to, &r.Ref, &r.Outcome, &r.agentOrgID,
		&r.region, &r.industry, &r.projectCode, &r.projectName, &r.expertName)
	r.From, r.To = db.Time(from), db.Time(to)
	return r, err
}

// raterFor says as which side a may rate g, or "" when a may not: the
// tenderer or its agent (one rating between them), or a supervisor whose
// region and industry cover the project.
func raterFor(a auth.Actor, g engagementRef) Rater {
	switch a.Role {
	case auth.Tenderer:
		if a.OrgID == g.TendererOrgID {
			return ByTenderer
		}
	case auth.Agent:
		if g.agentOrgID != 0 && a.OrgID == g.agentOrgID {
			return ByTenderer
		}
	case auth.Supervisor:
		if g.region != "" && centre.Within(g.region, a.Region) && string(a.Industry) == g.industry {
			return BySupervisor
		}
	}
	return ""
}

// rateable: the evaluation is over and the expert took part.
func rateable(g Engagement, now time.Time) bool { return serving(g.Outcome) && !g.To.After(now) }

// RatingInput is a score of 1–5 and a comment.
type RatingInput struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// Rate rates an expert after an evaluation, once per side.
func (s *Service) Rate(ctx context.Context, a auth.Actor, engagementID int64, in RatingInput) (Rating, error) {
	if err := a.Authorize(auth.RateExperts); err != nil {
		return Rating{}, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var f errs.Fields
	if in.Score < 1 || in.Score > 5 {
		f.Add("score", "评分须为1至5的整数")
	}
	f.MaxLen("comment", "评价", in.Comment, 500)
	if err := f.Err(); err != nil {
		return Rating{}, err
	}
	now := s.Clock.Now()
	var r Rating
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		g, err := scanEngagementRef(tx.QueryRow(ctx, engagementRefSQL+" WHERE g.id = ?", engagementID))
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "评标安排不存在")
		}
		if err != nil {
			return err
		}
		side := raterFor(a, g)
		if side == "" {
			return errs.E(errs.NotFound, "评标安排不存在")
		}
		if !rateable(g.Engagement, now) {
			return errs.E(errs.Conflict, "评标结束且专家实际参加后才能评价")
		}
		r = Rating{EngagementID: g.ID, ExpertID: g.ExpertID, Rater: side, RaterLabel: side.Label(), Score: in.Score,
			Comment: in.Comment, CreatedAt: now}
		err = tx.QueryRow(ctx, `INSERT INTO expert_ratings (engagement_id, expert_id, rater, rater_org_id, rater_user_id, score,
			comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, g.ID, g.ExpertID, string(side), a.OrgID, a.UserID,
			in.Score, in.Comment, db.Micros(now)).Scan(&r.ID)
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, "%s已评价过本次评标的该专家，每方只能评价一次", side.Label())
		}
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "expert.rate", "expert", itoa(g.ExpertID), g.region, g.industry, map[string]any{
			"engagement_id": g.ID, "rater": string(side), "score": in.Score, "comment": in.Comment})
	})
	return r, err
}

// Rateable lists the engagements the actor may still rate: evaluations
// over, in the last year, the expert's name masked.
func (s *Service) Rateable(ctx context.Context, a auth.Actor) ([]Rateable, error) {
	if err := a.Authorize(auth.RateExperts); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	where, args := "", []any{}
	switch a.Role {
	case auth.Tenderer:
		where, args = "g.tenderer_org_id = ?", []any{a.OrgID}
	case auth.Agent:
		where, args = "p.agent_org_id = ?", []any{a.OrgID}
	case auth.Supervisor:
		where, args = "p.region_code LIKE ? AND p.industry = ?", []any{regionPrefix(a) + "%", string(a.Industry)}
	}
	rows, err := s.DB.Query(ctx, engagementRefSQL+" WHERE "+where+` AND g.outcome IN ('accepted', 'served') AND g.to_at <= ?
		AND g.to_at > ? ORDER BY g.to_at DESC, g.id DESC LIMIT 200`,
		append(args, db.Micros(now), db.Micros(now.AddDate(-1, 0, 0)))...)
	if err != nil {
		return nil, err
	}
	var refs []engagementRef
	for rows.Next() {
		g, err := scanEngagementRef(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Rateable{}
	for _, g := range refs {
		side := raterFor(a, g)
		if side == "" {
			continue
		}
		var done int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM expert_ratings WHERE engagement_id = ? AND rater = ?", g.ID,
			string(side)).Scan(&done); err != nil {
			return nil, err
		}
		if done > 0 {
			continue
		}
		sp, err := specialtiesOf(ctx, s.DB, []int64{g.ExpertID})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, x := range sp[g.ExpertID] {
			names = append(names, x.Name)
		}
		out = append(out, Rateable{EngagementID: g.ID, ExpertName: Mask(g.expertName), Specialty: strings.Join(names, "、"),
			From: g.From, To: g.To, Ref: g.Ref, ProjectCode: g.projectCode, ProjectName: g.projectName, Rater: side})
	}
	return out, nil
}
