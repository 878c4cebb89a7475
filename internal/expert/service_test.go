package expert_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/ident"
	"ggzy/internal/testenv"
)

func TestCreateAndRead(t *testing.T) {
	f := newFixture(t)
	in := input("张建明", "", "A080104", "A060101", "a080104")
	in.Email = "zhang@example.cn"
	in.PastEmployers = []expert.Employment{{OrgName: "云南某建设公司", CreditCode: testenv.CreditCode("530602"), From: "2001-07-01", To: "2010/6/30"}}
	in.Relations = []expert.Relation{{CreditCode: testenv.CreditCode("530602"), Kind: expert.Shareholding, OrgName: "某公司", Note: "持股3%"}}
	e := f.create(f.staff, in)
	if e.CentreCode != "530600" || e.Status != expert.Active || e.Masked || e.IDNumber != in.IDNumber || e.Phone != in.Phone {
		t.Fatalf("created %+v", e)
	}
	if len(e.Specialties) != 2 || e.Specialties[0].Code != "A060101" || e.Specialties[1].Name != "土建工程" {
		t.Fatalf("specialties %+v (duplicates dropped, sorted)", e.Specialties)
	}
	if e.BirthDate != "1975-03-12" || len(e.PastEmployers) != 1 || e.PastEmployers[0].To != "2010-06-30" ||
		len(e.Relations) != 1 || e.Relations[0].KindLabel != "持股" {
		t.Fatalf("details %+v", e)
	}
	if a, obj := f.lastEvent(); a != "expert.create" || obj != itoa(e.ID) {
		t.Fatalf("last event %s %s", a, obj)
	}

	// Personal numbers are sealed at rest: the ID number, the phone and
	// the 18 characters of the ID appear nowhere in the row.
	var idn, phone []byte
	var index string
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT id_number, phone, id_index FROM experts WHERE id = ?", e.ID).Scan(&idn, &phone, &index))
	if bytes.Contains(idn, []byte(in.IDNumber)) || bytes.Contains(phone, []byte(in.Phone)) || strings.Contains(index, in.IDNumber) ||
		len(idn) < 30 || len(index) != 64 {
		t.Fatalf("personal data stored in clear: %q %q %q", idn, phone, index)
	}
	var details string
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT details FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&details))
	if strings.Contains(details, in.IDNumber) || strings.Contains(details, in.Phone) {
		t.Fatalf("audit details carry personal numbers: %s", details)
	}

	// Who sees what: the centre's own staff in clear; staff of other
	// centres, the supervisor and the admin masked.
	for _, c := range []struct {
		name   string
		a      auth.Actor
		masked bool
	}{{"own staff", f.staff, false}, {"county staff", f.zyStaff, true}, {"qujing staff", f.qjStaff, true},
		{"supervisor", f.supervisor, true}, {"admin", f.admin, true}} {
		got, err := f.Expert.Get(f.Ctx, c.a, e.ID)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Masked != c.masked || (got.IDNumber == in.IDNumber) == c.masked || (got.Phone == in.Phone) == c.masked {
			t.Errorf("%s: masked=%v id=%s phone=%s", c.name, got.Masked, got.IDNumber, got.Phone)
		}
		if c.masked && (got.IDNumber != ident.Mask(in.IDNumber) || got.Phone != "138****5678" || got.Email != "z***g@example.cn") {
			t.Errorf("%s: masking %s %s %s", c.name, got.IDNumber, got.Phone, got.Email)
		}
	}
	for _, a := range []auth.Actor{f.tenderer, f.bidder, f.agent, f.expertUser, auth.Public("1.2.3.4")} {
		if _, err := f.Expert.Get(f.Ctx, a, e.ID); errs.CodeOf(err) != errs.Forbidden && errs.CodeOf(err) != errs.Unauthenticated {
			t.Errorf("%s read the library: %v", a.Role, err)
		}
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	good := func() expert.Input { return input("李四", "530600") }
	badID := good()
	badID.IDNumber = badID.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[badID.IDNumber[17] != '1']
	cases := []struct {
		name, field, want string
		edit              func(*expert.Input)
	}{
		{"check digit", "id_number", "校验位错误", func(in *expert.Input) { *in = badID }},
		{"phone", "phone", "手机号码", func(in *expert.Input) { in.Phone = "1381234" }},
		{"unknown specialty", "specialties", "未知的专业代码 A089999", func(in *expert.Input) { in.Specialties = []string{"A089999"} }},
		{"malformed specialty", "specialties", "格式不正确", func(in *expert.Input) { in.Specialties = []string{"8080"} }},
		{"category only", "specialties", "只是大类", func(in *expert.Input) { in.Specialties = []string{"A"} }},
		{"no specialty", "specialties", "至少填写一个", func(in *expert.Input) { in.Specialties = nil }},
		{"employer code", "employer_code", "校验位错误", func(in *expert.Input) { in.EmployerCode = "91350100M000100Y44" }},
		{"years", "years", "满8年", func(in *expert.Input) { in.Years = 5 }},
		{"years vs age", "years", "与年龄", func(in *expert.Input) { in.Years = 40 }},
		{"birth", "birth_date", "不一致", func(in *expert.Input) { in.BirthDate = "1975-03-13" }},
		{"bad date", "birth_date", "不是有效日期", func(in *expert.Input) { in.BirthDate = "1975-02-30" }},
		{"future employment", "past_employers", "晚于今天", func(in *expert.Input) {
			in.PastEmployers = []expert.Employment{{OrgName: "某公司", CreditCode: testenv.CreditCode("530600"), From: "2020-01-01", To: "2027-01-01"}}
		}},
		{"reversed employment", "past_employers", "早于起始日期", func(in *expert.Input) {
			in.PastEmployers = []expert.Employment{{OrgName: "某公司", CreditCode: testenv.CreditCode("530600"), From: "2020-01-01", To: "2019-01-01"}}
		}},
		{"relation kind", "relations", "类型", func(in *expert.Input) {
			in.Relations = []expert.Relation{{CreditCode: testenv.CreditCode("530600"), Kind: "friend"}}
		}},
		{"email", "email", "电子邮箱", func(in *expert.Input) { in.Email = "a@b" }},
		{"name digits", "name", "数字", func(in *expert.Input) { in.Name = "张3" }},
		{"unknown centre", "centre_code", "530699", func(in *expert.Input) { in.CentreCode = "530699" }},
		{"user not expert", "user_id", "评标专家", func(in *expert.Input) { in.UserID = f.staff.UserID }},
		{"unknown username", "username", "nobody", func(in *expert.Input) { in.Username = "nobody" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			c.edit(&in)
			before := f.counts()
			_, err := f.Expert.Create(f.Ctx, f.staff, in)
			if msg := wantField(t, err, c.field); !strings.Contains(msg, c.want) {
				t.Fatalf("reason %q, want it to mention %q", msg, c.want)
			}
			f.unchanged(t, before, "refused create")
		})
	}
}

