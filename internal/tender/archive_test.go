package tender_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// archiveRig is a platform with the people of an archiving story: the
// project's tenderer, the Zhaotong staff who review and archive, and staff
// of another prefecture.
type archiveRig struct {
	*testenv.Env
	tenderer, staff, admin, otherStaff auth.Actor
}

func newArchiveRig(t *testing.T) *archiveRig {
	t.Helper()
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	r := &archiveRig{Env: e, tenderer: e.Actor(auth.Tenderer), staff: e.Actor(auth.Staff), admin: e.Actor(auth.Admin)}
	qj, err := centre.ByCode(e.Ctx, e.DB, "530300")
	e.Must(err)
	qjOrg, err := e.Auth.CentreOrg(e.Ctx, qj.ID)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: qjOrg, Username: "qjstaff", DisplayName: "曲靖工作人员",
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000001", Password: testenv.Password})
	e.Must(err)
	_, r.otherStaff, err = e.Auth.Login(e.Ctx, "127.0.0.1", "qjstaff", testenv.Password)
	e.Must(err)
	return r
}

// accepted registers, submits and accepts a project.
func (r *archiveRig) accepted(t *testing.T) tender.Project {
	t.Helper()
	p := submitted(t, r.Env)
	p, err := r.Tender.Decide(r.Ctx, r.staff, p.ID, tender.Decision{Accept: true})
	r.Must(err)
	return p
}

// publish drafts, submits and approves a notice of the tenderer; the clock
// moves a minute first, so each notice is published after the one before.
func (r *archiveRig) publish(t *testing.T, in notice.Input) notice.Notice {
	t.Helper()
	r.Clock.Advance(time.Minute)
	n, err := r.Notice.Draft(r.Ctx, r.tenderer, in)
	r.Must(err)
	if strings.Contains(n.Body, "（请填写") {
		in.Body = strings.ReplaceAll(n.Body, "（请填写", "（已填写")
		n, err = r.Notice.Update(r.Ctx, r.tenderer, n.ID, in)
		r.Must(err)
	}
	_, err = r.Notice.Submit(r.Ctx, r.tenderer, n.ID)
	r.Must(err)
	n, err = r.Notice.Decide(r.Ctx, r.staff, n.ID, notice.Decision{Approve: true})
	r.Must(err)
	if n.State != notice.Published {
		t.Fatalf("%s: state %s, want published", in.Kind, n.State)
	}
	return n
}

// tenderNotice is a lawful tender notice published at the rig's clock.
func (r *archiveRig) tenderNotice(p tender.Project) notice.Input {
	now := r.Clock.Now()
	day := func(d int) time.Time { return clock.Local(now).AddDate(0, 0, d) }
	return notice.Input{ProjectID: p.ID, Kind: notice.KindTender, DocsFrom: now.Add(time.Minute),
		DocsUntil: day(8), BidDeadline: day(35)}
}

func (r *archiveRig) state(id int64) tender.State {
	p, err := tender.GetProject(r.Ctx, r.DB, id)
	r.Must(err)
	return p.State
}

func wantCode(t *testing.T, err error, code errs.Code, text string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if !strings.Contains(errs.As(err).Message, text) {
		t.Fatalf("message %q does not say %q", errs.As(err).Message, text)
	}
}

// archiveEvents counts the project's archive events.
func (r *archiveRig) archiveEvents(id int64) int {
	var n int
	r.Must(r.DB.QueryRow(r.Ctx, "SELECT count(*) FROM audit_events WHERE action = 'project.archive' AND object_id = ?",
		strconv.FormatInt(id, 10)).Scan(&n))
	return n
}

