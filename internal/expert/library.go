package expert

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/ident"
)

// The library's use cases for centre staff and admins: add and edit
// experts, suspend, reinstate and retire them, record leave and penalties;
// and reading for staff, supervisors and admins.

// Create adds an expert to the library in a centre the actor manages.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (Expert, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Expert{}, err
	}
	now := s.Clock.Now()
	var f errs.Fields
	p := s.prepare(&f, in, now, true)
	if err := f.Err(); err != nil {
		return Expert{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		r, err := s.resolve(ctx, tx, a, p, 0)
		if err != nil {
			return err
		}
		if id, err = s.insertExpert(ctx, tx, r, a.UserID, now); err != nil {
			return err
		}
		if err := replaceLists(ctx, tx, id, r.pool(Active), p); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "expert.create", "expert", itoa(id), r.CentreCode, "", summary(r, p, "form"))
	})
	if err != nil {
		return Expert{}, err
	}
	return s.Get(ctx, a, id)
}

// pool is the pool's copy of the expert in row r with status st.
func (r row) pool(st Status) poolRow {
	return poolRow{centre: r.CentreCode, employer: r.EmployerCode, status: st, dishonest: r.Dishonest, birth: r.Birth}
}

// summary is what the audit trail keeps of an expert record: never the
// personal numbers.
func summary(r row, p prepared, via string) map[string]any {
	d := map[string]any{"name": r.Name, "centre": r.CentreCode, "specialties": p.specialties, "employer": r.EmployerName,
		"employer_code": r.EmployerCode, "title": r.Title, "years": r.Years, "past_employers": len(p.jobs),
		"relations": len(p.in.Relations), "dishonest": r.Dishonest}
	if r.UserID != 0 {
		d["user_id"] = r.UserID
	}
	if via != "" {
		d["via"] = via
	}
	return d
}

// resolve turns a prepared input into the row to write: the home centre
// (which the actor must manage), the employer organisation when it is on
// the platform, and the user account to link. id is the expert being
// edited, 0 for a new one.
func (s *Service) resolve(ctx context.Context, tx db.Querier, a auth.Actor, p prepared, id int64) (row, error) {
	in := p.in
	var c centre.Centre
	var err error
	switch {
	case in.CentreCode != "":
		c, err = centre.ByCode(ctx, tx, in.CentreCode)
	case a.Role == auth.Staff:
		c, err = centre.Get(ctx, tx, a.CentreID)
	default:
		var f errs.Fields
		f.Add("centre_code", "请选择专家所属的交易中心")
		return row{}, f.Err()
	}
	if errs.Is(err, errs.NotFound) {
		var f errs.Fields
		f.Add("centre_code", "没有行政区划代码为 %s 的交易中心", in.CentreCode)
		return row{}, f.Err()
	}
	if err != nil {
		return row{}, err
	}
	if !managesCentre(a, c.ID) {
		return row{}, refuseManage()
	}
	r := row{Name: in.Name, Email: in.Email, EmployerName: in.EmployerName, EmployerCode: in.EmployerCode,
		CentreCode: c.RegionCode, CentreID: c.ID, Title: in.Title, Years: in.Years, IDNumber: in.IDNumber, Phone: in.Phone,
		Birth: p.birth, Dishonest: in.Dishonest, DishonestNote: in.DishonestNote, UserID: in.UserID}
	if !r.Dishonest {
		r.DishonestNote = ""
	}
	// The employer is linked when it is registered; its registered name
	// is the one kept.
	var orgID int64
	var orgName string
	err = tx.QueryRow(ctx, "SELECT id, name FROM organisations WHERE credit_code = ?", in.EmployerCode).Scan(&orgID, &orgName)
	switch {
	case err == nil:
		r.EmployerOrgID, r.EmployerName = orgID, orgName
	case !errs.Is(err, errs.NotFound):
		return row{}, err
	}
	if in.UserID == 0 && in.Username != "" {
		err := tx.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", in.Username).Scan(&r.UserID)
		if errs.Is(err, errs.NotFound) {
			var f errs.Fields
			f.Add("username", "没有用户名为 %s 的账户", in.Username)
			return row{}, f.Err()
		}
		if err != nil {
			return row{}, err
		}
		in.UserID = r.UserID
	}
	if in.UserID != 0 {
		var role string
		var other int64
		err := tx.QueryRow(ctx, `SELECT u.role, COALESCE((SELECT x.id FROM experts x WHERE x.user_id = u.id), 0)
			FROM users u WHERE u.id = ?`, in.UserID).Scan(&role, &other)
		var f errs.Fields
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("user_id", "账户不存在")
		case err != nil:
			return row{}, err
		case auth.Role(role) != auth.Expert:
			f.Add("user_id", "只能关联角色为评标专家的账户")
		case other != 0 && other != id:
			f.Add("user_id", "该账户已关联其他专家")
		}
		if err := f.Err(); err != nil {
			return row{}, err
		}
	}
	return r, nil
}

