package tender

import (
	"context"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/platform"
)

// Service runs project registration and intake.
type Service struct {
	platform.Base
	// Office is when working hours run (promises in 工作小时);
	// calendar.DefaultOfficeHours unless a centre configures others.
	Office calendar.OfficeHours
	// MaxMaterialBytes bounds one uploaded material file.
	MaxMaterialBytes int64
}

// DefaultMaxMaterialBytes is 50 MB: scanned approvals and contracts fit,
// whole drawing sets do not belong in intake.
const DefaultMaxMaterialBytes = 50 << 20

// New wires the service.
func New(b platform.Base) *Service {
	return &Service{Base: b, Office: calendar.DefaultOfficeHours, MaxMaterialBytes: DefaultMaxMaterialBytes}
}

// Register creates a draft project with its lots. A tenderer registers its
// own project (optionally naming its agent); an agent registers for a
// tenderer it names.
func (s *Service) Register(ctx context.Context, a auth.Actor, in ProjectInput) (Project, error) {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return Project{}, err
	}
	if err := in.validate(); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		c, err := centre.ByCode(ctx, tx, in.RegionCode)
		if errs.Is(err, errs.NotFound) {
			var f errs.Fields
			f.Add("region_code", "行政区划 %s 没有交易中心", in.RegionCode)
			return f.Err()
		} else if err != nil {
			return err
		}
		tenderer, agent, err := parties(ctx, tx, a, in)
		if err != nil {
			return err
		}
		p = Project{Name: in.Name, TradeKind: in.TradeKind, Industry: in.Industry, CentreID: c.ID, RegionCode: c.RegionCode,
			Procedure: in.Procedure, StateFunded: in.StateFunded, ApprovalRef: in.ApprovalRef, EstimatedPrice: in.EstimatedPrice,
			TendererOrgID: tenderer, AgentOrgID: agent, GreenChannel: in.GreenChannel, GreenReason: in.GreenReason,
			State: Draft, CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
		if p.Code, err = nextCode(ctx, tx, c.RegionCode, now); err != nil {
			return err
		}
		if p.ID, err = insertProject(ctx, tx, p); err != nil {
			return err
		}
		if err := replaceLots(ctx, tx, p.ID, Draft, in.Lots); err != nil {
			return err
		}
		if p, err = GetProject(ctx, tx, p.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.register", p, summary(p))
	})
	return p, err
}

// parties resolves who the project belongs to: the tenderer and, if any,
// its agent, both approved organisations of the right kind.
func parties(ctx context.Context, tx *db.Tx, a auth.Actor, in ProjectInput) (tenderer, agent int64, err error) {
	var f errs.Fields
	tenderID := resolveParty(ctx, tx, &f, "tenderer", in.TendererOrgID, in.TendererCreditCode)
	agentID := resolveParty(ctx, tx, &f, "agent", in.AgentOrgID, in.AgentCreditCode)
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	switch a.Role {
	case auth.Tenderer:
		tenderer, agent = a.OrgID, agentID
		if tenderID != 0 && tenderID != a.OrgID {
			f.Add("tenderer_org_id", "招标人只能为本单位登记项目")
		}
	case auth.Agent:
		tenderer, agent = tenderID, a.OrgID
		if agentID != 0 && agentID != a.OrgID {
			f.Add("agent_org_id", "代理机构只能以本单位名义登记项目")
		}
		if tenderer == 0 {
			f.Add("tenderer_org_id", "代理机构登记项目须指定委托的招标人")
		}
	default:
		return 0, 0, errs.Forbid()
	}
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	check := func(id int64, field, label, kind string) {
		if id == 0 {
			return
		}
		p, err := getParty(ctx, tx, id)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add(field, "%s不存在", label)
		case err != nil:
			f.Add(field, "%s无法读取", label)
		case p.Kind != kind:
			f.Add(field, "“%s”不是%s", p.Name, label)
		case p.Status != "approved":
			f.Add(field, "%s“%s”尚未通过注册审核", label, p.Name)
		}
	}
	check(tenderer, "tenderer_org_id", "招标人", "tenderer")
	check(agent, "agent_org_id", "招标代理机构", "agent")
	return tenderer, agent, f.Err()
}