// TestArchiveAwarded: an awarded project is archived by the centre once
// its result is published; the lots keep their award, the move is audited,
// and nothing can be published on it afterwards.
func TestArchiveAwarded(t *testing.T) {
	r := newArchiveRig(t)
	p := r.accepted(t)

	// Not finished: accepted, then tendering.
	_, err := r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "不能归档")
	r.publish(t, r.tenderNotice(p))
	_, err = r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "“公告中”")

	res := r.publish(t, notice.Input{ProjectID: p.ID, Kind: notice.KindResult, Amount: 480 * money.OneWan, AwardeeID: r.Orgs[auth.KindBidder]})
	if r.state(p.ID) != tender.Awarded {
		t.Fatal("not awarded")
	}
	// Wrong roles are refused before anything is read; staff of another
	// prefecture are told the project does not exist.
	for _, role := range []auth.Role{auth.Tenderer, auth.Agent, auth.Bidder, auth.Supervisor, auth.Expert} {
		_, err := r.Tender.Archive(r.Ctx, r.Actor(role), p.ID, tender.ArchiveInput{})
		if errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("%s: %v, want forbidden", role, err)
		}
	}
	if _, err := r.Tender.Archive(r.Ctx, auth.Public("127.0.0.1"), p.ID, tender.ArchiveInput{}); errs.CodeOf(err) != errs.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}
	_, err = r.Tender.Archive(r.Ctx, r.otherStaff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.NotFound, "项目不存在")
	_, err = r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{Note: strings.Repeat("档", 501)})
	wantCode(t, err, errs.Invalid, "归档说明")
	if r.state(p.ID) != tender.Awarded || r.archiveEvents(p.ID) != 0 {
		t.Fatal("a refused archive changed the project")
	}
	if ok, why, err := r.Tender.Archivable(r.Ctx, r.otherStaff, mustGet(t, r, p.ID)); ok || why != "" || err != nil {
		t.Fatalf("archivable for other staff: %v %q %v", ok, why, err)
	}
	if ok, _, err := r.Tender.Archivable(r.Ctx, r.staff, mustGet(t, r, p.ID)); !ok || err != nil {
		t.Fatalf("not archivable: %v", err)
	}

	got, err := r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{Note: "档案号 ZT-2026-0001"})
	r.Must(err)
	if got.State != tender.Archived || got.Lots[0].State != tender.Awarded || got.Lots[0].AwardPrice != 480*money.OneWan ||
		!got.Lots[0].AwardedAt.Equal(res.PublishedAt) {
		t.Fatalf("archived %s, lot %+v", got.State, got.Lots[0])
	}
	if r.archiveEvents(p.ID) != 1 {
		t.Fatal("archive not audited")
	}
	var details string
	r.Must(r.DB.QueryRow(r.Ctx, "SELECT details FROM audit_events WHERE action = 'project.archive'").Scan(&details))
	if !strings.Contains(details, "ZT-2026-0001") || !strings.Contains(details, `"from":"awarded"`) {
		t.Fatalf("audit details %s", details)
	}
	// Archived is the end: not twice, and no notice can follow.
	_, err = r.Tender.Archive(r.Ctx, r.admin, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "“已归档”")
	_, err = r.Notice.Draft(r.Ctx, r.tenderer, notice.Input{ProjectID: p.ID, Kind: notice.KindTermination})
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("termination of an archived project: %v", err)
	}
}

func mustGet(t *testing.T, r *archiveRig, id int64) tender.Project {
	t.Helper()
	p, err := tender.GetProject(r.Ctx, r.DB, id)
	r.Must(err)
	return p
}