// Update edits an expert of a centre the actor manages; moving the expert
// to another centre needs the actor to manage that one too.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in Input) (Expert, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Expert{}, err
	}
	now := s.Clock.Now()
	var f errs.Fields
	p := s.prepare(&f, in, now, false)
	if err := f.Err(); err != nil {
		return Expert{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		old, err := s.getExpert(ctx, tx, "e.id = ?", id)
		if err != nil {
			return err
		}
		if !readsExpert(a, old.CentreCode) {
			return notFound()
		}
		if !managesCentre(a, old.CentreID) {
			return refuseManage()
		}
		if p.in.CentreCode == "" {
			p.in.CentreCode = old.CentreCode
		}
		r, err := s.resolve(ctx, tx, a, p, id)
		if err != nil {
			return err
		}
		if r.IDNumber == "" && p.in.BirthDate != "" && dateText(p.birth) != old.BirthDate {
			var f errs.Fields
			f.Add("birth_date", "出生日期与身份证号中的 %s 不一致", old.BirthDate)
			return f.Err()
		}
		if err := s.updateExpert(ctx, tx, id, r, now); err != nil {
			return err
		}
		if r.IDNumber == "" {
			r.Birth, _ = ParseDate(old.BirthDate) // the birth date stays with the ID number
		}
		if err := replaceLists(ctx, tx, id, r.pool(old.Status), p); err != nil {
			return err
		}
		if err := syncStanding(ctx, tx, id); err != nil {
			return err
		}
		d := summary(r, p, "")
		d["id_number_changed"] = r.IDNumber != "" && r.IDNumber != old.IDNumber
		d["phone_changed"] = r.Phone != "" && r.Phone != old.Phone
		if old.CentreCode != r.CentreCode {
			d["previous_centre"] = old.CentreCode
		}
		return s.Record(ctx, tx, a, "expert.update", "expert", itoa(id), r.CentreCode, "", d)
	})
	if err != nil {
		return Expert{}, err
	}
	return s.Get(ctx, a, id)
}

// Get shows one expert with lists and flags, personal numbers masked
// unless the actor is staff of the expert's centre.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Expert, error) {
	if err := a.Authorize(auth.ReadExperts); err != nil {
		return Expert{}, err
	}
	e, err := s.getExpert(ctx, s.DB, "e.id = ?", id)
	if err != nil {
		return e, err
	}
	if !readsExpert(a, e.CentreCode) {
		return Expert{}, notFound()
	}
	return s.complete(ctx, e, !seesPII(a, e.CentreID))
}

// complete adds the lists and flags and masks the personal numbers when
// asked.
func (s *Service) complete(ctx context.Context, e Expert, mask bool) (Expert, error) {
	now := s.Clock.Now()
	if err := details(ctx, s.DB, &e, now); err != nil {
		return e, err
	}
	fl, err := flagsOf(ctx, s.DB, []int64{e.ID}, now)
	if err != nil {
		return e, err
	}
	e.Flags = fl[e.ID]
	if mask {
		maskPII(&e)
	}
	return e, nil
}

func maskPII(e *Expert) {
	e.IDNumber, e.Phone, e.Masked = ident.Mask(e.IDNumber), ident.MaskPhone(e.Phone), true
	if e.Email != "" {
		local, domain, _ := strings.Cut(e.Email, "@")
		e.Email = Mask(local) + "@" + domain
	}
}

