package draw

import (
	"fmt"
	"sort"
)

// ledger is the call-out's bookkeeping, the same for the service (built
// from the stored calls) and for Verify (built from the audit log): per
// specialty its sequence, quota, how far along the sequence the calls have
// gone and what each call came to; and which expert was called for which
// specialty, so nobody is called twice in one draw.
//
// The rules it applies — and Verify checks — are:
//   - a specialty is called while its accepted plus open calls are fewer
//     than its target (formal + alternates);
//   - the next call goes to the next position of its sequence whose expert
//     has not been called for another specialty of the draw (those are
//     skipped, not called);
//   - a quota whose sequence is used up with no call open is short.
type ledger struct {
	specs  []string // by code
	quota  map[string]Quota
	seq    map[string]*Sequence // nil values when the seed is not known (Verify before unsealing)
	cursor map[string]int
	calls  map[string]map[int]CallState
	order  map[string][]int   // positions called, in call order
	owner  map[int64]string   // expert → the specialty they were called for
	expert map[string][]int64 // experts called, in call order, per specialty
}

func newLedger(quotas []Quota, pools []Pool, key *[32]byte) *ledger {
	l := &ledger{quota: map[string]Quota{}, seq: map[string]*Sequence{}, cursor: map[string]int{},
		calls: map[string]map[int]CallState{}, order: map[string][]int{}, owner: map[int64]string{},
		expert: map[string][]int64{}}
	for _, q := range quotas {
		l.specs = append(l.specs, q.Specialty)
		l.quota[q.Specialty] = q
		l.calls[q.Specialty] = map[int]CallState{}
	}
	sort.Strings(l.specs)
	if key != nil {
		for _, p := range pools {
			if _, ok := l.quota[p.Specialty]; ok {
				l.seq[p.Specialty] = NewSequence(*key, p)
			}
		}
		for _, s := range l.specs {
			if l.seq[s] == nil {
				l.seq[s] = NewSequence(*key, Pool{Specialty: s})
			}
		}
	}
	return l
}

// counts returns the accepted and open calls of spec.
func (l *ledger) counts(spec string) (accepted, open int) {
	for _, st := range l.calls[spec] {
		switch {
		case st == Accepted:
			accepted++
		case st.Open():
			open++
		}
	}
	return accepted, open
}

// need is how many more calls spec may have open now.
func (l *ledger) need(spec string) int {
	a, o := l.counts(spec)
	return l.quota[spec].Target() - a - o
}

// next finds the next position to call for spec and moves past it; ok is
// false when the sequence is used up. Only with a known seed.
func (l *ledger) next(spec string) (pos int, id int64, ok bool) {
	q := l.seq[spec]
	for l.cursor[spec] < q.Len() {
		pos = l.cursor[spec]
		id, _ = q.At(pos)
		l.cursor[spec]++
		if _, taken := l.owner[id]; taken {
			continue
		}
		return pos, id, true
	}
	return 0, 0, false
}

// exhausted reports whether spec's sequence is used up (as far as next
// has looked).
func (l *ledger) exhausted(spec string) bool {
	q := l.seq[spec]
	return q != nil && l.cursor[spec] >= q.Len()
}

// anyLeft reports whether spec's sequence still has an expert not yet
// called for the draw after the last position looked at (without moving).
func (l *ledger) anyLeft(spec string) bool {
	q := l.seq[spec]
	for pos := l.cursor[spec]; pos < q.Len(); pos++ {
		id, _ := q.At(pos)
		if _, taken := l.owner[id]; !taken {
			return true
		}
	}
	return false
}

// record notes a call of spec at pos (expert id, when known).
func (l *ledger) record(spec string, pos int, id int64) {
	l.calls[spec][pos] = Queued
	l.order[spec] = append(l.order[spec], pos)
	if id != 0 {
		l.owner[id] = spec
		l.expert[spec] = append(l.expert[spec], id)
	}
}

