package notice_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

func TestDraftIsGeneratedFromTheProject(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	n, err := f.Notice.Draft(f.Ctx, f.agent, tenderInput(p))
	f.Must(err)
	if n.State != notice.Draft || n.Title != p.Name+"招标公告" || n.OpeningAt != n.BidDeadline {
		t.Fatalf("draft %+v", n)
	}
	for _, want := range []string{p.Code, p.Name, "昭通测试招标人/采购人", "9,000,000.00", "200,000.00", "2026-12-28 09:30", "免费下载"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, n.Body)
		}
	}
	// The drafter edits the body; an empty body is generated again.
	n, err = f.Notice.Update(f.Ctx, f.agent, n.ID, withBody(tenderInput(p), "自拟正文：最高投标限价 9,000,000.00 元"))
	f.Must(err)
	if n.Body != "自拟正文：最高投标限价 9,000,000.00 元" {
		t.Fatalf("body %q", n.Body)
	}
	got, err := f.Notice.Get(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	if got.Body != n.Body || got.Title != n.Title {
		t.Fatalf("stored %+v", got)
	}

	// Every field is checked, in Chinese, naming the field.
	in := tenderInput(p)
	in.DocsUntil, in.BidDeadline = in.DocsFrom.Add(-time.Hour), time.Time{}
	e := wantCode(t, func() error { _, err := f.Notice.Draft(f.Ctx, f.tenderer, in); return err }(), errs.Invalid)
	fields := map[string]bool{}
	for _, fe := range e.Fields {
		fields[fe.Field] = true
	}
	if !fields["docs_until"] || !fields["bid_deadline"] {
		t.Fatalf("fields %+v", e.Fields)
	}
	// Land has listing notices, not tender notices.
	land := f.addProject(tender.Land, tender.Listing, "land")
	wantCode(t, func() error { _, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(land)); return err }(), errs.Invalid)
}

func TestWhoMayDraftReadAndReview(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	_, err := f.Notice.Draft(f.Ctx, f.otherTenderer, tenderInput(p))
	wantCode(t, err, errs.NotFound) // not its project: not even its existence
	_, err = f.Notice.Draft(f.Ctx, f.bidder, tenderInput(p))
	wantCode(t, err, errs.Forbidden)
	_, err = f.Notice.Draft(f.Ctx, f.otherStaff, tenderInput(p))
	wantCode(t, err, errs.NotFound) // staff of 曲靖 do not cover 昭阳区

	n, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(p))
	f.Must(err)
	// A draft is not public.
	for _, a := range []auth.Actor{f.anon, f.bidder, f.otherTenderer, f.otherStaff} {
		_, err := f.Notice.Get(f.Ctx, a, n.ID)
		wantCode(t, err, errs.NotFound)
		list, _, err := f.Notice.List(f.Ctx, a, notice.Filter{ProjectID: p.ID})
		f.Must(err)
		if len(list) != 0 {
			t.Fatalf("%s sees a draft in the list", a.Role)
		}
	}
	// The project's side sees it: parties, staff and supervisors in
	// jurisdiction, admins.
	for _, a := range []auth.Actor{f.tenderer, f.agent, f.staff, f.supervisor, f.admin} {
		_, err := f.Notice.Get(f.Ctx, a, n.ID)
		f.Must(err)
	}
	_, err = f.Notice.Submit(f.Ctx, f.agent, n.ID)
	f.Must(err)
	queue, total, err := f.Notice.List(f.Ctx, f.staff, notice.Filter{State: notice.Review})
	f.Must(err)
	if total != 1 || queue[0].ID != n.ID {
		t.Fatalf("review queue %d %+v", total, queue)
	}
	_, err = f.Notice.Decide(f.Ctx, f.otherStaff, n.ID, notice.Decision{Approve: true})
	wantCode(t, err, errs.NotFound)
	_, err = f.Notice.Decide(f.Ctx, f.tenderer, n.ID, notice.Decision{Approve: true})
	wantCode(t, err, errs.Forbidden)

	// Staff may draft too, but not approve their own draft.
	p2 := f.addProject(tender.Construction, tender.Open, "housing")
	n2, err := f.Notice.Draft(f.Ctx, f.staff, tenderInput(p2))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.staff, n2.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n2.ID, notice.Decision{Approve: true})
	wantCode(t, err, errs.Conflict)
	_, err = f.Notice.Decide(f.Ctx, f.admin, n2.ID, notice.Decision{Approve: true})
	f.Must(err)
}