// resolveParty turns an id or a 统一社会信用代码 into an organisation id
// (0 = not named); naming both, they must agree.
func resolveParty(ctx context.Context, q db.Querier, f *errs.Fields, role string, id int64, code string) int64 {
	if code == "" {
		return id
	}
	label := map[string]string{"tenderer": "招标人", "agent": "招标代理机构"}[role]
	byCode, err := partyByCreditCode(ctx, q, code)
	switch {
	case errs.Is(err, errs.NotFound):
		f.Add(role+"_credit_code", "未找到统一社会信用代码为 %s 的%s", code, label)
	case err != nil:
		f.Add(role+"_credit_code", "%s无法读取", label)
	case id != 0 && id != byCode:
		f.Add(role+"_credit_code", "%s的编号与统一社会信用代码不一致", label)
	default:
		return byCode
	}
	return 0
}

// Update saves the applicant's changes to a draft or returned project,
// replacing its lots. The centre and the parties stay as registered.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in ProjectInput) (Project, error) {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return Project{}, err
	}
	if err := in.validate(); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, id); err != nil {
			return err
		}
		old, err := s.owned(ctx, tx, a, id)
		if err != nil {
			return err
		}
		var f errs.Fields
		if in.RegionCode != old.RegionCode {
			f.Add("region_code", "项目登记后不能更换交易中心；如需更换，请撤回本项目后重新登记")
		}
		if id := resolveParty(ctx, tx, &f, "tenderer", in.TendererOrgID, in.TendererCreditCode); id != 0 && id != old.TendererOrgID {
			f.Add("tenderer_org_id", "项目登记后不能更换招标人")
		}
		if id := resolveParty(ctx, tx, &f, "agent", in.AgentOrgID, in.AgentCreditCode); id != 0 && id != old.AgentOrgID {
			f.Add("agent_org_id", "项目登记后不能更换招标代理机构")
		}
		if err := f.Err(); err != nil {
			return err
		}
		p = old
		p.Name, p.TradeKind, p.Industry, p.Procedure = in.Name, in.TradeKind, in.Industry, in.Procedure
		p.StateFunded, p.ApprovalRef, p.EstimatedPrice = in.StateFunded, in.ApprovalRef, in.EstimatedPrice
		p.GreenChannel, p.GreenReason, p.UpdatedAt = in.GreenChannel, in.GreenReason, s.Clock.Now()
		if err := updateDraft(ctx, tx, p, old.State); err != nil {
			return err
		}
		if err := replaceLots(ctx, tx, p.ID, old.State, in.Lots); err != nil {
			return err
		}
		if p, err = GetProject(ctx, tx, p.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.update", p, summary(p))
	})
	return p, err
}

// owned reads a project the actor's organisation owns and may still edit.
// A project of another organisation is "not found", so its existence does
// not leak.
func (s *Service) owned(ctx context.Context, q db.Querier, a auth.Actor, id int64) (Project, error) {
	p, err := GetProject(ctx, q, id)
	if err != nil {
		return p, err
	}
	if !Owns(a, p) {
		return Project{}, errs.E(errs.NotFound, "项目不存在")
	}
	if !p.Editable() {
		return p, errs.E(errs.Conflict, "项目当前状态为“%s”，只有草稿或已退回的项目可以修改", p.State.Label())
	}
	return p, nil
}

// Get shows a project to whoever may see it (Visible).
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Entry, error) {
	if err := a.Authorize(auth.ReadProject); err != nil {
		return Entry{}, err
	}
	l, err := getEntry(ctx, s.DB, id, s.Clock.Now())
	if err != nil {
		return l, err
	}
	if !Visible(a, l.Project) {
		return Entry{}, errs.E(errs.NotFound, "项目不存在")
	}
	return l, nil
}

