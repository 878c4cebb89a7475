package notice_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

// bidderTraces are the strings that would give a bidder away.
func (f *fixture) bidderTraces(a auth.Actor) []string {
	f.T.Helper()
	var name, credit string
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT name, credit_code FROM organisations WHERE id = ?", a.OrgID).Scan(&name, &credit))
	return []string{a.Username, a.Name, name, credit, `"org":` + strconv.FormatInt(a.OrgID, 10), `"user":` + strconv.FormatInt(a.UserID, 10)}
}

func TestWhoDownloadedIsSecretUntilTheDeadline(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	n, err := f.Notice.Draft(f.Ctx, f.tenderer, tenderInput(p))
	f.Must(err)
	docs, err := f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "招标文件.zip", true, file("招标文件正文"))
	f.Must(err)
	plain, err := f.Notice.AddAttachment(f.Ctx, f.tenderer, n.ID, "图纸说明.pdf", false, file("图纸"))
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.tenderer, n.ID)
	f.Must(err)
	// Not before publication, not to anyone but signed-in bidders.
	_, _, err = f.Notice.DownloadDocs(f.Ctx, f.bidder, n.ID, docs.ID)
	wantCode(t, err, errs.NotFound)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)
	_, _, err = f.Notice.DownloadDocs(f.Ctx, f.anon, n.ID, docs.ID)
	wantCode(t, err, errs.Unauthenticated)
	_, _, err = f.Notice.DownloadDocs(f.Ctx, f.tenderer, n.ID, docs.ID)
	wantCode(t, err, errs.Forbidden)

	var seqBefore int64
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT max(seq) FROM audit_events").Scan(&seqBefore))
	rowsBefore := f.count("document_downloads") // the decoys of publication
	if rowsBefore < notice.DefaultConfig.DecoysMin {
		t.Fatalf("%d decoys", rowsBefore)
	}

	// Free and with no precondition (B2): any signed-in bidder, as often
	// as it likes.
	f.Clock.Advance(3 * time.Hour)
	for _, b := range []auth.Actor{f.bidder, f.bidder2, f.bidder} {
		att, rc, err := f.Notice.DownloadDocs(f.Ctx, b, n.ID, docs.ID)
		if string(read(t, rc, err)) != "招标文件正文" || att.Name != "招标文件.zip" {
			t.Fatal("download")
		}
		f.Clock.Advance(time.Minute)
	}
	// Ordinary attachments are not recorded.
	_, rc, err := f.Notice.DownloadDocs(f.Ctx, f.bidder3, n.ID, plain.ID)
	read(t, rc, err)
	if got := f.count("document_downloads") - rowsBefore; got != 3 {
		t.Fatalf("%d download rows, want 3", got)
	}

	// The database tells nobody who downloaded: not the download rows …
	rows, err := f.DB.Query(f.Ctx, "SELECT lot_id, sealed, created_at FROM document_downloads")
	f.Must(err)
	for rows.Next() {
		var lot, created int64
		var sealed []byte
		f.Must(rows.Scan(&lot, &sealed, &created))
		if lot != p.Lots[0].ID || created != db.Micros(bj("2026-11-25 00:00")) {
			t.Errorf("row in clear: lot %d, day %v", lot, db.Time(created))
		}
		for _, b := range []auth.Actor{f.bidder, f.bidder2} {
			for _, s := range f.bidderTraces(b) {
				if bytes.Contains(sealed, []byte(s)) {
					t.Errorf("sealed record shows %q", s)
				}
			}
		}
	}
	rows.Close()
	// … nor the audit trail written since publication.
	rows, err = f.DB.Query(f.Ctx, "SELECT actor_id, actor_name, org_id, ip, action, object_type, object_id, details FROM audit_events WHERE seq > ?", seqBefore)
	f.Must(err)
	downloads := map[string]bool{}
	for rows.Next() {
		var actorID, orgID int64
		var actorName, ip, action, objType, objID, details string
		f.Must(rows.Scan(&actorID, &actorName, &orgID, &ip, &action, &objType, &objID, &details))
		for _, b := range []auth.Actor{f.bidder, f.bidder2} {
			if actorID == b.UserID || orgID == b.OrgID {
				t.Errorf("event %s names the bidder: actor %d org %d", action, actorID, orgID)
			}
			for _, s := range f.bidderTraces(b) {
				if strings.Contains(actorName+"|"+objID+"|"+details, s) {
					t.Errorf("event %s shows %q: %s %s", action, s, actorName, details)
				}
			}
		}
		if action == "notice.download" {
			if actorID != 0 || orgID != 0 || ip != "" || actorName != "投标人（开标前保密）" || objType != "document_download" {
				t.Errorf("download event: %d %q %d %q %s", actorID, actorName, orgID, ip, objType)
			}
			var d map[string]any
			f.Must(json.Unmarshal([]byte(details), &d))
			if len(d) != 2 || d["commitments"] == nil || d["scheme"] == nil {
				t.Errorf("download event details %s", details)
			}
			downloads[objID] = true
		}
	}
	rows.Close()
	if len(downloads) != 3 {
		t.Fatalf("%d download events, want 3", len(downloads))
	}

	// The service refuses everyone until the deadline, admins included.
	for _, a := range []auth.Actor{f.tenderer, f.agent, f.staff, f.supervisor, f.admin} {
		_, err := f.Notice.Downloads(f.Ctx, a, n.ID)
		e := wantRule(t, err, "B3")
		if !strings.Contains(e.Message, "2026-12-28 09:30") {
			t.Fatalf("message %s", e.Message)
		}
	}
	_, err = f.Notice.Downloads(f.Ctx, f.bidder, n.ID)
	wantCode(t, err, errs.Forbidden)
	_, err = f.Notice.Downloads(f.Ctx, f.otherTenderer, n.ID)
	wantCode(t, err, errs.NotFound)

	// Documents are obtainable until docs_until only.
	f.Clock.Set(bj("2026-12-02 17:00"))
	_, _, err = f.Notice.DownloadDocs(f.Ctx, f.login("bidder3"), n.ID, docs.ID)
	wantCode(t, err, errs.Conflict)

	// One minute before the deadline: still secret.
	f.Clock.Set(bj("2026-12-28 09:29"))
	_, err = f.Notice.Downloads(f.Ctx, f.login("admin1"), n.ID)
	wantRule(t, err, "B3")

	// At the deadline the list opens, decoys left out, each record
	// matching its audit event's commitment.
	f.Clock.Set(bj("2026-12-28 09:30"))
	lots, err := f.Notice.Downloads(f.Ctx, f.login("tenderer1"), n.ID)
	f.Must(err)
	if len(lots) != 1 || !lots[0].Open || len(lots[0].Records) != 3 {
		t.Fatalf("downloads %+v", lots)
	}
	who := []string{}
	for _, r := range lots[0].Records {
		who = append(who, r.OrgName)
		if !downloads[r.Commitment] || r.AttachmentName != "招标文件.zip" || r.LotID != p.Lots[0].ID {
			t.Errorf("record %+v", r)
		}
	}
	if strings.Join(who, ",") != "昭通测试投标人/供应商,昭通第二建筑有限公司,昭通测试投标人/供应商" {
		t.Fatalf("who %v", who)
	}
	if lots[0].Records[0].UserName != "用户bidder1(bidder1)" || !lots[0].Records[0].At.Equal(bj("2026-11-25 12:00")) {
		t.Fatalf("first record %+v", lots[0].Records[0])
	}
	for _, u := range []string{"agent1", "staff1", "supervisor1", "admin1"} {
		if _, err := f.Notice.Downloads(f.Ctx, f.login(u), n.ID); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
}

