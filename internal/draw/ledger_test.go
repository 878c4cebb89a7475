package draw

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"ggzy/internal/gm"
)

// rng is a deterministic generator for property tests.
type rng struct{ s *Stream }

func newRNG(i int) rng {
	return rng{NewStream(gm.SM3(binary.BigEndian.AppendUint64(nil, uint64(i))), "prop")}
}

func (r rng) n(k int) int { return int(r.s.Uniform(uint64(k))) }

// event is one line of a simulated audit log.
type event struct {
	call bool
	spec string
	pos  int
	st   CallState
}

// simulate runs a whole call-out on the ledger with random answers and
// returns the log of calls and answers, like the service writes it.
func simulate(t *testing.T, r rng, l *ledger) []event {
	t.Helper()
	var log []event
	for step := 0; step < 10000; step++ {
		for _, p := range l.plan() {
			log = append(log, event{call: true, spec: p.Specialty, pos: p.Position})
		}
		// Answer one open call at random.
		var open []event
		for _, s := range l.specs {
			for pos, st := range l.calls[s] {
				if st.Open() {
					open = append(open, event{spec: s, pos: pos})
				}
			}
		}
		if len(open) == 0 {
			return log
		}
		slices.SortFunc(open, func(a, b event) int {
			if a.spec != b.spec {
				return map[bool]int{true: -1, false: 1}[a.spec < b.spec]
			}
			return a.pos - b.pos
		})
		e := open[r.n(len(open))]
		e.st = []CallState{Accepted, Accepted, Declined, NoAnswer, Busy, Failed}[r.n(6)]
		if err := l.answer(e.spec, e.pos, e.st); err != nil {
			t.Fatal(err)
		}
		log = append(log, e)
		// Now and then staff replace an accepted member.
		if r.n(10) == 0 {
			for _, s := range l.specs {
				for pos, st := range l.calls[s] {
					if st == Accepted {
						if err := l.answer(s, pos, Replaced); err != nil {
							t.Fatal(err)
						}
						log = append(log, event{spec: s, pos: pos, st: Replaced})
						goto replaced
					}
				}
			}
		replaced:
		}
	}
	t.Fatal("call-out did not end")
	return nil
}

// TestCallOutProperties: over many random libraries, quotas and answers,
// no excluded expert is ever called, nobody is called twice, every quota
// is filled or reported short with the pool used up, and replaying the
// log on a fresh ledger reproduces every call.
func TestCallOutProperties(t *testing.T) {
	outcomes := map[State]int{}
	for run := range 300 {
		r := newRNG(run)
		nspec := 1 + r.n(3)
		var quotas []Quota
		eligible := map[string][]int64{}
		excluded := map[int64]bool{}
		for i := range nspec {
			spec := fmt.Sprintf("A%02d", 1+i)
			q := Quota{Specialty: spec, Formal: 1 + r.n(5), Alternates: r.n(3)}
			quotas = append(quotas, q)
			// Overlapping id ranges: some experts are eligible in
			// several specialties.
			size := r.n(25)
			for j := 0; j < size; j++ {
				eligible[spec] = append(eligible[spec], int64(1+r.n(40)))
			}
		}
		for j := 0; j < r.n(10); j++ {
			excluded[int64(1+r.n(40))] = true
		}
		pools := BuildPools(quotas, eligible, excluded)
		seed, contrib := testSeed("prop-seed", run), testSeed("prop-contrib", run)
		key := Key(seed, contrib, PoolDigest(pools))
		l := newLedger(quotas, pools, &key)
		log := simulate(t, r, l)

		called := map[int64]string{}
		for s, experts := range l.expert {
			for _, id := range experts {
				if excluded[id] {
					t.Fatalf("run %d: excluded expert %d was called", run, id)
				}
				if prev, dup := called[id]; dup {
					t.Fatalf("run %d: expert %d called for %s and %s", run, id, prev, s)
				}
				called[id] = s
				if !slices.Contains(eligible[s], id) {
					t.Fatalf("run %d: expert %d called for %s without being eligible", run, id, s)
				}
			}
		}
		for _, q := range quotas {
			p := l.progress(q.Specialty, 0)
			switch {
			case p.Waiting != 0:
				t.Fatalf("run %d: %s still waiting", run, q.Specialty)
			case p.Accepted == q.Target():
			case p.Accepted < q.Target() && p.Exhausted && p.Missing == q.Target()-p.Accepted:
			default:
				t.Fatalf("run %d: %s accepted %d of %d, exhausted %v", run, q.Specialty, p.Accepted, q.Target(), p.Exhausted)
			}
		}
		st := l.state()
		if (st == Complete) != allFilled(l, quotas) || st == Calling {
			t.Fatalf("run %d: state %s", run, st)
		}
		outcomes[st]++

		// Replay.
		v := newLedger(quotas, pools, &key)
		for i, e := range log {
			if e.call {
				if _, err := v.replay(e.spec, e.pos); err != nil {
					t.Fatalf("run %d: replay of event %d: %v", run, i, err)
				}
			} else if err := v.answer(e.spec, e.pos, e.st); err != nil {
				t.Fatalf("run %d: replay of event %d: %v", run, i, err)
			}
		}
		for _, q := range quotas {
			// A shortfall the run reported is one the replay agrees with,
			// even when the rest of the sequence went to other specialties.
			if l.progress(q.Specialty, 0).Exhausted && v.anyLeft(q.Specialty) {
				t.Fatalf("run %d: %s short, but the replay finds someone left to call", run, q.Specialty)
			}
		}
		for s := range l.expert {
			if !slices.Equal(l.expert[s], v.expert[s]) {
				t.Fatalf("run %d: replay called %v for %s, the run %v", run, v.expert[s], s, l.expert[s])
			}
		}
	}
	if outcomes[Complete] < 20 || outcomes[Short] < 20 {
		t.Fatalf("the runs do not cover both endings: %v", outcomes)
	}
}

