package draw_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// bidders is a fixed answer to "who bid for this lot".
type bidders []int64

func (b bidders) Bidders(context.Context, db.Querier, int64) ([]int64, error) { return b, nil }

// insertRows inserts rows of values in batches of multi-row INSERTs.
func insertRows(b *testing.B, e *testenv.Env, table, cols string, rows [][]any) {
	b.Helper()
	n := strings.Count(cols, ",") + 1
	one := "(" + db.Placeholders(n) + ")"
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 400)]
		rows = rows[len(batch):]
		var args []any
		vals := make([]string, len(batch))
		for i, r := range batch {
			vals[i] = one
			args = append(args, r...)
		}
		if _, err := e.DB.Exec(e.Ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(vals, ", "), args...); err != nil {
			b.Fatal(err)
		}
	}
}

// seedLibrary puts n experts straight into the library's tables (the
// import would take minutes), spread over every third-level specialty and
// the four fixture centres, with every kind of fact avoidance reads: some
// work for the tenderer, the agent or a bidder now or in the last three
// years, declared relations, leave and bookings in the evaluation week,
// penalties, 失信, suspensions, ages over 70, and many past services for
// the tenderer.
func seedLibrary(b *testing.B, e *testenv.Env, n int, tenderer, agent, bidder int64, evalFrom time.Time) {
	b.Helper()
	codeOf := func(org int64) string {
		var c string
		e.Must(e.DB.QueryRow(e.Ctx, "SELECT credit_code FROM organisations WHERE id = ?", org).Scan(&c))
		return c
	}
	tc, ac, bc := codeOf(tenderer), codeOf(agent), codeOf(bidder)
	var codes []string
	for _, s := range expert.Specialties().All() {
		if len(s.Code) == 7 {
			codes = append(codes, s.Code)
		}
	}
	centres := []string{"530000", "530600", "530602", "530300"}
	centreIDs := map[string]int64{}
	for _, c := range centres {
		var id int64
		e.Must(e.DB.QueryRow(e.Ctx, "SELECT id FROM centres WHERE region_code = ?", c).Scan(&id))
		centreIDs[c] = id
	}
	now := e.Clock.Now()
	sealedID := e.Keys.PII.Seal([]byte("530602198001010000"), []byte("experts.id_number"))
	sealedPhone := e.Keys.PII.Seal([]byte("13900000000"), []byte("experts.phone"))
	born := func(age int) int64 { return db.Micros(now.AddDate(-age, 0, 0)) }
	var experts, specs, jobs, rels, leaves, pens, engs [][]any
	for i := 1; i <= n; i++ {
		id := int64(i)
		centre := centres[i%len(centres)]
		employer := fmt.Sprintf("91530600MA%08d", i)
		switch {
		case i%50 == 1:
			employer = tc
		case i%50 == 2:
			employer = ac
		case i%50 == 3:
			employer = bc
		}
		status, dishonest, from, until := "active", false, int64(0), int64(0)
		switch {
		case i%97 == 0:
			dishonest = true
		case i%89 == 0:
			status, from = "suspended", db.Micros(now.AddDate(0, -1, 0))
		case i%211 == 0:
			status = "retired"
		}
		age := 40 + i%25
		if i%20 == 0 {
			age = 71
		}
		experts = append(experts, []any{id, fmt.Sprintf("专家%d", i), sealedID, fmt.Sprintf("bench-%d", i), sealedPhone,
			"某单位", employer, centreIDs[centre], centre, "高级工程师", 15, born(age), status, from, until, dishonest,
			db.Micros(now), db.Micros(now)})
		specs = append(specs, []any{id, codes[i%len(codes)], centre, employer, status, dishonest, born(age)})
		if second := codes[(i/7)%len(codes)]; i%7 == 0 && second != codes[i%len(codes)] {
			specs = append(specs, []any{id, second, centre, employer, status, dishonest, born(age)})
		}
		if i%33 == 0 {
			jobs = append(jobs, []any{id, "投标人", []string{tc, ac, bc}[i%3], db.Micros(now.AddDate(-5, 0, 0)),
				db.Micros(now.AddDate(-1-i%4, 0, 0))})
		}
		if i%71 == 0 {
			rels = append(rels, []any{id, bc, "relative"})
		}
		if i%41 == 0 {
			leaves = append(leaves, []any{id, db.Micros(evalFrom.AddDate(0, 0, -3)), db.Micros(evalFrom.AddDate(0, 3, 0)), db.Micros(now)})
		}
		if i%59 == 0 {
			pens = append(pens, []any{id, db.Micros(now.AddDate(0, -2, 0)), "迟到", db.Micros(now.AddDate(1, 0, 0)), db.Micros(now)})
		}
		if i%331 == 0 { // about 300 experts served the tenderer, three times each in the year
			for k := range 3 {
				at := now.AddDate(0, -1-k, 0)
				engs = append(engs, []any{id, tenderer, db.Micros(at), db.Micros(at.Add(8 * time.Hour)), "bench", "served"})
			}
		}
		if i%37 == 0 {
			engs = append(engs, []any{id, tenderer, db.Micros(evalFrom.AddDate(0, 0, 1+i%60)), db.Micros(evalFrom.AddDate(0, 0, 1+i%60).Add(8 * time.Hour)), "bench", "accepted"})
		}
	}
	insertRows(b, e, "experts", "id, name, id_number, id_index, phone, employer_name, employer_code, centre_id, centre_code, "+
		"title, years, birth_date, status, suspended_from, suspended_until, dishonest, created_at, updated_at", experts)
	// The pool's table repeats what the pool decides on (see migration 00011).
	insertRows(b, e, "expert_specialties", "expert_id, code, centre_code, employer_code, status, dishonest, birth_date", specs)
	insertRows(b, e, "expert_employments", "expert_id, org_name, credit_code, from_date, to_date", jobs)
	insertRows(b, e, "expert_relations", "expert_id, credit_code, kind", rels)
	insertRows(b, e, "expert_leaves", "expert_id, starts_at, ends_at, created_at", leaves)
	insertRows(b, e, "expert_penalties", "expert_id, on_date, text, barred_until, created_at", pens)
	insertRows(b, e, "expert_engagements", "expert_id, tenderer_org_id, from_at, to_at, ref, outcome", engs)
	if e.DB.Dialect() == db.SQLite {
		for _, q := range []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
			if _, err := e.DB.Exec(e.Ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	if e.DB.Dialect() == db.Postgres {
		for _, t := range []string{"experts", "expert_specialties", "expert_employments", "expert_relations", "expert_leaves",
			"expert_penalties", "expert_engagements"} {
			if _, err := e.DB.Exec(e.Ctx, "ANALYZE "+t); err != nil {
				b.Fatal(err)
			}
		}
		// Later inserts must not collide with the ids given here.
		if _, err := e.DB.Exec(e.Ctx, "SELECT setval(pg_get_serial_sequence('experts', 'id'), ?)", n); err != nil {
			b.Fatal(err)
		}
	}
}

// timedLibrary adds up the time the library's Pool takes.
type timedLibrary struct {
	*expert.Service
	spent time.Duration
}

func (l *timedLibrary) Pool(ctx context.Context, q db.Querier, pq expert.PoolQuery) ([]int64, []expert.Exclusion, error) {
	t0 := time.Now()
	defer func() { l.spent += time.Since(t0) }()
	return l.Service.Pool(ctx, q, pq)
}

// BenchmarkDraw times a draw end to end, excluding the call-out: fixing
// the pool with full avoidance over a library of 100,000 experts (Commit:
// the library's Pool per quota, the canonical pool and its digest, the
// exclusions, the sealed seed, the audit event) and drawing (the witness's
// contribution, the sequence, the first calls queued, booked and logged).
// Each iteration is a new request for a lot of the fixture tenderer, a day
// apart. Reported: mean, p50 and p99 per draw; the same for the library's
// Pool alone (pool-*) and for everything else (draw-*); pool and exclusion
// sizes.
//
//	go test ./internal/draw/ -run '^$' -bench BenchmarkDraw -benchtime 200x
func BenchmarkDraw(b *testing.B) {
	e := testenv.New(b)
	ctx := e.Ctx
	staff, sup := e.Actor(auth.Staff), e.Actor(auth.Supervisor)
	var centreID int64
	e.Must(e.DB.QueryRow(ctx, "SELECT id FROM centres WHERE region_code = '530600'").Scan(&centreID))
	now := db.Micros(e.Clock.Now())
	var pid, lot int64
	e.Must(e.DB.QueryRow(ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES ('ZT530600-2026-B001', '基准测试工程', ?, 'housing', ?, '530600', 'open', 0, ?, ?, TRUE, ?, 1, ?, ?) RETURNING id`,
		tender.Construction, centreID, e.Orgs[auth.KindTenderer], e.Orgs[auth.KindAgent], tender.Tendering, now, now).Scan(&pid))
	e.Must(e.DB.QueryRow(ctx, `INSERT INTO lots (project_id, seq, name, eval_method, state) VALUES (?, 1, '施工', 'comprehensive', ?)
		RETURNING id`, pid, tender.Tendering).Scan(&lot))
	first := time.Date(2026, 12, 7, 9, 0, 0, 0, clock.Shanghai)
	seedLibrary(b, e, 100_000, e.Orgs[auth.KindTenderer], e.Orgs[auth.KindAgent], e.Orgs[auth.KindBidder], first.UTC())
	lib := &timedLibrary{Service: e.Expert}
	svc := draw.New(e.Base, lib, bidders{e.Orgs[auth.KindBidder]})
	req := func(i int) draw.NewRequest {
		start := first.AddDate(0, 0, i%300)
		return draw.NewRequest{LotID: lot, EvalStart: start.Format("2006-01-02 15:04"),
			EvalEnd: start.Add(8 * time.Hour).Format("2006-01-02 15:04"), Venue: "第一评标室",
			Centres:   []string{"530600", "530602"},
			Quotas:    []draw.Quota{{Specialty: "A0801", Formal: 5, Alternates: 2}, {Specialty: "A0901", Formal: 2}},
			MaxServes: 2, ServesMonths: 12, TendererReps: 0,
			Named: []draw.NamedExclusion{{ExpertID: 4, Reason: "利害关系"}, {ExpertID: 8, Reason: "利害关系"}}}
	}
	var took, pools, rest, witness []time.Duration
	var pool, excluded int
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		d, err := svc.Create(ctx, staff, req(i))
		e.Must(err)
		b.StartTimer()
		lib.spent = 0
		t0 := time.Now()
		c, err := svc.Commit(ctx, staff, d.ID)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := svc.WitnessOnly(ctx, sup, d.ID, draw.Contribution{Value: fmt.Sprintf("%064x", i+1)}); err != nil {
			b.Fatal(err)
		}
		witness = append(witness, time.Since(t1))
		took = append(took, time.Since(t0))
		pools = append(pools, lib.spent)
		rest = append(rest, took[len(took)-1]-lib.spent)
		b.StopTimer()
		pool = c.PoolSizes["A0801"] + c.PoolSizes["A0901"]
		excluded = 0
		for _, n := range c.Excluded {
			excluded += n
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(took)
	slices.Sort(pools)
	slices.Sort(rest)
	slices.Sort(witness)
	var sum time.Duration
	for _, t := range took {
		sum += t
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(sum/time.Duration(len(took))), "mean-ms")
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	p99 := func(ds []time.Duration) float64 { return ms(ds[min(len(ds)-1, len(ds)*99/100)]) }
	b.ReportMetric(p99(took), "p99-ms")
	b.ReportMetric(ms(pools[len(pools)/2]), "pool-p50-ms")
	b.ReportMetric(p99(pools), "pool-p99-ms")
	b.ReportMetric(ms(rest[len(rest)/2]), "draw-p50-ms")
	b.ReportMetric(p99(rest), "draw-p99-ms")
	b.ReportMetric(ms(witness[len(witness)/2]), "witness-p50-ms")
	b.ReportMetric(float64(pool), "pool")
	b.ReportMetric(float64(excluded), "excluded")

}