func TestOnePersonOneRecord(t *testing.T) {
	f := newFixture(t)
	in := input("王五", "530600")
	f.create(f.staff, in)
	again := input("王五五", "")
	again.IDNumber = strings.ToLower(in.IDNumber) // same person, typed differently
	_, err := f.Expert.Create(f.Ctx, f.qjStaff, again)
	if msg := wantField(t, err, "id_number"); !strings.Contains(msg, "专家库中已有此人") {
		t.Fatal(msg)
	}
}

func TestCentresManageTheirOwn(t *testing.T) {
	f := newFixture(t)
	city := f.create(f.staff, input("赵六", ""))
	qj := f.create(f.qjStaff, input("钱七", ""))
	if qj.CentreCode != "530300" {
		t.Fatalf("qujing staff created in %s", qj.CentreCode)
	}
	admins := f.create(f.admin, input("孙八", "530602"))

	before := f.counts()
	_, err := f.Expert.Create(f.Ctx, f.qjStaff, input("周九", "530600"))
	wantCode(t, err, errs.Forbidden)
	_, err = f.Expert.Update(f.Ctx, f.qjStaff, city.ID, input("赵六", ""))
	wantCode(t, err, errs.Forbidden)
	_, err = f.Expert.Suspend(f.Ctx, f.zyStaff, city.ID, expert.Suspension{Reason: "县级不能管市级"})
	wantCode(t, err, errs.Forbidden) // even the county inside the city's region does not manage the city's experts
	_, err = f.Expert.AddLeave(f.Ctx, f.staff, qj.ID, expert.LeaveInput{From: "2026-12-01", To: "2026-12-02"})
	wantCode(t, err, errs.Forbidden)
	_, err = f.Expert.Create(f.Ctx, f.admin, input("吴十", ""))
	wantField(t, err, "centre_code") // admins name the centre
	f.unchanged(t, before, "refused changes")

	// Staff read the whole shared library; the supervisor (昭通, housing)
	// the experts of centres in 昭通.
	list, total, err := f.Expert.List(f.Ctx, f.qjStaff, expert.Filter{})
	f.Must(err)
	if total != 3 || len(list) != 3 {
		t.Fatalf("qujing staff see %d of the library", total)
	}
	list, total, err = f.Expert.List(f.Ctx, f.supervisor, expert.Filter{})
	f.Must(err)
	if total != 2 || list[0].ID != city.ID || list[1].ID != admins.ID {
		t.Fatalf("supervisor sees %d: %+v", total, list)
	}
	_, err = f.Expert.Get(f.Ctx, f.supervisor, qj.ID)
	wantCode(t, err, errs.NotFound)
	for _, e := range list {
		if !e.Masked {
			t.Fatal("supervisor saw personal numbers")
		}
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("郑一", ""))
	ch := input("郑一", "")
	ch.IDNumber, ch.Phone = "", "" // kept
	ch.Specialties = []string{"A0808", "A080802"}
	ch.Title = "正高级工程师"
	ch.Dishonest, ch.DishonestNote = true, "列入失信被执行人名单"
	got, err := f.Expert.Update(f.Ctx, f.staff, e.ID, ch)
	f.Must(err)
	if got.IDNumber != e.IDNumber || got.Phone != e.Phone || got.Title != "正高级工程师" || !got.Dishonest ||
		len(got.Specialties) != 2 || got.Specialties[0].Code != "A0808" {
		t.Fatalf("updated %+v", got)
	}
	if a, _ := f.lastEvent(); a != "expert.update" {
		t.Fatal(a)
	}
	// Moving to a centre the staff do not manage is refused.
	ch.CentreCode = "530300"
	_, err = f.Expert.Update(f.Ctx, f.staff, e.ID, ch)
	wantCode(t, err, errs.Forbidden)
	// A changed ID number updates the birth date from it.
	ch.CentreCode = ""
	ch.IDNumber = idNumber(time.Date(1980, 5, 6, 0, 0, 0, 0, time.UTC))
	got, err = f.Expert.Update(f.Ctx, f.admin, e.ID, ch)
	f.Must(err)
	if got.BirthDate != "1980-05-06" {
		t.Fatalf("birth %s", got.BirthDate)
	}
	f.poolInStep(t)
	_, err = f.Expert.Update(f.Ctx, f.staff, 999999, ch)
	wantCode(t, err, errs.NotFound)
}

