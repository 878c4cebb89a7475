package expert_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"ggzy/internal/expert"
)

// Worked examples of the avoidance rules, without a database. The lot:
// tenderer T, agent A, bidders B1 and B2, the supervising department S;
// the evaluation on Wednesday 2026-12-02 09:00–17:00, decided on
// 2026-11-25.
const (
	codeT  = "11530600MB0000001T"
	codeA  = "91530600MA0000002A"
	codeB1 = "91530602MA0000003B"
	codeB2 = "91530621MA0000004B"
	codeS  = "11530600MB0000005S"
	codeX  = "91530600MA0000009X" // nobody's
)

var (
	at       = bj(2026, 11, 25, 9, 0)
	evalFrom = bj(2026, 12, 2, 9, 0)
	evalTo   = bj(2026, 12, 2, 17, 0)
	parties  = []expert.Party{{Reason: expert.ReasonTenderer, OrgID: 1, CreditCode: codeT}, {Reason: expert.ReasonAgent, OrgID: 2, CreditCode: codeA},
		{Reason: expert.ReasonBidder, OrgID: 3, CreditCode: codeB1}, {Reason: expert.ReasonBidder, OrgID: 4, CreditCode: codeB2},
		{Reason: expert.ReasonSupervisor, OrgID: 5, CreditCode: codeS}}
)

func baseQuery() expert.PoolQuery {
	return expert.PoolQuery{Specialty: "A08", Centres: []string{"530600"}, From: evalFrom, To: evalTo, TendererOrgID: 1,
		AgentOrgID: 2, BidderOrgIDs: []int64{3, 4}, SupervisorOrgIDs: []int64{5}, MaxServes: 2, ServesMonths: 12, MaxAge: 70, At: at}
}

func day(y int, m time.Month, d int) time.Time { return bj(y, m, d, 0, 0) }

func eng(tenderer int64, from time.Time, outcome string) expert.Engaged {
	return expert.Engaged{TendererOrgID: tenderer, From: from, Outcome: outcome}
}

func cand(id int64) expert.Candidate {
	return expert.Candidate{ID: id, EmployerCode: codeX, Status: expert.Active, Birth: day(1975, 3, 12)}
}

func emptyFacts() expert.Facts {
	return expert.Facts{Parties: parties, PastJobs: map[int64][]expert.PastJob{}, Relations: map[int64][]expert.Relation{},
		Leaves: map[int64][]expert.Period{}, Barred: map[int64][]time.Time{}, Booked: map[int64][]expert.Period{},
		Engaged: map[int64][]expert.Engaged{}}
}

