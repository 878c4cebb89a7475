package tender

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
	"ggzy/internal/money"
)

func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai)
}

// TestLifeCycle checks every pair of states against the life cycle as
// written here, independently of the transitions table: a change to one
// must be made in the other.
func TestLifeCycle(t *testing.T) {
	allowed := map[string]bool{}
	for _, m := range []string{
		"draft→submitted", "draft→terminated",
		"submitted→accepted", "submitted→returned",
		"returned→submitted", "returned→terminated",
		"accepted→tendering", "accepted→terminated",
		"tendering→evaluating", "tendering→publicity", "tendering→failed", "tendering→terminated", "tendering→awarded",
		"evaluating→publicity", "evaluating→failed", "evaluating→terminated",
		"publicity→awarded", "publicity→evaluating", "publicity→failed", "publicity→terminated",
		"failed→tendering", "failed→terminated", "failed→archived",
		"awarded→archived",
		"terminated→archived",
	} {
		allowed[m] = true
	}
	n := 0
	for _, from := range States {
		for _, to := range States {
			key := string(from) + "→" + string(to)
			if got := CanMove(from, to); got != allowed[key] {
				t.Errorf("CanMove(%s) = %v, want %v", key, got, allowed[key])
			}
			n++
		}
	}
	if n != len(States)*len(States) || len(States) != 11 {
		t.Fatalf("checked %d pairs of %d states", n, len(States))
	}
	// Every state has a label, is reachable from a draft, and (except the
	// end) can still reach the archive.
	reach := func(from State) map[State]bool {
		seen := map[State]bool{from: true}
		for todo := []State{from}; len(todo) > 0; {
			s := todo[0]
			todo = todo[1:]
			for _, to := range States {
				if CanMove(s, to) && !seen[to] {
					seen[to] = true
					todo = append(todo, to)
				}
			}
		}
		return seen
	}
	fromDraft := reach(Draft)
	for _, s := range States {
		if s.Label() == "" {
			t.Errorf("%s has no label", s)
		}
		if !fromDraft[s] {
			t.Errorf("%s cannot be reached from a draft", s)
		}
		if s != Archived && !reach(s)[Archived] {
			t.Errorf("%s can never be archived", s)
		}
		if CanMove(s, s) {
			t.Errorf("%s moves to itself", s)
		}
	}
	for _, to := range States {
		if CanMove(Archived, to) {
			t.Errorf("archived projects must not move (to %s)", to)
		}
	}
}

// TestDueAt: the intake promise in working time, around weekends, 中秋,
// 国庆 2026 with its 调休 Saturday, New Year into 2027 and the lunch break.
func TestDueAt(t *testing.T) {
	cal := calendar.Default()
	days := func(n int) guide.Limit { return guide.Limit{Amount: n, Unit: guide.WorkingDays} }
	hours := func(n int) guide.Limit { return guide.Limit{Amount: n, Unit: guide.WorkingHours} }
	for _, tt := range []struct {
		name      string
		submitted time.Time
		limit     guide.Limit
		want      time.Time
	}{
		{"Wednesday morning, 1 working day → end of Thursday", bj(2026, 11, 25, 9, 0), days(1), bj(2026, 11, 27, 0, 0)},
		{"Friday 17:00, 1 working day → end of Monday", bj(2026, 11, 27, 17, 0), days(1), bj(2026, 12, 1, 0, 0)},
		{"Saturday, 1 working day → end of Monday", bj(2026, 11, 28, 10, 0), days(1), bj(2026, 12, 1, 0, 0)},
		{"eve of 国庆, 1 working day → end of 10-08", bj(2026, 9, 30, 10, 0), days(1), bj(2026, 10, 9, 0, 0)},
		{"in 国庆, 1 working day → end of 10-08", bj(2026, 10, 3, 10, 0), days(1), bj(2026, 10, 9, 0, 0)},
		{"Friday 10-09, 2 working days → 调休 Saturday counts", bj(2026, 10, 9, 17, 0), days(2), bj(2026, 10, 13, 0, 0)},
		{"before 中秋, 1 working day → end of Monday 09-28", bj(2026, 9, 24, 16, 0), days(1), bj(2026, 9, 29, 0, 0)},
		{"over New Year into 2027, 3 working days", bj(2026, 12, 30, 10, 0), days(3), bj(2027, 1, 6, 0, 0)},
		{"green channel 2 working hours across the lunch break", bj(2026, 11, 25, 11, 0), hours(2), bj(2026, 11, 25, 15, 30)},
		{"green channel submitted during lunch", bj(2026, 11, 25, 12, 10), hours(2), bj(2026, 11, 25, 16, 30)},
		{"green channel Friday 17:00 → Monday 10:00", bj(2026, 11, 27, 17, 0), hours(2), bj(2026, 11, 30, 10, 0)},
		{"green channel into 国庆 → 10-08 10:30", bj(2026, 9, 30, 17, 30), hours(2), bj(2026, 10, 8, 10, 30)},
		{"green channel at night → next morning", bj(2026, 11, 25, 22, 0), hours(2), bj(2026, 11, 26, 11, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DueAt(cal, calendar.DefaultOfficeHours, tt.submitted.UTC(), tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("DueAt = %s, want %s", clock.Format(got), clock.Format(tt.want))
			}
		})
	}
	if _, err := DueAt(cal, calendar.DefaultOfficeHours, bj(2026, 11, 25, 9, 0), guide.Limit{Amount: 1, Unit: "weeks"}); err == nil {
		t.Error("a limit in weeks was accepted")
	}
	// 2028 has no holiday data: no guessing.
	if _, err := DueAt(cal, calendar.DefaultOfficeHours, bj(2027, 12, 31, 10, 0), days(1)); err == nil {
		t.Error("a due date in 2028 was computed without data")
	}
}