func TestPublishSignsFreezesAndMovesTheProject(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(p))
	f.Must(err)
	_, err = f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "招标文件.pdf", true, file("%PDF 招标文件"))
	f.Must(err)
	_, err = f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "工程量清单.xlsx", false, file("清单"))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	// Under review nobody edits it.
	_, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, tenderInput(p))
	wantCode(t, err, errs.Conflict)

	events := f.count("audit_events")
	n, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true, Note: "同意发布"})
	f.Must(err)
	if n.State != notice.Published || !n.PublishedAt.Equal(f.Clock.Now()) || len(n.ContentHash) != 32 || len(n.Signature) == 0 {
		t.Fatalf("published %+v", n)
	}
	// Approval and publication are one use case with one notice event,
	// carrying the content hash; the project's move has its own.
	var actions []string
	rows, err := f.DB.Query(f.Ctx, "SELECT action, details FROM audit_events WHERE seq >= ? ORDER BY seq", events)
	f.Must(err)
	for rows.Next() {
		var action, details string
		f.Must(rows.Scan(&action, &details))
		actions = append(actions, action)
		if action == "notice.publish" && !strings.Contains(details, n.ContentHash.String()) {
			t.Errorf("publish event without the content hash: %s", details)
		}
	}
	rows.Close()
	if strings.Join(actions, ",") != "project.move,notice.publish" {
		t.Fatalf("events %v", actions)
	}
	// The project trades; the lot has its deadline.
	pp := f.project(p.ID)
	if pp.State != tender.Tendering || !pp.Lots[0].BidDeadline.Equal(bj("2026-12-28 09:30")) || !pp.Lots[0].OpeningAt.Equal(bj("2026-12-28 09:30")) {
		t.Fatalf("project %s lot %+v", pp.State, pp.Lots[0])
	}
	// Anyone can verify it.
	v, err := f.Notice.Verify(f.Ctx, f.anon, n.ID)
	f.Must(err)
	if !v.Valid || !v.AuditHashOK || v.AuditSeq < 0 || !strings.Contains(v.PublicKey, "PUBLIC KEY") {
		t.Fatalf("verification %+v", v)
	}

	// Once published it never changes.
	_, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, withBody(tenderInput(p), "改过的正文"))
	wantCode(t, err, errs.Conflict)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	wantCode(t, err, errs.Conflict)
	_, err = f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "补充.pdf", false, file("x"))
	wantCode(t, err, errs.Conflict)
	err = f.Notice.RemoveAttachment(f.Ctx, f.tenderer, n.ID, n.Attachments[0].ID)
	wantCode(t, err, errs.Conflict)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: false, Note: "撤回"})
	wantCode(t, err, errs.Conflict)
	after, err := f.Notice.Get(f.Ctx, f.anon, n.ID)
	f.Must(err)
	if after.Body != n.Body || len(after.Attachments) != 2 || notice.VerifyNotice(&f.Keys.Platform.PublicKey, after) != "" {
		t.Fatalf("published notice changed: %+v", after)
	}
	// Its ordinary attachment is public; the tender documents are not
	// handed out here to the public.
	var plain, docs notice.Attachment
	for _, a := range after.Attachments {
		if a.TenderDocs {
			docs = a
		} else {
			plain = a
		}
	}
	att, rc, err := f.Notice.OpenAttachment(f.Ctx, f.anon, n.ID, plain.ID)
	if string(read(t, rc, err)) != "清单" || att.Name != "工程量清单.xlsx" {
		t.Fatal("public attachment")
	}
	_, _, err = f.Notice.OpenAttachment(f.Ctx, f.anon, n.ID, docs.ID)
	wantCode(t, err, errs.Unauthenticated)
	_, _, err = f.Notice.OpenAttachment(f.Ctx, f.bidder, n.ID, docs.ID)
	wantCode(t, err, errs.Conflict)
}