func TestStatusLifecycle(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("冯二", ""))
	_, err := f.Expert.Suspend(f.Ctx, f.staff, e.ID, expert.Suspension{})
	wantField(t, err, "reason")
	_, err = f.Expert.Suspend(f.Ctx, f.staff, e.ID, expert.Suspension{Reason: "考核不合格", From: "2026-12-01", Until: "2026-11-30"})
	wantField(t, err, "until")
	got, err := f.Expert.Suspend(f.Ctx, f.staff, e.ID, expert.Suspension{Reason: "考核不合格", Until: "2027-06-30"})
	f.Must(err)
	if got.Status != expert.Suspended || got.SuspendedFrom != "2026-11-25" || got.SuspendedUntil != "2027-06-30" || got.StatusReason != "考核不合格" {
		t.Fatalf("suspended %+v", got)
	}
	got, err = f.Expert.Reinstate(f.Ctx, f.staff, e.ID)
	f.Must(err)
	if got.Status != expert.Active || got.StatusReason != "" || got.SuspendedUntil != "" {
		t.Fatalf("reinstated %+v", got)
	}
	_, err = f.Expert.Reinstate(f.Ctx, f.staff, e.ID)
	wantCode(t, err, errs.Conflict)

	// Retiring waits for the expert's pending evaluations.
	g := f.engage(expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], From: bj(2026, 12, 2, 9, 0),
		To: bj(2026, 12, 2, 17, 0), Ref: "测试", Outcome: expert.Accepted})
	_, err = f.Expert.Retire(f.Ctx, f.staff, e.ID, expert.Retirement{Reason: "本人申请"})
	wantCode(t, err, errs.Conflict)
	f.setOutcome(g, expert.Replaced)
	got, err = f.Expert.Retire(f.Ctx, f.staff, e.ID, expert.Retirement{Reason: "本人申请"})
	f.Must(err)
	if got.Status != expert.Retired || got.StatusLabel != "已退出" {
		t.Fatalf("retired %+v", got)
	}
	_, err = f.Expert.Suspend(f.Ctx, f.staff, e.ID, expert.Suspension{Reason: "x"})
	wantCode(t, err, errs.Conflict)
	_, err = f.Expert.Retire(f.Ctx, f.staff, e.ID, expert.Retirement{Reason: "again"})
	wantCode(t, err, errs.Conflict)
	f.poolInStep(t)
}

