package draw

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	"ggzy/internal/venue"
)

// Bounds of a request.
const (
	maxQuotas   = 10
	maxPerQuota = 30
	maxCentres  = 20
	maxNamed    = 200
	maxVenue    = 100
)

// drawable are the project states in which a panel may be drawn: the
// tender is out or the bids are being opened and evaluated.
var drawable = []tender.State{tender.Tendering, tender.Evaluating}

// Create saves a draw request for a lot. It checks every field and the
// panel rules (RULES A15 / C12) but draws nothing: Commit fixes the pool.
func (s *Service) Create(ctx context.Context, a auth.Actor, n NewRequest) (Draw, error) {
	if err := a.Authorize(auth.RequestDraw); err != nil {
		return Draw{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if n.LotID <= 0 {
			var f errs.Fields
			f.Add("lot_id", "请选择标段")
			return f.Err()
		}
		lot, err := tender.GetLot(ctx, tx, n.LotID)
		if err != nil {
			return err
		}
		p, err := tender.GetProject(ctx, tx, lot.ProjectID)
		if err != nil {
			return err
		}
		if !reads(a, p) {
			return errs.E(errs.NotFound, "标段不存在")
		}
		if !runs(a, p) {
			return errs.E(errs.Forbidden, "只有项目所在交易中心的工作人员可以申请抽取专家")
		}
		if !slices.Contains(drawable, p.State) {
			return errs.E(errs.Conflict, "项目「%s」当前状态为%s，发布招标公告后、评标结束前才能抽取专家", p.Name, p.State.Label())
		}
		r, err := s.checkRequest(ctx, tx, n, p, lot)
		if err != nil {
			return err
		}
		if err := CheckPanel(Panel{Kind: p.TradeKind, Budget: budget(p, lot), Complex: r.Req.Complex,
			Experts: formalCount(r.Req.Quotas), TendererReps: r.Req.TendererReps}); err != nil {
			return err
		}
		r.CreatedBy, r.CreatedAt = a.UserID, s.Clock.Now()
		if err := insertDraw(ctx, tx, &r); err != nil {
			return err
		}
		id = r.ID
		quotas := map[string]any{}
		for _, q := range r.Req.Quotas {
			quotas[q.Specialty] = map[string]int{"formal": q.Formal, "alternates": q.Alternates}
		}
		// A16: the request names counts and exclusions only; the named
		// exclusions are counted here, their ids stay in the request.
		return s.Record(ctx, tx, a, "draw.request", "draw", itoa(id), p.RegionCode, p.Industry, map[string]any{
			"project_id": p.ID, "lot_id": lot.ID, "eval_start": r.EvalStart.Format(timeLayout),
			"eval_end": r.EvalEnd.Format(timeLayout), "venue": r.Venue, "booking_id": r.BookingID, "quotas": quotas,
			"centres": r.Req.Centres, "tenderer_reps": r.Req.TendererReps, "complex": r.Req.Complex,
			"panel_size": r.PanelSize, "max_serves": r.Req.MaxServes, "serves_months": r.Req.ServesMonths,
			"max_age": r.Req.MaxAge, "named_exclusions": len(r.Req.Named), "answer_minutes": r.AnswerMinutes})
	})
	if err != nil {
		return Draw{}, err
	}
	s.changed(id)
	return s.Get(ctx, a, id)
}

// timeLayout is how times appear in audit details.
const timeLayout = "2006-01-02T15:04:05Z07:00"

// budget is the lot's budget, or the project's when the lot has none.
func budget(p tender.Project, l tender.Lot) money.Fen {
	if l.EstimatedPrice > 0 {
		return l.EstimatedPrice
	}
	return p.EstimatedPrice
}

func formalCount(qs []Quota) int {
	n := 0
	for _, q := range qs {
		n += q.Formal
	}
	return n
}