func allFilled(l *ledger, quotas []Quota) bool {
	for _, q := range quotas {
		if a, _ := l.counts(q.Specialty); a != q.Target() {
			return false
		}
	}
	return true
}

// TestReplayRefusesWhatTheRulesDoNotAllow: a call out of order, a call
// beyond the quota, a second answer, an answer to a call never made.
func TestReplayRefusesWhatTheRulesDoNotAllow(t *testing.T) {
	quotas := []Quota{{Specialty: "A08", Formal: 2}}
	pools := []Pool{{"A08", ids(10, 1)}}
	key := Key(testSeed("r", 1), testSeed("c", 1), PoolDigest(pools))
	fresh := func() *ledger { return newLedger(quotas, pools, &key) }

	if _, err := fresh().replay("A08", 1); err == nil {
		t.Error("skipping position 0 accepted")
	}
	if _, err := fresh().replay("B01", 0); err == nil {
		t.Error("unknown specialty accepted")
	}
	l := fresh()
	l.replay("A08", 0)
	l.replay("A08", 1)
	if _, err := l.replay("A08", 2); err == nil {
		t.Error("a third open call for a quota of two accepted")
	}
	if err := l.answer("A08", 0, Declined); err != nil {
		t.Fatal(err)
	}
	if err := l.answer("A08", 0, Accepted); err == nil {
		t.Error("a declined call accepted later")
	}
	if err := l.answer("A08", 5, Accepted); err == nil {
		t.Error("answer to a call never made")
	}
	if err := l.answer("A08", 1, Replaced); err == nil {
		t.Error("replacing a member who never accepted")
	}
	if _, err := l.replay("A08", 2); err != nil {
		t.Errorf("the decline frees a place: %v", err)
	}
	// Without the seed only the shape is checked.
	blind := newLedger(quotas, pools, nil)
	blind.replay("A08", 3)
	if _, err := blind.replay("A08", 2); err == nil {
		t.Error("order going backwards accepted without the seed")
	}
}

func TestBuildPoolsDropsExcludedEverywhere(t *testing.T) {
	quotas := []Quota{{Specialty: "A08", Formal: 3}, {Specialty: "B01", Formal: 2}, {Specialty: "C05", Formal: 1}}
	pools := BuildPools(quotas, map[string][]int64{"A08": {5, 1, 2, 3}, "B01": {3, 4, 4}}, map[int64]bool{3: true})
	want := []Pool{{"A08", []int64{1, 2, 5}}, {"B01", []int64{4}}, {"C05", nil}}
	if fmt.Sprint(pools) != fmt.Sprint(want) {
		t.Fatalf("pools %v, want %v", pools, want)
	}
}
