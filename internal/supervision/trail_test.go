package supervision_test

import (
	"bytes"
	"slices"
	"sort"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
)

// sample events: object id names what each is.
var samples = []struct {
	id, region, industry string
}{
	{"zy-housing", "530602", "housing"},
	{"ld-none", "530621", ""},
	{"zt-housing", "530600", "housing"},
	{"zt-none", "530600", ""},
	{"zy-transport", "530602", "transport"},
	{"zt-water", "530600", "water"},
	{"qj-housing", "530302", "housing"},
	{"qj-none", "530300", ""},
	{"yn-housing", "530000", "housing"},
	{"nowhere", "", ""},
	{"km-housing", "530102", "housing"},
}

const testAction = "test.event"

// appendSamples writes the samples in one transaction and returns their seq by id.
func appendSamples(t *testing.T, e *testenv.Env) map[string]int64 {
	t.Helper()
	seqs := map[string]int64{}
	e.Must(e.DB.Transact(e.Ctx, func(tx *db.Tx) error {
		for _, s := range samples {
			ev, err := e.Audit.Append(e.Ctx, tx, audit.Event{ActorName: "测试", Action: testAction, ObjectType: "lot",
				ObjectID: s.id, Region: s.region, Industry: s.industry, Details: map[string]any{"n": 1}})
			if err != nil {
				return err
			}
			seqs[s.id] = ev.Seq
		}
		return nil
	}))
	return seqs
}

func ids(evs []audit.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ObjectID)
	}
	sort.Strings(out)
	return out
}

func sorted(xs ...string) []string { sort.Strings(xs); return xs }

func TestSupervisorSeesOnlyJurisdiction(t *testing.T) {
	e := testenv.New(t)
	sup := e.Actor(auth.Supervisor) // 昭通市住房和城乡建设局: 530600 × housing
	if sup.Region != "530600" || sup.Industry != "housing" {
		t.Fatalf("fixture supervisor %+v", sup)
	}
	seqs := appendSamples(t, e)
	want := sorted("zy-housing", "ld-none", "zt-housing", "zt-none")

	for _, c := range []struct {
		name string
		f    audit.Filter
		want []string
	}{
		{"no filter", audit.Filter{}, want},
		{"wider region", audit.Filter{RegionPrefix: "53"}, want},
		{"whole country", audit.Filter{RegionPrefix: ""}, want},
		{"other city", audit.Filter{RegionPrefix: "5303"}, want},
		{"other city exactly", audit.Filter{RegionPrefix: "530302"}, want},
		{"narrower region", audit.Filter{RegionPrefix: "530602"}, sorted("zy-housing")},
		{"own industry", audit.Filter{Industry: "housing"}, sorted("zy-housing", "zt-housing")},
		{"other industry", audit.Filter{Industry: "transport"}, nil},
		{"other industries list", audit.Filter{Industries: []string{"transport", "water"}}, want},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			f.Action = testAction
			evs, err := e.Trail.Events(e.Ctx, sup, f)
			e.Must(err)
			if got := ids(evs); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}

	// Without the action filter, every event shown is inside the jurisdiction.
	all, err := e.Trail.Events(e.Ctx, sup, audit.Filter{Limit: 200})
	e.Must(err)
	if len(all) < len(want) {
		t.Fatalf("only %d events", len(all))
	}
	for _, ev := range all {
		if len(ev.Region) < 4 || ev.Region[:4] != "5306" || (ev.Industry != "" && ev.Industry != "housing") {
			t.Fatalf("supervisor sees event %d (%s, %q/%q)", ev.Seq, ev.Action, ev.Region, ev.Industry)
		}
	}

	// Single events.
	for id, seq := range seqs {
		_, err := e.Trail.Event(e.Ctx, sup, seq)
		if slices.Contains(want, id) {
			e.Must(err)
		} else {
			wantCode(t, err, errs.NotFound)
		}
	}
	_, err = e.Trail.Event(e.Ctx, sup, 1<<40)
	wantCode(t, err, errs.NotFound)
}

