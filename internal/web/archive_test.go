package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// archivePublish drafts, submits and approves a notice through the
// services (the notice pages have their own tests).
func archivePublish(t *testing.T, e *testenv.Env, in notice.Input) {
	t.Helper()
	tenderer := e.Actor(auth.Tenderer)
	n, err := e.Notice.Draft(e.Ctx, tenderer, in)
	e.Must(err)
	if strings.Contains(n.Body, "（请填写") {
		in.Body = strings.ReplaceAll(n.Body, "（请填写", "（已填写")
		_, err = e.Notice.Update(e.Ctx, tenderer, n.ID, in)
		e.Must(err)
	}
	_, err = e.Notice.Submit(e.Ctx, tenderer, n.ID)
	e.Must(err)
	n, err = e.Notice.Decide(e.Ctx, e.Actor(auth.Staff), n.ID, notice.Decision{Approve: true})
	e.Must(err)
	if n.State != notice.Published {
		t.Fatalf("%s not published: %s", in.Kind, n.State)
	}
}

// awardedProject is a project tendered and awarded through its notices.
func awardedProject(t *testing.T, e *testenv.Env) int64 {
	t.Helper()
	project, _ := noticeProject(t, e)
	archivePublish(t, e, notice.Input{ProjectID: project, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-11-25 09:00"),
		DocsUntil: noticeBJ("2026-12-02 17:00"), BidDeadline: noticeBJ("2026-12-28 09:30")})
	archivePublish(t, e, notice.Input{ProjectID: project, Kind: notice.KindResult, Amount: 1100 * money.OneWan,
		AwardeeID: e.Orgs[auth.KindBidder]})
	return project
}

// TestArchivePage: the staff's project page offers archiving once the
// result is out, the form archives, the applicant sees no button; the API
// archives too and refuses a project that is not finished.
func TestArchivePage(t *testing.T) {
	e := testenv.New(t)
	project := awardedProject(t, e)
	path := fmt.Sprintf("/workbench/projects/%d", project)

	tenderer := noticeClient(t, e, "tenderer1")
	resp, page := tenderer.Do("GET", path, nil, "")
	if resp.StatusCode != http.StatusOK || bytes.Contains(page, []byte(`id="archive-form"`)) {
		t.Fatalf("tenderer's page %d offers archiving", resp.StatusCode)
	}
	staff := noticeClient(t, e, "staff1")
	resp, page = staff.Do("GET", path, nil, "")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`id="archive-form"`)) {
		t.Fatalf("staff page %d without the archive form", resp.StatusCode)
	}
	// The applicant cannot post the form either.
	resp, _ = postForm(tenderer, path+"/archive", url.Values{"csrf_token": {tenderer.CSRF}})
	wantStatus(t, "tenderer archives", resp.StatusCode, http.StatusForbidden, nil)
	resp, _ = postForm(staff, path+"/archive", url.Values{"csrf_token": {formToken(t, page)}, "note": {"档案号 ZY-2026-17"}})
	wantStatus(t, "archive", resp.StatusCode, http.StatusSeeOther, nil)
	p, err := tender.GetProject(e.Ctx, e.DB, project)
	e.Must(err)
	if p.State != tender.Archived {
		t.Fatalf("state %s after archiving", p.State)
	}
	resp, page = staff.Do("GET", path, nil, "")
	if resp.StatusCode != http.StatusOK || bytes.Contains(page, []byte(`id="archive-form"`)) || !bytes.Contains(page, []byte("已归档")) {
		t.Fatalf("archived page %d", resp.StatusCode)
	}
	var details string
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT details FROM audit_events WHERE action = 'project.archive'").Scan(&details))
	if !strings.Contains(details, "ZY-2026-17") {
		t.Fatalf("audit details %s", details)
	}

	// Through the API: a project still tendering is refused by name of its
	// state, nothing changes.
	open, _ := noticeProjectNamed(t, e, "ZT530602-2026-N002")
	archivePublish(t, e, notice.Input{ProjectID: open, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-11-25 09:00"),
		DocsUntil: noticeBJ("2026-12-02 17:00"), BidDeadline: noticeBJ("2026-12-28 09:30")})
	before := countRows(t, e, "audit_events")
	resp, b := staff.Do("POST", fmt.Sprintf("/api/v1/projects/%d/archive", open), strings.NewReader(`{}`), "application/json")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(readProblem(t, resp, b).Detail, "公告中") {
		t.Fatalf("archive while tendering: %d %s", resp.StatusCode, b)
	}
	if countRows(t, e, "audit_events") != before {
		t.Fatal("a refused archive was audited")
	}
	resp, b = staff.Do("GET", fmt.Sprintf("/workbench/projects/%d", open), nil, "")
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`id="archive-form"`)) {
		t.Fatalf("tendering project offers archiving: %d", resp.StatusCode)
	}
	archivePublish(t, e, notice.Input{ProjectID: open, Kind: notice.KindTermination})
	var got tender.Project
	if st := staff.JSON("POST", fmt.Sprintf("/api/v1/projects/%d/archive", open), map[string]string{"note": "终止项目归档"}, &got); st != http.StatusOK ||
		got.State != tender.Archived {
		t.Fatalf("API archive: %d %+v", st, got)
	}
}

// noticeProjectNamed is another project like noticeProject's: the one
// before it gets the code given, so the new one can take the fixture code.
func noticeProjectNamed(t *testing.T, e *testenv.Env, code string) (project, lot int64) {
	t.Helper()
	_, err := e.DB.Exec(e.Ctx, "UPDATE projects SET code = ? WHERE code = 'ZT530602-2026-N001'", code)
	e.Must(err)
	return noticeProject(t, e)
}
