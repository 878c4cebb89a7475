package draw_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/draw"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/notify"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// TestScenario walks a draw from the request to verification: request →
// commit (with avoidance) → witness → call-out with a decline, a busy line,
// a timeout and a failed call → full panel → unseal → verify OK; then a
// tampered audit detail and a tampered stored outcome both fail
// verification.
func TestScenario(t *testing.T) {
	f := newFixture(t, tender.Construction)
	ctx := f.Ctx
	f.addExperts(10, "A080104")
	// Two experts the rules keep out: one works for the tenderer, one is
	// named in the request.
	tendererStaff := f.addExpert("招标人职工", "A080105", f.tendererCode, 0)
	named := f.addExpert("点名回避者", "A080104", "", 0)
	// And one of another specialty, not in the pool at all.
	f.addExpert("无关专业", "A0301", "", 0)

	f.script = []notify.Result{notify.Declined, notify.Accepted, notify.Busy, notify.Accepted, "", notify.Accepted,
		notify.Failed}
	req := f.request(draw.Quota{Specialty: "A0801", Formal: 5, Alternates: 1})
	req.Named = []draw.NamedExclusion{{ExpertID: named, Reason: "与投标人存在经济往来（工作人员核实）"}}
	d, err := f.Draw.Create(ctx, f.staff, req)
	f.Must(err)
	if d.State != draw.Requested || d.PanelSize != 5 {
		t.Fatalf("created %s, panel %d", d.State, d.PanelSize)
	}

	// A16: the witness cannot draw before the pool is fixed; staff cannot
	// witness; nobody can commit twice.
	if _, err := f.Draw.Witness(ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("witness before commit: %v", err)
	}
	d, err = f.Draw.Commit(ctx, f.staff, d.ID)
	f.Must(err)
	if d.State != draw.Committed || d.PoolSizes["A0801"] != 10 || d.Commitment == "" || d.PoolDigest == "" {
		t.Fatalf("committed %+v", d)
	}
	if d.Excluded[string(expert.ReasonTenderer)] != 1 || d.Excluded[string(expert.ReasonOther)] != 1 {
		t.Fatalf("exclusions by reason %v", d.Excluded)
	}
	// Commit answers with the draw as Get reads it back (it builds the
	// answer from what it wrote).
	if got, err := f.Draw.Get(ctx, f.staff, d.ID); err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("Get after Commit: %v\n%+v\n%+v", err, got, d)
	}
	if _, err := f.Draw.Commit(ctx, f.staff, d.ID); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second commit: %v", err)
	}
	// The witness's node has not seen the pool (another node committed):
	// it reads it from the draw.
	f.Draw.ForgetPools()
	if _, err := f.Draw.Witness(ctx, f.staff, d.ID, draw.Contribution{Value: contribution}); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("staff as witness: %v", err)
	}
	if _, err := f.Draw.Witness(ctx, f.supervisor, d.ID, draw.Contribution{Value: "abc"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad contribution: %v", err)
	}

	// The witness draws: six calls go out at once.
	d, err = f.Draw.Witness(ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
	f.Must(err)
	if d.State != draw.Calling || len(f.Gateway.Calls()) != 6 {
		t.Fatalf("after witness: %s, %d calls", d.State, len(f.Gateway.Calls()))
	}
	if _, err := f.Draw.Witness(ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second contribution: %v", err)
	}
	// Answers: a decline, a busy line and a failure each call the next.
	f.flush()
	d, err = f.Draw.Get(ctx, f.staff, d.ID)
	f.Must(err)
	if d.State != draw.Calling {
		t.Fatalf("state %s", d.State)
	}
	// The fifth call never answers: after its deadline the clock moves it on.
	if n, err := f.Draw.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("early tick: %d, %v", n, err)
	}
	f.Clock.Advance(31 * time.Minute)
	if n, err := f.Draw.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("tick after deadline: %d timed out, %v", n, err)
	}
	f.flush()
	d, err = f.Draw.Get(ctx, f.staff, d.ID)
	f.Must(err)
	if d.State != draw.Complete {
		t.Fatalf("state %s, progress %+v", d.State, d.Progress)
	}
	states := map[draw.CallState]int{}
	roles := map[string]int{}
	for _, c := range d.Calls {
		states[c.State]++
		roles[c.Role]++
		if c.Name != "" || c.ExpertID != 0 {
			t.Fatalf("staff sees a name before unsealing: %+v", c)
		}
		if !strings.Contains(c.Masked, "*") {
			t.Fatalf("masked name %q", c.Masked)
		}
	}
	want := map[draw.CallState]int{draw.Accepted: 6, draw.Declined: 1, draw.Busy: 1, draw.NoAnswer: 1, draw.Failed: 1}
	for st, n := range want {
		if states[st] != n {
			t.Fatalf("calls by state %v, want %v", states, want)
		}
	}
	if roles["formal"] != 5 || roles["alternate"] != 1 {
		t.Fatalf("roles %v", roles)
	}

	// Nobody excluded was called; the texts name no project, lot or
	// tenderer; the database holds no drawn expert in clear.
	for _, c := range f.Gateway.Calls() {
		if id := f.phones[c.Phone]; id == tendererStaff || id == named || id == 0 {
			t.Fatalf("called expert %d (%s)", id, c.Phone)
		}
		for _, secret := range []string{f.project.Name, f.project.Code, f.lot.Name, f.tendererName, "绝密", "保密标段"} {
			if strings.Contains(c.TextToSpeak, secret) {
				t.Fatalf("call text names %q: %s", secret, c.TextToSpeak)
			}
		}
		for _, must := range []string{"2026年12月3日 09:00", "第一评标室", "A0801"} {
			if !strings.Contains(c.TextToSpeak, must) {
				t.Fatalf("call text lacks %q: %s", must, c.TextToSpeak)
			}
		}
	}
	var clear int
	f.Must(f.DB.QueryRow(ctx, "SELECT COUNT(*) FROM draw_calls WHERE expert_id <> 0").Scan(&clear))
	if clear != 0 {
		t.Fatalf("%d calls name their expert in clear before unsealing", clear)
	}
	events, err := audit.List(ctx, f.DB, audit.Filter{ObjectType: "draw", Limit: 1000})
	f.Must(err)
	for _, e := range events {
		for k := range e.Details {
			if k == "expert_id" || k == "expert" || k == "name" {
				t.Fatalf("audit event %s carries %s", e.Action, k)
			}
		}
		if strings.Contains(e.ActorName, "建国") || strings.Contains(e.ActorName, "志强") {
			t.Fatalf("audit names the expert who answered: %s", e.ActorName)
		}
	}

	// Verification before unsealing: no difference, but not yet a replay.
	rep, err := draw.Verify(ctx, f.DB, d.ID)
	f.Must(err)
	if rep.OK || rep.Replayed || len(rep.Differences) != 0 {
		t.Fatalf("sealed verification %+v", rep)
	}

	// Unsealing at the booked start.
	f.Clock.Set(bj("2026-12-03 09:00"))
	if _, err := f.Draw.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	d, err = f.Draw.Get(ctx, f.staff, d.ID)
	f.Must(err)
	if !d.Unsealed || !d.NamesVisible || d.Seed == "" {
		t.Fatalf("unsealed %v, names %v, seed %q", d.Unsealed, d.NamesVisible, d.Seed)
	}
	for _, c := range d.Calls {
		if c.Name == "" || c.ExpertID == 0 || c.ExpertID == named || c.ExpertID == tendererStaff {
			t.Fatalf("unsealed call %+v", c)
		}
	}
	unseal, err := audit.List(ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.unseal"})
	f.Must(err)
	if len(unseal) != 1 || unseal[0].Details["seed"] != d.Seed {
		t.Fatalf("seed not revealed in the audit log: %+v", unseal)
	}

	rep, err = draw.Verify(ctx, f.DB, d.ID)
	f.Must(err)
	if !rep.OK || !rep.Replayed || rep.Calls != 10 {
		t.Fatalf("verification %+v", rep)
	}
	if r2, err := f.Draw.Verify(ctx, f.supervisor, d.ID); err != nil || !r2.OK {
		t.Fatalf("supervisor's verification %+v, %v", r2, err)
	}
	// A member replaced at the session (C15): the pool is used up, so the
	// draw is short; the log still replays.
	var member draw.Call
	for _, c := range d.Calls {
		if c.Role == "formal" {
			member = c
		}
	}
	staffAgain := f.Actor(auth.Staff)
	d, err = f.Draw.Replace(ctx, staffAgain, d.ID, member.ID, draw.Replacement{Reason: "评标现场发现与投标人有利害关系"})
	f.Must(err)
	if d.State != draw.Short || len(d.Alerts) != 1 {
		t.Fatalf("after replacement: %s, alerts %+v", d.State, d.Alerts)
	}
	if rep, err := draw.Verify(ctx, f.DB, d.ID); err != nil || !rep.OK {
		t.Fatalf("verification after replacement %+v, %v", rep, err)
	}

	// Tampering: the witness's value in the log.
	witness, err := audit.List(ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.witness"})
	f.Must(err)
	forged := strings.Replace(contribution, "5a", "5b", 1)
	f.Must2(f.DB.Exec(ctx, "UPDATE audit_events SET details = ? WHERE seq = ?", `{"contribution":"`+forged+`"}`, witness[0].Seq))
	rep, err = draw.Verify(ctx, f.DB, d.ID)
	f.Must(err)
	if rep.OK || len(rep.Differences) == 0 {
		t.Fatalf("forged contribution verified: %+v", rep)
	}
	f.Must2(f.DB.Exec(ctx, "UPDATE audit_events SET details = ? WHERE seq = ?", `{"contribution":"`+contribution+`"}`, witness[0].Seq))
	if rep, _ := draw.Verify(ctx, f.DB, d.ID); !rep.OK {
		t.Fatalf("restored log does not verify: %v", rep.Differences)
	}
	// Tampering: a stored outcome.
	f.Must2(f.DB.Exec(ctx, "UPDATE draw_calls SET state = 'no_answer' WHERE id = ?", d.Calls[1].ID))
	rep, err = draw.Verify(ctx, f.DB, d.ID)
	f.Must(err)
	if rep.OK || !slices.ContainsFunc(rep.Differences, func(s string) bool { return strings.Contains(s, "结果") }) {
		t.Fatalf("tampered outcome verified: %+v", rep)
	}
	// Tampering: the pool.
	f.Must2(f.DB.Exec(ctx, "UPDATE draw_calls SET state = ? WHERE id = ?", d.Calls[1].State, d.Calls[1].ID))
	var pool []byte
	f.Must(f.DB.QueryRow(ctx, "SELECT pool FROM draws WHERE id = ?", d.ID).Scan(&pool))
	pool[len(pool)-1] ^= 1
	f.Must2(f.DB.Exec(ctx, "UPDATE draws SET pool = ? WHERE id = ?", pool, d.ID))
	if rep, _ := draw.Verify(ctx, f.DB, d.ID); rep.OK {
		t.Fatal("tampered pool verified")
	}
}

// Must2 fails on the error of a two-valued call.
func (f *fixture) Must2(_ any, err error) {
	f.T.Helper()
	f.Must(err)
}

// TestShortfallAlertsStaff: a pool smaller than the quota is called to the
// end, then staff get an alert with what is missing.
func TestShortfallAlertsStaff(t *testing.T) {
	f := newFixture(t, tender.Construction)
	f.addExperts(6, "A080104")
	f.script = []notify.Result{notify.Declined}
	d, err := f.Draw.Create(f.Ctx, f.staff, f.request(draw.Quota{Specialty: "A0801", Formal: 5, Alternates: 1}))
	f.Must(err)
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	f.Must(err)
	_, err = f.Draw.Witness(f.Ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
	f.Must(err)
	f.flush()
	d, err = f.Draw.Get(f.Ctx, f.staff, d.ID)
	f.Must(err)
	if d.State != draw.Short || len(d.Alerts) != 1 || !strings.Contains(d.Alerts[0].Message, "仍缺 1 人") {
		t.Fatalf("state %s, alerts %+v", d.State, d.Alerts)
	}
	if p := d.Progress[0]; !p.Exhausted || p.Missing != 1 || p.Accepted != 5 {
		t.Fatalf("progress %+v", p)
	}
	short, err := audit.List(f.Ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.short"})
	f.Must(err)
	if len(short) != 1 {
		t.Fatalf("%d shortfall events", len(short))
	}
	// Replacing an accepted member calls nobody (the pool is used up) but
	// raises the shortfall again with the new count.
	var acc draw.Call
	for _, c := range d.Calls {
		if c.State == draw.Accepted {
			acc = c
		}
	}
	if _, err := f.Draw.Replace(f.Ctx, f.staff, d.ID, acc.ID, draw.Replacement{}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("replacement without a reason: %v", err)
	}
	d, err = f.Draw.Replace(f.Ctx, f.staff, d.ID, acc.ID, draw.Replacement{Reason: "突发疾病"})
	f.Must(err)
	if len(d.Alerts) != 2 || !strings.Contains(d.Alerts[1].Message, "仍缺 2 人") {
		t.Fatalf("alerts after replacement %+v", d.Alerts)
	}
	f.Clock.Set(bj("2026-12-03 09:00"))
	_, err = f.Draw.Tick(f.Ctx)
	f.Must(err)
	rep, err := draw.Verify(f.Ctx, f.DB, d.ID)
	f.Must(err)
	if !rep.OK {
		t.Fatalf("verification %v", rep.Differences)
	}
}

// TestInAppAnswerOwnInvitationOnly: an expert with a sign-in answers on
// the platform; another expert cannot see or answer that invitation.
func TestInAppAnswerOwnInvitationOnly(t *testing.T) {
	f := newFixture(t, tender.Construction)
	expertActor := f.Actor(auth.Expert)
	me := f.addExpert("平台专家", "A080104", "", expertActor.UserID)
	other, err := f.Auth.CreateUser(f.Ctx, auth.System, auth.NewUser{OrgID: f.Orgs[auth.KindEmployer], Username: "expert2",
		DisplayName: "另一专家", Role: auth.Expert, IDNumber: testenv.IDNumber(), Phone: "13700000009", Password: "Test-pass-2026"})
	f.Must(err)
	f.addExpert("另一专家", "A080104", "", other.ID)
	f.addExperts(3, "A080104")
	// Nobody answers the phone: the platform is the only way.
	f.script = []notify.Result{"", "", "", "", ""}
	d, err := f.Draw.Create(f.Ctx, f.staff, f.request(draw.Quota{Specialty: "A0801", Formal: 5}))
	f.Must(err)
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	f.Must(err)
	_, err = f.Draw.Witness(f.Ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
	f.Must(err)

	mine, err := f.Draw.Invitations(f.Ctx, expertActor)
	f.Must(err)
	if len(mine) != 1 || !mine[0].Open || mine[0].Venue == "" {
		t.Fatalf("invitations %+v", mine)
	}
	_, otherActor, err := f.Auth.Login(f.Ctx, "127.0.0.1", "expert2", "Test-pass-2026")
	f.Must(err)
	if _, err := f.Draw.Invitation(f.Ctx, otherActor, mine[0].Token); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another expert reads the invitation: %v", err)
	}
	if _, err := f.Draw.Answer(f.Ctx, otherActor, mine[0].Token, draw.Answer{Accept: true}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another expert answers the invitation: %v", err)
	}
	if _, err := f.Draw.Answer(f.Ctx, f.staff, mine[0].Token, draw.Answer{Accept: true}); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("staff answer for the expert: %v", err)
	}
	inv, err := f.Draw.Answer(f.Ctx, expertActor, mine[0].Token, draw.Answer{Accept: true})
	f.Must(err)
	if inv.State != draw.Accepted || inv.Open {
		t.Fatalf("after answering %+v", inv)
	}
	if _, err := f.Draw.Answer(f.Ctx, expertActor, mine[0].Token, draw.Answer{Accept: false}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second answer: %v", err)
	}
	// The library books nobody while the list is sealed; unsealing
	// writes the expert's engagement as accepted.
	var booked int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM expert_engagements WHERE expert_id = ?", me).Scan(&booked))
	if booked != 0 {
		t.Fatalf("%d engagements before unsealing", booked)
	}
	f.Clock.Set(bj("2026-12-03 09:00"))
	f.Must2(f.Draw.Tick(f.Ctx))
	var outcome string
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT outcome FROM expert_engagements WHERE expert_id = ?", me).Scan(&outcome))
	if outcome != expert.Accepted {
		t.Fatalf("engagement %q", outcome)
	}
	// The in-app answer does not name the expert in the trail.
	ans, err := audit.List(f.Ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.answer"})
	f.Must(err)
	for _, e := range ans {
		if e.ActorID == expertActor.UserID {
			t.Fatalf("answer recorded under the expert's user: %+v", e)
		}
	}
}

// TestReplayedCallbackChangesNothing: the gateway's callback is accepted
// once per call id; a replay, a forged signature and an unknown call are
// refused.
func TestReplayedCallbackChangesNothing(t *testing.T) {
	f := newFixture(t, tender.Construction)
	f.addExperts(5, "A080104")
	f.script = []notify.Result{"", "", "", "", ""}
	d, err := f.Draw.Create(f.Ctx, f.staff, f.request(draw.Quota{Specialty: "A0801", Formal: 5}))
	f.Must(err)
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	f.Must(err)
	_, err = f.Draw.Witness(f.Ctx, f.supervisor, d.ID, draw.Contribution{Value: contribution})
	f.Must(err)
	call := f.Gateway.Calls()[0]
	body := []byte(`{"call_id":"` + call.CallID + `","result":"accepted"}`)
	sig := notify.Sign(gatewayKey, f.Clock.Now(), body)
	pub := auth.Public("10.0.0.9")
	f.Must(f.Draw.VoiceCallback(f.Ctx, pub, sig, body))
	if err := f.Draw.VoiceCallback(f.Ctx, pub, sig, body); !errs.Is(err, errs.Conflict) {
		t.Fatalf("replayed callback: %v", err)
	}
	declined := []byte(`{"call_id":"` + call.CallID + `","result":"declined"}`)
	if err := f.Draw.VoiceCallback(f.Ctx, pub, sig, declined); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("body swapped under a valid signature: %v", err)
	}
	old := notify.Sign(gatewayKey, f.Clock.Now().Add(-time.Hour), declined)
	if err := f.Draw.VoiceCallback(f.Ctx, pub, old, declined); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("stale callback: %v", err)
	}
	unknown := []byte(`{"call_id":"` + strings.Repeat("0", 32) + `","result":"accepted"}`)
	if err := f.Draw.VoiceCallback(f.Ctx, pub, notify.Sign(gatewayKey, f.Clock.Now(), unknown), unknown); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown call: %v", err)
	}
	answers, err := audit.List(f.Ctx, f.DB, audit.Filter{ObjectType: "draw", Action: "draw.answer"})
	f.Must(err)
	if len(answers) != 1 || answers[0].Details["result"] != "accepted" {
		t.Fatalf("answers %+v", answers)
	}
}

