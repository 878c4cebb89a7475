package expert_test

import (
	"slices"
	"testing"

	"ggzy/internal/expert"
)

// TestPoolCacheSeesLibraryWrites: the pool's cache of the library is
// checked against the library's version on every call, so a write through
// the service — on this Service or on another one over the same database,
// as on another node — is seen by the next pool: a new expert, a
// suspension, leave, a penalty, a changed specialty, a reinstatement.
func TestPoolCacheSeesLibraryWrites(t *testing.T) {
	f := newPoolFixture(t)
	other := expert.New(f.Base) // a second node: its own cache
	q := f.query()
	q.Specialty = "A0801"
	pools := func(want []int64, what string) {
		t.Helper()
		for i, s := range []*expert.Service{f.Expert, other} {
			got, _, err := s.Pool(f.Ctx, f.DB, q)
			f.Must(err)
			direct, _, err := s.PoolDirect(f.Ctx, f.DB, q)
			f.Must(err)
			if !slices.Equal(got, want) || !slices.Equal(direct, want) {
				t.Fatalf("%s: node %d pool %v (direct %v), want %v", what, i+1, got, direct, want)
			}
		}
	}
	a := f.create(f.staff, input("甲专家", "530600", "A080104")).ID
	b := f.create(f.staff, input("乙专家", "530600", "A080104")).ID
	pools([]int64{a, b}, "two experts")
	v := f.Expert.CacheVersion()
	if v == 0 || other.CacheVersion() != v {
		t.Fatalf("cache versions %d, %d", v, other.CacheVersion())
	}
	pools([]int64{a, b}, "unchanged") // served from the caches
	if f.Expert.CacheVersion() != v {
		t.Fatalf("version moved without a write: %d → %d", v, f.Expert.CacheVersion())
	}

	c := f.create(f.staff, input("丙专家", "530600", "A080104")).ID
	pools([]int64{a, b, c}, "a new expert")
	_, err := f.Expert.Suspend(f.Ctx, f.staff, a, expert.Suspension{Reason: "调查"})
	f.Must(err)
	pools([]int64{b, c}, "suspended")
	_, err = f.Expert.AddLeave(f.Ctx, f.staff, b, expert.LeaveInput{From: "2026-12-01", To: "2026-12-03"})
	f.Must(err)
	pools([]int64{c}, "on leave")
	_, err = f.Expert.AddPenalty(f.Ctx, f.staff, c, expert.PenaltyInput{Date: "2026-11-20", Text: "迟到",
		BarredUntil: "2026-12-31"})
	f.Must(err)
	pools([]int64{}, "barred")
	_, err = f.Expert.Reinstate(f.Ctx, f.staff, a)
	f.Must(err)
	pools([]int64{a}, "reinstated")
	in := input("甲专家", "530600", "A090101") // another specialty: no longer a candidate
	x, err := f.Expert.Get(f.Ctx, f.staff, a)
	f.Must(err)
	in.IDNumber, in.Phone = "", ""
	in.EmployerCode, in.EmployerName = x.EmployerCode, x.EmployerName
	_, err = f.Expert.Update(f.Ctx, f.staff, a, in)
	f.Must(err)
	pools([]int64{}, "specialty changed")
	if f.Expert.CacheVersion() <= v || other.CacheVersion() != f.Expert.CacheVersion() {
		t.Fatalf("cache versions %d, %d after writes (was %d)", f.Expert.CacheVersion(), other.CacheVersion(), v)
	}
}