func TestAdminSeesAllOthersRefused(t *testing.T) {
	e := testenv.New(t)
	appendSamples(t, e)
	admin := e.Actor(auth.Admin)
	evs, err := e.Trail.Events(e.Ctx, admin, audit.Filter{Action: testAction})
	e.Must(err)
	var all []string
	for _, s := range samples {
		all = append(all, s.id)
	}
	sort.Strings(all)
	if got := ids(evs); !slices.Equal(got, all) {
		t.Fatalf("admin sees %v", got)
	}
	evs, err = e.Trail.Events(e.Ctx, admin, audit.Filter{Action: testAction, RegionPrefix: "5303"})
	e.Must(err)
	if got := ids(evs); !slices.Equal(got, sorted("qj-housing", "qj-none")) {
		t.Fatalf("admin filter: %v", got)
	}

	for _, role := range []auth.Role{auth.Bidder, auth.Tenderer, auth.Agent, auth.Expert, auth.Staff} {
		a := e.Actor(role)
		_, err := e.Trail.Events(e.Ctx, a, audit.Filter{})
		wantCode(t, err, errs.Forbidden)
		_, err = e.Trail.Event(e.Ctx, a, 0)
		wantCode(t, err, errs.Forbidden)
	}
	_, err = e.Trail.Prove(e.Ctx, e.Actor(auth.Bidder), 0)
	wantCode(t, err, errs.Forbidden)
	_, err = e.Trail.Events(e.Ctx, auth.Public("1.2.3.4"), audit.Filter{})
	wantCode(t, err, errs.Unauthenticated)
	_, err = e.Trail.Prove(e.Ctx, auth.Public("1.2.3.4"), 0)
	wantCode(t, err, errs.Unauthenticated)
}

func TestProve(t *testing.T) {
	e := testenv.New(t)
	seqs := appendSamples(t, e)
	sup := e.Actor(auth.Supervisor)
	staff := e.Actor(auth.Staff) // 昭通市 centre
	admin := e.Actor(auth.Admin)

	for _, c := range []struct {
		who string
		a   auth.Actor
		id  string
		ok  bool
	}{
		{"supervisor, own", sup, "zy-housing", true},
		{"supervisor, no industry", sup, "ld-none", true},
		{"supervisor, other industry", sup, "zy-transport", false},
		{"supervisor, other city", sup, "qj-housing", false},
		{"supervisor, province", sup, "yn-housing", false},
		{"staff, own region any industry", staff, "zy-transport", true},
		{"staff, other city", staff, "qj-none", false},
		{"staff, no region", staff, "nowhere", false},
		{"admin, anywhere", admin, "km-housing", true},
		{"admin, no region", admin, "nowhere", true},
	} {
		t.Run(c.who, func(t *testing.T) {
			p, err := e.Trail.Prove(e.Ctx, c.a, seqs[c.id])
			if !c.ok {
				wantCode(t, err, errs.NotFound)
				return
			}
			e.Must(err)
			if p.Seq != seqs[c.id] || p.TreeSize <= p.Seq {
				t.Fatalf("proof %d of tree %d", p.Seq, p.TreeSize)
			}
			if err := audit.VerifyProof(p, e.Keys.VerifierKey); err != nil {
				t.Fatalf("proof does not verify: %v", err)
			}
			ev, err := audit.Get(e.Ctx, e.DB, p.Seq)
			e.Must(err)
			rh, err := audit.RecordHash(ev)
			e.Must(err)
			if !bytes.Equal(rh, p.RecordHash) {
				t.Fatal("proof is for another record")
			}
			// A doctored proof fails.
			bad := p
			bad.RecordHash = bytes.Clone(p.RecordHash)
			bad.RecordHash[0] ^= 1
			if audit.VerifyProof(bad, e.Keys.VerifierKey) == nil {
				t.Fatal("doctored record hash accepted")
			}
			bad = p
			bad.Seq = p.Seq + 1
			if audit.VerifyProof(bad, e.Keys.VerifierKey) == nil && p.Seq+1 < p.TreeSize {
				t.Fatal("proof accepted for another position")
			}
		})
	}
	_, err := e.Trail.Prove(e.Ctx, admin, 1<<40)
	wantCode(t, err, errs.NotFound)
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
