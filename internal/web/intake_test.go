package web_test

// Project registration and intake through the API: the whole scenario,
// the green-channel queue, who may see and decide what, and that refused
// requests change nothing — on SQLite, and on PostgreSQL when
// GGZY_TEST_POSTGRES is set.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/guide"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// intakeFixtures seeds the guide and registers one draft project of the
// fixture tenderer with one uploaded file, for the access matrix.
func intakeFixtures(t *testing.T, e *testenv.Env) (matter, project, file int64) {
	t.Helper()
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	m, err := guide.Intake(e.Ctx, e.DB, "construction")
	e.Must(err)
	p, err := e.Tender.Register(e.Ctx, e.Actor(auth.Tenderer), intakeInput())
	e.Must(err)
	f, err := e.Tender.Upload(e.Ctx, e.Actor(auth.Tenderer), p.ID, m.Materials[0].ID, "批复.pdf", strings.NewReader("%PDF-1.7 批复"))
	e.Must(err)
	return m.ID, p.ID, f.ID
}

func intakeInput() tender.ProjectInput {
	return tender.ProjectInput{
		Name: "昭阳区第一中学教学楼建设项目", TradeKind: tender.Construction, Industry: "housing", RegionCode: "530602",
		Procedure: tender.Open, StateFunded: true, ApprovalRef: "昭阳发改投资〔2026〕18号",
		Lots: []tender.LotInput{
			{Name: "施工", EstimatedPrice: 1_000_000 * money.OneYuan, MaxPrice: 980_000 * money.OneYuan,
				Deposit: 20_000 * money.OneYuan, EvalMethod: tender.LowestPrice},
			{Name: "监理", EstimatedPrice: 60_000 * money.OneYuan, Deposit: 1_200 * money.OneYuan, EvalMethod: tender.Comprehensive},
		},
	}
}

// intakeTables are the tables registration and intake write.
var intakeTables = []string{"projects", "lots", "project_materials", "guide_services", "guide_materials", "audit_events"}

func intakeSnapshot(t *testing.T, e *testenv.Env) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tb := range intakeTables {
		m[tb] = countRows(t, e, tb)
	}
	var st string
	rows, err := e.DB.Query(e.Ctx, "SELECT state || ':' || return_reason || ':' || name FROM projects ORDER BY id")
	e.Must(err)
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		e.Must(rows.Scan(&st))
		m["project "+strconv.Itoa(i)+" "+st] = 1
	}
	return m
}

func assertIntakeUnchanged(t *testing.T, e *testenv.Env, before map[string]int, what string) {
	t.Helper()
	after := intakeSnapshot(t, e)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed %s: %d before, %d after", what, k, v, after[k])
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s added %s", what, k)
		}
	}
}

// uploadMaterial posts one file as multipart/form-data, material_id first.
func uploadMaterial(c *testenv.Client, projectID, materialID int64, name, content string) (*http.Response, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("material_id", strconv.FormatInt(materialID, 10))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return c.Do("POST", fmt.Sprintf("/api/v1/projects/%d/materials", projectID), &buf, mw.FormDataContentType())
}

// intakeClientAs signs a user in through the API.
func intakeClientAs(t *testing.T, e *testenv.Env, username string) *testenv.Client {
	t.Helper()
	c := freshClient(e)
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if st := c.JSON("POST", "/api/v1/session", map[string]string{"username": username, "password": testenv.Password}, &out); st != http.StatusOK {
		t.Fatalf("sign in %s: %d", username, st)
	}
	c.CSRF = out.CSRF
	return c
}

// intakeCentreStaff adds a staff user to the centre of region and signs in.
func intakeCentreStaff(t *testing.T, e *testenv.Env, region, username string) *testenv.Client {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, region)
	e.Must(err)
	org, err := e.Auth.CentreOrg(e.Ctx, c.ID)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: org, Username: username, DisplayName: "工作人员" + region,
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000009", Password: testenv.Password})
	e.Must(err)
	return intakeClientAs(t, e, username)
}

type intakeProblemBody struct {
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Fields []struct {
		Field, Message string
	} `json:"fields"`
}

func intakeProblem(t *testing.T, b []byte) intakeProblemBody {
	t.Helper()
	var p intakeProblemBody
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("problem: %v: %s", err, b)
	}
	return p
}