func TestAvoidWorkedExamples(t *testing.T) {
	type ex = expert.Exclusion
	x := func(r expert.Reason, d string) ex { return ex{ExpertID: 1, Reason: r, Detail: d} }
	other := expert.ReasonOther
	cases := []struct {
		name  string
		c     func(*expert.Candidate)
		facts func(*expert.Facts)
		query func(*expert.PoolQuery)
		want  []ex // nil: eligible
	}{
		{name: "no tie, free", want: nil},
		{name: "works for the tenderer", c: func(c *expert.Candidate) { c.EmployerCode = codeT },
			want: []ex{x(expert.ReasonTenderer, "现任职于招标单位")}},
		{name: "works for the agent", c: func(c *expert.Candidate) { c.EmployerCode = codeA },
			want: []ex{x(expert.ReasonAgent, "现任职于招标代理")}},
		{name: "works for a bidder", c: func(c *expert.Candidate) { c.EmployerCode = codeB2 },
			want: []ex{x(expert.ReasonBidder, "现任职于投标单位")}},
		{name: "works for the supervising department", c: func(c *expert.Candidate) { c.EmployerCode = codeS },
			want: []ex{x(expert.ReasonSupervisor, "现任职于主管部门")}},
		{name: "left a bidder exactly three years ago (C11)", facts: func(f *expert.Facts) {
			f.PastJobs[1] = []expert.PastJob{{CreditCode: codeB1, To: day(2023, 11, 25)}}
		}, want: []ex{x(expert.ReasonBidder, "近三年曾任职于投标单位（至2023-11-25）")}},
		{name: "left a bidder three years and a day ago", facts: func(f *expert.Facts) {
			f.PastJobs[1] = []expert.PastJob{{CreditCode: codeB1, To: day(2023, 11, 24)}}
		}, want: nil},
		{name: "left an unrelated firm last year", facts: func(f *expert.Facts) {
			f.PastJobs[1] = []expert.PastJob{{CreditCode: codeX, To: day(2025, 11, 24)}}
		}, want: nil},
		{name: "declared shares in a bidder (C10)", facts: func(f *expert.Facts) {
			f.Relations[1] = []expert.Relation{{CreditCode: codeB1, Kind: expert.Shareholding}}
		}, want: []ex{x(expert.ReasonBidder, "申报与投标单位存在关系：持股")}},
		{name: "declared a relative at the agent", facts: func(f *expert.Facts) {
			f.Relations[1] = []expert.Relation{{CreditCode: codeA, Kind: expert.Relative}}
		}, want: []ex{x(expert.ReasonAgent, "申报与招标代理存在关系：近亲属任职")}},
		{name: "retired", c: func(c *expert.Candidate) { c.Status = expert.Retired },
			want: []ex{x(other, "已退出专家库")}},
		{name: "suspended over the evaluation", c: func(c *expert.Candidate) {
			c.Status, c.SuspendedFrom, c.SuspendedUntil = expert.Suspended, day(2026, 11, 1), day(2026, 12, 2)
		}, want: []ex{x(other, "暂停评标资格（至2026-12-02）")}},
		{name: "suspended until further notice", c: func(c *expert.Candidate) {
			c.Status, c.SuspendedFrom = expert.Suspended, day(2026, 11, 1)
		}, want: []ex{x(other, "暂停评标资格")}},
		{name: "suspension over the day before", c: func(c *expert.Candidate) {
			c.Status, c.SuspendedFrom, c.SuspendedUntil = expert.Suspended, day(2026, 11, 1), day(2026, 12, 1)
		}, want: nil},
		{name: "suspension starting the day after", c: func(c *expert.Candidate) {
			c.Status, c.SuspendedFrom = expert.Suspended, day(2026, 12, 3)
		}, want: nil},
		{name: "judgment debtor (C14)", c: func(c *expert.Candidate) { c.Dishonest = true },
			want: []ex{x(other, "失信被执行人（规则 C14）")}},
		{name: "barred through the evaluation day", facts: func(f *expert.Facts) { f.Barred[1] = []time.Time{day(2026, 12, 2)} },
			want: []ex{x(other, "受到处罚，禁止评标至2026-12-02（规则 C10）")}},
		{name: "bar ended the day before", facts: func(f *expert.Facts) { f.Barred[1] = []time.Time{day(2026, 12, 1)} }, want: nil},
		{name: "turns 70 on the evaluation day (C13)", c: func(c *expert.Candidate) { c.Birth = day(1956, 12, 2) },
			want: []ex{x(other, "评标时已年满70周岁（规则 C13）")}},
		{name: "turns 70 the day after", c: func(c *expert.Candidate) { c.Birth = day(1956, 12, 3) }, want: nil},
		{name: "no age limit asked", c: func(c *expert.Candidate) { c.Birth = day(1940, 1, 1) },
			query: func(q *expert.PoolQuery) { q.MaxAge = 0 }, want: nil},
		{name: "on leave that afternoon", facts: func(f *expert.Facts) {
			f.Leaves[1] = []expert.Period{{From: bj(2026, 12, 2, 13, 0), To: bj(2026, 12, 3, 0, 0)}}
		}, want: []ex{x(other, "评标时段内请假")}},
		{name: "leave ends as the evaluation starts", facts: func(f *expert.Facts) {
			f.Leaves[1] = []expert.Period{{From: bj(2026, 12, 1, 0, 0), To: evalFrom}}
		}, want: nil},
		{name: "invited elsewhere that morning", facts: func(f *expert.Facts) {
			f.Booked[1] = []expert.Period{{From: bj(2026, 12, 2, 8, 0), To: bj(2026, 12, 2, 12, 0), Outcome: expert.Invited}}
		}, want: []ex{x(other, "同一时段已有评标安排")}},
		{name: "declined the overlapping one", facts: func(f *expert.Facts) {
			f.Booked[1] = []expert.Period{{From: bj(2026, 12, 2, 8, 0), To: bj(2026, 12, 2, 12, 0), Outcome: expert.Declined}}
		}, want: nil},
		{name: "booked right after", facts: func(f *expert.Facts) {
			f.Booked[1] = []expert.Period{{From: evalTo, To: bj(2026, 12, 2, 20, 0), Outcome: expert.Accepted}}
		}, want: nil},
		{name: "served the tenderer 3 times in 12 months (limit 2)", facts: func(f *expert.Facts) {
			f.Engaged[1] = []expert.Engaged{eng(1, day(2026, 1, 5), expert.Served), eng(1, day(2026, 6, 5), expert.Served),
				eng(1, day(2026, 12, 20), expert.Accepted)}
		}, want: []ex{x(other, "近12个月已为该招标人评标3次（上限2次）")}},
		{name: "the oldest service falls out of the window", facts: func(f *expert.Facts) {
			f.Engaged[1] = []expert.Engaged{eng(1, day(2025, 11, 24), expert.Served), eng(1, day(2026, 6, 5), expert.Served),
				eng(1, day(2026, 10, 5), expert.Served)}
		}, want: nil},
		{name: "declines and other tenderers do not count", facts: func(f *expert.Facts) {
			f.Engaged[1] = []expert.Engaged{eng(1, day(2026, 1, 5), expert.Declined), eng(1, day(2026, 6, 5), expert.Served),
				eng(9, day(2026, 10, 5), expert.Served), eng(1, day(2026, 10, 6), expert.Served)}
		}, want: nil},
		{name: "no service limit asked", facts: func(f *expert.Facts) {
			f.Engaged[1] = []expert.Engaged{eng(1, day(2026, 1, 5), expert.Served), eng(1, day(2026, 2, 5), expert.Served), eng(1, day(2026, 3, 5), expert.Served)}
		}, query: func(q *expert.PoolQuery) { q.ServesMonths = 0 }, want: nil},
		{name: "named by the request", query: func(q *expert.PoolQuery) {
			q.Named = []expert.Named{{ExpertID: 1, Reason: "与投标人负责人系同学"}}
		}, want: []ex{x(other, "指定回避：与投标人负责人系同学")}},
		{name: "several ties to one party make one exclusion", c: func(c *expert.Candidate) { c.EmployerCode = codeT },
			facts: func(f *expert.Facts) { f.PastJobs[1] = []expert.PastJob{{CreditCode: codeT, To: day(2024, 12, 31)}} },
			want:  []ex{x(expert.ReasonTenderer, "现任职于招标单位；近三年曾任职于招标单位（至2024-12-31）")}},
		{name: "a bidder's employee, a judgment debtor, on leave", c: func(c *expert.Candidate) {
			c.EmployerCode, c.Dishonest = codeB1, true
		}, facts: func(f *expert.Facts) {
			f.Leaves[1] = []expert.Period{{From: day(2026, 12, 1), To: day(2026, 12, 5)}}
			f.Relations[1] = []expert.Relation{{CreditCode: codeS, Kind: expert.Director}}
		}, want: []ex{x(expert.ReasonBidder, "现任职于投标单位"), x(expert.ReasonSupervisor, "申报与主管部门存在关系：董事监事"),
			x(other, "失信被执行人（规则 C14）；评标时段内请假")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cd, f, q := cand(1), emptyFacts(), baseQuery()
			if c.c != nil {
				c.c(&cd)
			}
			if c.facts != nil {
				c.facts(&f)
			}
			if c.query != nil {
				c.query(&q)
			}
			eligible, excluded := expert.Avoid([]expert.Candidate{cd, cand(2)}, f, q)
			wantEligible := []int64{1, 2}
			if c.want != nil {
				wantEligible = []int64{2}
			}
			if !reflect.DeepEqual(eligible, wantEligible) || !reflect.DeepEqual(excluded, c.want) {
				t.Fatalf("eligible %v excluded %+v\nwant eligible %v excluded %+v", eligible, excluded, wantEligible, c.want)
			}
		})
	}
}

