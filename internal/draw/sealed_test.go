package draw_test

import (
	"maps"
	"slices"
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
)

// otherLot adds a second project of the same tenderer with one lot.
func (f *fixture) otherLot() tender.Lot {
	f.T.Helper()
	c, err := centre.ByCode(f.Ctx, f.DB, "530600")
	f.Must(err)
	now := db.Micros(f.Clock.Now())
	var id int64
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, green_channel, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530600-2026-0778", "昭通市另一道路工程", f.project.TradeKind, "housing", c.ID, c.RegionCode, tender.Open,
		500*money.OneWan, f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], true, false, tender.Tendering, now, now).Scan(&id))
	f.Must2(f.DB.Exec(f.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '另一标段', ?, 0, 0, ?, ?)`, id, 500*money.OneWan, tender.Comprehensive, tender.Tendering))
	p, err := tender.GetProject(f.Ctx, f.DB, id)
	f.Must(err)
	return p.Lots[0]
}

// drawOf creates, commits and witnesses a draw for lot.
func (f *fixture) drawOf(lot tender.Lot, quotas ...draw.Quota) draw.Draw {
	f.T.Helper()
	req := f.request(quotas...)
	req.LotID = lot.ID
	d, err := f.Draw.Create(f.Ctx, f.staff, req)
	f.Must(err)
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	f.Must(err)
	d, err = f.Draw.Witness(f.Ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
	f.Must(err)
	return d
}

// assertNothingInClear checks the database names no drawn expert: no
// engagement at all, no call with its expert or an engagement in clear.
func (f *fixture) assertNothingInClear(when string) {
	f.T.Helper()
	var engagements, clear, calls int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM expert_engagements").Scan(&engagements))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM draw_calls WHERE expert_id <> 0 OR engagement_id <> 0").Scan(&clear))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM draw_calls").Scan(&calls))
	if engagements != 0 || clear != 0 || calls == 0 {
		f.T.Fatalf("%s: %d engagements, %d of %d calls in clear", when, engagements, clear, calls)
	}
}

// TestSealedDrawBooksNothing: while a list is sealed the library holds no
// engagement for it, yet a second draw at an overlapping time committed
// before the first is unsealed calls none of the first draw's members;
// unsealing writes every call's engagement with its outcome, which the
// expert's history, the decline count and “served this tenderer” then
// see; both draws verify.
func TestSealedDrawBooksNothing(t *testing.T) {
	f := newFixture(t, tender.Construction)
	ctx := f.Ctx
	expertActor := f.Actor(auth.Expert)
	// Draw A's pool is the 8 experts there are when it is committed; it
	// calls all of them: a decline, a timeout, five acceptances and the
	// stand-in for a member replaced before the evaluation.
	mine := f.addExpert("平台专家", "A080104", "", expertActor.UserID)
	f.addExperts(7, "A080104")
	f.script = []notify.Result{notify.Declined, notify.Accepted, "", notify.Accepted, notify.Accepted}
	a := f.drawOf(f.lot, draw.Quota{Specialty: "A0801", Formal: 5})
	f.flush()
	f.Clock.Advance(31 * time.Minute)
	f.Must2(f.Draw.Tick(ctx))
	f.flush()
	a, err := f.Draw.Get(ctx, f.staff, a.ID)
	f.Must(err)
	if a.State != draw.Complete || len(a.Calls) != 7 {
		t.Fatalf("draw A: %s, %d calls", a.State, len(a.Calls))
	}
	member := a.Calls[slices.IndexFunc(a.Calls, func(c draw.Call) bool { return c.State == draw.Accepted })]
	a, err = f.Draw.Replace(ctx, f.staff, a.ID, member.ID, draw.Replacement{Reason: "突发疾病"})
	f.Must(err)
	f.flush()
	a, err = f.Draw.Get(ctx, f.staff, a.ID)
	f.Must(err)
	if a.State != draw.Complete || len(a.Calls) != 8 {
		t.Fatalf("draw A after the replacement: %s, %d calls", a.State, len(a.Calls))
	}
	f.assertNothingInClear("draw A drawn")
	p, err := f.Expert.Mine(ctx, expertActor)
	f.Must(err)
	if len(p.History) != 0 {
		t.Fatalf("history before unsealing %+v", p.History)
	}

	// Draw B, same day, another project: six more experts join the
	// library. A's five members stay in B's pool and out of its stored
	// exclusions — the database operator must not learn who is on A's
	// list — and B's calls that reach one of them fail at once.
	f.addExperts(6, "A080104")
	lotB := f.otherLot()
	b := f.drawOf(lotB, draw.Quota{Specialty: "A0801", Formal: 5})
	if b.PoolSizes["A0801"] != 14 || b.Excluded[string(expert.ReasonOther)] != 0 {
		t.Fatalf("draw B: pool %v, excluded %v", b.PoolSizes, b.Excluded)
	}
	var stored []byte
	f.Must(f.DB.QueryRow(ctx, "SELECT exclusions FROM draws WHERE id = ?", b.ID).Scan(&stored))
	if ex, err := draw.DecodeExclusions(stored); err != nil || len(ex) != 0 {
		t.Fatalf("draw B's stored exclusions %v, %v", ex, err)
	}
	commits, err := audit.List(ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.commit"})
	f.Must(err)
	for _, e := range commits {
		for _, k := range []string{"expert_id", "experts", "held"} {
			if _, ok := e.Details[k]; ok {
				t.Fatalf("commit of draw %s names experts: %v", e.ObjectID, e.Details)
			}
		}
	}
	f.flush()
	b, err = f.Draw.Get(ctx, f.staff, b.ID)
	f.Must(err)
	if b.State != draw.Complete {
		t.Fatalf("draw B: %s", b.State)
	}
	f.assertNothingInClear("draw B drawn")
	if rep, err := draw.Verify(ctx, f.DB, a.ID); err != nil || rep.OK || len(rep.Differences) != 0 {
		t.Fatalf("sealed verification of A %+v, %v", rep, err)
	}

	// Unsealing at the start writes the engagements.
	f.Clock.Set(bj("2026-12-03 09:00"))
	f.Must2(f.Draw.Tick(ctx))
	a, err = f.Draw.Get(ctx, f.staff, a.ID)
	f.Must(err)
	b, err = f.Draw.Get(ctx, f.staff, b.ID)
	f.Must(err)
	if !a.Unsealed || !b.Unsealed {
		t.Fatal("not unsealed")
	}
	outcome := map[draw.CallState]string{draw.Accepted: expert.Accepted, draw.Declined: expert.Declined,
		draw.NoAnswer: expert.NoAnswer, draw.Replaced: expert.Replaced}
	members := map[int64]bool{}
	for _, c := range a.Calls {
		if c.State == draw.Accepted {
			members[c.ExpertID] = true
		}
	}
	for _, c := range b.Calls {
		if members[c.ExpertID] != (c.State == draw.Failed && c.Note == "同一时段已有评标安排") {
			t.Fatalf("draw B's call %+v (a member of draw A: %v)", c, members[c.ExpertID])
		}
	}
	reached := func(c draw.Call) bool { return c.Note != "同一时段已有评标安排" }
	var decliner int64
	for _, d := range []draw.Draw{a, b} {
		rows, err := f.DB.Query(ctx, "SELECT expert_id, lot_id, outcome FROM expert_engagements WHERE ref = ?", "draw:"+itoa(d.ID))
		f.Must(err)
		got := map[int64]string{}
		for rows.Next() {
			var id, lot int64
			var o string
			f.Must(rows.Scan(&id, &lot, &o))
			if lot != d.LotID {
				t.Fatalf("engagement of draw %d for lot %d", d.ID, lot)
			}
			got[id] = o
		}
		rows.Close()
		n := 0
		for _, c := range d.Calls {
			if reached(c) {
				n++
			}
		}
		if len(got) != n {
			t.Fatalf("draw %d: %d engagements for %d calls that reached their expert", d.ID, len(got), n)
		}
		for _, c := range d.Calls {
			if !reached(c) {
				continue
			}
			if got[c.ExpertID] != outcome[c.State] || c.ExpertID == 0 {
				t.Fatalf("draw %d: call %+v has engagement %q", d.ID, c, got[c.ExpertID])
			}
			if c.State == draw.Declined {
				decliner = c.ExpertID
			}
		}
	}
	var clear int
	f.Must(f.DB.QueryRow(ctx, "SELECT COUNT(*) FROM draw_calls WHERE expert_id = 0 OR engagement_id = 0 AND note = ''").Scan(&clear))
	if clear != 0 {
		t.Fatalf("%d calls left sealed after unsealing", clear)
	}
	// The expert's own history (everyone in A's pool was called; B may
	// have called them too if A released them) and the library's flags
	// and avoidance see the draws now.
	want := map[string]string{}
	for _, d := range []draw.Draw{a, b} {
		for _, c := range d.Calls {
			if c.ExpertID == mine && reached(c) {
				want["draw:"+itoa(d.ID)] = outcome[c.State]
			}
		}
	}
	p, err = f.Expert.Mine(ctx, expertActor)
	f.Must(err)
	got := map[string]string{}
	for _, h := range p.History {
		got[h.Ref] = h.Outcome
	}
	if want["draw:"+itoa(a.ID)] == "" || len(p.History) != len(want) || !maps.Equal(got, want) {
		t.Fatalf("history after unsealing %+v, want %v", p.History, want)
	}
	x, err := f.Expert.Get(ctx, f.staff, decliner)
	f.Must(err)
	if x.Flags.Declines != 1 {
		t.Fatalf("declines of %d: %+v", decliner, x.Flags)
	}
	_, excl, err := f.Expert.Pool(ctx, f.DB, expert.PoolQuery{Specialty: "A0801", Centres: []string{"530600"},
		From: bj("2026-12-10 09:00"), To: bj("2026-12-10 17:00"), TendererOrgID: f.project.TendererOrgID,
		ServesMonths: 12, MaxServes: 1, At: f.Clock.Now()})
	f.Must(err)
	served := 0
	for _, e := range excl {
		if strings.Contains(e.Detail, "已为该招标人评标") {
			served++
		}
	}
	if served != 0 { // A's and B's members served the tenderer once each
		t.Fatalf("served-too-often exclusions %+v", excl)
	}
	_, excl, err = f.Expert.Pool(ctx, f.DB, expert.PoolQuery{Specialty: "A0801", Centres: []string{"530600"},
		From: bj("2026-12-10 09:00"), To: bj("2026-12-10 17:00"), TendererOrgID: f.project.TendererOrgID,
		ServesMonths: 12, MaxServes: 0, At: f.Clock.Now()})
	f.Must(err)
	for _, e := range excl {
		if strings.Contains(e.Detail, "已为该招标人评标") {
			served++
		}
	}
	if served != 10 {
		t.Fatalf("%d served-too-often exclusions, want A's and B's 10 members: %+v", served, excl)
	}
	for _, d := range []draw.Draw{a, b} {
		if rep, err := draw.Verify(ctx, f.DB, d.ID); err != nil || !rep.OK || !rep.Replayed {
			t.Fatalf("verification of draw %d %+v, %v", d.ID, rep, err)
		}
	}
}

// TestSealedDrawHoldAtCall: a draw whose pool was fixed before another sealed
// draw took its experts finds them held when it calls: each such call
// fails at once, books nothing, and the next position is called.
func TestSealedDrawHoldAtCall(t *testing.T) {
	f := newFixture(t, tender.Construction)
	ctx := f.Ctx
	f.addExperts(6, "A080104")
	lotB := f.otherLot()
	req := f.request(draw.Quota{Specialty: "A0801", Formal: 5})
	req.LotID = lotB.ID
	b, err := f.Draw.Create(ctx, f.staff, req)
	f.Must(err)
	b, err = f.Draw.Commit(ctx, f.staff, b.ID) // the pool is all six
	f.Must(err)
	a := f.drawOf(f.lot, draw.Quota{Specialty: "A0801", Formal: 5})
	f.flush()
	b, err = f.Draw.Witness(ctx, f.supervisor, b.ID, draw.Contribution{Value: contribution})
	f.Must(err)
	f.flush()
	b, err = f.Draw.Get(ctx, f.staff, b.ID)
	f.Must(err)
	booked, accepted := 0, 0
	for _, c := range b.Calls {
		switch {
		case c.State == draw.Failed && c.Note == "同一时段已有评标安排":
			booked++
		case c.State == draw.Accepted:
			accepted++
		}
	}
	if b.PoolSizes["A0801"] != 6 || booked != 5 || accepted != 1 || b.State != draw.Short || len(f.Gateway.Calls()) != 6 {
		t.Fatalf("draw B: %s, pool %v, %d booked elsewhere, %d accepted, %d calls placed", b.State, b.PoolSizes, booked,
			accepted, len(f.Gateway.Calls()))
	}
	f.assertNothingInClear("both drawn")

	f.Clock.Set(bj("2026-12-03 09:00"))
	f.Must2(f.Draw.Tick(ctx))
	var n int
	f.Must(f.DB.QueryRow(ctx, "SELECT COUNT(*) FROM expert_engagements WHERE outcome = 'accepted'").Scan(&n))
	var all int
	f.Must(f.DB.QueryRow(ctx, "SELECT COUNT(*) FROM expert_engagements").Scan(&all))
	if n != 6 || all != 6 { // A's five and B's one; B's failed calls reached nobody
		t.Fatalf("%d accepted of %d engagements", n, all)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if rep, err := draw.Verify(ctx, f.DB, id); err != nil || !rep.OK {
			t.Fatalf("verification of draw %d %+v, %v", id, rep, err)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSealedServesCount: “served this tenderer more than N times in M
// months” counts the acceptances on lists still sealed. Two sealed draws
// of the tenderer on two days each take five of six experts; a third draw
// of the same tenderer on a third day, at most one service in 12 months,
// keeps all six in its pool and its stored exclusions empty (the library
// knows of no service, and the database must not learn who is on a
// sealed list), and its calls to anyone who accepted on both sealed lists
// fail at once without reaching them.
func TestSealedServesCount(t *testing.T) {
	f := newFixture(t, tender.Construction)
	ctx := f.Ctx
	f.addExperts(6, "A080104")
	drawOn := func(lot tender.Lot, day string, maxServes int) draw.Draw {
		t.Helper()
		req := f.request(draw.Quota{Specialty: "A0801", Formal: 5})
		req.LotID, req.EvalStart, req.EvalEnd = lot.ID, day+" 09:00", day+" 17:00"
		if maxServes > 0 {
			req.MaxServes, req.ServesMonths = maxServes, 12
		}
		d, err := f.Draw.Create(ctx, f.staff, req)
		f.Must(err)
		_, err = f.Draw.Commit(ctx, f.staff, d.ID)
		f.Must(err)
		_, err = f.Draw.Witness(ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
		f.Must(err)
		f.flush()
		d, err = f.Draw.Get(ctx, f.staff, d.ID)
		f.Must(err)
		return d
	}
	served := map[int64]int{} // sealed acceptances per expert, from the gateway's calls (everyone accepts)
	lotX := f.otherLot()
	for i, day := range []string{"2026-12-03", "2026-12-04"} {
		before := len(f.Gateway.Calls())
		d := drawOn([]tender.Lot{f.lot, lotX}[i], day, 0)
		if d.State != draw.Complete {
			t.Fatalf("draw on %s: %s", day, d.State)
		}
		for _, c := range f.Gateway.Calls()[before:] {
			served[f.phones[c.Phone]]++
		}
	}
	twice := 0
	for _, n := range served {
		if n == 2 {
			twice++
		}
	}
	if twice < 4 {
		t.Fatalf("sealed services %v", served)
	}
	f.assertNothingInClear("two sealed draws")

	before := len(f.Gateway.Calls())
	c := drawOn(lotX, "2026-12-05", 1)
	if c.PoolSizes["A0801"] != 6 || len(c.Excluded) != 0 {
		t.Fatalf("third draw: pool %v, excluded %v", c.PoolSizes, c.Excluded)
	}
	var stored []byte
	f.Must(f.DB.QueryRow(ctx, "SELECT exclusions FROM draws WHERE id = ?", c.ID).Scan(&stored))
	if ex, err := draw.DecodeExclusions(stored); err != nil || len(ex) != 0 {
		t.Fatalf("third draw's stored exclusions %v, %v", ex, err)
	}
	for _, call := range f.Gateway.Calls()[before:] {
		if id := f.phones[call.Phone]; served[id] > 1 {
			t.Fatalf("the third draw reached expert %d, who accepted on two sealed lists of the tenderer", id)
		}
	}
	skipped := 0
	for _, call := range c.Calls {
		if call.State == draw.Failed && call.Note == "已达为该招标人评标次数上限" {
			skipped++
		}
	}
	if skipped != twice || c.State != draw.Short {
		t.Fatalf("third draw: %s, %d calls skipped for the limit, %d experts served twice: %+v", c.State, skipped, twice, c.Calls)
	}
}