func TestAmendmentTooLateMustMoveTheDeadline(t *testing.T) {
	f := newFixture(t)
	p := f.addProject(tender.Construction, tender.Open, "housing")
	orig := f.publish(f.tenderer, tenderInput(p)) // deadline 2026-12-28 09:30

	// 12-15: day 15 is 12-30, after the 12-28 deadline.
	f.Clock.Set(bj("2026-12-15 10:00"))
	tenderer, staff := f.login("tenderer1"), f.login("staff1")
	in := notice.Input{ProjectID: p.ID, Kind: notice.KindAmendment, AmendsID: orig.ID, AffectsBids: true,
		Body: "澄清：第三章技术标准修改如下……"}
	a, err := f.Notice.Draft(f.Ctx, tenderer, in)
	f.Must(err)
	if a.LotID != orig.LotID || !strings.Contains(a.Title, "澄清") {
		t.Fatalf("amendment %+v", a)
	}
	rep, err := f.Notice.Check(f.Ctx, tenderer, a.ID, time.Time{})
	f.Must(err)
	if rep.OK || !rep.EarliestBidDeadline.Equal(bj("2026-12-30 00:00")) || !rep.SuggestedBidDeadline.Equal(bj("2026-12-30 09:30")) {
		t.Fatalf("check %+v", rep)
	}
	_, err = f.Notice.Submit(f.Ctx, tenderer, a.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, staff, a.ID, notice.Decision{Approve: true})
	e := wantRule(t, err, "A4")
	if !strings.Contains(e.Message, "2026-12-30 00:00") || len(e.Fields) != 1 || e.Fields[0].Field != "bid_deadline" {
		t.Fatalf("earliest lawful deadline not offered: %+v", e)
	}
	_, err = f.Notice.Decide(f.Ctx, staff, a.ID, notice.Decision{Approve: false, Note: "须顺延投标截止时间"})
	f.Must(err)

	// The deadline may only move later.
	in.BidDeadline = bj("2026-12-27 09:30")
	_, err = f.Notice.Update(f.Ctx, tenderer, a.ID, in)
	wantCode(t, err, errs.Invalid)
	in.BidDeadline = rep.SuggestedBidDeadline
	_, err = f.Notice.Update(f.Ctx, tenderer, a.ID, in)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, tenderer, a.ID)
	f.Must(err)
	a, err = f.Notice.Decide(f.Ctx, staff, a.ID, notice.Decision{Approve: true})
	f.Must(err)
	pp := f.project(p.ID)
	if a.State != notice.Published || !pp.Lots[0].BidDeadline.Equal(bj("2026-12-30 09:30")) || !pp.Lots[0].OpeningAt.Equal(bj("2026-12-30 09:30")) {
		t.Fatalf("deadline not moved: %+v", pp.Lots[0])
	}
	// The original stays as published; a second amendment is measured
	// against the deadline now in force.
	o, err := f.Notice.Get(f.Ctx, f.anon, orig.ID)
	f.Must(err)
	if !o.BidDeadline.Equal(bj("2026-12-28 09:30")) || notice.VerifyNotice(&f.Keys.Platform.PublicKey, o) != "" {
		t.Fatal("original changed")
	}
	a2, err := f.Notice.Draft(f.Ctx, tenderer, notice.Input{ProjectID: p.ID, Kind: notice.KindAmendment, AmendsID: orig.ID, Body: "更正联系电话"})
	f.Must(err)
	rep, err = f.Notice.Check(f.Ctx, tenderer, a2.ID, time.Time{})
	f.Must(err)
	if !rep.OK {
		t.Fatalf("editorial amendment: %+v", rep)
	}
	// An amendment must point at a published notice of the same project.
	_, err = f.Notice.Draft(f.Ctx, tenderer, notice.Input{ProjectID: p.ID, Kind: notice.KindAmendment, AmendsID: a.ID, Body: "x"})
	wantCode(t, err, errs.Invalid)

	// Downloads stay secret until the moved deadline.
	f.Clock.Set(bj("2026-12-28 09:30"))
	_, err = f.Notice.Downloads(f.Ctx, f.login("tenderer1"), orig.ID)
	wantRule(t, err, "B3")
	f.Clock.Set(bj("2026-12-30 09:30"))
	_, err = f.Notice.Downloads(f.Ctx, f.login("tenderer1"), orig.ID)
	f.Must(err)
}

