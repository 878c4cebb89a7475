package tender_test

import (
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

func input() tender.ProjectInput {
	return tender.ProjectInput{
		Name: "鲁甸县农村供水保障工程", TradeKind: tender.Construction, Industry: "water", RegionCode: "530602",
		Procedure: tender.Open, StateFunded: true, ApprovalRef: "鲁发改〔2026〕7号",
		Lots: []tender.LotInput{{Name: "施工", EstimatedPrice: 500 * money.OneWan, Deposit: 10 * money.OneWan, EvalMethod: tender.LowestPrice}},
	}
}

func counts(t *testing.T, e *testenv.Env) [4]int {
	t.Helper()
	var out [4]int
	for i, tb := range []string{"projects", "lots", "project_materials", "audit_events"} {
		e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM "+tb).Scan(&out[i]))
	}
	return out
}

// submitted registers a project with every required material and submits it.
func submitted(t *testing.T, e *testenv.Env) tender.Project {
	t.Helper()
	a := e.Actor(auth.Tenderer)
	p, err := e.Tender.Register(e.Ctx, a, input())
	e.Must(err)
	m, err := guide.Intake(e.Ctx, e.DB, "construction")
	e.Must(err)
	for _, x := range m.Materials {
		if x.Required {
			_, err := e.Tender.Upload(e.Ctx, a, p.ID, x.ID, x.Name+".pdf", strings.NewReader("%PDF"))
			e.Must(err)
		}
	}
	p, err = e.Tender.Submit(e.Ctx, a, p.ID)
	e.Must(err)
	return p
}

// TestMoveTx: other capabilities move a project on inside their own
// transaction; the life cycle is enforced, lots follow, moves are audited,
// and a refused move changes nothing.
func TestMoveTx(t *testing.T) {
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	p := submitted(t, e)
	staff := e.Actor(auth.Staff)
	move := func(to tender.State) error {
		return e.DB.Transact(e.Ctx, func(tx *db.Tx) error { return e.Tender.MoveTx(e.Ctx, tx, staff, p.ID, to, "测试") })
	}
	before := counts(t, e)
	for _, to := range []tender.State{tender.Tendering, tender.Awarded, tender.Draft, "nonsense"} {
		if err := move(to); err == nil {
			t.Errorf("submitted → %s allowed", to)
		}
	}
	if counts(t, e) != before {
		t.Fatal("refused moves changed the database")
	}
	_, err = e.Tender.Decide(e.Ctx, staff, p.ID, tender.Decision{Accept: true})
	e.Must(err)
	for _, to := range []tender.State{tender.Tendering, tender.Evaluating, tender.Publicity, tender.Awarded, tender.Archived} {
		if err := move(to); err != nil {
			t.Fatalf("→ %s: %v", to, err)
		}
	}
	got, err := tender.GetProject(e.Ctx, e.DB, p.ID)
	e.Must(err)
	if got.State != tender.Archived || got.Lots[0].State != tender.Archived {
		t.Errorf("state %s, lot %s", got.State, got.Lots[0].State)
	}
	if after := counts(t, e); after[3] != before[3]+6 {
		t.Errorf("audit events %d → %d, want one per step", before[3], after[3])
	}
	// A move that fails rolls back the caller's other writes too.
	err = e.DB.Transact(e.Ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(e.Ctx, "UPDATE projects SET name = ? WHERE id = ?", "改名", p.ID); err != nil {
			return err
		}
		return e.Tender.MoveTx(e.Ctx, tx, staff, p.ID, tender.Tendering, "")
	})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("archived → tendering: %v", err)
	}
	got, _ = tender.GetProject(e.Ctx, e.DB, p.ID)
	if got.Name == "改名" {
		t.Error("the caller's write survived a refused move")
	}
}

