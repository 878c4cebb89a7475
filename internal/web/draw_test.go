package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/money"
	"ggzy/internal/notify"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// drawFixture is a platform with a lot in tendering, five experts (the
// fixture expert user among them) and a fake voice gateway on the real
// callback route.
type drawFixture struct {
	*testenv.Env
	gw    *notify.FakeGateway
	lot   int64
	names []string
}

func newDrawFixture(t *testing.T) *drawFixture {
	t.Helper()
	e := testenv.New(t)
	f := &drawFixture{Env: e}
	key := []byte("web-test-voice-gateway-key-0123")
	f.gw = notify.NewFakeGateway(key, e.Clock, func(notify.CallRequest) notify.Result { return "" })
	t.Cleanup(f.gw.Close)
	e.Draw.SetChannels(&notify.Voice{URL: f.gw.URL(), Key: key, CallbackURL: e.HTTP.URL + "/api/v1/voice/callback", Clock: e.Clock}, nil)
	c, err := centre.ByCode(e.Ctx, e.DB, "530600")
	e.Must(err)
	now := db.Micros(e.Clock.Now())
	var pid int64
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, state_funded, green_channel, state, created_by, created_at, updated_at)
		VALUES ('ZT530600-2026-0900', '昭通市图书馆改造工程', ?, 'housing', ?, '530600', 'open', ?, ?, TRUE, FALSE, ?, 1, ?, ?)
		RETURNING id`, tender.Construction, c.ID, 500*money.OneWan, e.Orgs[auth.KindTenderer], tender.Tendering, now, now).Scan(&pid))
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '第1标段', ?, 0, 0, 'comprehensive', ?) RETURNING id`, pid, 500*money.OneWan, tender.Tendering).Scan(&f.lot))
	staff := e.Actor(auth.Staff)
	me := e.Actor(auth.Expert)
	// Exactly five: a panel of five calls every one of them, the fixture
	// expert user among them, whatever the order.
	f.names = []string{"欧阳明远", "司马青云", "诸葛长风", "上官清扬", "东方既白"}
	for i, name := range f.names {
		uid := int64(0)
		if i == 0 {
			uid = me.UserID
		}
		_, err := e.Expert.Create(e.Ctx, staff, expert.Input{Name: name, IDNumber: testenv.IDNumber(),
			Phone: fmt.Sprintf("1390000%04d", i), EmployerName: "昭通某设计院", EmployerCode: testenv.CreditCode("530600"),
			CentreCode: "530600", Specialties: []string{"A080104"}, Title: "高级工程师", Years: 12, UserID: uid})
		e.Must(err)
	}
	return f
}