func TestApprovalRefusedByTheLawChangesNothing(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	in := tenderInput(p)
	in.BidDeadline = bj("2026-12-14 23:59") // day 20 after 11-25 is 12-15
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, in)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	rep, err := f.Notice.Check(f.Ctx, f.tenderer, n.ID, time.Time{})
	f.Must(err)
	if rep.OK || rep.Violations[0].Rule != "A1" {
		t.Fatalf("check %+v", rep)
	}
	events := f.count("audit_events")
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	e := wantRule(t, err, "A1")
	if !strings.Contains(e.Message, "《招标投标法》第二十四条") || !strings.Contains(e.Message, "2026-12-15 00:00") {
		t.Fatalf("message %s", e.Message)
	}
	got, err := f.Notice.Get(f.Ctx, f.staff, n.ID)
	f.Must(err)
	if got.State != notice.Review || f.count("audit_events") != events || f.project(p.ID).State != tender.Accepted {
		t.Fatalf("refused approval changed something: %s", got.State)
	}
	// Rejected with a note, edited, resubmitted, approved.
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: false})
	wantCode(t, err, errs.Invalid) // a rejection says why
	got, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: false, Note: "投标截止时间不足20日"})
	f.Must(err)
	if got.State != notice.Rejected || got.ReviewNote != "投标截止时间不足20日" {
		t.Fatalf("rejected %+v", got)
	}
	_, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, tenderInput(p))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)
}

func TestDepositMaxPriceAndInviteesAtApproval(t *testing.T) {
	f := newFixture(t)
	// 2% of 1000万 is 20万: one fen more is refused (A6).
	p := f.addProject(tender.Construction, tender.Open, "housing",
		lotSpec{"一标段", 1000 * money.OneWan, 0, 20*money.OneWan + 1})
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(p))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	wantRule(t, err, "A6")

	// A maximum price the drafter removed from the body (A14).
	p = f.addProject(tender.Construction, tender.Open, "housing")
	n, err = f.Notice.Draft(f.Ctx, f.tenderer, withBody(tenderInput(p), "最高投标限价见招标文件"))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	wantRule(t, err, "A14")

	// Invited tendering lists at least 3 invited bidders (A24).
	p = f.addProject(tender.Construction, tender.Invited, "housing")
	in := tenderInput(p)
	in.Invitees = []int64{f.Orgs[auth.KindBidder], f.bidder2.OrgID}
	n, err = f.Notice.Draft(f.Ctx, f.tenderer, in)
	f.Must(err)
	// Invited bidders are potential bidders: the body gives their number,
	// not their names (法 22), and only the project's side sees the list.
	if n.Title != p.Name+"投标邀请书" || strings.Contains(n.Body, "昭通第二建筑有限公司") || !strings.Contains(n.Body, "已向2个") {
		t.Fatalf("invitation %s\n%s", n.Title, n.Body)
	}
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	wantRule(t, err, "A24")
	in.Invitees = append(in.Invitees, f.bidder3.OrgID)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: false, Note: "受邀投标人不足3个"})
	f.Must(err)
	_, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, withBody(in, ""))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	n, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)
	if len(n.Invitees) != 3 || n.InviteeCount != 3 || !strings.Contains(n.Body, "已向3个") {
		t.Fatalf("invitation published %+v", n)
	}
	for _, a := range []auth.Actor{f.anon, f.bidder, f.otherTenderer} {
		got, err := f.Notice.Get(f.Ctx, a, n.ID)
		f.Must(err)
		if got.Invitees != nil || got.InviteeCount != 3 {
			t.Fatalf("%q sees the invitees: %v", a.Role, got.Invitees)
		}
	}
	got, err := f.Notice.Get(f.Ctx, f.agent, n.ID)
	f.Must(err)
	if len(got.Invitees) != 3 {
		t.Fatal("the agent does not see its invitees")
	}
	// Only approved bidders can be invited, each once.
	in.Invitees = []int64{f.Orgs[auth.KindBidder], f.Orgs[auth.KindBidder], f.Orgs[auth.KindTenderer]}
	wantCode(t, func() error { _, err := f.Notice.Draft(f.Ctx, f.tenderer, in); return err }(), errs.Invalid)
}