func TestLeaveAndPenalty(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("陈三", ""))
	l, err := f.Expert.AddLeave(f.Ctx, f.staff, e.ID, expert.LeaveInput{From: "2026-12-01", To: "2026-12-03", Reason: "出差"})
	f.Must(err)
	if !l.From.Equal(bj(2026, 12, 1, 0, 0)) || !l.To.Equal(bj(2026, 12, 4, 0, 0)) {
		t.Fatalf("leave %v – %v: a day range covers the last day", l.From, l.To)
	}
	_, err = f.Expert.AddLeave(f.Ctx, f.staff, e.ID, expert.LeaveInput{From: "2026-12-03", To: "2026-12-01"})
	wantField(t, err, "to")
	_, err = f.Expert.AddLeave(f.Ctx, f.staff, e.ID, expert.LeaveInput{From: "2026-11-01", To: "2026-11-02"})
	wantField(t, err, "to") // over already
	started, err := f.Expert.AddLeave(f.Ctx, f.staff, e.ID, expert.LeaveInput{From: "2026-11-25 08:00", To: "2026-11-26 18:00"})
	f.Must(err)
	got, err := f.Expert.Get(f.Ctx, f.staff, e.ID)
	f.Must(err)
	if len(got.Leaves) != 2 {
		t.Fatalf("leaves %+v", got.Leaves)
	}
	wantCode(t, f.Expert.RemoveLeave(f.Ctx, f.staff, e.ID, started.ID), errs.Conflict)
	wantCode(t, f.Expert.RemoveLeave(f.Ctx, f.staff, e.ID, 424242), errs.NotFound)
	f.Must(f.Expert.RemoveLeave(f.Ctx, f.staff, e.ID, l.ID))
	if a, _ := f.lastEvent(); a != "expert.leave.remove" {
		t.Fatal(a)
	}

	_, err = f.Expert.AddPenalty(f.Ctx, f.staff, e.ID, expert.PenaltyInput{Date: "2026-12-01", Text: "x"})
	wantField(t, err, "date")
	p, err := f.Expert.AddPenalty(f.Ctx, f.staff, e.ID, expert.PenaltyInput{Date: "2026-10-08", Text: "评标打分明显畸高，通报批评",
		BarredUntil: "2027-04-07"})
	f.Must(err)
	got, err = f.Expert.Get(f.Ctx, f.supervisor, e.ID)
	f.Must(err)
	if len(got.Penalties) != 1 || got.Penalties[0] != p || p.BarredUntil != "2027-04-07" {
		t.Fatalf("penalties %+v", got.Penalties)
	}
}

