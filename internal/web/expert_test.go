package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/expert"
	"ggzy/internal/ident"
	"ggzy/internal/testenv"
)

// expertCSV is an import file of n valid experts of the staff's centre and
// one bad row.
func expertCSV(n int) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(expert.Headers())
	for i := 0; i < n; i++ {
		first17 := fmt.Sprintf("53060219760%d0%d%03d", 1+i%9, 1+i%9, 100+i)
		c, _ := ident.IDCheck(first17)
		w.Write([]string{"专家" + string(rune('甲'+i)), first17 + string(c), "13912345678", "", "昭通市建筑设计研究院",
			testenv.CreditCode("530600"), "530600", "A080104", "高级工程师", "16", "", "", "", "否", "", ""})
	}
	w.Write([]string{"坏行", "530602197601010000", "13912345678", "", "某院", testenv.CreditCode("530600"), "530600", "A080104",
		"高级工程师", "16", "", "", "", "否", "", ""})
	w.Flush()
	return b.Bytes()
}

func multipartFile(t *testing.T, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return &body, mw.FormDataContentType()
}

func TestExpertAPI(t *testing.T) {
	e := testenv.New(t)
	staff, sup, admin, exp, tenderer := e.Client(auth.Staff), e.Client(auth.Supervisor), e.Client(auth.Admin), e.Client(auth.Expert),
		e.Client(auth.Tenderer)

	// The taxonomy is public.
	var specs struct{ Items []expert.Specialty }
	if st := e.Client(auth.Anonymous).JSON("GET", "/api/v1/expert-specialties?prefix=A0808", nil, &specs); st != 200 || len(specs.Items) != 10 {
		t.Fatalf("specialties %d %+v", st, specs)
	}

	in := expert.Input{Name: "张建明", IDNumber: "53060219750312001X", Phone: "13812345678", EmployerName: "昭通学院",
		EmployerCode: testenv.CreditCode("530600"), Specialties: []string{"A080104"}, Title: "高级工程师", Years: 20, Username: "expert1"}
	c, _ := ident.IDCheck(in.IDNumber[:17])
	in.IDNumber = in.IDNumber[:17] + string(c)
	var created expert.Expert
	if st := staff.JSON("POST", "/api/v1/experts", in, &created); st != http.StatusCreated || created.IDNumber != in.IDNumber {
		t.Fatalf("create %d %+v", st, created)
	}
	path := fmt.Sprintf("/api/v1/experts/%d", created.ID)
	var seen expert.Expert
	if st := sup.JSON("GET", path, nil, &seen); st != 200 || !seen.Masked || seen.IDNumber == in.IDNumber {
		t.Fatalf("supervisor %d %+v", st, seen)
	}
	var problem struct {
		Fields []struct{ Field, Message string } `json:"fields"`
	}
	bad := in
	bad.IDNumber = "53060219750312001"
	if st := staff.JSON("POST", "/api/v1/experts", bad, &problem); st != 422 || len(problem.Fields) == 0 || problem.Fields[0].Field != "id_number" {
		t.Fatalf("bad create %d %+v", st, problem)
	}
	if st := staff.JSON("POST", path+"/suspend", expert.Suspension{Reason: "考核不合格"}, &seen); st != 200 || seen.Status != expert.Suspended {
		t.Fatalf("suspend %d %+v", st, seen)
	}
	if st := admin.JSON("POST", path+"/reinstate", nil, &seen); st != 200 || seen.Status != expert.Active {
		t.Fatalf("reinstate %d", st)
	}
	var leave expert.Leave
	if st := staff.JSON("POST", path+"/leaves", expert.LeaveInput{From: "2026-12-10", To: "2026-12-11"}, &leave); st != 201 {
		t.Fatalf("leave %d", st)
	}
	if resp, b := staff.Do("DELETE", fmt.Sprintf("%s/leaves/%d", path, leave.ID), nil, ""); resp.StatusCode != 204 {
		t.Fatalf("delete leave %d %s", resp.StatusCode, b)
	}

	// The expert's own portal and leave.
	var portal expert.Portal
	if st := exp.JSON("GET", "/api/v1/me/expert", nil, &portal); st != 200 || portal.Expert.ID != created.ID || portal.Expert.Masked {
		t.Fatalf("portal %d %+v", st, portal)
	}
	if st := exp.JSON("POST", "/api/v1/me/expert/leaves", expert.LeaveInput{From: "2026-12-20", To: "2026-12-21", Reason: "出差"}, &leave); st != 201 {
		t.Fatalf("own leave %d", st)
	}
	if resp, _ := exp.Do("DELETE", fmt.Sprintf("/api/v1/me/expert/leaves/%d", leave.ID), nil, ""); resp.StatusCode != 204 {
		t.Fatalf("own leave delete %d", resp.StatusCode)
	}

	// Import: multipart, and the file as the body.
	body, ct := multipartFile(t, "专家.csv", expertCSV(3))
	var rep expert.ImportReport
	resp, b := staff.Do("POST", "/api/v1/experts/import", body, ct)
	if resp.StatusCode != 200 {
		t.Fatalf("import %d %s", resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.Created != 3 || rep.Failed != 1 || rep.Errors[0].Row != 5 {
		t.Fatalf("import report %+v %v", rep, err)
	}
	resp, b = staff.Do("POST", "/api/v1/experts/import", bytes.NewReader(expertCSV(3)), "text/csv")
	if json.Unmarshal(b, &rep); resp.StatusCode != 200 || rep.Created != 0 || rep.Duplicates != 3 {
		t.Fatalf("re-import %d %+v", resp.StatusCode, rep)
	}
	resp, b = staff.Do("POST", "/api/v1/experts/import", strings.NewReader("{}"), "application/json")
	if resp.StatusCode != 422 || !strings.Contains(string(b), "xlsx") {
		t.Fatalf("json import %d %s", resp.StatusCode, b)
	}
	resp, _ = tenderer.Do("POST", "/api/v1/experts/import", bytes.NewReader(expertCSV(1)), "text/csv")
	if resp.StatusCode != 403 {
		t.Fatalf("tenderer import %d", resp.StatusCode)
	}

	// Export: a download, masked for the supervisor.
	resp, b = sup.Do("GET", "/api/v1/experts/export?format=csv", nil, "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(b), "张建明") ||
		strings.Contains(string(b), in.IDNumber) {
		t.Fatalf("export %d %v %s", resp.StatusCode, resp.Header, b)
	}
	resp, b = staff.Do("GET", "/api/v1/experts/export?format=xlsx&template=true", nil, "")
	if resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("template %d", resp.StatusCode)
	}
	var page struct {
		Items []expert.Expert
		Total int
	}
	if st := staff.JSON("GET", "/api/v1/experts?specialty=A08&limit=2", nil, &page); st != 200 || page.Total != 4 || len(page.Items) != 2 {
		t.Fatalf("list %d %+v", st, page)
	}
	if st := staff.JSON("GET", "/api/v1/experts?specialty=Z1", nil, nil); st != 422 {
		t.Fatalf("bad filter %d", st)
	}
}

func TestExpertPages(t *testing.T) {
	e := testenv.New(t)
	staff, exp := e.Client(auth.Staff), e.Client(auth.Expert)

	resp, list := staff.Do("GET", "/workbench/experts", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(list), "批量导入") {
		t.Fatalf("list page %d", resp.StatusCode)
	}
	_, form := staff.Do("GET", "/workbench/experts/new", nil, "")
	token := formToken(t, form)
	values := url.Values{"csrf_token": {token}, "centre_code": {"530600"}, "name": {"李明"}, "id_number": {"53060219750312001"},
		"phone": {"13812345678"}, "employer_name": {"昭通学院"}, "employer_code": {testenv.CreditCode("530600")},
		"specialties": {"A080104 A060101"}, "title": {"高级工程师"}, "years": {"20"}, "username": {"expert1"},
		"past_employers": {"旧单位|" + testenv.CreditCode("530602") + "|2000-01-01|2010-12-31"},
		"relations":      {testenv.CreditCode("530602") + "|持股|某公司|1%"}}
	resp, b := postForm(staff, "/workbench/experts", values)
	if resp.StatusCode != 422 || !strings.Contains(string(b), "身份证号应为18位") || !strings.Contains(string(b), "A080104 A060101") {
		t.Fatalf("bad form %d", resp.StatusCode)
	}
	c, _ := ident.IDCheck("53060219750312001")
	values.Set("id_number", "53060219750312001"+string(c))
	resp, _ = postForm(staff, "/workbench/experts", values)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/workbench/experts/") {
		t.Fatalf("create %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	detail := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	resp, b = staff.Do("GET", detail, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "53060219750312001"+string(c)) || !strings.Contains(string(b), "旧单位") {
		t.Fatalf("detail %d", resp.StatusCode)
	}
	resp, b = staff.Do("GET", detail+"/edit", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "A080104 A060101") {
		t.Fatalf("edit page %d", resp.StatusCode)
	}
	resp, _ = postForm(staff, detail+"/suspend", url.Values{"csrf_token": {formToken(t, b)}, "reason": {"考核不合格"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend %d", resp.StatusCode)
	}

	// Import through the page: the token travels in the form's URL.
	body, ct := multipartFile(t, "专家.csv", expertCSV(2))
	noHeader := *staff
	noHeader.CSRF = ""
	resp, b = noHeader.Do("POST", "/workbench/experts/import?csrf_token="+url.QueryEscape(token), body, ct)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "导入 <strong>2</strong> 人") || !strings.Contains(string(b), "校验位错误") {
		t.Fatalf("import page %d %s", resp.StatusCode, b)
	}
	resp, _ = staff.Do("GET", "/workbench/experts/export?format=csv", nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("export %d", resp.StatusCode)
	}

	// The expert's portal.
	resp, b = exp.Do("GET", "/workbench/my-expert", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "李明") {
		t.Fatalf("portal %d", resp.StatusCode)
	}
	resp, b = postForm(exp, "/workbench/my-expert/leaves", url.Values{"csrf_token": {formToken(t, b)}, "from": {"2026-11-01"}, "to": {"2026-11-02"}})
	if resp.StatusCode != 422 || !strings.Contains(string(b), "只能登记今后的请假") {
		t.Fatalf("past leave %d", resp.StatusCode)
	}
	for _, p := range []string{"/workbench/expert-specialties", "/workbench"} {
		if resp, _ := exp.Do("GET", p, nil, ""); resp.StatusCode != 200 {
			t.Fatalf("%s %d", p, resp.StatusCode)
		}
	}
	if resp, _ := e.Client(auth.Tenderer).Do("GET", "/workbench/expert-ratings", nil, ""); resp.StatusCode != 200 {
		t.Fatalf("ratings page %d", resp.StatusCode)
	}
	if resp, _ := e.Client(auth.Bidder).Do("GET", "/workbench/experts", nil, ""); resp.StatusCode != 403 {
		t.Fatalf("bidder saw the library: %d", resp.StatusCode)
	}
}