// List shows the projects an actor may see: its organisation's own for
// tenderers and agents; for centre staff, supervisors and administrators
// the submitted and later projects in their jurisdiction.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Entry, int, error) {
	if err := a.Authorize(auth.ReadProject); err != nil {
		return nil, 0, err
	}
	var bad errs.Fields
	if f.State != "" && f.State.Label() == "" {
		bad.Add("state", "项目状态无效")
	}
	if f.TradeKind != "" && f.TradeKind.Label() == "" {
		bad.Add("trade_kind", "交易类型无效")
	}
	f.Query = strings.TrimSpace(f.Query)
	bad.MaxLen("q", "查询内容", f.Query, 100)
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	sc, ok := s.jurisdiction(a)
	if !ok {
		return []Entry{}, 0, nil
	}
	if f.State != "" {
		sc.add("p.state = ?", f.State)
	}
	if f.TradeKind != "" {
		sc.add("p.trade_kind = ?", f.TradeKind)
	}
	if f.Query != "" {
		like := "%" + likeEscape(f.Query) + "%"
		sc.add(`(p.name LIKE ? ESCAPE '\' OR p.code LIKE ? ESCAPE '\')`, like, like)
	}
	limit, offset := bounds(f.Limit, f.Offset)
	return entries(ctx, s.DB, sc, "p.updated_at DESC, p.id DESC", limit, offset, s.Clock.Now())
}

// jurisdiction is the SQL form of Visible; ok is false when the actor can
// see nothing at all.
func (s *Service) jurisdiction(a auth.Actor) (scope, bool) {
	var sc scope
	switch a.Role {
	case auth.Tenderer, auth.Agent:
		if a.OrgID == 0 {
			return sc, false
		}
		sc.add("(p.tenderer_org_id = ? OR p.agent_org_id = ?)", a.OrgID, a.OrgID)
		return sc, true
	case auth.Admin:
	case auth.Staff:
		if a.Region == "" {
			return sc, false
		}
		sc.add("p.region_code LIKE ?", centre.Prefix(a.Region)+"%")
	case auth.Supervisor:
		if a.Region == "" || a.Industry == "" {
			return sc, false
		}
		sc.add("p.region_code LIKE ?", centre.Prefix(a.Region)+"%")
		sc.add("p.industry = ?", string(a.Industry))
	default:
		return sc, false
	}
	sc.add("p.state <> ?", Draft)
	return sc, true
}

func bounds(limit, offset int) (int, int) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// Withdraw ends a draft or returned project at the applicant's request
// (撤回): it becomes terminated and can no longer be changed.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, id int64, reason string) (Project, error) {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return Project{}, err
	}
	reason = strings.TrimSpace(reason)
	var f errs.Fields
	f.Required("reason", "撤回理由", reason)
	f.MaxLen("reason", "撤回理由", reason, maxReasonLen)
	checkText(&f, "reason", "撤回理由", reason)
	if err := f.Err(); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, id); err != nil {
			return err
		}
		if _, err := s.owned(ctx, tx, a, id); err != nil {
			return err
		}
		if err := s.MoveTx(ctx, tx, a, id, Terminated, "申请人撤回："+reason); err != nil {
			return err
		}
		var err error
		p, err = GetProject(ctx, tx, id)
		return err
	})
	return p, err
}

// record appends the audit event of a project step, in the project's
// region and industry so its supervisors see it.
func (s *Service) record(ctx context.Context, tx *db.Tx, a auth.Actor, action string, p Project, details map[string]any) error {
	return s.Record(ctx, tx, a, action, "project", itoa(p.ID), p.RegionCode, p.Industry, details)
}

// summary is what the trail keeps of a registration or edit: enough to
// see what was declared, in fen.
func summary(p Project) map[string]any {
	lots := make([]map[string]any, len(p.Lots))
	for i, l := range p.Lots {
		lots[i] = map[string]any{"seq": l.Seq, "name": l.Name, "estimated_price": int64(l.EstimatedPrice),
			"max_price": int64(l.MaxPrice), "deposit": int64(l.Deposit), "eval_method": string(l.EvalMethod)}
	}
	return map[string]any{
		"code": p.Code, "name": p.Name, "trade_kind": string(p.TradeKind), "industry": p.Industry,
		"procedure": string(p.Procedure), "state_funded": p.StateFunded, "approval_ref": p.ApprovalRef,
		"estimated_price": int64(p.EstimatedPrice), "tenderer_org_id": p.TendererOrgID, "agent_org_id": p.AgentOrgID,
		"green_channel": p.GreenChannel, "green_reason": p.GreenReason, "lots": lots,
	}
}