// TestWithdraw: an applicant may withdraw a draft with a reason; nobody
// else can, and afterwards it cannot be edited or submitted.
func TestWithdraw(t *testing.T) {
	e := testenv.New(t)
	a, agent := e.Actor(auth.Tenderer), e.Actor(auth.Agent)
	p, err := e.Tender.Register(e.Ctx, a, input())
	e.Must(err)
	before := counts(t, e)
	if _, err := e.Tender.Withdraw(e.Ctx, a, p.ID, " "); !errs.Is(err, errs.Invalid) {
		t.Errorf("no reason: %v", err)
	}
	if _, err := e.Tender.Withdraw(e.Ctx, agent, p.ID, "别人的"); !errs.Is(err, errs.NotFound) {
		t.Errorf("other org: %v", err)
	}
	if counts(t, e) != before {
		t.Fatal("refused withdrawals changed the database")
	}
	p, err = e.Tender.Withdraw(e.Ctx, a, p.ID, "项目取消")
	e.Must(err)
	if p.State != tender.Terminated {
		t.Fatalf("state %s", p.State)
	}
	if _, err := e.Tender.Update(e.Ctx, a, p.ID, input()); !errs.Is(err, errs.Conflict) {
		t.Errorf("edit after withdrawal: %v", err)
	}
	if _, err := e.Tender.Submit(e.Ctx, a, p.ID); !errs.Is(err, errs.Conflict) {
		t.Errorf("submit after withdrawal: %v", err)
	}
}

// TestSubmitNeedsTheGuide: without an intake matter for the kind, a
// project cannot be submitted, and the message says why.
func TestSubmitNeedsTheGuide(t *testing.T) {
	e := testenv.New(t)
	a := e.Actor(auth.Tenderer)
	p, err := e.Tender.Register(e.Ctx, a, input())
	e.Must(err)
	_, err = e.Tender.Submit(e.Ctx, a, p.ID)
	if !errs.Is(err, errs.Conflict) || !strings.Contains(errs.As(err).Message, "办事指南") {
		t.Fatalf("submit without a guide: %v", err)
	}
}

// TestUploadLimits: size limit, empty files, file types and materials of
// another kind are refused before anything is recorded.
func TestUploadLimits(t *testing.T) {
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	a := e.Actor(auth.Tenderer)
	p, err := e.Tender.Register(e.Ctx, a, input())
	e.Must(err)
	land, err := guide.Intake(e.Ctx, e.DB, "land")
	e.Must(err)
	e.Tender.MaxMaterialBytes = 10
	before := counts(t, e)
	for _, tc := range []struct {
		name, file, content string
		material            int64
		field               string
	}{
		{"too big", "a.pdf", "01234567890", 0, "file"},
		{"empty", "a.pdf", "", 0, "file"},
		{"executable", "a.exe", "MZ", 0, "file"},
		{"no name", "", "x", 0, "file"},
		{"land material", "a.pdf", "x", land.Materials[0].ID, "material_id"},
		{"negative material", "a.pdf", "x", -1, "material_id"},
	} {
		_, err := e.Tender.Upload(e.Ctx, a, p.ID, tc.material, tc.file, strings.NewReader(tc.content))
		found := false
		for _, f := range errs.As(err).Fields {
			found = found || f.Field == tc.field
		}
		if !errs.Is(err, errs.Invalid) || !found {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	if counts(t, e) != before {
		t.Fatal("refused uploads changed the database")
	}
	m, err := e.Tender.Upload(e.Ctx, a, p.ID, 0, `C:\扫描\补充说明.pdf`, strings.NewReader("0123456789"))
	e.Must(err)
	if m.FileName != "补充说明.pdf" || m.Size != 10 || len(m.BlobKey) != 64 {
		t.Errorf("stored %+v", m)
	}
}

// TestConcurrentRegistrations: parallel registrations at one centre get
// distinct consecutive codes (the advisory lock on PostgreSQL; one writer
// at a time on SQLite), and concurrent decisions on one project let exactly
// one win.
func TestConcurrentRegistrations(t *testing.T) {
	e := testenv.New(t)
	a := e.Actor(auth.Tenderer)
	const n = 8
	codes := make(chan string, n)
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			p, err := e.Tender.Register(e.Ctx, a, input())
			codes <- p.Code
			errc <- err
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		seen[<-codes] = true
	}
	for i := 1; i <= n; i++ {
		if code := "530602-2026-000" + string(rune('0'+i)); !seen[code] {
			t.Errorf("code %s not allocated: %v", code, seen)
		}
	}

	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	p := submitted(t, e)
	staff := e.Actor(auth.Staff)
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			_, err := e.Tender.Decide(e.Ctx, staff, p.ID, tender.Decision{Accept: i%2 == 0, Reason: "并发测试"})
			results <- err
		}(i)
	}
	ok := 0
	for i := 0; i < n; i++ {
		switch err := <-results; {
		case err == nil:
			ok++
		case !errs.Is(err, errs.Conflict):
			t.Errorf("concurrent decision: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d decisions won, want 1", ok)
	}
}