// List pages through the library: staff and admins see every centre's
// experts, supervisors those of their region; personal numbers are masked
// except for the actor's own centre's staff.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Expert, int, error) {
	if err := a.Authorize(auth.ReadExperts); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	if err := checkFilter(f); err != nil {
		return nil, 0, err
	}
	now := s.Clock.Now()
	list, total, err := s.listExperts(ctx, s.DB, f, readPrefix(a), now, false)
	if err != nil {
		return nil, 0, err
	}
	if err := s.decorate(ctx, list, now); err != nil {
		return nil, 0, err
	}
	for i := range list {
		if !seesPII(a, list[i].CentreID) {
			maskPII(&list[i])
		}
	}
	return orEmpty(list), total, nil
}

func checkFilter(f Filter) error {
	var fs errs.Fields
	if f.Specialty != "" {
		if err := taxonomy.Check(NormalizeCode(f.Specialty)); err != nil {
			fs.Add("specialty", "%s", errs.As(err).Message)
		}
	}
	if f.Status != "" && f.Status.Label() == "" {
		fs.Add("status", "状态须为 active、suspended 或 retired")
	}
	if f.CentreCode != "" {
		if err := centre.ValidateCode(f.CentreCode); err != nil {
			fs.Add("centre", "%s", errs.As(err).Message)
		}
	}
	fs.MaxLen("q", "关键词", f.Query, 50)
	return fs.Err()
}

// decorate adds specialties and flags to a page of experts.
func (s *Service) decorate(ctx context.Context, list []Expert, now time.Time) error {
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	sp, err := specialtiesOf(ctx, s.DB, ids)
	if err != nil {
		return err
	}
	fl, err := flagsOf(ctx, s.DB, ids, now)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Specialties = orEmpty(sp[list[i].ID])
		list[i].Flags = fl[list[i].ID]
	}
	return nil
}

// managed loads an expert the actor manages, for a change in tx.
func (s *Service) managed(ctx context.Context, tx *db.Tx, a auth.Actor, id int64) (Expert, error) {
	e, err := s.getExpert(ctx, tx, "e.id = ?", id)
	if err != nil {
		return e, err
	}
	if !readsExpert(a, e.CentreCode) {
		return Expert{}, notFound()
	}
	if !managesCentre(a, e.CentreID) {
		return Expert{}, refuseManage()
	}
	return e, nil
}

// Suspension suspends an expert for a reason, from a day (today when
// empty) until a day (indefinitely when empty).
type Suspension struct {
	Reason string `json:"reason"`
	From   string `json:"from"`
	Until  string `json:"until"`
}

// Suspend stops an expert being drawn for the period.
func (s *Service) Suspend(ctx context.Context, a auth.Actor, id int64, in Suspension) (Expert, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Expert{}, err
	}
	now := s.Clock.Now()
	in.Reason = strings.TrimSpace(in.Reason)
	var f errs.Fields
	if f.Required("reason", "暂停原因", in.Reason) {
		f.MaxLen("reason", "暂停原因", in.Reason, 200)
	}
	from, until := day(now), time.Time{}
	var err error
	if strings.TrimSpace(in.From) != "" {
		if from, err = ParseDate(in.From); err != nil {
			f.Add("from", "开始日期%s", errs.As(err).Message)
		}
	}
	if strings.TrimSpace(in.Until) != "" {
		if until, err = ParseDate(in.Until); err != nil {
			f.Add("until", "结束日期%s", errs.As(err).Message)
		} else if until.Before(from) {
			f.Add("until", "结束日期早于开始日期")
		}
	}
	if err := f.Err(); err != nil {
		return Expert{}, err
	}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if e.Status == Retired {
			return errs.E(errs.Conflict, "该专家已退出专家库")
		}
		if _, err := tx.Exec(ctx, `UPDATE experts SET status = ?, status_reason = ?, suspended_from = ?, suspended_until = ?,
			updated_at = ? WHERE id = ?`, string(Suspended), in.Reason, db.Micros(from), micros(until), db.Micros(now), id); err != nil {
			return err
		}
		if err := syncStanding(ctx, tx, id); err != nil {
			return err
		}
		d := map[string]any{"reason": in.Reason, "from": dateText(from), "previous": string(e.Status)}
		if !until.IsZero() {
			d["until"] = dateText(until)
		}
		return s.Record(ctx, tx, a, "expert.suspend", "expert", itoa(id), e.CentreCode, "", d)
	})
	if err != nil {
		return Expert{}, err
	}
	return s.Get(ctx, a, id)
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return db.Micros(t)
}