func TestScheduledPublication(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	in := tenderInput(p)
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, in)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	when := bj("2026-11-26 08:00")
	n, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true, PublishAt: when})
	f.Must(err)
	if n.State != notice.Scheduled || !n.PublishAt.Equal(when) {
		t.Fatalf("scheduled %+v", n)
	}
	// Not public before its time.
	_, err = f.Notice.Get(f.Ctx, f.anon, n.ID)
	wantCode(t, err, errs.NotFound)
	if k, err := f.Notice.PublishDue(f.Ctx); err != nil || k != 0 {
		t.Fatalf("PublishDue early: %d %v", k, err)
	}
	// Reading after publish_at publishes it, whatever the timer did.
	f.Clock.Set(when)
	got, err := f.Notice.Get(f.Ctx, f.anon, n.ID)
	f.Must(err)
	if got.State != notice.Published || !got.PublishedAt.Equal(when) || f.project(p.ID).State != tender.Tendering {
		t.Fatalf("lazy publication %+v", got)
	}
	if k, err := f.Notice.PublishDue(f.Ctx); err != nil || k != 0 {
		t.Fatalf("published twice: %d %v", k, err)
	}
	v, err := f.Notice.Verify(f.Ctx, f.anon, n.ID)
	f.Must(err)
	if !v.Valid {
		t.Fatalf("verification %+v", v)
	}

	// The timer publishes too; a notice that became unlawful while it
	// waited (here: the server was down for days) goes back to its
	// drafter with the reason instead.
	p2 := f.addProject(tender.Construction, tender.Open, "housing")
	in2 := tenderInput(p2)
	in2.DocsFrom, in2.DocsUntil, in2.BidDeadline = bj("2026-11-27 09:00"), bj("2026-12-04 17:00"), bj("2026-12-17 09:30")
	n2, err := f.Notice.Draft(f.Ctx, f.tenderer, in2)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n2.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n2.ID, notice.Decision{Approve: true, PublishAt: bj("2026-11-27 08:00")})
	f.Must(err)
	f.Clock.Set(bj("2026-11-29 08:00")) // day 20 after 11-29 is 12-19: the 12-17 deadline is too early now
	k, err := f.Notice.PublishDue(f.Ctx)
	f.Must(err)
	got, err = f.Notice.Get(f.Ctx, f.tenderer, n2.ID)
	f.Must(err)
	if k != 0 || got.State != notice.Rejected || !strings.Contains(got.ReviewNote, "A1") {
		t.Fatalf("stale scheduled notice: %d %s %q", k, got.State, got.ReviewNote)
	}
}

func TestVerificationCatchesTampering(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(p))
	f.Must(err)
	_, err = f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "招标文件.pdf", true, file("原始招标文件"))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	n, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)

	for _, c := range []struct{ name, sql string }{
		{"body", "UPDATE notices SET body = body || '（补充）' WHERE id = ?"},
		{"deadline", "UPDATE notices SET bid_deadline = bid_deadline + 86400000000 WHERE id = ?"},
		{"attachment", "UPDATE notice_attachments SET digest = '00' || substr(digest, 3) WHERE notice_id = ?"},
		{"hash and body", "UPDATE notices SET body = 'x', content_hash = signature WHERE id = ?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each case starts from the published row.
			var body string
			var deadline int64
			var hash []byte
			f.Must(f.DB.QueryRow(f.Ctx, "SELECT body, bid_deadline, content_hash FROM notices WHERE id = ?", n.ID).Scan(&body, &deadline, &hash))
			var digest string
			f.Must(f.DB.QueryRow(f.Ctx, "SELECT digest FROM notice_attachments WHERE notice_id = ?", n.ID).Scan(&digest))
			defer func() {
				_, err := f.DB.Exec(f.Ctx, "UPDATE notices SET body = ?, bid_deadline = ?, content_hash = ? WHERE id = ?", body, deadline, hash, n.ID)
				f.Must(err)
				_, err = f.DB.Exec(f.Ctx, "UPDATE notice_attachments SET digest = ? WHERE notice_id = ?", digest, n.ID)
				f.Must(err)
			}()
			_, err := f.DB.Exec(f.Ctx, c.sql, n.ID)
			f.Must(err)
			v, err := f.Notice.Verify(f.Ctx, f.anon, n.ID)
			f.Must(err)
			if v.Valid || v.Problem == "" {
				t.Fatalf("tampering with %s not detected: %+v", c.name, v)
			}
		})
	}
	v, err := f.Notice.Verify(f.Ctx, f.anon, n.ID)
	f.Must(err)
	if !v.Valid {
		t.Fatalf("restored notice: %+v", v)
	}
	// Canonical is what anyone can rebuild: its hash is the stored one.
	if got := notice.ContentHash(n); string(got[:]) != string(v.StoredHash) || v.Canonical != string(notice.Canonical(n)) {
		t.Fatal("canonical form differs from the published notice's")
	}
}