func form(c *testenv.Client, path string, v url.Values) (*http.Response, []byte) {
	v.Set("csrf_token", c.CSRF)
	return c.Do("POST", path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// TestDrawPages walks the draw through its pages: staff request and fix
// the pool, the witness contributes, everyone follows masked progress
// live, the witness prints the sealed list, a supervisor verifies, and the
// expert answers in the app.
func TestDrawPages(t *testing.T) {
	f := newDrawFixture(t)
	staff, sup, exp := f.Client(auth.Staff), f.Client(auth.Supervisor), f.Client(auth.Expert)

	resp, body := staff.Do("GET", "/workbench/draws/new", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "昭通市图书馆改造工程") {
		t.Fatalf("new draw page %d", resp.StatusCode)
	}
	v := url.Values{"lot_id": {strconv.FormatInt(f.lot, 10)}, "eval_start": {"2026-12-03T09:00"}, "eval_end": {"2026-12-03T17:00"},
		"venue": {"第二评标室"}, "specialty_0": {"A0801"}, "formal_0": {"4"}, "alternates_0": {"0"}, "centres": {"530600"},
		"tenderer_reps": {"0"}, "max_age": {"70"}, "answer_minutes": {"30"}}
	// Four experts: the panel rule refuses, citing A15, and the form keeps what was typed.
	resp, body = form(staff, "/workbench/draws", v)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "A15") ||
		!strings.Contains(string(body), "第二评标室") {
		t.Fatalf("four experts: %d %s", resp.StatusCode, body)
	}
	v.Set("formal_0", "5")
	resp, _ = form(staff, "/workbench/draws", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	page := strings.Split(resp.Header.Get("Location"), "?")[0]
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/workbench/draws/"), 10, 64)
	for _, c := range []*testenv.Client{staff, sup} {
		if resp, body = c.Do("GET", "/workbench/draws", nil, ""); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), page) {
			t.Fatalf("draw list: %d", resp.StatusCode)
		}
		if resp, body = c.Do("GET", "/workbench", nil, ""); !strings.Contains(string(body), "/workbench/draws") {
			t.Fatal("no draw card on the workbench")
		}
	}
	if resp, body = staff.Do("GET", page, nil, ""); !strings.Contains(string(body), `id="draw-commit"`) {
		t.Fatalf("draw page without the commit form: %d", resp.StatusCode)
	}
	if resp, _ = form(staff, page+"/commit", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit: %d", resp.StatusCode)
	}
	resp, body = sup.Do("GET", page, nil, "")
	if !strings.Contains(string(body), `id="draw-witness"`) || !strings.Contains(string(body), `id="draw-generate"`) ||
		!strings.Contains(string(body), "/static/draw.js") {
		t.Fatalf("witness page: %d", resp.StatusCode)
	}
	if resp, body = form(sup, page+"/witness", url.Values{"value": {"12"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short contribution: %d", resp.StatusCode)
	}
	if resp, _ = form(sup, page+"/witness", url.Values{"value": {strings.Repeat("3c", 32)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("witness: %d", resp.StatusCode)
	}
	if n := len(f.gw.Calls()); n != 5 {
		t.Fatalf("%d calls placed", n)
	}

	// Live progress: masked names only, for staff as for anyone.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", staff.Base+"/api/v1/draws/"+strconv.FormatInt(id, 10)+"/events", nil)
	stream, err := staff.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if ct := stream.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := bufio.NewReader(stream.Body)
	next := func() draw.Draw {
		t.Helper()
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var d draw.Draw
				if err := json.Unmarshal([]byte(data), &d); err != nil {
					t.Fatal(err)
				}
				for _, name := range f.names {
					if strings.Contains(data, name) {
						t.Fatalf("live event names %s", name)
					}
				}
				return d
			}
		}
	}
	first := next()
	if len(first.Calls) != 5 || !strings.Contains(first.Calls[0].Masked, "*") {
		t.Fatalf("first event %+v", first.Calls)
	}
	// The fixture expert answers in the app; the live page hears of it.
	invs, err := f.Draw.Invitations(f.Ctx, f.Actor(auth.Expert))
	f.Must(err)
	if len(invs) != 1 {
		t.Fatalf("expert has %d invitations", len(invs))
	}
	resp, body = exp.Do("GET", "/workbench/invitations", nil, "")
	if !strings.Contains(string(body), invs[0].Token) || strings.Contains(string(body), "图书馆") {
		t.Fatalf("invitations page %d: %s", resp.StatusCode, body)
	}
	resp, body = exp.Do("GET", "/workbench/invitations/"+invs[0].Token, nil, "")
	if !strings.Contains(string(body), "第二评标室") || strings.Contains(string(body), "图书馆") || strings.Contains(string(body), "ZT530600") {
		t.Fatalf("invitation page names the project or lacks the venue: %s", body)
	}
	if resp, _ = form(exp, "/workbench/invitations/"+invs[0].Token+"/answer", url.Values{"accept": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	if resp, _ = form(exp, "/workbench/invitations/"+invs[0].Token+"/answer", url.Values{"accept": {"0"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second answer: %d", resp.StatusCode)
	}
	second := next()
	accepted := 0
	for _, c := range second.Calls {
		if c.State == draw.Accepted {
			accepted++
		}
	}
	if accepted != 1 || second.Version <= first.Version {
		t.Fatalf("second event: %d accepted, version %d → %d", accepted, first.Version, second.Version)
	}
	cancel()

	// The witness prints the sealed list; the print is audited; staff may not print.
	resp, body = sup.Do("GET", page+"/sealed-list.pdf", nil, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Fatalf("sealed list: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ = staff.Do("GET", page+"/sealed-list.pdf", nil, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("staff print: %d", resp.StatusCode)
	}
	prints, err := audit.List(f.Ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.print"})
	f.Must(err)
	if len(prints) != 1 || prints[0].Details["names"] != false {
		t.Fatalf("prints %+v", prints)
	}

	// Verify from the page: sealed, so partial.
	resp, body = form(sup, page+"/verify", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="draw-report-partial"`) {
		t.Fatalf("verify page %d", resp.StatusCode)
	}
	// A16 over the API: a request cannot name experts to draw.
	st := staff.JSON("POST", "/api/v1/draws", map[string]any{"lot_id": f.lot, "quotas": []any{}, "experts": []int{1}}, nil)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("request naming experts: %d", st)
	}
	// After the start the list is unsealed and verification is complete.
	f.Clock.Set(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	_, err = f.Draw.Tick(f.Ctx)
	f.Must(err)
	sup, staff = f.Client(auth.Supervisor), f.Client(auth.Staff) // the old sessions have expired
	var rep draw.Report
	if st := sup.JSON("POST", "/api/v1/draws/"+strconv.FormatInt(id, 10)+"/verify", nil, &rep); st != http.StatusOK || !rep.OK {
		t.Fatalf("verify %d %+v", st, rep)
	}
	if resp, body = staff.Do("GET", page, nil, ""); !strings.Contains(string(body), f.names[0]) {
		t.Fatalf("staff do not see names after unsealing: %d", resp.StatusCode)
	}
}

// TestVoiceCallbackRoute: the gateway's callback reaches the draw through
// the public route only with a valid signature.
func TestVoiceCallbackRoute(t *testing.T) {
	f := newDrawFixture(t)
	anon := f.Client(auth.Anonymous)
	body := `{"call_id":"` + strings.Repeat("a", 32) + `","result":"accepted"}`
	resp, b := anon.Do("POST", "/api/v1/voice/callback", strings.NewReader(body), "application/json")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned callback: %d %s", resp.StatusCode, b)
	}
	req, _ := http.NewRequest("POST", anon.Base+"/api/v1/voice/callback", strings.NewReader(body))
	req.Header.Set(notify.SignatureHeader, notify.Sign([]byte("web-test-voice-gateway-key-0123"), f.Clock.Now(), []byte(body)))
	r2, err := anon.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotFound {
		t.Fatalf("signed callback for an unknown call: %d", r2.StatusCode)
	}
}