func TestAvoidOrdersAndDeduplicates(t *testing.T) {
	f := emptyFacts()
	c3 := cand(3)
	c3.Dishonest = true
	eligible, excluded := expert.Avoid([]expert.Candidate{cand(9), c3, cand(1), cand(9), cand(5)}, f, baseQuery())
	if !reflect.DeepEqual(eligible, []int64{1, 5, 9}) || len(excluded) != 1 || excluded[0].ExpertID != 3 {
		t.Fatalf("%v %v", eligible, excluded)
	}
	// A party with no credit code (it was not found) ties nobody.
	f.Parties = []expert.Party{{Reason: expert.ReasonBidder, OrgID: 3}}
	c := cand(7)
	c.EmployerCode = ""
	if eligible, _ := expert.Avoid([]expert.Candidate{c}, f, baseQuery()); !reflect.DeepEqual(eligible, []int64{7}) {
		t.Fatal(eligible)
	}
}

// oracle decides exclusion for the property test independently of
// rules.go: by Unix day numbers and plain loops.
func oracle(c expert.Candidate, f expert.Facts, q expert.PoolQuery) bool {
	dayNo := func(t time.Time) int64 {
		_, off := t.In(time.FixedZone("CST", 8*3600)).Zone()
		return (t.Unix() + int64(off)) / 86400
	}
	for _, p := range f.Parties {
		if c.EmployerCode == p.CreditCode {
			return true
		}
		for _, j := range f.PastJobs[c.ID] {
			if j.CreditCode == p.CreditCode && dayNo(j.To) >= dayNo(q.At.AddDate(-3, 0, 0)) {
				return true
			}
		}
		for _, r := range f.Relations[c.ID] {
			if r.CreditCode == p.CreditCode {
				return true
			}
		}
	}
	if c.Status == expert.Retired || c.Dishonest {
		return true
	}
	if c.Status == expert.Suspended {
		startsLate := c.SuspendedFrom.After(q.To) || c.SuspendedFrom.Equal(q.To)
		endedEarly := !c.SuspendedUntil.IsZero() && dayNo(c.SuspendedUntil) < dayNo(q.From)
		if !startsLate && !endedEarly {
			return true
		}
	}
	for _, b := range f.Barred[c.ID] {
		if dayNo(b) >= dayNo(q.From) {
			return true
		}
	}
	if q.MaxAge > 0 {
		y := q.From.In(time.FixedZone("CST", 8*3600))
		b := c.Birth.In(time.FixedZone("CST", 8*3600))
		age := y.Year() - b.Year()
		if monthDay(y) < monthDay(b) {
			age--
		}
		if age >= q.MaxAge {
			return true
		}
	}
	for _, l := range f.Leaves[c.ID] {
		if l.From.Before(q.To) && l.To.After(q.From) {
			return true
		}
	}
	for _, b := range f.Booked[c.ID] {
		busy := b.Outcome == expert.Invited || b.Outcome == expert.Accepted || b.Outcome == expert.Served
		if busy && b.From.Before(q.To) && b.To.After(q.From) {
			return true
		}
	}
	if q.ServesMonths > 0 {
		n := 0
		for _, s := range f.Engaged[c.ID] {
			if s.TendererOrgID == q.TendererOrgID && (s.Outcome == expert.Accepted || s.Outcome == expert.Served) &&
				!s.From.Before(q.At.AddDate(0, -q.ServesMonths, 0)) {
				n++
			}
		}
		if n > q.MaxServes {
			return true
		}
	}
	for _, n := range q.Named {
		if n.ExpertID == c.ID {
			return true
		}
	}
	return false
}

