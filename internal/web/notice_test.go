package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// noticeBJ is a Beijing wall-clock instant, "2006-01-02 15:04".
func noticeBJ(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// noticeProject inserts an accepted construction project of the fixture
// tenderer (agent: the fixture agent) in 昭阳区 with one lot: registration
// and intake have their own tests, a notice needs only the rows.
func noticeProject(t *testing.T, e *testenv.Env) (project, lot int64) {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, "530602")
	e.Must(err)
	now := db.Micros(e.Clock.Now())
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530602-2026-N001", "昭阳区北门小学综合楼工程", tender.Construction, "housing", c.ID, c.RegionCode, tender.Open,
		1200*money.OneWan, e.Orgs[auth.KindTenderer], e.Orgs[auth.KindAgent], true, tender.Accepted, now, now).Scan(&project))
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '施工', ?, ?, ?, ?, ?) RETURNING id`, project, 1200*money.OneWan, 1150*money.OneWan, 24*money.OneWan,
		tender.LowestPrice, tender.Accepted).Scan(&lot))
	return project, lot
}

// noticeClient signs username in through the API.
func noticeClient(t *testing.T, e *testenv.Env, username string) *testenv.Client {
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

// noticeUpload posts a file as multipart/form-data.
func noticeUpload(c *testenv.Client, path, name, content string, tenderDocs bool) (*http.Response, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if tenderDocs {
		mw.WriteField("tender_docs", "true")
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return c.Do("POST", path, &buf, mw.FormDataContentType())
}

// wantStatus fails unless the call answered want.
func wantStatus(t *testing.T, what string, got, want int, body any) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d: %v", what, got, want, body)
	}
}

// TestNoticeScenario walks a notice through the API: draft → review →
// publish → amend (too late: refused with the earliest lawful deadline;
// then lawful: published, deadline moved) → bidders download the tender
// documents (secret) → the deadline passes → the downloads are shown.
// It runs on SQLite, and on PostgreSQL with GGZY_TEST_POSTGRES.
func TestNoticeScenario(t *testing.T) {
	e := testenv.New(t)
	project, lot := noticeProject(t, e)
	e.RegisterApproved(auth.KindBidder, "bidder2", "昭通永安建设有限公司")
	tenderer, staff, public := noticeClient(t, e, "tenderer1"), noticeClient(t, e, "staff1"), freshClient(e)

	// Draft from the project's data; the drafter edits the body.
	in := notice.Input{ProjectID: project, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-11-25 09:00"),
		DocsUntil: noticeBJ("2026-12-02 17:00"), BidDeadline: noticeBJ("2026-12-28 09:30")}
	var n notice.Notice
	st := tenderer.JSON("POST", "/api/v1/notices", in, &n)
	wantStatus(t, "draft", st, http.StatusCreated, n)
	if n.State != notice.Draft || !strings.Contains(n.Body, "11,500,000.00") {
		t.Fatalf("draft %+v", n)
	}
	in.Body = n.Body + "\n五、联系方式：昭阳区北门小学 0870-0000000"
	st = tenderer.JSON("PUT", fmt.Sprintf("/api/v1/notices/%d", n.ID), in, &n)
	wantStatus(t, "edit", st, http.StatusOK, n)
	resp, b := noticeUpload(tenderer, fmt.Sprintf("/api/v1/notices/%d/attachments", n.ID), "招标文件.zip", "PK 招标文件", true)
	wantStatus(t, "upload", resp.StatusCode, http.StatusCreated, string(b))
	var docs notice.Attachment
	e.Must(json.Unmarshal(b, &docs))
	if !docs.TenderDocs || docs.Size != int64(len("PK 招标文件")) {
		t.Fatalf("attachment %+v", docs)
	}
	// The public does not see a draft.
	st = public.JSON("GET", fmt.Sprintf("/api/v1/notices/%d", n.ID), nil, nil)
	wantStatus(t, "public draft", st, http.StatusNotFound, nil)

	// Review: the staff's queue, approval publishes at once.
	st = tenderer.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", n.ID), nil, &n)
	wantStatus(t, "submit", st, http.StatusOK, n)
	var queue struct{ Items []notice.Notice }
	st = staff.JSON("GET", "/api/v1/notices?state=review", nil, &queue)
	if st != http.StatusOK || len(queue.Items) != 1 || queue.Items[0].ID != n.ID {
		t.Fatalf("review queue %d %+v", st, queue)
	}
	st = staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", n.ID), notice.Decision{Approve: true, Note: "同意"}, &n)
	wantStatus(t, "approve", st, http.StatusOK, n)
	if n.State != notice.Published || len(n.Signature) == 0 {
		t.Fatalf("published %+v", n)
	}
	var v notice.Verification
	st = public.JSON("GET", fmt.Sprintf("/api/v1/notices/%d/verification", n.ID), nil, &v)
	if st != http.StatusOK || !v.Valid || !v.AuditHashOK {
		t.Fatalf("verification %d %+v", st, v)
	}
	resp, b = public.Do("GET", fmt.Sprintf("/notices/%d", n.ID), nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("平台电子签名验证通过")) || !bytes.Contains(b, []byte("五、联系方式")) {
		t.Fatalf("public page %d", resp.StatusCode)
	}

	// Bidders download the documents, free and unconditioned (B2) …
	docsPath := fmt.Sprintf("/api/v1/notices/%d/documents/%d", n.ID, docs.ID)
	resp, _ = public.Do("GET", docsPath, nil, "")
	wantStatus(t, "anonymous download", resp.StatusCode, http.StatusUnauthorized, nil)
	for _, u := range []string{"bidder1", "bidder2"} {
		resp, b := noticeClient(t, e, u).Do("GET", docsPath, nil, "")
		if resp.StatusCode != http.StatusOK || string(b) != "PK 招标文件" || resp.Header.Get("X-Content-SM3") != docs.Digest ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s download: %d %q %v", u, resp.StatusCode, b, resp.Header)
		}
	}
	// … and nobody learns who, not even an admin (B3).
	downloadsPath := fmt.Sprintf("/api/v1/notices/%d/downloads", n.ID)
	for _, c := range []*testenv.Client{tenderer, staff, noticeClient(t, e, "admin1")} {
		resp, b := c.Do("GET", downloadsPath, nil, "")
		p := readProblem(t, resp, b)
		if resp.StatusCode != http.StatusUnprocessableEntity || p.Code != "rule" || !strings.Contains(p.Detail, "B3") {
			t.Fatalf("downloads before the deadline: %d %s", resp.StatusCode, b)
		}
	}
	var leaked int
	e.Must(e.DB.QueryRow(e.Ctx, `SELECT count(*) FROM audit_events WHERE action = 'notice.download'
		AND (actor_id <> 0 OR org_id <> 0 OR ip <> '' OR details LIKE '%bidder%')`).Scan(&leaked))
	if leaked != 0 {
		t.Fatalf("%d download events name the bidder", leaked)
	}

	// 12-15: an amendment affecting bids comes too late for the 12-28
	// deadline (RULES A4); the refusal offers the earliest lawful one.
	e.Clock.Set(noticeBJ("2026-12-15 10:00"))
	tenderer, staff = noticeClient(t, e, "tenderer1"), noticeClient(t, e, "staff1")
	amend := notice.Input{ProjectID: project, Kind: notice.KindAmendment, AmendsID: n.ID, AffectsBids: true,
		Body: "澄清：技术标准第3.2条修改为……"}
	var a notice.Notice
	st = tenderer.JSON("POST", "/api/v1/notices", amend, &a)
	wantStatus(t, "draft amendment", st, http.StatusCreated, a)
	var rep notice.CheckReport
	st = tenderer.JSON("GET", fmt.Sprintf("/api/v1/notices/%d/checks", a.ID), nil, &rep)
	if st != http.StatusOK || rep.OK || !rep.EarliestBidDeadline.Equal(noticeBJ("2026-12-30 00:00")) {
		t.Fatalf("checks %d %+v", st, rep)
	}
	resp, b = tenderer.Do("GET", fmt.Sprintf("/workbench/notices/%d", a.ID), nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("最早合法的截止时间为 <strong>2026-12-30 00:00:00</strong>")) {
		t.Fatalf("work page does not offer the earliest deadline: %d", resp.StatusCode)
	}
	st = tenderer.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", a.ID), nil, &a)
	wantStatus(t, "submit amendment", st, http.StatusOK, a)
	resp, b = staff.Do("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), strings.NewReader(`{"approve": true}`), "application/json")
	p := readProblem(t, resp, b)
	if resp.StatusCode != http.StatusUnprocessableEntity || p.Code != "rule" || !p.hasField("bid_deadline") ||
		!strings.Contains(p.Detail, "2026-12-30 00:00") || !strings.Contains(p.Detail, "《招标投标法》第二十三条") {
		t.Fatalf("late amendment: %d %s", resp.StatusCode, b)
	}
	st = staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), notice.Decision{Note: "请顺延投标截止时间"}, &a)
	wantStatus(t, "reject", st, http.StatusOK, a)

	// Moved to the suggested deadline, the amendment is lawful.
	amend.BidDeadline = rep.SuggestedBidDeadline
	st = tenderer.JSON("PUT", fmt.Sprintf("/api/v1/notices/%d", a.ID), amend, &a)
	wantStatus(t, "move deadline", st, http.StatusOK, a)
	st = tenderer.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", a.ID), nil, &a)
	wantStatus(t, "resubmit", st, http.StatusOK, a)
	st = staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), notice.Decision{Approve: true}, &a)
	wantStatus(t, "approve amendment", st, http.StatusOK, a)
	l, err := tender.GetLot(e.Ctx, e.DB, lot)
	e.Must(err)
	if a.State != notice.Published || !l.BidDeadline.Equal(noticeBJ("2026-12-30 09:30")) {
		t.Fatalf("deadline not moved: %s %v", a.State, l.BidDeadline)
	}
	// The published original refuses any edit.
	st = tenderer.JSON("PUT", fmt.Sprintf("/api/v1/notices/%d", n.ID), in, nil)
	wantStatus(t, "edit published", st, http.StatusConflict, nil)

	// At the original deadline the records are still sealed; at the moved
	// one they open.
	e.Clock.Set(noticeBJ("2026-12-28 09:30"))
	resp, _ = noticeClient(t, e, "tenderer1").Do("GET", downloadsPath, nil, "")
	wantStatus(t, "downloads at the old deadline", resp.StatusCode, http.StatusUnprocessableEntity, nil)
	e.Clock.Set(noticeBJ("2026-12-30 09:30"))
	var got struct{ Items []notice.LotDownloads }
	st = noticeClient(t, e, "tenderer1").JSON("GET", downloadsPath, nil, &got)
	if st != http.StatusOK || len(got.Items) != 1 || len(got.Items[0].Records) != 2 {
		t.Fatalf("downloads after the deadline: %d %+v", st, got)
	}
	names := got.Items[0].Records[0].OrgName + "," + got.Items[0].Records[1].OrgName
	if names != "昭通测试投标人/供应商,昭通永安建设有限公司" {
		t.Fatalf("who downloaded: %s", names)
	}
	resp, b = noticeClient(t, e, "supervisor1").Do("GET", fmt.Sprintf("/workbench/notices/%d/downloads", n.ID), nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("昭通永安建设有限公司")) {
		t.Fatalf("downloads page %d", resp.StatusCode)
	}
}

// TestNoticePages drafts, uploads, submits and approves a notice through
// the HTML forms, CSRF tokens included.
func TestNoticePages(t *testing.T) {
	e := testenv.New(t)
	project, _ := noticeProject(t, e)
	agent, staff := noticeClient(t, e, "agent1"), noticeClient(t, e, "staff1")

	resp, page := agent.Do("GET", fmt.Sprintf("/workbench/notices/new?project=%d&kind=tender", project), nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`id="notice-form"`)) {
		t.Fatalf("new form %d", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {formToken(t, page)}, "project_id": {strconv.FormatInt(project, 10)}, "kind": {"tender"},
		"docs_from": {"2026-11-25T09:00"}, "docs_until": {"2026-12-02T17:00"}, "bid_deadline": {"2026-12-14T09:30"}}
	// A typo in a time is reported on its field, nothing is saved.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("docs_until", "12/02/2026")
	before := countRows(t, e, "notices")
	resp, b := postForm(agent, "/workbench/notices", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !bytes.Contains(b, []byte("时间格式应为")) || countRows(t, e, "notices") != before {
		t.Fatalf("bad time: %d", resp.StatusCode)
	}
	resp, _ = postForm(agent, "/workbench/notices", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/workbench/notices/") {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	work := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	resp, page = agent.Do("GET", work, nil, "")
	// The 12-14 deadline is one day short of 20 (A1): the page says so.
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("《招标投标法》第二十四条")) {
		t.Fatalf("work page %d", resp.StatusCode)
	}
	token := formToken(t, page)
	edit := url.Values{"csrf_token": {token}, "docs_from": {"2026-11-25T09:00"}, "docs_until": {"2026-12-02T17:00"},
		"bid_deadline": {"2026-12-28T09:30"}, "body": {""}}
	resp, _ = postForm(agent, work, edit)
	wantStatus(t, "edit", resp.StatusCode, http.StatusSeeOther, nil)

	// Upload through the page: the token rides in the action URL.
	resp, b = noticeUpload(&testenv.Client{Client: agent.Client, Base: agent.Base}, work+"/attachments?csrf_token="+url.QueryEscape(token),
		"招标文件.pdf", "%PDF 招标文件", true)
	wantStatus(t, "page upload", resp.StatusCode, http.StatusSeeOther, string(b))
	resp, _ = postForm(agent, work+"/submit", url.Values{"csrf_token": {token}})
	wantStatus(t, "submit", resp.StatusCode, http.StatusSeeOther, nil)

	resp, page = staff.Do("GET", work, nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`id="review-form"`)) || !bytes.Contains(page, []byte("招标文件.pdf")) {
		t.Fatalf("review page %d", resp.StatusCode)
	}
	resp, _ = postForm(staff, work+"/decision", url.Values{"csrf_token": {formToken(t, page)}, "approve": {"1"}})
	wantStatus(t, "approve", resp.StatusCode, http.StatusSeeOther, nil)
	id := strings.TrimPrefix(work, "/workbench/notices/")
	resp, page = freshClient(e).Do("GET", "/notices/"+id, nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("平台电子签名验证通过")) || !bytes.Contains(page, []byte("投标人登录后免费下载")) {
		t.Fatalf("public page %d", resp.StatusCode)
	}
	resp, page = noticeClient(t, e, "bidder1").Do("GET", "/notices/"+id, nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("免费下载招标文件")) {
		t.Fatalf("bidder's page %d", resp.StatusCode)
	}
	resp, page = agent.Do("GET", "/workbench/notices?state=published", nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("昭阳区北门小学综合楼工程招标公告")) {
		t.Fatalf("list %d", resp.StatusCode)
	}
	// Before the deadline the downloads page shows nothing but the seal.
	resp, page = agent.Do("GET", work+"/downloads", nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`id="downloads-sealed"`)) {
		t.Fatalf("sealed downloads page %d", resp.StatusCode)
	}
}