func TestDueText(t *testing.T) {
	for _, tt := range []struct {
		due  time.Time
		want string
	}{
		{bj(2026, 12, 1, 0, 0), "2026-11-30 24:00"},
		{bj(2026, 11, 25, 15, 30), "2026-11-25 15:30"},
		{time.Time{}, ""},
	} {
		if got := (Project{DueAt: tt.due}).DueText(); got != tt.want {
			t.Errorf("DueText(%v) = %q, want %q", tt.due, got, tt.want)
		}
	}
}

func TestOverdueAndLate(t *testing.T) {
	due := bj(2026, 11, 27, 0, 0)
	p := Project{State: Submitted, DueAt: due}
	if p.Overdue(due.Add(-time.Second)) || !p.Overdue(due) || !p.Overdue(due.Add(time.Hour)) {
		t.Error("overdue iff now ≥ due")
	}
	p.State = Accepted
	if p.Overdue(due.Add(time.Hour)) {
		t.Error("a decided project is not overdue")
	}
	p.DecidedAt = due.Add(-time.Minute)
	if p.DecidedLate() {
		t.Error("decided before due is not late")
	}
	p.DecidedAt = due
	if !p.DecidedLate() {
		t.Error("decided at due is late")
	}
}

func TestMaterialsCheck(t *testing.T) {
	m := &guide.Matter{Materials: []guide.Material{
		{ID: 1, Name: "项目审批、核准或备案文件", Required: true},
		{ID: 2, Name: "资金落实证明", Required: true},
		{ID: 3, Name: "招标代理委托合同"},
		{ID: 4, Name: "招标方案核准意见", Required: true},
	}}
	files := []ProjectMaterial{
		{ID: 10, MaterialID: 1}, {ID: 11, MaterialID: 1}, // two pages for one material
		{ID: 12, MaterialID: 3},
		{ID: 13, MaterialID: 99}, // a material since removed from the guide
		{ID: 14},                 // other supporting files
	}
	c := check(m, files)
	if strings.Join(c.Missing, "|") != "资金落实证明|招标方案核准意见" {
		t.Errorf("missing %v", c.Missing)
	}
	if len(c.Items) != 4 || len(c.Items[0].Files) != 2 || len(c.Items[2].Files) != 1 || len(c.Items[1].Files) != 0 {
		t.Errorf("items %+v", c.Items)
	}
	if len(c.Other) != 2 || c.Other[0].ID != 13 || c.Other[1].ID != 14 {
		t.Errorf("other %+v", c.Other)
	}
	if c.Complete() {
		t.Error("complete with missing materials")
	}
	files = append(files, ProjectMaterial{ID: 15, MaterialID: 2}, ProjectMaterial{ID: 16, MaterialID: 4})
	if c := check(m, files); !c.Complete() || len(c.Missing) != 0 {
		t.Errorf("all required handed in, still missing %v", c.Missing)
	}
	if c := check(nil, files); c.Complete() || len(c.Other) != len(files) {
		t.Errorf("without a guide matter: %+v", c)
	}
}

func goodInput() ProjectInput {
	return ProjectInput{
		Name: "昭阳区第一中学教学楼建设项目", TradeKind: Construction, Industry: "housing", RegionCode: "530602",
		Procedure: Open, StateFunded: true, ApprovalRef: "昭发改投资〔2026〕18号",
		Lots: []LotInput{
			{Name: "施工标段", EstimatedPrice: 1_000_000 * money.OneYuan, MaxPrice: 950_000 * money.OneYuan,
				Deposit: 20_000 * money.OneYuan, EvalMethod: LowestPrice},
			{Name: "监理标段", EstimatedPrice: 50_000 * money.OneYuan, Deposit: 1_000 * money.OneYuan, EvalMethod: Comprehensive},
		},
	}
}

