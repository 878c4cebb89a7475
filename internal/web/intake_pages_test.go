package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/guide"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// intakePage fetches a page and its form token.
func intakePage(t *testing.T, c *testenv.Client, path string, want int) (string, string) {
	t.Helper()
	resp, b := c.Do("GET", path, nil, "")
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, want, b)
	}
	tok := ""
	if m := csrfInPage.FindSubmatch(b); m != nil {
		tok = string(m[1])
	}
	return string(b), tok
}

func TestGuidePages(t *testing.T) {
	e := testenv.New(t)
	// Public, empty at first.
	intakePage(t, e.Client(auth.Anonymous), "/guide", http.StatusOK)
	for role, want := range map[auth.Role]int{auth.Anonymous: http.StatusSeeOther, auth.Bidder: http.StatusForbidden,
		auth.Tenderer: http.StatusForbidden, auth.Supervisor: http.StatusForbidden, auth.Staff: http.StatusOK, auth.Admin: http.StatusOK} {
		intakePage(t, e.Client(role), "/workbench/guide", want)
		intakePage(t, e.Client(role), "/workbench/guide/new", want)
	}
	staff := e.Client(auth.Staff)
	_, tok := intakePage(t, staff, "/workbench/guide", http.StatusOK)
	if resp, b := postForm(staff, "/workbench/guide/seed", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("seed: %d %s", resp.StatusCode, b)
	}
	page, _ := intakePage(t, e.Client(auth.Anonymous), "/guide?kind=construction", http.StatusOK)
	for _, want := range []string{"工程建设项目进场登记", "1个工作日", "2个工作小时", "资金落实证明", "网上办", "09:00–12:00"} {
		if !strings.Contains(page, want) {
			t.Errorf("public guide lacks %q", want)
		}
	}
	if strings.Contains(page, "国有建设用地使用权出让项目进场登记") {
		t.Error("kind filter shows land matters")
	}

	// Staff create a matter by form; a bad limit is named.
	form := url.Values{"csrf_token": {tok}, "trade_kind": {"procurement"}, "service": {"archive"}, "name": {"采购资料归档"},
		"mode": {"online"}, "limit_amount": {"x"}, "limit_unit": {"working_days"}, "active": {"1"},
		"material_id": {"", "", ""}, "material_name": {"采购合同", "", "验收报告"}, "material_required": {"1", "1", "0"},
		"material_note": {"", "", "履约验收后"}}
	resp, b := postForm(staff, "/workbench/guide", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "承诺时限须为整数") {
		t.Fatalf("bad limit: %d", resp.StatusCode)
	}
	form.Set("limit_amount", "5")
	if resp, b := postForm(staff, "/workbench/guide", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	m, err := guide.MatterByCode(e.Ctx, e.DB, "procurement.archive")
	e.Must(err)
	if len(m.Materials) != 2 || m.Materials[1].Name != "验收报告" || m.Materials[1].Required || m.Limit.Amount != 5 {
		t.Fatalf("created %+v", m)
	}
	// Edit: clear the first material's name to drop it.
	page, tok = intakePage(t, staff, fmt.Sprintf("/workbench/guide/%d", m.ID), http.StatusOK)
	if !strings.Contains(page, "procurement.archive") {
		t.Error("edit form does not show the code")
	}
	edit := url.Values{"csrf_token": {tok}, "name": {"采购资料归档"}, "mode": {"once"}, "limit_amount": {"3"},
		"limit_unit": {"working_days"}, "green_limit_amount": {"1"}, "green_limit_unit": {"working_days"},
		"material_id":   {strconv.FormatInt(m.Materials[0].ID, 10), strconv.FormatInt(m.Materials[1].ID, 10)},
		"material_name": {"", "验收报告"}, "material_required": {"1", "1"}, "material_note": {"", ""}}
	if resp, b := postForm(staff, fmt.Sprintf("/workbench/guide/%d", m.ID), edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", resp.StatusCode, b)
	}
	m, _ = guide.GetMatter(e.Ctx, e.DB, m.ID)
	if len(m.Materials) != 1 || !m.Materials[0].Required || m.Active || m.Mode != guide.Once || m.GreenLimit.Amount != 1 {
		t.Errorf("after edit %+v", m)
	}
	// A bidder posting the form is refused and changes nothing.
	bidder := e.Client(auth.Bidder)
	_, btok := intakePage(t, bidder, "/workbench", http.StatusOK)
	before := intakeSnapshot(t, e)
	edit.Set("csrf_token", btok)
	if resp, _ := postForm(bidder, fmt.Sprintf("/workbench/guide/%d", m.ID), edit); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bidder edit: %d", resp.StatusCode)
	}
	assertIntakeUnchanged(t, e, before, "bidder's guide edit")
}

var projectLink = regexp.MustCompile(`^/workbench/projects/(\d+)`)