// Reinstate makes a suspended expert active again.
func (s *Service) Reinstate(ctx context.Context, a auth.Actor, id int64) (Expert, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Expert{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if e.Status != Suspended {
			return errs.E(errs.Conflict, "只有暂停中的专家可以恢复（当前状态：%s）", e.StatusLabel)
		}
		if _, err := tx.Exec(ctx, `UPDATE experts SET status = ?, status_reason = '', suspended_from = 0, suspended_until = 0,
			updated_at = ? WHERE id = ?`, string(Active), db.Micros(s.Clock.Now()), id); err != nil {
			return err
		}
		if err := syncStanding(ctx, tx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "expert.reinstate", "expert", itoa(id), e.CentreCode, "",
			map[string]any{"previous_reason": e.StatusReason})
	})
	if err != nil {
		return Expert{}, err
	}
	return s.Get(ctx, a, id)
}

// Retirement takes an expert out of the library for good.
type Retirement struct {
	Reason string `json:"reason"`
}

// Retire takes an expert out of the library; refused while the expert is
// booked for an evaluation that has not ended.
func (s *Service) Retire(ctx context.Context, a auth.Actor, id int64, in Retirement) (Expert, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Expert{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var f errs.Fields
	if f.Required("reason", "退出原因", in.Reason) {
		f.MaxLen("reason", "退出原因", in.Reason, 200)
	}
	if err := f.Err(); err != nil {
		return Expert{}, err
	}
	now := s.Clock.Now()
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if e.Status == Retired {
			return errs.E(errs.Conflict, "该专家已退出专家库")
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM expert_engagements WHERE expert_id = ? AND to_at > ?
			AND outcome IN ('invited', 'accepted')`, id, db.Micros(now)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "该专家尚有%d项未结束的评标安排，结束后才能退出专家库", n)
		}
		if _, err := tx.Exec(ctx, `UPDATE experts SET status = ?, status_reason = ?, suspended_from = 0, suspended_until = 0,
			updated_at = ? WHERE id = ?`, string(Retired), in.Reason, db.Micros(now), id); err != nil {
			return err
		}
		if err := syncStanding(ctx, tx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "expert.retire", "expert", itoa(id), e.CentreCode, "",
			map[string]any{"reason": in.Reason, "previous": string(e.Status)})
	})
	if err != nil {
		return Expert{}, err
	}
	return s.Get(ctx, a, id)
}

// LeaveInput is a leave period: days (2026-12-01 … 2026-12-03, both
// included) or exact times (2026-12-01 13:30).
type LeaveInput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

func (in *LeaveInput) parse(now time.Time, future bool) (from, to time.Time, err error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var f errs.Fields
	var e error
	if from, e = ParseMoment(in.From, false); e != nil {
		f.Add("from", "开始%s", errs.As(e).Message)
	}
	if to, e = ParseMoment(in.To, true); e != nil {
		f.Add("to", "结束%s", errs.As(e).Message)
	}
	f.MaxLen("reason", "请假原因", in.Reason, 100)
	if len(f) == 0 {
		switch {
		case !to.After(from):
			f.Add("to", "结束时间须晚于开始时间")
		case to.Sub(from) > 366*24*time.Hour:
			f.Add("to", "请假不能超过一年，长期不能参加评标请申请暂停")
		case future && !from.After(now):
			f.Add("from", "只能登记今后的请假（开始时间须晚于现在）")
		case !to.After(now):
			f.Add("to", "请假已经结束，无需登记")
		}
	}
	return from, to, f.Err()
}

// AddLeave records a leave period for an expert the actor manages.
func (s *Service) AddLeave(ctx context.Context, a auth.Actor, id int64, in LeaveInput) (Leave, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Leave{}, err
	}
	now := s.Clock.Now()
	from, to, err := in.parse(now, false)
	if err != nil {
		return Leave{}, err
	}
	var l Leave
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		l, err = s.insertLeave(ctx, tx, a, e, from, to, in.Reason, now)
		return err
	})
	return l, err
}

func (s *Service) insertLeave(ctx context.Context, tx *db.Tx, a auth.Actor, e Expert, from, to time.Time, reason string, now time.Time) (Leave, error) {
	l := Leave{From: from, To: to, Reason: reason}
	if err := touch(ctx, tx, e.ID); err != nil {
		return l, err
	}
	err := tx.QueryRow(ctx, `INSERT INTO expert_leaves (expert_id, starts_at, ends_at, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, e.ID, db.Micros(from), db.Micros(to), reason, a.UserID, db.Micros(now)).Scan(&l.ID)
	if err != nil {
		return l, err
	}
	return l, s.Record(ctx, tx, a, "expert.leave.add", "expert", itoa(e.ID), e.CentreCode, "", map[string]any{
		"leave_id": l.ID, "from": from.UTC().Format(time.RFC3339), "to": to.UTC().Format(time.RFC3339), "reason": reason})
}

// RemoveLeave deletes a leave period that has not started.
func (s *Service) RemoveLeave(ctx context.Context, a auth.Actor, id, leaveID int64) error {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		return s.deleteLeave(ctx, tx, a, e, leaveID)
	})
}