func intakeMissing(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for _, f := range intakeProblem(t, b).Fields {
		if f.Field == "materials" {
			out = append(out, strings.TrimPrefix(f.Message, "缺少必需材料："))
		}
	}
	return out
}

func intakeActions(t *testing.T, e *testenv.Env, id int64) []string {
	t.Helper()
	evs, err := audit.List(e.Ctx, e.DB, audit.Filter{ObjectType: "project", ObjectID: strconv.FormatInt(id, 10), Limit: 1000})
	e.Must(err)
	var out []string
	for i := len(evs) - 1; i >= 0; i-- { // List is newest first
		out = append(out, evs[i].Action)
	}
	return out
}

// TestIntakeScenario: register → upload → submit (refused, missing
// materials by name) → upload the rest → submit → staff return with a
// reason → edit → resubmit → overdue → staff accept; every step audited.
func TestIntakeScenario(t *testing.T) {
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	ten, staff := e.Client(auth.Tenderer), e.Client(auth.Staff)

	var p tender.Project
	if st := ten.JSON("POST", "/api/v1/projects", intakeInput(), &p); st != http.StatusCreated {
		t.Fatalf("register: %d", st)
	}
	if p.Code != "530602-2026-0001" || p.State != tender.Draft || len(p.Lots) != 2 || p.EstimatedPrice != 1_060_000*money.OneYuan {
		t.Fatalf("registered %+v", p)
	}
	base := fmt.Sprintf("/api/v1/projects/%d", p.ID)

	var c tender.Checklist
	if st := ten.JSON("GET", base+"/materials", nil, &c); st != http.StatusOK || c.Matter == nil {
		t.Fatalf("checklist: %d", st)
	}
	required := c.Missing
	if len(required) != 4 || !slices.Contains(required, "资金落实证明") {
		t.Fatalf("required materials %v", required)
	}

	// Submitting without materials names every missing one.
	resp, b := ten.Do("POST", base+"/submission", nil, "")
	if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(intakeMissing(t, b), required) {
		t.Fatalf("submit without materials: %d %s", resp.StatusCode, b)
	}
	// Upload all but the last required material (and an optional one).
	ids := map[string]int64{}
	for _, it := range c.Items {
		ids[it.Material.Name] = it.Material.ID
	}
	for _, name := range append(required[:3:3], "招标代理委托合同") {
		if resp, b := uploadMaterial(ten, p.ID, ids[name], name+".pdf", "%PDF "+name); resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, resp.StatusCode, b)
		}
	}
	resp, b = ten.Do("POST", base+"/submission", nil, "")
	if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(intakeMissing(t, b), required[3:]) {
		t.Fatalf("submit with one missing: %d %s", resp.StatusCode, b)
	}
	resp, b = uploadMaterial(ten, p.ID, ids[required[3]], "委托书.PDF", "%PDF 委托书")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	var file tender.ProjectMaterial
	json.Unmarshal(b, &file)

	// Submitted Wednesday 2026-11-25 09:00: 1 working day → end of Thursday.
	if st := ten.JSON("POST", base+"/submission", nil, &p); st != http.StatusOK || p.State != tender.Submitted {
		t.Fatalf("submit: %d %+v", st, p)
	}
	if want := time.Date(2026, 11, 27, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)); !p.DueAt.Equal(want) {
		t.Errorf("due %v, want %v", p.DueAt, want)
	}

	// Staff see it in the queue, not overdue; they can read its files.
	var q struct{ Items []tender.Entry }
	if st := staff.JSON("GET", "/api/v1/intake", nil, &q); st != http.StatusOK || len(q.Items) != 1 || q.Items[0].Overdue {
		t.Fatalf("queue: %d %+v", st, q)
	}
	resp, b = staff.Do("GET", fmt.Sprintf("%s/materials/%d", base, file.ID), nil, "")
	if resp.StatusCode != http.StatusOK || string(b) != "%PDF 委托书" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %q", resp.StatusCode, b, resp.Header.Get("Content-Disposition"))
	}
	// The applicant cannot change a submitted project.
	before := intakeSnapshot(t, e)
	if st := ten.JSON("PUT", base, intakeInput(), nil); st != http.StatusConflict {
		t.Errorf("edit while submitted: %d", st)
	}
	if resp, _ := uploadMaterial(ten, p.ID, 0, "补充.pdf", "x"); resp.StatusCode != http.StatusConflict {
		t.Errorf("upload while submitted: %d", resp.StatusCode)
	}
	// Returning needs a reason.
	resp, b = staff.Do("POST", base+"/decision", strings.NewReader(`{"accept": false, "reason": "  "}`), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity || !readProblem(t, resp, b).hasField("reason") {
		t.Fatalf("return without reason: %d %s", resp.StatusCode, b)
	}
	assertIntakeUnchanged(t, e, before, "refused requests")

	if st := staff.JSON("POST", base+"/decision", tender.Decision{Reason: "资金落实证明须加盖财政部门印章"}, &p); st != http.StatusOK ||
		p.State != tender.Returned || p.ReturnReason != "资金落实证明须加盖财政部门印章" {
		t.Fatalf("return: %d %+v", st, p)
	}
	// The applicant fixes the project and resubmits on Friday 17:00.
	in := intakeInput()
	in.Lots[1].Deposit = 1_000 * money.OneYuan
	if st := ten.JSON("PUT", base, in, &p); st != http.StatusOK || p.Lots[1].Deposit != 1_000*money.OneYuan {
		t.Fatalf("edit returned: %d", st)
	}
	e.Clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) // 17:00 Beijing
	ten, staff = e.Client(auth.Tenderer), e.Client(auth.Staff) // the morning's sessions have expired
	if st := ten.JSON("POST", base+"/submission", nil, &p); st != http.StatusOK {
		t.Fatalf("resubmit: %d", st)
	}
	// 1 working day from Friday 17:00 → end of Monday 11-30.
	if want := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC); !p.DueAt.Equal(want) {
		t.Errorf("due after resubmission %v, want %v", p.DueAt, want)
	}
	// Tuesday: overdue for staff and for the housing supervisor of 昭通.
	e.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	ten, staff = e.Client(auth.Tenderer), e.Client(auth.Staff)
	for _, c := range []*testenv.Client{staff, e.Client(auth.Supervisor)} {
		q.Items = nil
		if st := c.JSON("GET", "/api/v1/intake?overdue=true", nil, &q); st != http.StatusOK || len(q.Items) != 1 || !q.Items[0].Overdue {
			t.Fatalf("overdue list: %d %+v", st, q)
		}
	}
	if st := staff.JSON("POST", base+"/decision", tender.Decision{Accept: true}, &p); st != http.StatusOK || p.State != tender.Accepted {
		t.Fatalf("accept: %d %+v", st, p)
	}
	var got tender.Entry
	ten.JSON("GET", base, nil, &got)
	if !got.Late || got.Overdue || got.State != tender.Accepted || got.Lots[0].State != tender.Accepted {
		t.Errorf("after a late acceptance: %+v", got)
	}
	if st := staff.JSON("POST", base+"/decision", tender.Decision{Accept: true}, nil); st != http.StatusConflict {
		t.Errorf("deciding twice: %d", st)
	}
	want := []string{"project.register", "project.material.upload", "project.material.upload", "project.material.upload",
		"project.material.upload", "project.material.upload", "project.submit", "project.return", "project.update",
		"project.submit", "project.accept"}
	if got := intakeActions(t, e, p.ID); !slices.Equal(got, want) {
		t.Errorf("audit trail\n got %v\nwant %v", got, want)
	}
}