func TestValidateInput(t *testing.T) {
	in := goodInput()
	if err := in.validate(); err != nil {
		t.Fatal(err)
	}
	if in.EstimatedPrice != 1_050_000*money.OneYuan {
		t.Errorf("estimated price %v, want the sum of the lots", in.EstimatedPrice)
	}
	for _, tt := range []struct {
		field  string
		change func(*ProjectInput)
	}{
		{"name", func(p *ProjectInput) { p.Name = " " }},
		{"name", func(p *ProjectInput) { p.Name = strings.Repeat("项", 201) }},
		{"name", func(p *ProjectInput) { p.Name = "a\x00b" }},
		{"trade_kind", func(p *ProjectInput) { p.TradeKind = "mining" }},
		{"industry", func(p *ProjectInput) { p.Industry = "" }},
		{"industry", func(p *ProjectInput) { p.Industry = "finance" }},
		{"region_code", func(p *ProjectInput) { p.RegionCode = "53060" }},
		{"region_code", func(p *ProjectInput) { p.RegionCode = "" }},
		{"procedure", func(p *ProjectInput) { p.Procedure = "lottery" }},
		{"procedure", func(p *ProjectInput) { p.Procedure = Negotiation }},
		{"approval_ref", func(p *ProjectInput) { p.ApprovalRef = "" }},
		{"green_reason", func(p *ProjectInput) { p.GreenChannel, p.GreenReason = true, "" }},
		{"estimated_price", func(p *ProjectInput) { p.EstimatedPrice = 1 }},
		{"estimated_price", func(p *ProjectInput) { p.EstimatedPrice = -1 }},
		{"tenderer_org_id", func(p *ProjectInput) { p.TendererOrgID = -3 }},
		{"lots", func(p *ProjectInput) { p.Lots = nil }},
		{"lots[0].name", func(p *ProjectInput) { p.Lots[0].Name = "" }},
		{"lots[1].name", func(p *ProjectInput) { p.Lots[1].Name = "施工标段" }},
		{"lots[0].estimated_price", func(p *ProjectInput) { p.Lots[0].EstimatedPrice = 0 }},
		{"lots[0].estimated_price", func(p *ProjectInput) { p.Lots[0].EstimatedPrice = MaxAmount + 1 }},
		{"lots[0].max_price", func(p *ProjectInput) { p.Lots[0].MaxPrice = -1 }},
		{"lots[0].max_price", func(p *ProjectInput) { p.Lots[0].MaxPrice = p.Lots[0].EstimatedPrice + 1 }},
		{"lots[0].deposit", func(p *ProjectInput) { p.Lots[0].Deposit = -1 }},
		// RULES A6: 2% of 1,000,000.00 元 is 20,000.00 元; one fen more is refused.
		{"lots[0].deposit", func(p *ProjectInput) { p.Lots[0].Deposit = 20_000*money.OneYuan + 1 }},
		{"lots[0].eval_method", func(p *ProjectInput) { p.Lots[0].EvalMethod = HighestPrice }},
		{"lots[0].eval_method", func(p *ProjectInput) { p.Lots[0].EvalMethod = "" }},
	} {
		t.Run(tt.field, func(t *testing.T) {
			in := goodInput()
			in.Lots = append([]LotInput(nil), in.Lots...)
			tt.change(&in)
			err := in.validate()
			e := errs.As(err)
			if e.Code != errs.Invalid {
				t.Fatalf("err %v, want invalid", err)
			}
			found := false
			for _, f := range e.Fields {
				found = found || f.Field == tt.field
				if !strings.ContainsFunc(f.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
					t.Errorf("message %q is not Chinese", f.Message)
				}
			}
			if !found {
				t.Errorf("fields %+v do not name %s", e.Fields, tt.field)
			}
		})
	}
}

func TestDepositCaps(t *testing.T) {
	est := 1_000_000 * money.OneYuan
	for _, tt := range []struct {
		kind    TradeKind
		deposit money.Fen
		ok      bool
		rule    string
	}{
		{Construction, 20_000 * money.OneYuan, true, ""},
		{Construction, 20_000*money.OneYuan + 1, false, "A6"},
		{Procurement, 20_000 * money.OneYuan, true, ""},
		{Procurement, 20_000*money.OneYuan + 1, false, "D5"},
		{Land, 500_000 * money.OneYuan, true, ""},
		{Property, 300_000 * money.OneYuan, true, ""},
	} {
		in := goodInput()
		in.TradeKind, in.Industry = tt.kind, string(tt.kind.Industries()[0])
		in.Procedure = tt.kind.Procedures()[0]
		method := tt.kind.EvalMethods()[0]
		in.Lots = []LotInput{{Name: "一", EstimatedPrice: est, Deposit: tt.deposit, EvalMethod: method}}
		err := in.validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s deposit %s: err %v", tt.kind, tt.deposit.Yuan(), err)
		}
		if !tt.ok && !strings.Contains(errs.As(err).Message, "规则 "+tt.rule) {
			t.Errorf("%s: message %q does not cite %s", tt.kind, errs.As(err).Message, tt.rule)
		}
	}
	// Land and property go to the highest price: no maximum price.
	in := goodInput()
	in.TradeKind, in.Industry, in.Procedure = Land, "land", Listing
	in.Lots = []LotInput{{Name: "地块", EstimatedPrice: est, MaxPrice: est, EvalMethod: HighestPrice}}
	if err := in.validate(); err == nil {
		t.Error("a maximum price on land was accepted")
	}
}

