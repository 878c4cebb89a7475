package draw_test

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/expert/experttest"
	"ggzy/internal/platform"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// bidders is a fixed answer to "who bid for this lot".
type bidders []int64

func (b bidders) Bidders(context.Context, db.Querier, int64) ([]int64, error) { return b, nil }

// timedLibrary adds up the time the library's Pool takes.
type timedLibrary struct {
	*expert.Service
	spent time.Duration
}

func (l *timedLibrary) Pools(ctx context.Context, q db.Querier, pq expert.PoolQuery, specs []string) (map[string][]int64,
	[]expert.Exclusion, error) {
	t0 := time.Now()
	defer func() { l.spent += time.Since(t0) }()
	return l.Service.Pools(ctx, q, pq, specs)
}

// BenchmarkDraw times a draw end to end, excluding the call-out: fixing
// the pool with full avoidance over a library of 100,000 experts (Commit:
// the library's Pools for the quotas, the canonical pool and its digest, the
// exclusions, the sealed seed, the audit event) and drawing (the witness's
// contribution, the sequence, the first calls queued, booked and logged).
// The library is experttest's (BenchmarkPool's); each iteration is a new
// request for the lot, over three weeks of evaluation days, drawing
// A0801 (5 + 2) and A0901 (2) from Zhaotong and its 11 counties. Reported: mean, p50 and p99 per draw; the same for the library's
// Pool alone (pool-*) and for everything else (draw-*); pool and exclusion
// sizes.
//
//	go test ./internal/draw/ -run '^$' -bench BenchmarkDraw -benchtime 200x
func BenchmarkDraw(b *testing.B) {
	// As the running platform collects (cmd/ggzy main).
	defer debug.SetGCPercent(platform.TuneGC())
	e := testenv.New(b)
	ctx := e.Ctx
	staff, sup := e.Actor(auth.Staff), e.Actor(auth.Supervisor)
	var centreID int64
	e.Must(e.DB.QueryRow(ctx, "SELECT id FROM centres WHERE region_code = '530600'").Scan(&centreID))
	now := db.Micros(e.Clock.Now())
	var pid, lot int64
	// The library BenchmarkPool measures (internal/expert/experttest):
	// 100,000 experts over the province, its prefectures and Zhaotong's
	// counties, written as the library's own writes leave them.
	first := time.Date(2026, 12, 2, 9, 0, 0, 0, clock.Shanghai)
	lib := experttest.Build(b, e, 100_000, time.Date(2026, 12, 2, 0, 0, 0, 0, clock.Shanghai))
	e.Must(e.DB.QueryRow(ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES ('ZT530600-2026-B001', '基准测试工程', ?, 'housing', ?, '530600', 'open', 0, ?, ?, TRUE, ?, 1, ?, ?) RETURNING id`,
		tender.Construction, centreID, lib.Orgs[0], lib.Orgs[1], tender.Tendering, now, now).Scan(&pid))
	e.Must(e.DB.QueryRow(ctx, `INSERT INTO lots (project_id, seq, name, eval_method, state) VALUES (?, 1, '施工', 'comprehensive', ?)
		RETURNING id`, pid, tender.Tendering).Scan(&lot))
	tl := &timedLibrary{Service: e.Expert}
	svc := draw.New(e.Base, tl, bidders(lib.Orgs[2:5]))
	zhaotong := []string{"530600", "530602", "530621", "530622", "530623", "530624", "530625", "530626", "530627", "530628",
		"530629", "530681"}
	// A new request for the lot each time, over three weeks of evaluation
	// days (the library's bookings cluster there).
	req := func(i int) draw.NewRequest {
		start := first.AddDate(0, 0, i%21)
		return draw.NewRequest{LotID: lot, EvalStart: start.Format("2006-01-02 15:04"),
			EvalEnd: start.Add(8 * time.Hour).Format("2006-01-02 15:04"), Venue: "第一评标室",
			Centres:   zhaotong,
			Quotas:    []draw.Quota{{Specialty: "A0801", Formal: 5, Alternates: 2}, {Specialty: "A0901", Formal: 2}},
			MaxServes: 2, ServesMonths: 12, MaxAge: 70, TendererReps: 0,
			Named: []draw.NamedExclusion{{ExpertID: 17, Reason: "利害关系"}, {ExpertID: 4711, Reason: "利害关系"}}}
	}
	// One draw before timing: the node's library cache is loaded once per
	// process (and per change of the library, for the experts changed).
	warm, err := svc.Create(ctx, staff, req(0))
	e.Must(err)
	_, err = svc.Commit(ctx, staff, warm.ID)
	e.Must(err)
	var cpu time.Duration
	var took, pools, rest, witness []time.Duration
	var pool, excluded int
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		d, err := svc.Create(ctx, staff, req(i))
		e.Must(err)
		b.StartTimer()
		tl.spent = 0
		c0 := cpuTime()
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
		cpu += cpuTime() - c0
		took = append(took, time.Since(t0))
		pools = append(pools, tl.spent)
		rest = append(rest, took[len(took)-1]-tl.spent)
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
	// Process CPU per draw (Go and, on SQLite, the database; GC included):
	// the cost on an idle machine.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(took)), "cpu-ms/op")

}