// TestGreenChannelFirst: a green-channel project gets the shorter limit
// (2 working hours across lunch) and goes to the head of the queue.
func TestGreenChannelFirst(t *testing.T) {
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	ten := e.Actor(auth.Tenderer)
	submit := func(in tender.ProjectInput) tender.Project {
		p, err := e.Tender.Register(e.Ctx, ten, in)
		e.Must(err)
		m, err := guide.Intake(e.Ctx, e.DB, "construction")
		e.Must(err)
		for _, x := range m.Materials {
			if x.Required {
				_, err := e.Tender.Upload(e.Ctx, ten, p.ID, x.ID, x.Name+".pdf", strings.NewReader("pdf"))
				e.Must(err)
			}
		}
		p, err = e.Tender.Submit(e.Ctx, ten, p.ID)
		e.Must(err)
		return p
	}
	e.Clock.Set(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)) // 09:00
	normal := submit(intakeInput())
	e.Clock.Set(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)) // 11:00
	in := intakeInput()
	in.Name, in.GreenChannel, in.GreenReason = "镇雄县易地扶贫搬迁安置点配套道路", true, "脱贫攻坚项目"
	green := submit(in)
	if want := time.Date(2026, 11, 25, 7, 30, 0, 0, time.UTC); !green.DueAt.Equal(want) { // 15:30 Beijing
		t.Errorf("green due %v, want 15:30 Beijing", green.DueAt)
	}
	var q struct{ Items []tender.Entry }
	if st := e.Client(auth.Staff).JSON("GET", "/api/v1/intake", nil, &q); st != http.StatusOK || len(q.Items) != 2 {
		t.Fatalf("queue %d %+v", st, q)
	}
	if q.Items[0].ID != green.ID || q.Items[1].ID != normal.ID {
		t.Errorf("queue order %d, %d; want green %d first", q.Items[0].ID, q.Items[1].ID, green.ID)
	}
	// 16:00: the green one is overdue, the other not yet.
	e.Clock.Set(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	q.Items = nil
	e.Client(auth.Staff).JSON("GET", "/api/v1/intake?overdue=1", nil, &q)
	if len(q.Items) != 1 || q.Items[0].ID != green.ID {
		t.Errorf("overdue at 16:00: %+v", q.Items)
	}
}