// TestKindsMatchGuide keeps the guide's copy of the trading kinds in step
// with the tender model.
func TestKindsMatchGuide(t *testing.T) {
	if len(TradeKinds) != len(guide.Kinds) {
		t.Fatalf("%d kinds here, %d in guide", len(TradeKinds), len(guide.Kinds))
	}
	for i, k := range TradeKinds {
		if string(k) != guide.Kinds[i] || k.Label() != guide.KindLabel(string(k)) {
			t.Errorf("kind %s (%s) differs from guide %s (%s)", k, k.Label(), guide.Kinds[i], guide.KindLabel(guide.Kinds[i]))
		}
		for _, ind := range k.Industries() {
			if auth.Industries[ind] == "" {
				t.Errorf("kind %s names unknown industry %s", k, ind)
			}
		}
		if len(k.Procedures()) == 0 || len(k.EvalMethods()) == 0 {
			t.Errorf("kind %s has no procedures or methods", k)
		}
	}
}

func TestJurisdiction(t *testing.T) {
	p := Project{RegionCode: "530602", Industry: "housing", TendererOrgID: 7, AgentOrgID: 8, State: Submitted}
	for _, tt := range []struct {
		name                 string
		a                    auth.Actor
		owns, oversees, sups bool
	}{
		{"tenderer", auth.Actor{Role: auth.Tenderer, OrgID: 7}, true, false, false},
		{"its agent", auth.Actor{Role: auth.Agent, OrgID: 8}, true, false, false},
		{"another tenderer", auth.Actor{Role: auth.Tenderer, OrgID: 9}, false, false, false},
		{"bidder with the same org id", auth.Actor{Role: auth.Bidder, OrgID: 7}, false, false, false},
		{"county staff", auth.Actor{Role: auth.Staff, Region: "530602"}, false, true, false},
		{"prefecture staff", auth.Actor{Role: auth.Staff, Region: "530600"}, false, true, false},
		{"province staff", auth.Actor{Role: auth.Staff, Region: "530000"}, false, true, false},
		{"other county staff", auth.Actor{Role: auth.Staff, Region: "530621"}, false, false, false},
		{"other prefecture staff", auth.Actor{Role: auth.Staff, Region: "530300"}, false, false, false},
		{"admin", auth.Actor{Role: auth.Admin}, false, true, false},
		{"housing supervisor", auth.Actor{Role: auth.Supervisor, Region: "530600", Industry: "housing"}, false, false, true},
		{"transport supervisor", auth.Actor{Role: auth.Supervisor, Region: "530600", Industry: "transport"}, false, false, false},
		{"housing supervisor elsewhere", auth.Actor{Role: auth.Supervisor, Region: "530300", Industry: "housing"}, false, false, false},
	} {
		if Owns(tt.a, p) != tt.owns || Oversees(tt.a, p) != tt.oversees || Supervises(tt.a, p) != tt.sups {
			t.Errorf("%s: owns %v oversees %v supervises %v", tt.name, Owns(tt.a, p), Oversees(tt.a, p), Supervises(tt.a, p))
		}
	}
	p.State = Draft
	for _, a := range []auth.Actor{{Role: auth.Admin}, {Role: auth.Staff, Region: "530602"},
		{Role: auth.Supervisor, Region: "530600", Industry: "housing"}} {
		if Visible(a, p) {
			t.Errorf("%s sees a draft", a.Role)
		}
	}
	if !Visible(auth.Actor{Role: auth.Tenderer, OrgID: 7}, p) {
		t.Error("the tenderer does not see its draft")
	}
}

func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"批复.pdf", `C:\Users\王\资金证明.PDF`, "../../etc/passwd", "a.exe", "", " .pdf", "x\x00.pdf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := CleanFileName(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if name == "" || strings.ContainsAny(name, `/\`) || len([]rune(name)) > 200 {
			t.Fatalf("%q cleaned to %q", s, name)
		}
		for _, r := range name {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("%q kept a control character", name)
			}
		}
	})
}
