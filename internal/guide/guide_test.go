package guide_test

import (
	"slices"
	"strings"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
	"ggzy/internal/testenv"
)

func count(t *testing.T, e *testenv.Env, table string) int {
	t.Helper()
	var n int
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

type counts struct{ matters, materials, events int }

func snapshot(t *testing.T, e *testenv.Env) counts {
	return counts{count(t, e, "guide_services"), count(t, e, "guide_materials"), count(t, e, "audit_events")}
}

func TestCatalogue(t *testing.T) {
	intake := map[string]bool{}
	codes := map[string]bool{}
	for _, n := range guide.Catalogue() {
		code := guide.Code(n.TradeKind, n.Service)
		if codes[code] {
			t.Errorf("%s twice", code)
		}
		codes[code] = true
		if n.Service == guide.ServiceIntake {
			intake[n.TradeKind] = true
			required := 0
			for _, m := range n.Materials {
				if m.Required {
					required++
				}
			}
			if required < 3 {
				t.Errorf("%s: only %d required materials", code, required)
			}
			if n.GreenLimit.Amount == 0 {
				t.Errorf("%s: no green channel limit", code)
			}
		}
	}
	for _, k := range guide.Kinds {
		if !intake[k] {
			t.Errorf("kind %s has no intake matter", k)
		}
	}
}

func TestSeedIsIdempotentAndAudited(t *testing.T) {
	e := testenv.New(t)
	before := snapshot(t, e)
	n, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	if n != len(guide.Catalogue()) {
		t.Fatalf("added %d, want %d", n, len(guide.Catalogue()))
	}
	after := snapshot(t, e)
	if after.matters-before.matters != n || after.events-before.events != n {
		t.Fatalf("seed wrote %d matters and %d events, want %d each", after.matters-before.matters, after.events-before.events, n)
	}
	if n, err := e.Guide.Seed(e.Ctx, auth.System); err != nil || n != 0 {
		t.Fatalf("second seed added %d, err %v", n, err)
	}
	if snapshot(t, e) != after {
		t.Fatal("second seed changed the database")
	}
	// The construction intake matter as the example in the brief has it.
	m, err := guide.Intake(e.Ctx, e.DB, "construction")
	e.Must(err)
	if m.Limit.String() != "1个工作日" || m.GreenLimit.String() != "2个工作小时" || m.Mode.Label() != "网上办" {
		t.Errorf("intake limits %q / %q, mode %q", m.Limit, m.GreenLimit, m.Mode.Label())
	}
	names := []string{}
	for _, x := range m.Materials {
		names = append(names, x.Name)
	}
	for _, want := range []string{"项目审批、核准或备案文件", "招标方案核准意见", "资金落实证明", "招标代理委托合同"} {
		if !slices.Contains(names, want) {
			t.Errorf("construction intake lacks %q: %v", want, names)
		}
	}
	// Anyone reads the guide, kind by kind.
	list, err := e.Guide.List(e.Ctx, auth.Public("1.2.3.4"), "land", false)
	e.Must(err)
	if len(list) == 0 || list[0].TradeKind != "land" {
		t.Fatalf("land list %+v", list)
	}
}

func staffMatter() guide.NewMatter {
	return guide.NewMatter{TradeKind: "construction", Service: "intake", MatterEdit: guide.MatterEdit{
		Name: " 工程建设项目进场登记 ", Mode: guide.Online, Active: true,
		Limit:      guide.Limit{Amount: 1, Unit: guide.WorkingDays},
		GreenLimit: guide.Limit{Amount: 2, Unit: guide.WorkingHours},
		LegalBasis: "《中华人民共和国招标投标法》第九条",
		Materials: []guide.MaterialInput{
			{Name: "项目审批文件", Required: true}, {Name: "资金落实证明", Required: true}, {Name: "委托合同"},
		},
	}}
}

func TestCreateAndEditMaterials(t *testing.T) {
	e := testenv.New(t)
	staff := e.Actor(auth.Staff)
	m, err := e.Guide.Create(e.Ctx, staff, staffMatter())
	e.Must(err)
	if m.Code != "construction.intake" || m.Name != "工程建设项目进场登记" || len(m.Materials) != 3 || m.Materials[2].Position != 3 {
		t.Fatalf("created %+v", m)
	}
	// Reorder, rename one, drop one, add one.
	edit := m.Edit()
	edit.Materials = []guide.MaterialInput{
		{ID: m.Materials[1].ID, Name: "资金来源落实证明", Required: true},
		{ID: m.Materials[0].ID, Name: "项目审批文件", Required: true, Note: "批复或备案"},
		{Name: "招标方案核准意见", Required: true},
	}
	before := snapshot(t, e)
	u, err := e.Guide.Update(e.Ctx, staff, m.ID, edit)
	e.Must(err)
	got := []string{}
	for _, x := range u.Materials {
		got = append(got, x.Name)
	}
	if strings.Join(got, "|") != "资金来源落实证明|项目审批文件|招标方案核准意见" || u.Materials[0].ID != m.Materials[1].ID {
		t.Fatalf("materials after edit: %v", u.Materials)
	}
	after := snapshot(t, e)
	// The dropped material stays as a row (files may point at it).
	if after.materials != before.materials+1 || after.events != before.events+1 {
		t.Fatalf("edit: materials %d→%d, events %d→%d", before.materials, after.materials, before.events, after.events)
	}
	evs, err := audit.List(e.Ctx, e.DB, audit.Filter{ObjectType: "guide_matter", Action: "guide.update"})
	e.Must(err)
	if len(evs) != 1 || evs[0].Details["materials_removed"] == nil || evs[0].ActorID != staff.UserID {
		t.Fatalf("audit %+v", evs)
	}
	// A material id of another matter is refused.
	other, err := e.Guide.Create(e.Ctx, staff, guide.NewMatter{TradeKind: "land", Service: "intake", MatterEdit: guide.MatterEdit{
		Name: "土地", Mode: guide.Once, Active: true, Limit: guide.Limit{Amount: 2, Unit: guide.WorkingDays},
		Materials: []guide.MaterialInput{{Name: "宗地图", Required: true}}}})
	e.Must(err)
	edit.Materials = []guide.MaterialInput{{ID: other.Materials[0].ID, Name: "宗地图"}}
	before = snapshot(t, e)
	if _, err := e.Guide.Update(e.Ctx, staff, m.ID, edit); !errs.Is(err, errs.Invalid) {
		t.Fatalf("foreign material: %v", err)
	}
	if snapshot(t, e) != before {
		t.Fatal("refused edit changed the database")
	}
	// Switched off: the public no longer sees it, staff still do.
	edit = u.Edit()
	edit.Active = false
	_, err = e.Guide.Update(e.Ctx, staff, m.ID, edit)
	e.Must(err)
	if _, err := e.Guide.Get(e.Ctx, auth.Public("1.1.1.1"), m.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("inactive matter shown to the public: %v", err)
	}
	if _, err := e.Guide.Get(e.Ctx, staff, m.ID); err != nil {
		t.Errorf("staff: %v", err)
	}
	if _, err := guide.Intake(e.Ctx, e.DB, "construction"); !errs.Is(err, errs.NotFound) {
		t.Errorf("inactive intake matter still used: %v", err)
	}
	// Duplicate code.
	if _, err := e.Guide.Create(e.Ctx, staff, staffMatter()); !hasField(err, "service") {
		t.Errorf("duplicate code: %v", err)
	}
}

func hasField(err error, field string) bool {
	for _, f := range errs.As(err).Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestValidation(t *testing.T) {
	e := testenv.New(t)
	staff := e.Actor(auth.Staff)
	for _, tt := range []struct {
		field  string
		change func(*guide.NewMatter)
	}{
		{"trade_kind", func(n *guide.NewMatter) { n.TradeKind = "mining" }},
		{"service", func(n *guide.NewMatter) { n.Service = "进场" }},
		{"service", func(n *guide.NewMatter) { n.Service = "" }},
		{"name", func(n *guide.NewMatter) { n.Name = "  " }},
		{"name", func(n *guide.NewMatter) { n.Name = strings.Repeat("长", 51) }},
		{"mode", func(n *guide.NewMatter) { n.Mode = "fast" }},
		{"limit", func(n *guide.NewMatter) { n.Limit = guide.Limit{Amount: 0, Unit: guide.WorkingDays} }},
		{"limit", func(n *guide.NewMatter) { n.Limit = guide.Limit{Amount: 41, Unit: guide.WorkingHours} }},
		{"limit", func(n *guide.NewMatter) { n.Limit = guide.Limit{Amount: 1, Unit: "weeks"} }},
		{"green_limit", func(n *guide.NewMatter) { n.GreenLimit = guide.Limit{Amount: 1, Unit: guide.WorkingDays} }},
		{"green_limit", func(n *guide.NewMatter) { n.GreenLimit = guide.Limit{Amount: 7, Unit: guide.WorkingHours} }},
		{"materials[1].name", func(n *guide.NewMatter) { n.Materials[1].Name = " " }},
		{"materials[2].name", func(n *guide.NewMatter) { n.Materials[2].Name = "项目审批文件" }},
		{"materials[0].note", func(n *guide.NewMatter) { n.Materials[0].Note = strings.Repeat("注", 201) }},
		{"materials[0].id", func(n *guide.NewMatter) { n.Materials[0].ID = 5 }},
		{"legal_basis", func(n *guide.NewMatter) { n.LegalBasis = "a\x00b" }},
	} {
		t.Run(tt.field, func(t *testing.T) {
			n := staffMatter()
			n.Materials = slices.Clone(n.Materials)
			tt.change(&n)
			before := snapshot(t, e)
			_, err := e.Guide.Create(e.Ctx, staff, n)
			if !errs.Is(err, errs.Invalid) || !hasField(err, tt.field) {
				t.Fatalf("err %v, want invalid %s", err, tt.field)
			}
			for _, f := range errs.As(err).Fields {
				if !strings.ContainsFunc(f.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
					t.Errorf("message %q is not Chinese", f.Message)
				}
			}
			if snapshot(t, e) != before {
				t.Fatal("invalid input changed the database")
			}
		})
	}
}

func TestOnlyStaffAndAdminMaintain(t *testing.T) {
	e := testenv.New(t)
	m, err := e.Guide.Create(e.Ctx, e.Actor(auth.Admin), staffMatter())
	e.Must(err)
	for _, role := range []auth.Role{auth.Anonymous, auth.Tenderer, auth.Agent, auth.Bidder, auth.Expert, auth.Supervisor} {
		a := e.Actor(role)
		before := snapshot(t, e)
		want := errs.Forbidden
		if role == auth.Anonymous {
			want = errs.Unauthenticated
		}
		n := staffMatter()
		n.Service = "other"
		if _, err := e.Guide.Create(e.Ctx, a, n); !errs.Is(err, want) {
			t.Errorf("%s create: %v", role, err)
		}
		if _, err := e.Guide.Update(e.Ctx, a, m.ID, m.Edit()); !errs.Is(err, want) {
			t.Errorf("%s update: %v", role, err)
		}
		if _, err := e.Guide.Seed(e.Ctx, a); !errs.Is(err, want) {
			t.Errorf("%s seed: %v", role, err)
		}
		if snapshot(t, e) != before {
			t.Fatalf("%s changed the guide", role)
		}
		if _, err := e.Guide.Get(e.Ctx, a, m.ID); err != nil {
			t.Errorf("%s cannot read the guide: %v", role, err)
		}
	}
}