func TestLinkAccount(t *testing.T) {
	f := newFixture(t)
	in := input("褚四", "")
	in.Username = "Expert1"
	e := f.create(f.staff, in)
	if e.UserID != f.expertUser.UserID || e.Username != "expert1" {
		t.Fatalf("linked %d %q", e.UserID, e.Username)
	}
	other := input("卫五", "")
	other.UserID = f.expertUser.UserID
	_, err := f.Expert.Create(f.Ctx, f.staff, other)
	if msg := wantField(t, err, "user_id"); !strings.Contains(msg, "已关联") {
		t.Fatal(msg)
	}
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	a := f.create(f.staff, input("蒋一", "", "A080104"))
	b := f.create(f.staff, input("沈二", "", "A080802", "A060111"))
	c := f.create(f.zyStaff, input("韩三", "", "A090102"))
	_, err := f.Expert.Suspend(f.Ctx, f.staff, b.ID, expert.Suspension{Reason: "x"})
	f.Must(err)
	ids := func(fl expert.Filter) []int64 {
		t.Helper()
		list, total, err := f.Expert.List(f.Ctx, f.admin, fl)
		f.Must(err)
		if total != len(list) {
			t.Fatalf("total %d, page %d", total, len(list))
		}
		var out []int64
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    expert.Filter
		want []int64
	}{
		{"all", expert.Filter{}, []int64{a.ID, b.ID, c.ID}},
		{"A08 covers A080104 and A080802", expert.Filter{Specialty: "a08"}, []int64{a.ID, b.ID}},
		{"A0808", expert.Filter{Specialty: "A0808"}, []int64{b.ID}},
		{"A06", expert.Filter{Specialty: "A06"}, []int64{b.ID}},
		{"centre", expert.Filter{CentreCode: "530602"}, []int64{c.ID}},
		{"status", expert.Filter{Status: expert.Suspended}, []int64{b.ID}},
		{"name", expert.Filter{Query: "韩"}, []int64{c.ID}},
		{"employer", expert.Filter{Query: "设计院"}, []int64{a.ID, b.ID, c.ID}},
		{"flagged", expert.Filter{Flagged: true}, nil},
	} {
		if got := ids(c.f); !equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	_, _, err = f.Expert.List(f.Ctx, f.admin, expert.Filter{Specialty: "Z99"})
	wantField(t, err, "specialty")
	_, _, err = f.Expert.List(f.Ctx, f.admin, expert.Filter{Status: "gone"})
	wantField(t, err, "status")
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRoleActionTable walks every role through every use case: the policy
// lets a role past the gate or refuses it (401 for the public, 403 for the
// signed in), and a refused call changes nothing.
func TestRoleActionTable(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("杨六", ""))
	roles := map[auth.Role]auth.Actor{auth.Anonymous: auth.Public("1.2.3.4"), auth.Tenderer: f.tenderer, auth.Agent: f.agent,
		auth.Bidder: f.bidder, auth.Expert: f.expertUser, auth.Staff: f.staff, auth.Supervisor: f.supervisor, auth.Admin: f.admin}
	calls := []struct {
		name    string
		allowed []auth.Role
		call    func(a auth.Actor) error
	}{
		{"create", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Create(f.Ctx, a, expert.Input{})
			return err
		}},
		{"update", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Update(f.Ctx, a, e.ID, expert.Input{})
			return err
		}},
		{"get", []auth.Role{auth.Staff, auth.Supervisor, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Get(f.Ctx, a, e.ID)
			return err
		}},
		{"list", []auth.Role{auth.Staff, auth.Supervisor, auth.Admin}, func(a auth.Actor) error {
			_, _, err := f.Expert.List(f.Ctx, a, expert.Filter{})
			return err
		}},
		{"history", []auth.Role{auth.Staff, auth.Supervisor, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.History(f.Ctx, a, e.ID)
			return err
		}},
		{"suspend", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Suspend(f.Ctx, a, e.ID, expert.Suspension{})
			return err
		}},
		{"reinstate", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Reinstate(f.Ctx, a, e.ID)
			return err
		}},
		{"retire", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Retire(f.Ctx, a, e.ID, expert.Retirement{})
			return err
		}},
		{"add leave", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.AddLeave(f.Ctx, a, e.ID, expert.LeaveInput{})
			return err
		}},
		{"remove leave", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			return f.Expert.RemoveLeave(f.Ctx, a, e.ID, 1)
		}},
		{"penalty", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.AddPenalty(f.Ctx, a, e.ID, expert.PenaltyInput{})
			return err
		}},
		{"import", []auth.Role{auth.Staff, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Import(f.Ctx, a, expert.CSV, []byte("nothing"))
			return err
		}},
		{"export", []auth.Role{auth.Staff, auth.Supervisor, auth.Admin}, func(a auth.Actor) error {
			_, err := f.Expert.Export(f.Ctx, a, "pdf", expert.ExportOptions{}, &bytes.Buffer{})
			return err
		}},
		{"portal", []auth.Role{auth.Expert}, func(a auth.Actor) error {
			_, err := f.Expert.Mine(f.Ctx, a)
			return err
		}},
		{"own leave", []auth.Role{auth.Expert}, func(a auth.Actor) error {
			_, err := f.Expert.AddMyLeave(f.Ctx, a, expert.LeaveInput{})
			return err
		}},
		{"remove own leave", []auth.Role{auth.Expert}, func(a auth.Actor) error {
			return f.Expert.RemoveMyLeave(f.Ctx, a, 1)
		}},
		{"rate", []auth.Role{auth.Tenderer, auth.Agent, auth.Supervisor}, func(a auth.Actor) error {
			_, err := f.Expert.Rate(f.Ctx, a, 1, expert.RatingInput{})
			return err
		}},
		{"rateable", []auth.Role{auth.Tenderer, auth.Agent, auth.Supervisor}, func(a auth.Actor) error {
			_, err := f.Expert.Rateable(f.Ctx, a)
			return err
		}},
	}
	for _, c := range calls {
		for role, a := range roles {
			allowed := false
			for _, r := range c.allowed {
				allowed = allowed || r == role
			}
			before := f.counts()
			err := c.call(a)
			code := errs.CodeOf(err)
			gate := code == errs.Forbidden && errs.As(err).Message == errs.Forbid().Message || code == errs.Unauthenticated
			if allowed && gate {
				t.Errorf("%s as %q: refused at the gate: %v", c.name, role, err)
			}
			if !allowed {
				want := errs.Forbidden
				if role == auth.Anonymous {
					want = errs.Unauthenticated
				}
				if code != want {
					t.Errorf("%s as %q: %v, want %s", c.name, role, err, want)
				}
				f.unchanged(t, before, c.name+" as "+string(role))
			}
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