func TestCanonicalIsUnambiguous(t *testing.T) {
	a := notice.Notice{Title: "甲", Body: "乙\nbody=1:x"}
	b := notice.Notice{Title: "甲\nbody=1:x", Body: "乙"}
	if notice.ContentHash(a) == notice.ContentHash(b) {
		t.Fatal("moving text across a field boundary keeps the hash")
	}
	c := a
	c.Attachments = []notice.Attachment{{ID: 1, Name: "a|b", Digest: "d"}}
	d := a
	d.Attachments = []notice.Attachment{{ID: 1, Name: "a", Digest: "d"}, {ID: 2, Name: "b", Digest: "d"}}
	if notice.ContentHash(c) == notice.ContentHash(d) {
		t.Fatal("attachments run together")
	}
}

func TestLaterNoticesMoveTheProject(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	f.publish(f.tenderer, tenderInput(p))

	n := f.publish(f.agent, notice.Input{ProjectID: p.ID, Kind: notice.KindCandidates, EndsAt: bj("2026-11-30 00:00")})
	if f.project(p.ID).State != tender.Publicity {
		t.Fatal("candidates: not in publicity")
	}
	_ = n
	// A candidate publicity shorter than 3 days is refused (A19): day 3
	// after 11-25 is 11-28, a Saturday, so the earliest end is Mon 11-30.
	p2 := f.addProject(tender.Construction, tender.Open, "housing")
	f.publish(f.tenderer, tenderInput(p2))
	short, err := f.Notice.Draft(f.Ctx, f.tenderer, notice.Input{ProjectID: p2.ID, Kind: notice.KindCandidates, EndsAt: bj("2026-11-29 23:00")})
	f.Must(err)
	_, err = f.Notice.Update(f.Ctx, f.tenderer, short.ID, withBody(notice.Input{EndsAt: bj("2026-11-29 23:00")}, "候选人：甲、乙、丙"))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, short.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, short.ID, notice.Decision{Approve: true})
	wantRule(t, err, "A19")

	// A result records the award on the lot and ends the project.
	in := notice.Input{ProjectID: p.ID, Kind: notice.KindResult, Amount: 8888888800, AwardeeID: f.bidder2.OrgID}
	r := f.publish(f.tenderer, in)
	pp := f.project(p.ID)
	if pp.State != tender.Awarded || pp.Lots[0].AwardPrice != 8888888800 || pp.Lots[0].AwardeeOrgID != f.bidder2.OrgID ||
		!pp.Lots[0].AwardedAt.Equal(r.PublishedAt) || !strings.Contains(r.Body, "昭通第二建筑有限公司") {
		t.Fatalf("awarded %s %+v", pp.State, pp.Lots[0])
	}
	// Nothing can be tendered on an awarded project.
	_, err = f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(pp))
	wantCode(t, err, errs.Conflict)

	// 流标 ends in Failed (and may be re-tendered), termination in Terminated.
	f.publish(f.staff, notice.Input{ProjectID: p2.ID, Kind: notice.KindFailure})
	if f.project(p2.ID).State != tender.Failed {
		t.Fatal("failure")
	}
	f.publish(f.tenderer, tenderInput(f.project(p2.ID)))
	f.publish(f.tenderer, notice.Input{ProjectID: p2.ID, Kind: notice.KindTermination})
	if f.project(p2.ID).State != tender.Terminated {
		t.Fatal("termination")
	}

	// With two lots, the result names its lot; the project is awarded
	// once every lot is.
	two := f.addProject(tender.Procurement, tender.Open, "finance",
		lotSpec{"A包", 100 * money.OneWan, 0, 2 * money.OneWan}, lotSpec{"B包", 50 * money.OneWan, 0, money.OneWan})
	f.publish(f.tenderer, tenderInput(two))
	_, err = f.Notice.Draft(f.Ctx, f.tenderer, notice.Input{ProjectID: two.ID, Kind: notice.KindResult, Amount: 100, AwardeeID: f.bidder2.OrgID})
	wantCode(t, err, errs.Invalid)
	f.publish(f.tenderer, notice.Input{ProjectID: two.ID, LotID: two.Lots[0].ID, Kind: notice.KindResult, Amount: 95 * money.OneWan, AwardeeID: f.bidder2.OrgID})
	if f.project(two.ID).State != tender.Tendering {
		t.Fatal("awarded with a lot open")
	}
	f.publish(f.tenderer, notice.Input{ProjectID: two.ID, LotID: two.Lots[1].ID, Kind: notice.KindResult, Amount: 45 * money.OneWan, AwardeeID: f.bidder3.OrgID})
	if f.project(two.ID).State != tender.Awarded {
		t.Fatal("not awarded with every lot awarded")
	}
}