func (s *Service) deleteLeave(ctx context.Context, tx *db.Tx, a auth.Actor, e Expert, leaveID int64) error {
	var starts int64
	err := tx.QueryRow(ctx, "SELECT starts_at FROM expert_leaves WHERE id = ? AND expert_id = ?", leaveID, e.ID).Scan(&starts)
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.NotFound, "请假记录不存在")
	}
	if err != nil {
		return err
	}
	if !db.Time(starts).After(s.Clock.Now()) {
		return errs.E(errs.Conflict, "请假已经开始，不能撤销（已开始的请假留作记录）")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM expert_leaves WHERE id = ?", leaveID); err != nil {
		return err
	}
	if err := touch(ctx, tx, e.ID); err != nil {
		return err
	}
	return s.Record(ctx, tx, a, "expert.leave.remove", "expert", itoa(e.ID), e.CentreCode, "", map[string]any{"leave_id": leaveID})
}

// PenaltyInput records a sanction: the day, what it was, and optionally
// the last day the expert is barred from draws.
type PenaltyInput struct {
	Date        string `json:"date"`
	Text        string `json:"text"`
	BarredUntil string `json:"barred_until"`
}

// AddPenalty records a sanction against an expert the actor manages.
// Penalties stay on the record; they cannot be deleted.
func (s *Service) AddPenalty(ctx context.Context, a auth.Actor, id int64, in PenaltyInput) (Penalty, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return Penalty{}, err
	}
	now := s.Clock.Now()
	in.Text = strings.TrimSpace(in.Text)
	var f errs.Fields
	on, err := ParseDate(in.Date)
	if err != nil {
		f.Add("date", "处罚日期%s", errs.As(err).Message)
	} else if on.After(day(now)) {
		f.Add("date", "处罚日期不能晚于今天")
	}
	if f.Required("text", "处罚内容", in.Text) {
		f.MaxLen("text", "处罚内容", in.Text, 500)
	}
	var barred time.Time
	if strings.TrimSpace(in.BarredUntil) != "" {
		if barred, err = ParseDate(in.BarredUntil); err != nil {
			f.Add("barred_until", "禁止评标截止日期%s", errs.As(err).Message)
		} else if !on.IsZero() && barred.Before(on) {
			f.Add("barred_until", "禁止评标截止日期早于处罚日期")
		}
	}
	if err := f.Err(); err != nil {
		return Penalty{}, err
	}
	p := Penalty{Date: dateText(on), Text: in.Text}
	if !barred.IsZero() {
		p.BarredUntil = dateText(barred)
	}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO expert_penalties (expert_id, on_date, text, barred_until, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, db.Micros(on), p.Text, micros(barred), a.UserID, db.Micros(now)).Scan(&p.ID); err != nil {
			return err
		}
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "expert.penalty", "expert", itoa(id), e.CentreCode, "", map[string]any{
			"penalty_id": p.ID, "date": p.Date, "text": p.Text, "barred_until": p.BarredUntil})
	})
	return p, err
}