// TestRulesBeforeDrawing: the panel rules refuse a bad request, and a
// government procurement draw too early is refused citing C13.
func TestRulesBeforeDrawing(t *testing.T) {
	f := newFixture(t, tender.Procurement)
	f.addExperts(8, "A080104")
	_, err := f.Draw.Create(f.Ctx, f.staff, f.request(draw.Quota{Specialty: "A0801", Formal: 4}))
	if e := errs.As(err); e.Code != errs.Rule || e.RuleID != "C12" {
		t.Fatalf("four experts: %v", err)
	}
	req := f.request(draw.Quota{Specialty: "A0801", Formal: 5})
	req.MaxAge = 75
	if e := errs.As(func() error { _, err := f.Draw.Create(f.Ctx, f.staff, req); return err }()); e.RuleID != "C13" {
		t.Fatalf("age limit 75 for procurement: %v", e)
	}
	req.MaxAge = 0
	d, err := f.Draw.Create(f.Ctx, f.staff, req)
	f.Must(err)
	// Now is 2026-11-25 (Wednesday); the evaluation is on 2026-12-03.
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	if e := errs.As(err); e.Code != errs.Rule || e.RuleID != "C13" || !strings.Contains(e.Message, "198号") {
		t.Fatalf("early procurement draw: %v", err)
	}
	f.Clock.Set(bj("2026-12-01 10:00")) // Tuesday: two working days before Thursday
	_, err = f.Draw.Commit(f.Ctx, f.staff, d.ID)
	f.Must(err)

	// Requests that cannot be drawn at all.
	for name, mutate := range map[string]func(*draw.NewRequest){
		"unknown specialty":    func(r *draw.NewRequest) { r.Quotas = []draw.Quota{{Specialty: "Z99", Formal: 5}} },
		"overlapping":          func(r *draw.NewRequest) { r.Quotas = append(r.Quotas, draw.Quota{Specialty: "A080104", Formal: 2}) },
		"end before start":     func(r *draw.NewRequest) { r.EvalEnd = "2026-12-03 08:00" },
		"no venue":             func(r *draw.NewRequest) { r.Venue = "" },
		"unknown centre":       func(r *draw.NewRequest) { r.Centres = []string{"110000"} },
		"months without cap":   func(r *draw.NewRequest) { r.ServesMonths = 12 },
		"named without reason": func(r *draw.NewRequest) { r.Named = []draw.NamedExclusion{{ExpertID: 1}} },
	} {
		r := f.request(draw.Quota{Specialty: "A0801", Formal: 5})
		mutate(&r)
		if _, err := f.Draw.Create(f.Ctx, f.staff, r); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Staff of another centre may not request; a bidder may not at all.
	if _, err := f.Draw.Create(f.Ctx, f.Actor(auth.Bidder), req); !errs.Is(err, errs.Forbidden) {
		t.Errorf("bidder: %v", err)
	}
}

// TestRequestFromBooking: an evaluation booking gives the draw its room
// and times; a booking of another project or for an opening is refused.
func TestRequestFromBooking(t *testing.T) {
	f := newFixture(t, tender.Construction)
	f.addExperts(5, "A080104")
	room, err := f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{CentreCode: "530600", Name: "第九评标室",
		Kind: venue.EvaluationRoom, Capacity: 12})
	f.Must(err)
	bk, err := f.Venue.Book(f.Ctx, f.staff, venue.NewBooking{ProjectID: f.project.ID, LotID: f.lot.ID, RoomID: room.ID,
		Purpose: venue.Evaluation, StartsAt: "2026-12-03 09:00", EndsAt: "2026-12-03 17:00"})
	f.Must(err)
	d, err := f.Draw.Create(f.Ctx, f.staff, draw.NewRequest{LotID: f.lot.ID, BookingID: bk.ID,
		Quotas: []draw.Quota{{Specialty: "A0801", Formal: 5}}})
	f.Must(err)
	if d.BookingID != bk.ID || !d.EvalStart.Equal(bj("2026-12-03 09:00")) || !d.EvalEnd.Equal(bj("2026-12-03 17:00")) ||
		!strings.HasSuffix(d.Venue, "第九评标室") {
		t.Fatalf("draw from booking: %+v", d)
	}
	opening, err := f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{CentreCode: "530600", Name: "第一开标厅",
		Kind: venue.OpeningHall, Capacity: 40})
	f.Must(err)
	ob, err := f.Venue.Book(f.Ctx, f.staff, venue.NewBooking{ProjectID: f.project.ID, RoomID: opening.ID,
		Purpose: venue.Opening, StartsAt: "2026-12-02 09:00", EndsAt: "2026-12-02 10:00"})
	f.Must(err)
	_, err = f.Draw.Create(f.Ctx, f.staff, draw.NewRequest{LotID: f.lot.ID, BookingID: ob.ID,
		Quotas: []draw.Quota{{Specialty: "A0801", Formal: 5}}})
	if e := errs.As(err); e.Code != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != "booking_id" {
		t.Fatalf("opening booking: %v", err)
	}
}