// checkRequest validates n for lot l of project p and returns the row to
// insert.
func (s *Service) checkRequest(ctx context.Context, tx *db.Tx, n NewRequest, p tender.Project, l tender.Lot) (row, error) {
	var f errs.Fields
	r := row{ProjectID: p.ID, LotID: l.ID, CentreID: p.CentreID, State: Requested}
	now := s.Clock.Now()

	if n.BookingID < 0 {
		f.Add("booking_id", "场地预约编号无效")
	}
	if n.BookingID > 0 {
		b, err := getBooking(ctx, tx, n.BookingID)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("booking_id", "场地预约不存在")
		case err != nil:
			return r, err
		case b.ProjectID != p.ID || (b.LotID != 0 && b.LotID != l.ID):
			f.Add("booking_id", "该场地预约不属于本标段")
		case b.State != string(venue.Active):
			f.Add("booking_id", "该场地预约已取消")
		case b.Purpose != string(venue.Evaluation):
			f.Add("booking_id", "须选择评标用途的场地预约")
		default:
			r.BookingID = b.ID
			r.Venue = b.Centre + b.Room
			r.EvalStart, r.EvalEnd = b.Start, b.End
		}
	}
	if n.EvalStart != "" || r.BookingID == 0 {
		t, err := venue.ParseTime(n.EvalStart)
		if err != nil {
			f.Add("eval_start", "评标开始时间%s", errs.As(err).Message)
		}
		r.EvalStart = t
	}
	if n.EvalEnd != "" || r.BookingID == 0 {
		t, err := venue.ParseTime(n.EvalEnd)
		if err != nil {
			f.Add("eval_end", "评标结束时间%s", errs.As(err).Message)
		}
		r.EvalEnd = t
	}
	if !r.EvalStart.IsZero() && !r.EvalEnd.IsZero() {
		switch {
		case !r.EvalEnd.After(r.EvalStart):
			f.Add("eval_end", "评标结束时间须晚于开始时间")
		case r.EvalEnd.Sub(r.EvalStart).Hours() > 24*7:
			f.Add("eval_end", "评标时间不能超过7天")
		case !r.EvalStart.After(now):
			f.Add("eval_start", "评标开始时间须晚于现在")
		}
	}
	if v := strings.TrimSpace(n.Venue); v != "" {
		r.Venue = v
	}
	switch {
	case r.Venue == "":
		f.Add("venue", "请填写评标地点或选择评标场地预约")
	case utf8.RuneCountInString(r.Venue) > maxVenue:
		f.Add("venue", "评标地点不超过 %d 个字", maxVenue)
	case strings.ContainsAny(r.Venue, "\r\n\x00"):
		f.Add("venue", "评标地点含有无效字符")
	}

	// Quotas.
	if len(n.Quotas) == 0 {
		f.Add("quotas", "至少填写一个专业的抽取人数")
	}
	if len(n.Quotas) > maxQuotas {
		f.Add("quotas", "一次抽取至多 %d 个专业", maxQuotas)
	}
	seen := map[string]bool{}
	for i, q := range n.Quotas {
		if i >= maxQuotas {
			break
		}
		field := "quotas[" + itoa(int64(i)) + "]"
		q.Specialty = expert.NormalizeCode(q.Specialty)
		if err := expert.Specialties().Check(q.Specialty); err != nil {
			f.Add(field+".specialty", "%s", errs.As(err).Message)
			continue
		}
		for other := range seen {
			if strings.HasPrefix(q.Specialty, other) || strings.HasPrefix(other, q.Specialty) {
				f.Add(field+".specialty", "专业 %s 与 %s 重叠，请合并为一项", q.Specialty, other)
			}
		}
		seen[q.Specialty] = true
		if q.Formal < 1 || q.Formal > maxPerQuota {
			f.Add(field+".formal", "正式专家人数须为 1 至 %d", maxPerQuota)
		}
		if q.Alternates < 0 || q.Alternates > maxPerQuota {
			f.Add(field+".alternates", "候补专家人数须为 0 至 %d", maxPerQuota)
		}
		q.Name = expert.Specialties().Name(q.Specialty)
		r.Req.Quotas = append(r.Req.Quotas, q)
	}
	slices.SortFunc(r.Req.Quotas, func(a, b Quota) int { return strings.Compare(a.Specialty, b.Specialty) })

	// Centres whose experts are eligible: the lot's own by default.
	centres := n.Centres
	if len(centres) == 0 {
		c, err := centre.Get(ctx, tx, p.CentreID)
		if err != nil {
			return r, err
		}
		centres = []string{c.RegionCode}
	}
	if len(centres) > maxCentres {
		f.Add("centres", "至多选择 %d 个交易中心", maxCentres)
		centres = centres[:maxCentres]
	}
	for _, code := range centres {
		code = strings.TrimSpace(code)
		if slices.Contains(r.Req.Centres, code) {
			continue
		}
		if _, err := centre.ByCode(ctx, tx, code); err != nil {
			if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
				f.Add("centres", "交易中心 %s 不存在", clip(code, 12))
				continue
			}
			return r, err
		}
		r.Req.Centres = append(r.Req.Centres, code)
	}
	slices.Sort(r.Req.Centres)

	// Panel and avoidance options.
	if n.TendererReps < 0 || n.TendererReps > 10 {
		f.Add("tenderer_reps", "招标人代表人数须为 0 至 10")
	}
	r.Req.TendererReps, r.Req.Complex = n.TendererReps, n.Complex
	if n.MaxServes < 0 || n.MaxServes > 100 {
		f.Add("max_serves", "须为 0 至 100")
	}
	if n.ServesMonths < 0 || n.ServesMonths > 60 {
		f.Add("serves_months", "须为 0 至 60 个月")
	}
	if (n.MaxServes > 0) != (n.ServesMonths > 0) {
		f.Add("serves_months", "“同一招标人 M 个月内评标超过 N 次”须同时填写次数和月数")
	}
	r.Req.MaxServes, r.Req.ServesMonths = n.MaxServes, n.ServesMonths
	r.Req.MaxAge = n.MaxAge
	if r.Req.MaxAge == 0 {
		r.Req.MaxAge = s.cfg.MaxAge
	}
	if r.Req.MaxAge < 40 || r.Req.MaxAge > 100 {
		f.Add("max_age", "年龄上限须为 40 至 100 周岁")
	}
	if p.TradeKind == tender.Procurement && r.Req.MaxAge > 70 {
		// RULES C13: government procurement experts are under 70.
		return r, errs.Violation("C13", srcC13, "政府采购评审专家须未满70周岁，年龄上限不能高于70")
	}
	if len(n.Named) > maxNamed {
		f.Add("named", "点名回避至多 %d 人", maxNamed)
	}
	for i, x := range n.Named {
		if i >= maxNamed {
			break
		}
		field := "named[" + itoa(int64(i)) + "]"
		reason := strings.TrimSpace(x.Reason)
		if x.ExpertID <= 0 {
			f.Add(field+".expert_id", "专家编号无效")
		}
		if reason == "" {
			f.Add(field+".reason", "请说明回避理由")
		} else if utf8.RuneCountInString(reason) > 100 {
			f.Add(field+".reason", "回避理由不超过100字")
		}
		if slices.ContainsFunc(r.Req.Named, func(y NamedExclusion) bool { return y.ExpertID == x.ExpertID }) {
			continue
		}
		r.Req.Named = append(r.Req.Named, NamedExclusion{ExpertID: x.ExpertID, Reason: reason})
	}
	r.AnswerMinutes = n.AnswerMinutes
	if r.AnswerMinutes == 0 {
		r.AnswerMinutes = int(s.cfg.AnswerWithin.Minutes())
	}
	if r.AnswerMinutes < 1 || r.AnswerMinutes > 24*60 {
		f.Add("answer_minutes", "答复时限须为 1 至 1440 分钟")
	}
	r.PanelSize = formalCount(r.Req.Quotas) + r.Req.TendererReps
	return r, f.Err()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// LotRef names a lot a draw may be requested for.
type LotRef struct {
	LotID       int64            `json:"lot_id"`
	LotName     string           `json:"lot_name"`
	ProjectID   int64            `json:"project_id"`
	ProjectCode string           `json:"project_code"`
	ProjectName string           `json:"project_name"`
	TradeKind   tender.TradeKind `json:"trade_kind"`
}

// DrawableLots lists the lots of the caller's centre whose panel may be
// drawn now (the request form's choices), newest project first.
func (s *Service) DrawableLots(ctx context.Context, a auth.Actor) ([]LotRef, error) {
	if err := a.Authorize(auth.RequestDraw); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT l.id, l.name, p.id, p.code, p.name, p.trade_kind FROM lots l
		JOIN projects p ON p.id = l.project_id WHERE p.centre_id = ? AND p.state IN (?, ?)
		ORDER BY p.id DESC, l.seq LIMIT 200`, a.CentreID, tender.Tendering, tender.Evaluating)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LotRef{}
	for rows.Next() {
		var l LotRef
		if err := rows.Scan(&l.LotID, &l.LotName, &l.ProjectID, &l.ProjectCode, &l.ProjectName, &l.TradeKind); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