func monthDay(t time.Time) int { return int(t.Month())*100 + t.Day() }

// randomLibrary makes n candidates with random ties, standing and
// bookings around the evaluation.
func randomLibrary(r *rand.Rand, n int) ([]expert.Candidate, expert.Facts, expert.PoolQuery) {
	codes := []string{codeT, codeA, codeB1, codeB2, codeS, codeX, codeX, codeX}
	anyDay := func() time.Time { return day(2020, 1, 1).AddDate(0, 0, r.IntN(365*8)) }
	near := func() time.Time { return evalFrom.Add(time.Duration(r.IntN(96)-48) * time.Hour) }
	outcomes := []string{expert.Invited, expert.Accepted, expert.Declined, expert.NoAnswer, expert.Replaced, expert.Served}
	f := emptyFacts()
	q := baseQuery()
	q.MaxServes, q.ServesMonths = r.IntN(3), r.IntN(2)*12
	var cands []expert.Candidate
	seen := map[int64]bool{}
	for i := 0; i < n; i++ {
		id := int64(r.IntN(n*2) + 1)
		if seen[id] {
			continue
		}
		seen[id] = true
		c := expert.Candidate{ID: id, EmployerCode: codes[r.IntN(len(codes))], Status: expert.Active,
			Birth: day(1950+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28))}
		switch r.IntN(10) {
		case 0:
			c.Status = expert.Retired
		case 1, 2:
			c.Status, c.SuspendedFrom = expert.Suspended, anyDay()
			if r.IntN(2) == 0 {
				c.SuspendedUntil = c.SuspendedFrom.AddDate(0, 0, r.IntN(800))
			}
		}
		c.Dishonest = r.IntN(20) == 0
		cands = append(cands, c)
		if r.IntN(10) == 0 {
			cands = append(cands, c) // matched through a second specialty
		}
		for k := r.IntN(3); k > 0; k-- {
			f.PastJobs[id] = append(f.PastJobs[id], expert.PastJob{CreditCode: codes[r.IntN(len(codes))], To: anyDay()})
		}
		if r.IntN(8) == 0 {
			f.Relations[id] = append(f.Relations[id], expert.Relation{CreditCode: codes[r.IntN(len(codes))], Kind: expert.Interest})
		}
		for k := r.IntN(2); k > 0; k-- {
			s := near()
			f.Leaves[id] = append(f.Leaves[id], expert.Period{From: s, To: s.Add(time.Duration(1+r.IntN(48)) * time.Hour)})
		}
		for k := r.IntN(3); k > 0; k-- {
			s := near()
			f.Booked[id] = append(f.Booked[id], expert.Period{From: s, To: s.Add(time.Duration(1+r.IntN(10)) * time.Hour),
				Outcome: outcomes[r.IntN(len(outcomes))]})
		}
		if r.IntN(6) == 0 {
			f.Barred[id] = append(f.Barred[id], anyDay())
		}
		for k := r.IntN(5); k > 0; k-- {
			f.Engaged[id] = append(f.Engaged[id], expert.Engaged{TendererOrgID: int64(1 + r.IntN(2)), From: anyDay(),
				Outcome: outcomes[r.IntN(len(outcomes))]})
		}
		if r.IntN(30) == 0 {
			q.Named = append(q.Named, expert.Named{ExpertID: id, Reason: "指定"})
		}
	}
	return cands, f, q
}