// replay applies a call that was made, checking that it is the one the
// rules required: a known specialty with room for another call and, with a
// known seed, exactly the next position. It returns the expert called (0
// without the seed).
func (l *ledger) replay(spec string, pos int) (int64, error) {
	if _, ok := l.quota[spec]; !ok {
		return 0, fmt.Errorf("专业 %s 不在抽取需求中", spec)
	}
	if n := l.need(spec); n <= 0 {
		return 0, fmt.Errorf("专业 %s 已有足够的确认与待答复人数，不应再通知第 %d 位", spec, pos+1)
	}
	if _, dup := l.calls[spec][pos]; dup {
		return 0, fmt.Errorf("专业 %s 第 %d 位被重复通知", spec, pos+1)
	}
	if l.seq[spec] == nil {
		if o := l.order[spec]; len(o) > 0 && pos <= o[len(o)-1] {
			return 0, fmt.Errorf("专业 %s 的通知顺序倒退（第 %d 位在第 %d 位之后）", spec, pos+1, o[len(o)-1]+1)
		}
		l.record(spec, pos, 0)
		return 0, nil
	}
	want, id, ok := l.next(spec)
	if !ok {
		return 0, fmt.Errorf("专业 %s 的序列已用尽，不应再有第 %d 位", spec, pos+1)
	}
	if want != pos {
		return 0, fmt.Errorf("专业 %s 应通知序列第 %d 位，实际通知第 %d 位", spec, want+1, pos+1)
	}
	l.record(spec, pos, id)
	return id, nil
}

// answer sets the state of a call, checking the transition.
func (l *ledger) answer(spec string, pos int, st CallState) error {
	cur, ok := l.calls[spec][pos]
	if !ok {
		return fmt.Errorf("专业 %s 第 %d 位未被通知却有答复", spec, pos+1)
	}
	switch {
	case st == Replaced && cur == Accepted:
	case answers[st] && cur.Open():
	case st == Sent && cur == Queued:
	default:
		return fmt.Errorf("专业 %s 第 %d 位不能从「%s」变为「%s」", spec, pos+1, cur.Label(), st.Label())
	}
	l.calls[spec][pos] = st
	return nil
}

// planned is a call the rules require now.
type planned struct {
	Specialty string
	Position  int
	ExpertID  int64
}

// plan makes every call the rules require now, specialties in code order,
// and records them.
func (l *ledger) plan() []planned {
	var out []planned
	for _, s := range l.specs {
		for l.need(s) > 0 {
			pos, id, ok := l.next(s)
			if !ok {
				break
			}
			l.record(s, pos, id)
			out = append(out, planned{s, pos, id})
		}
	}
	return out
}

// progress summarises spec.
func (l *ledger) progress(spec string, pool int) Progress {
	q := l.quota[spec]
	a, o := l.counts(spec)
	missing := q.Target() - a
	return Progress{Specialty: spec, Name: q.Name, Formal: q.Formal, Alternates: q.Alternates, Pool: pool,
		Called: len(l.order[spec]), Accepted: a, Waiting: o, Missing: missing,
		Exhausted: missing > 0 && o == 0 && l.exhausted(spec)}
}

// state is the draw's state after the call-out went as far as it can.
func (l *ledger) state() State {
	complete := true
	for _, s := range l.specs {
		a, o := l.counts(s)
		if o > 0 {
			return Calling
		}
		if a < l.quota[s].Target() {
			complete = false
		}
	}
	if complete {
		return Complete
	}
	return Short
}

// roles says which accepted positions are formal members: per specialty
// the accepted calls with the lowest positions, up to Formal.
func (l *ledger) roles() map[string]map[int]string {
	out := map[string]map[int]string{}
	for _, s := range l.specs {
		var acc []int
		for pos, st := range l.calls[s] {
			if st == Accepted {
				acc = append(acc, pos)
			}
		}
		sort.Ints(acc)
		m := map[int]string{}
		for i, pos := range acc {
			if i < l.quota[s].Formal {
				m[pos] = "formal"
			} else {
				m[pos] = "alternate"
			}
		}
		out[s] = m
	}
	return out
}