func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"招标文件.pdf", "", " a ", "../etc/passwd", "a\\b", "a\x00b", "\xff", strings.Repeat("长", 201)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, why := notice.CleanFileName(s)
		if why != "" {
			if name != "" {
				t.Fatalf("refused %q but returned %q", s, name)
			}
			return
		}
		if name == "" || strings.ContainsAny(name, "/\\\x00") || name != strings.TrimSpace(name) {
			t.Fatalf("accepted %q as %q", s, name)
		}
		again, why := notice.CleanFileName(name)
		if why != "" || again != name {
			t.Fatalf("not idempotent: %q → %q (%s)", name, again, why)
		}
	})
}

func FuzzParseLocalTime(f *testing.F) {
	for _, s := range []string{"2026-12-28T09:30", "2026-12-28 09:30:15", "", "  ", "2026-02-30T09:00", "12/28/2026", "0001-01-01T00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := notice.ParseLocalTime(s)
		if !ok {
			return
		}
		if got.IsZero() {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q parsed as zero", s)
			}
			return
		}
		// What the form shows reads back to the same minute.
		back, ok := notice.ParseLocalTime(notice.LocalInput(got))
		if !ok || !back.Equal(got.Truncate(time.Minute)) {
			t.Fatalf("%q: %v → %q → %v", s, got, notice.LocalInput(got), back)
		}
	})
}