// TestAvoidProperty: over many random libraries, no excluded expert is
// ever eligible, every candidate is either eligible or excluded, eligible
// ids are sorted and unique, and an expert has at most one exclusion per
// reason code.
func TestAvoidProperty(t *testing.T) {
	seenReasons, eligibleSeen := map[expert.Reason]int{}, 0
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		cands, f, q := randomLibrary(r, 40)
		eligible, excluded := expert.Avoid(cands, f, q)
		byID := map[int64]expert.Candidate{}
		for _, c := range cands {
			byID[c.ID] = c
		}
		if !sort.SliceIsSorted(eligible, func(i, j int) bool { return eligible[i] < eligible[j] }) || len(slices.Compact(slices.Clone(eligible))) != len(eligible) {
			t.Fatalf("seed %d: eligible not sorted/unique: %v", seed, eligible)
		}
		out := map[int64]map[expert.Reason]bool{}
		for _, x := range excluded {
			if out[x.ExpertID] == nil {
				out[x.ExpertID] = map[expert.Reason]bool{}
			}
			if out[x.ExpertID][x.Reason] || x.Detail == "" || x.Reason.Label() == "" {
				t.Fatalf("seed %d: exclusion %+v repeated or empty", seed, x)
			}
			out[x.ExpertID][x.Reason] = true
			seenReasons[x.Reason]++
		}
		eligibleSeen += len(eligible)
		for _, id := range eligible {
			if out[id] != nil {
				t.Fatalf("seed %d: %d both eligible and excluded", seed, id)
			}
			if oracle(byID[id], f, q) {
				t.Fatalf("seed %d: %d is eligible but should be excluded: %+v", seed, id, byID[id])
			}
		}
		for id := range out {
			if !oracle(byID[id], f, q) {
				t.Fatalf("seed %d: %d excluded (%v) without cause", seed, id, excluded)
			}
		}
		if len(eligible)+len(out) != len(byID) {
			t.Fatalf("seed %d: %d eligible + %d excluded != %d candidates", seed, len(eligible), len(out), len(byID))
		}
	}
	// The generator must exercise both sides and every reason code, or the
	// property proves nothing.
	if eligibleSeen < 300 || len(seenReasons) != 5 {
		t.Fatalf("weak generator: %d eligible, reasons %v", eligibleSeen, seenReasons)
	}
}

