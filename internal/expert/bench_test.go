package expert_test

import (
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"testing"
	"time"

	"ggzy/internal/expert"
	"ggzy/internal/expert/experttest"
	"ggzy/internal/platform"
	"ggzy/internal/testenv"
)

// BenchmarkPool measures the draw pool with full avoidance — tenderer,
// agent, three bidders, the supervising department, three years of past
// employers, relations, leave, penalties, bookings, served-too-often, age
// and a named list — over a generated library (100,000 experts in the
// province centre, 15 prefectures and Zhaotong's 11 counties by default;
// GGZY_BENCH_EXPERTS changes the size), per call of Service.Pool on a warm
// cache, reported as p50, p99 and max in milliseconds with the pool's
// size. See docs/performance.md "Expert draw pool".
func BenchmarkPool(b *testing.B) {
	// As the running platform collects (cmd/ggzy main).
	defer debug.SetGCPercent(platform.TuneGC())
	n := 100_000
	if v := os.Getenv("GGZY_BENCH_EXPERTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("GGZY_BENCH_EXPERTS=%q", v)
		}
	}
	e := testenv.New(b)
	lib := experttest.Build(b, e, n, bj(2026, 12, 2, 0, 0))
	zhaotong := []string{"530600", "530602", "530621", "530622", "530623", "530624", "530625", "530626", "530627", "530628",
		"530629", "530681"}
	from := bj(2026, 12, 2, 9, 0)
	base := expert.PoolQuery{From: from, To: from.Add(8 * time.Hour), TendererOrgID: lib.Orgs[0], AgentOrgID: lib.Orgs[1],
		BidderOrgIDs: lib.Orgs[2:5], SupervisorOrgIDs: lib.Orgs[5:6], MaxServes: 2, ServesMonths: 12, MaxAge: 70,
		Named: []expert.Named{{ExpertID: 17, Reason: "指定回避"}, {ExpertID: 4711, Reason: "指定回避"}}, At: testenv.Start}
	for _, c := range []struct {
		name      string
		specialty string
		centres   []string
	}{
		{"A0801-zhaotong", "A0801", zhaotong},      // 建筑工程, the city and its counties: the usual request
		{"A08-zhaotong", "A08", zhaotong},          // a whole first-level branch of the city and counties
		{"A080104-yunnan", "A080104", lib.Centres}, // one leaf, every centre: remote evaluation province-wide
	} {
		b.Run(c.name, func(b *testing.B) {
			q := base
			q.Specialty, q.Centres = c.specialty, c.centres
			eligible, excluded, err := e.Expert.Pool(e.Ctx, e.DB, q)
			if err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, _, err := e.Expert.Pool(e.Ctx, e.DB, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			// Process CPU time per call (user + system, GC included): what the
			// pool costs when the machine is not shared.
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(len(eligible)), "eligible")
			b.ReportMetric(float64(len(excluded)), "excluded")
			b.ReportMetric(0, "ns/op")
		})
	}
}