func TestIntakePages(t *testing.T) {
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	for role, want := range map[auth.Role]int{auth.Anonymous: http.StatusSeeOther, auth.Bidder: http.StatusForbidden,
		auth.Expert: http.StatusForbidden, auth.Tenderer: http.StatusOK, auth.Agent: http.StatusOK,
		auth.Staff: http.StatusOK, auth.Supervisor: http.StatusOK, auth.Admin: http.StatusOK} {
		intakePage(t, e.Client(role), "/workbench/projects", want)
	}
	for role, want := range map[auth.Role]int{auth.Tenderer: http.StatusForbidden, auth.Bidder: http.StatusForbidden,
		auth.Staff: http.StatusOK, auth.Supervisor: http.StatusOK, auth.Admin: http.StatusOK} {
		intakePage(t, e.Client(role), "/workbench/intake", want)
	}
	intakePage(t, e.Client(auth.Staff), "/workbench/projects/new", http.StatusForbidden)

	ten := e.Client(auth.Tenderer)
	_, tok := intakePage(t, ten, "/workbench/projects/new", http.StatusOK)
	form := url.Values{"csrf_token": {tok}, "name": {"昭阳区城区道路改造工程"}, "trade_kind": {"construction"},
		"industry": {"transport"}, "region_code": {"530602"}, "procedure": {"open"}, "state_funded": {"1"},
		"approval_ref": {"昭阳发改〔2026〕9号"}, "estimated_price": {""},
		"lot_name": {"一标段", "", "二标段"}, "lot_estimated": {"1,23", "", "50.5"}, "lot_max": {"", "", ""},
		"lot_deposit": {"10000", "", "１０１００"}, "lot_method": {"lowest_price", "lowest_price", "comprehensive"}}
	before := intakeSnapshot(t, e)
	resp, b := postForm(ten, "/workbench/projects", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "第1标段（包）估算价") ||
		!strings.Contains(string(b), "千分位逗号位置不正确") {
		t.Fatalf("bad amount: %d\n%s", resp.StatusCode, b)
	}
	// The second lot's deposit is over 2% of 50.5 万元 (10100 元 is the cap).
	form["lot_estimated"] = []string{"123", "", "50.5"}
	form["lot_deposit"] = []string{"10000", "", "10100.01"}
	resp, b = postForm(ten, "/workbench/projects", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "规则 A6") {
		t.Fatalf("deposit over the cap: %d\n%s", resp.StatusCode, b)
	}
	assertIntakeUnchanged(t, e, before, "invalid forms")
	form["lot_deposit"] = []string{"10000", "", "１０１００"} // full-width digits from a Chinese IME
	resp, b = postForm(ten, "/workbench/projects", form)
	m := projectLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("register: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	p, err := tender.GetProject(e.Ctx, e.DB, id)
	e.Must(err)
	if len(p.Lots) != 2 || p.Lots[0].EstimatedPrice != 123*money.OneWan || p.Lots[1].EstimatedPrice != 505000*money.OneYuan ||
		p.Lots[1].Deposit != 10100*money.OneYuan || p.EstimatedPrice != 1_735_000*money.OneYuan {
		t.Fatalf("saved %+v", p)
	}
	page, tok := intakePage(t, ten, fmt.Sprintf("/workbench/projects/%d", id), http.StatusOK)
	if !strings.Contains(page, "尚缺必需材料") || !strings.Contains(page, "资金落实证明") {
		t.Error("project page does not list missing materials")
	}
	// The edit form shows the amounts as typed (万元 exactly).
	edit, _ := intakePage(t, ten, fmt.Sprintf("/workbench/projects/%d/edit", id), http.StatusOK)
	if !strings.Contains(edit, `value="50.5"`) || !strings.Contains(edit, `value="10100.00"`) {
		t.Error("edit form lost the amounts")
	}
	// Submitting by the page lists the missing materials.
	resp, b = postForm(ten, fmt.Sprintf("/workbench/projects/%d/submit", id), url.Values{"csrf_token": {tok}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "缺少必需材料：资金落实证明") {
		t.Fatalf("page submit without materials: %d", resp.StatusCode)
	}
	// Upload every required material through the page form.
	mt, err := guide.Intake(e.Ctx, e.DB, "construction")
	e.Must(err)
	for _, x := range mt.Materials {
		if !x.Required {
			continue
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("material_id", strconv.FormatInt(x.ID, 10))
		fw, _ := mw.CreateFormFile("file", x.Name+".pdf")
		fw.Write([]byte("%PDF " + x.Name))
		mw.Close()
		noHeader := *ten
		noHeader.CSRF = ""
		resp, b := noHeader.Do("POST", fmt.Sprintf("/workbench/projects/%d/materials?csrf_token=%s", id, tok), &buf, mw.FormDataContentType())
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page upload: %d %s", resp.StatusCode, b)
		}
	}
	if resp, b := postForm(ten, fmt.Sprintf("/workbench/projects/%d/submit", id), url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page submit: %d %s", resp.StatusCode, b)
	}
	// Staff: the queue lists it; returning without a reason is refused.
	staff := e.Client(auth.Staff)
	queue, stok := intakePage(t, staff, "/workbench/intake", http.StatusOK)
	if !strings.Contains(queue, "昭阳区城区道路改造工程") {
		t.Error("queue does not list the project")
	}
	page, _ = intakePage(t, staff, fmt.Sprintf("/workbench/projects/%d", id), http.StatusOK)
	if !strings.Contains(page, `id="decide-form"`) {
		t.Fatal("staff see no decision form")
	}
	resp, b = postForm(staff, fmt.Sprintf("/workbench/projects/%d/decision", id), url.Values{"csrf_token": {stok}, "accept": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "退回理由不能为空") {
		t.Fatalf("return without reason: %d", resp.StatusCode)
	}
	resp, _ = postForm(staff, fmt.Sprintf("/workbench/projects/%d/decision", id), url.Values{"csrf_token": {stok}, "accept": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	p, _ = tender.GetProject(e.Ctx, e.DB, id)
	if p.State != tender.Accepted {
		t.Errorf("state %s", p.State)
	}
	// The files are served as attachments to the applicant.
	c, err := e.Tender.Checklist(e.Ctx, e.Actor(auth.Tenderer), id)
	e.Must(err)
	f := c.Items[0].Files[0]
	resp, b = ten.Do("GET", fmt.Sprintf("/workbench/projects/%d/materials/%d", id, f.ID), nil, "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "%PDF") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	// The supervisor's overdue list renders.
	intakePage(t, e.Client(auth.Supervisor), "/workbench/intake?overdue=1", http.StatusOK)
}