func TestMaskAndAge(t *testing.T) {
	for in, want := range map[string]string{"张三明": "张*明", "李四": "李*", "欧阳建国": "欧**国", "王": "*", "": "",
		"阿卜杜·热合曼": "阿*****曼"} {
		if got := expert.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	birth := day(1956, 2, 29)
	for _, c := range []struct {
		at   time.Time
		want int
	}{{day(2026, 2, 28), 69}, {day(2026, 3, 1), 70}, {bj(2026, 2, 28, 23, 59), 69}, {day(2024, 2, 29), 68}} {
		if got := expert.Age(birth, c.at); got != c.want {
			t.Errorf("Age at %v = %d, want %d", c.at, got, c.want)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		declines int
		scores   []int
		want     expert.Flags
	}{
		{0, nil, expert.Flags{}},
		{2, []int{5}, expert.Flags{Declines: 2, Ratings: 1, AverageTenths: 50}},
		{3, nil, expert.Flags{Declines: 3, ManyDeclines: true}},
		{0, []int{2, 3, 3, 3, 3, 1, 1}, expert.Flags{Ratings: 5, AverageTenths: 28, LowRatings: true}}, // only the latest 5
		{0, []int{3, 3, 3, 3, 3, 1}, expert.Flags{Ratings: 5, AverageTenths: 30}},                      // 3.0 is not below 3
	} {
		got := expert.ComputeFlags(c.declines, c.scores)
		if got != c.want {
			t.Errorf("ComputeFlags(%d, %v) = %+v, want %+v", c.declines, c.scores, got, c.want)
		}
	}
	if a := expert.ComputeFlags(0, []int{4, 5, 4}).Average(); a != "4.3" {
		t.Errorf("average %s", a)
	}
}