func TestLandAndPropertyListings(t *testing.T) {
	f := newFixture(t)
	land := f.addProject(tender.Land, tender.Listing, "land", lotSpec{"ZT2026-01地块", 3000 * money.OneWan, 0, 600 * money.OneWan})
	// Day 20 after 11-25 is 12-15: starting on 12-14 is too early (E1).
	in := notice.Input{ProjectID: land.ID, Kind: notice.KindListing, StartsAt: bj("2026-12-14 09:00"), EndsAt: bj("2026-12-28 16:00")}
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, in)
	f.Must(err)
	if !strings.Contains(n.Title, "挂牌出让公告") {
		t.Fatalf("title %s", n.Title)
	}
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	wantRule(t, err, "E1")
	in.StartsAt = bj("2026-12-15 09:00")
	n = f.publish(f.tenderer, in)
	pp := f.project(land.ID)
	if pp.State != tender.Tendering || !pp.Lots[0].BidDeadline.Equal(in.EndsAt) {
		t.Fatalf("listing published: %s %+v", pp.State, pp.Lots[0])
	}

	// State property: disclosure ≥ 20 working days (E4). From Wed 11-25,
	// the 20th working day is Wed 12-23.
	prop := f.addProject(tender.Property, tender.Listing, "assets", lotSpec{"某国有股权", 500 * money.OneWan, 0, 50 * money.OneWan})
	pin := notice.Input{ProjectID: prop.ID, Kind: notice.KindListing, StartsAt: bj("2026-11-26 09:00"), EndsAt: bj("2026-12-22 17:00")}
	pn, err := f.Notice.Draft(f.Ctx, f.tenderer, pin)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, pn.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, pn.ID, notice.Decision{Approve: true})
	wantRule(t, err, "E4")
	pin.EndsAt = bj("2026-12-23 17:00")
	f.publish(f.tenderer, pin)
}

func TestUntouchedBodyFollowsTheDates(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	in := tenderInput(p)
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, in)
	f.Must(err)
	// The form posts the body back unchanged with a new deadline.
	in.Body, in.BidDeadline = n.Body, bj("2026-12-29 09:30")
	n, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, in)
	f.Must(err)
	if !strings.Contains(n.Body, "2026-12-29 09:30") || strings.Contains(n.Body, "2026-12-28 09:30") {
		t.Fatalf("body kept the old deadline:\n%s", n.Body)
	}
	// A body the drafter edited is kept as written.
	in.Body = n.Body + "\n补充说明"
	in.BidDeadline = bj("2026-12-30 09:30")
	n, err = f.Notice.Update(f.Ctx, f.tenderer, n.ID, in)
	f.Must(err)
	if !strings.HasSuffix(n.Body, "补充说明") {
		t.Fatal("edited body replaced")
	}
}