// TestIntakeAuthorization: another organisation's tenderer, a bidder and
// staff of another region can neither see nor change a project, and their
// refused requests change nothing; staff of the region above can decide.
func TestIntakeAuthorization(t *testing.T) {
	e := testenv.New(t)
	_, projectID, fileID := intakeFixtures(t, e)
	base := fmt.Sprintf("/api/v1/projects/%d", projectID)

	e.RegisterApproved(auth.KindTenderer, "tenderer2", "另一招标人")
	other := intakeClientAs(t, e, "tenderer2")
	countyStaff := intakeCentreStaff(t, e, "530602", "staff530602")
	qujingStaff := intakeCentreStaff(t, e, "530300", "staff530300")
	// Sign everyone in first: signing in is audited, and the snapshots
	// below must see only what the requests under test do.
	staff, supervisor, admin := e.Client(auth.Staff), e.Client(auth.Supervisor), e.Client(auth.Admin)
	agent, bidder, anonymous := e.Client(auth.Agent), e.Client(auth.Bidder), e.Client(auth.Anonymous)

	type call struct {
		method, path, body string
	}
	calls := []call{
		{"GET", base, ""},
		{"PUT", base, intakeJSON(intakeInput())},
		{"GET", base + "/materials", ""},
		{"GET", fmt.Sprintf("%s/materials/%d", base, fileID), ""},
		{"DELETE", fmt.Sprintf("%s/materials/%d", base, fileID), ""},
		{"POST", base + "/submission", ""},
		{"POST", base + "/withdrawal", `{"reason":"不做了"}`},
		{"POST", base + "/decision", `{"accept":true}`},
	}
	for _, tc := range []struct {
		name string
		c    *testenv.Client
		want int
	}{
		{"other tenderer", other, http.StatusNotFound},
		{"agent not on the project", agent, http.StatusNotFound},
		{"bidder", bidder, http.StatusForbidden},
		{"anonymous", anonymous, http.StatusUnauthorized},
	} {
		for _, cl := range calls {
			t.Run(tc.name+" "+cl.method+" "+cl.path, func(t *testing.T) {
				before := intakeSnapshot(t, e)
				var body *strings.Reader
				if cl.body != "" {
					body = strings.NewReader(cl.body)
				}
				var resp *http.Response
				if body != nil {
					resp, _ = tc.c.Do(cl.method, cl.path, body, "application/json")
				} else {
					resp, _ = tc.c.Do(cl.method, cl.path, nil, "")
				}
				want := tc.want
				// Deciding is refused by policy before the project is looked at.
				if cl.path == base+"/decision" && tc.want == http.StatusNotFound {
					want = http.StatusForbidden
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d", resp.StatusCode, want)
				}
				assertIntakeUnchanged(t, e, before, "refused request")
			})
		}
		before := intakeSnapshot(t, e)
		if resp, _ := uploadMaterial(tc.c, projectID, 0, "x.pdf", "x"); resp.StatusCode != tc.want {
			t.Errorf("%s upload: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		assertIntakeUnchanged(t, e, before, tc.name+" upload")
	}
	// Lists show only one's own projects.
	var l struct{ Items []tender.Entry }
	other.JSON("GET", "/api/v1/projects", nil, &l)
	if len(l.Items) != 0 {
		t.Errorf("other tenderer lists %d projects", len(l.Items))
	}
	// Drafts are private: staff and supervisors do not see them yet.
	for _, c := range []*testenv.Client{staff, supervisor, admin} {
		if st := c.JSON("GET", base, nil, nil); st != http.StatusNotFound {
			t.Errorf("draft visible to overseers: %d", st)
		}
	}

	// Submit it (at 530602), then check who may decide.
	ten := e.Actor(auth.Tenderer)
	m, err := guide.Intake(e.Ctx, e.DB, "construction")
	e.Must(err)
	for _, x := range m.Materials[1:] {
		if x.Required {
			_, err := e.Tender.Upload(e.Ctx, ten, projectID, x.ID, "f.pdf", strings.NewReader("f"))
			e.Must(err)
		}
	}
	_, err = e.Tender.Submit(e.Ctx, ten, projectID)
	e.Must(err)
	before := intakeSnapshot(t, e)
	if st := qujingStaff.JSON("POST", base+"/decision", tender.Decision{Accept: true}, nil); st != http.StatusNotFound {
		t.Errorf("曲靖 staff decided a 昭阳区 project: %d", st)
	}
	var q struct{ Items []tender.Entry }
	qujingStaff.JSON("GET", "/api/v1/intake", nil, &q)
	if len(q.Items) != 0 {
		t.Errorf("曲靖 staff queue shows %d projects", len(q.Items))
	}
	assertIntakeUnchanged(t, e, before, "other region's decision")
	if st := supervisor.JSON("GET", base, nil, nil); st != http.StatusOK {
		t.Errorf("昭通 housing supervisor cannot see a 昭阳区 housing project: %d", st)
	}
	if st := supervisor.JSON("POST", base+"/decision", tender.Decision{Accept: true}, nil); st != http.StatusForbidden {
		t.Errorf("supervisor decided: %d", st)
	}
	// County staff of 昭阳区 decide their own centre's project.
	if st := countyStaff.JSON("POST", base+"/decision", tender.Decision{Accept: true}, nil); st != http.StatusOK {
		t.Fatalf("county staff accept: %d", st)
	}

	// A project at the prefecture centre: the county's staff cannot decide
	// it, the prefecture's can.
	in := intakeInput()
	in.RegionCode, in.Industry = "530600", "water"
	p, err := e.Tender.Register(e.Ctx, ten, in)
	e.Must(err)
	for _, x := range m.Materials {
		if x.Required {
			_, err := e.Tender.Upload(e.Ctx, ten, p.ID, x.ID, "f.pdf", strings.NewReader("f"))
			e.Must(err)
		}
	}
	_, err = e.Tender.Submit(e.Ctx, ten, p.ID)
	e.Must(err)
	pbase := fmt.Sprintf("/api/v1/projects/%d", p.ID)
	before = intakeSnapshot(t, e)
	if st := countyStaff.JSON("POST", pbase+"/decision", tender.Decision{Accept: true}, nil); st != http.StatusNotFound {
		t.Errorf("county staff decided a prefecture project: %d", st)
	}
	// A water project is not the housing supervisor's.
	if st := supervisor.JSON("GET", pbase, nil, nil); st != http.StatusNotFound {
		t.Errorf("housing supervisor sees a water project: %d", st)
	}
	assertIntakeUnchanged(t, e, before, "county staff on a prefecture project")
	if st := staff.JSON("POST", pbase+"/decision", tender.Decision{Reason: "请补充水利部门批复"}, nil); st != http.StatusOK {
		t.Errorf("prefecture staff return: %d", st)
	}
}

func intakeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestAgentRegistersForTenderer: an agent registers for a tenderer named
// by credit code; both organisations see the project, the agent edits it.
func TestAgentRegistersForTenderer(t *testing.T) {
	e := testenv.New(t)
	var code string
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT credit_code FROM organisations WHERE id = ?", e.Orgs[auth.KindTenderer]).Scan(&code))
	agent := e.Client(auth.Agent)
	in := intakeInput()
	resp, b := agent.Do("POST", "/api/v1/projects", strings.NewReader(intakeJSON(in)), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity || !readProblem(t, resp, b).hasField("tenderer_org_id") {
		t.Fatalf("agent without tenderer: %d %s", resp.StatusCode, b)
	}
	in.TendererCreditCode = "91530602MA6XXXXX0X"
	resp, b = agent.Do("POST", "/api/v1/projects", strings.NewReader(intakeJSON(in)), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity || !readProblem(t, resp, b).hasField("tenderer_credit_code") {
		t.Fatalf("unknown credit code: %d %s", resp.StatusCode, b)
	}
	in.TendererCreditCode = code
	var p tender.Project
	if st := agent.JSON("POST", "/api/v1/projects", in, &p); st != http.StatusCreated ||
		p.TendererOrgID != e.Orgs[auth.KindTenderer] || p.AgentOrgID != e.Orgs[auth.KindAgent] {
		t.Fatalf("agent register: %d %+v", st, p)
	}
	var got tender.Entry
	if st := e.Client(auth.Tenderer).JSON("GET", fmt.Sprintf("/api/v1/projects/%d", p.ID), nil, &got); st != http.StatusOK ||
		got.AgentName == "" || got.TendererName == "" {
		t.Fatalf("tenderer view: %d %+v", st, got)
	}
	// A bidder's organisation is not a tenderer.
	in.TendererCreditCode = ""
	in.TendererOrgID = e.Orgs[auth.KindBidder]
	resp, b = agent.Do("POST", "/api/v1/projects", strings.NewReader(intakeJSON(in)), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity || !readProblem(t, resp, b).hasField("tenderer_org_id") {
		t.Fatalf("bidder as tenderer: %d %s", resp.StatusCode, b)
	}
}

// TestRegistrationInput: every bad field is named in Chinese, nothing is
// saved, and codes count up per region and year.
func TestRegistrationInput(t *testing.T) {
	e := testenv.New(t)
	ten := e.Client(auth.Tenderer)
	before := intakeSnapshot(t, e)
	bad := `{"name":"","trade_kind":"construction","industry":"finance","region_code":"539999","procedure":"auction",
		"approval_ref":"","lots":[{"name":"一","estimated_price":100000,"deposit":2001,"eval_method":"highest_price"}]}`
	resp, b := ten.Do("POST", "/api/v1/projects", strings.NewReader(bad), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	p := readProblem(t, resp, b)
	for _, f := range []string{"name", "industry", "procedure", "approval_ref", "lots[0].deposit", "lots[0].eval_method"} {
		if !p.hasField(f) {
			t.Errorf("no Chinese error for %s: %s", f, b)
		}
	}
	// A region without a centre is found in the transaction.
	in := intakeInput()
	in.RegionCode = "530621"
	resp, b = ten.Do("POST", "/api/v1/projects", strings.NewReader(intakeJSON(in)), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity || !readProblem(t, resp, b).hasField("region_code") {
		t.Fatalf("region without a centre: %d %s", resp.StatusCode, b)
	}
	resp, b = ten.Do("POST", "/api/v1/projects", strings.NewReader(`{"name":"x","lots":[{"deposit":"二十"}]}`), "application/json")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("string amount: %d %s", resp.StatusCode, b)
	}
	assertIntakeUnchanged(t, e, before, "invalid registrations")
	var codes []string
	for _, region := range []string{"530602", "530602", "530600"} {
		in := intakeInput()
		in.RegionCode = region
		var p tender.Project
		if st := ten.JSON("POST", "/api/v1/projects", in, &p); st != http.StatusCreated {
			t.Fatalf("register: %d", st)
		}
		codes = append(codes, p.Code)
	}
	if strings.Join(codes, " ") != "530602-2026-0001 530602-2026-0002 530600-2026-0001" {
		t.Errorf("codes %v", codes)
	}
}