// TestArchiveFailedAndTerminated: a 流标 project is archived only once its
// failure notice is out and no re-tender is being prepared; a re-tendered
// lot needs a failure notice of its new round; a terminated project needs
// its termination notice, a withdrawn one (never public) none.
func TestArchiveFailedAndTerminated(t *testing.T) {
	r := newArchiveRig(t)

	// Failed by the opening (A12) with the failure notice still a draft.
	p := r.accepted(t)
	r.publish(t, r.tenderNotice(p))
	r.Must(r.DB.Transact(r.Ctx, func(tx *db.Tx) error {
		return r.Tender.MoveTx(r.Ctx, tx, auth.System, p.ID, tender.Failed, "投标人不足三家（测试）")
	}))
	_, err := r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "流标公告尚未发布")
	r.publish(t, notice.Input{ProjectID: p.ID, Kind: notice.KindFailure})
	if r.state(p.ID) != tender.Failed {
		t.Fatalf("state %s", r.state(p.ID))
	}
	// A re-tender being drafted: the project is not over.
	re, err := r.Notice.Draft(r.Ctx, r.tenderer, r.tenderNotice(mustGet(t, r, p.ID)))
	r.Must(err)
	_, err = r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "重新招标")
	// Published, the re-tender fails too: the old failure notice does not
	// close the new round.
	_, err = r.Notice.Submit(r.Ctx, r.tenderer, re.ID)
	r.Must(err)
	_, err = r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "审核中")
	r.Clock.Advance(time.Minute)
	_, err = r.Notice.Decide(r.Ctx, r.staff, re.ID, notice.Decision{Approve: true})
	r.Must(err)
	r.Must(r.DB.Transact(r.Ctx, func(tx *db.Tx) error {
		return r.Tender.MoveTx(r.Ctx, tx, auth.System, p.ID, tender.Failed, "再次流标（测试）")
	}))
	_, err = r.Tender.Archive(r.Ctx, r.staff, p.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "流标公告尚未发布")
	r.publish(t, notice.Input{ProjectID: p.ID, Kind: notice.KindFailure})
	got, err := r.Tender.Archive(r.Ctx, r.admin, p.ID, tender.ArchiveInput{})
	r.Must(err)
	if got.State != tender.Archived || got.Lots[0].State != tender.Failed {
		t.Fatalf("archived %s, lot %s", got.State, got.Lots[0].State)
	}

	// Terminated while tendering: the termination notice is the record.
	q := r.accepted(t)
	r.publish(t, r.tenderNotice(q))
	r.publish(t, notice.Input{ProjectID: q.ID, Kind: notice.KindTermination})
	if _, err := r.Tender.Archive(r.Ctx, r.staff, q.ID, tender.ArchiveInput{}); err != nil {
		t.Fatalf("terminated: %v", err)
	}
	// Terminated without its notice (moved by another capability).
	q2 := r.accepted(t)
	r.publish(t, r.tenderNotice(q2))
	r.Must(r.DB.Transact(r.Ctx, func(tx *db.Tx) error {
		return r.Tender.MoveTx(r.Ctx, tx, r.staff, q2.ID, tender.Terminated, "终止（测试）")
	}))
	_, err = r.Tender.Archive(r.Ctx, r.staff, q2.ID, tender.ArchiveInput{})
	wantCode(t, err, errs.Conflict, "终止公告尚未发布")
	if ok, why, err := r.Tender.Archivable(r.Ctx, r.staff, mustGet(t, r, q2.ID)); ok || !strings.Contains(why, "终止公告尚未发布") || err != nil {
		t.Fatalf("archivable without the termination notice: %v %q %v", ok, why, err)
	}

	// Withdrawn by the applicant after a return: nothing was ever public.
	w := submitted(t, r.Env)
	_, err = r.Tender.Decide(r.Ctx, r.staff, w.ID, tender.Decision{Reason: "材料不全"})
	r.Must(err)
	_, err = r.Tender.Withdraw(r.Ctx, r.tenderer, w.ID, "不再实施")
	r.Must(err)
	if _, err := r.Tender.Archive(r.Ctx, r.staff, w.ID, tender.ArchiveInput{}); err != nil {
		t.Fatalf("withdrawn: %v", err)
	}
	if r.archiveEvents(w.ID) != 1 || r.archiveEvents(q.ID) != 1 || r.archiveEvents(q2.ID) != 0 {
		t.Fatal("archive events")
	}
}
