package portal

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/platform"
	"ggzy/internal/portal/fixture"
)

// The portal benchmark (docs/performance.md): list, filter and search
// latency per request over a large set of notices, reported as p50 and p99
// in milliseconds. It is a Benchmark, so `go test ./...` never runs it.
//
//	GGZY_BENCH_NOTICES  how many notices (default 20000; the target is
//	                    measured with 1000000)
//	GGZY_BENCH_DB       a database to keep the set in between runs:
//	                    sqlite:/path/file.db, or a PostgreSQL URL with
//	                    search_path=<schema>. Without it the set is built
//	                    in a fresh test database (SQLite, or PostgreSQL when
//	                    GGZY_TEST_POSTGRES is set) and thrown away.

// benchNow is the clock of the benchmark: the end of the generated period.
var benchNow = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

func benchService(b *testing.B) *Service {
	b.Helper()
	ctx := context.Background()
	n := 20000
	if v := os.Getenv("GGZY_BENCH_NOTICES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("GGZY_BENCH_NOTICES=%q: want a positive number", v)
		}
	}
	var d *db.DB
	if u := os.Getenv("GGZY_BENCH_DB"); u != "" {
		var err error
		if d, err = fixture.Open(ctx, u); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
	} else {
		d = dbtest.Open(b)
	}
	o := fixture.Options{Notices: n, Seed: 2026, From: benchNow.AddDate(-3, 0, 0), To: benchNow}
	reused, l, err := fixture.Ensure(ctx, d, o)
	if err != nil {
		b.Fatal(err)
	}
	if !reused {
		b.Logf("built %d notices of %d projects on %s in %s", l.Notices, l.Projects, d.Dialect(), l.Elapsed.Round(time.Second))
	}
	return New(platform.Base{DB: d, Clock: clock.NewFake(benchNow)})
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// benchScenario is a group of requests measured together; each iteration
// makes the next request of the group.
type benchScenario struct {
	name    string
	filters []Filter
}

func benchScenarios(b testing.TB, s *Service) []benchScenario {
	recent := benchNow.AddDate(0, 0, -30)
	// A full project code, as users paste it from a notice.
	var code string
	if err := s.DB.QueryRow(context.Background(), "SELECT code FROM projects WHERE code LIKE 'BX%' ORDER BY id LIMIT 1 OFFSET 777").Scan(&code); err != nil {
		b.Fatal(err)
	}
	return []benchScenario{
		{"list/newest", []Filter{{}}},
		{"list/page5", nil}, // filled in below: the 5th page by cursor
		{"filter/trade_kind", []Filter{{TradeKind: "construction"}, {TradeKind: "procurement"}, {TradeKind: "land"}, {TradeKind: "property"}}},
		{"filter/kind", []Filter{{Kind: "tender"}, {Kind: "result"}, {Kind: "prequalification"}, {Kind: "failure"}, {Kind: "listing"}}},
		{"filter/prefecture", []Filter{{Region: "530600"}, {Region: "530300"}, {Region: "530100"}}},
		{"filter/county", []Filter{{Region: "530602"}, {Region: "530627"}, {Region: "530681"}, {Region: "530322"}}},
		{"filter/dates", []Filter{{From: day("2025-03-01"), To: day("2025-04-01")}, {From: day("2024-06-01"), To: day("2024-06-08")}}},
		{"filter/combined", []Filter{
			{Region: "530600", TradeKind: "construction", Kind: "tender"},
			{Region: "530602", TradeKind: "procurement", Kind: "result"},
			{Region: "530627", TradeKind: "land", From: day("2025-01-01"), To: day("2026-01-01")},
			{Region: "530300", Kind: "failure", From: recent},
			{Region: "530681", TradeKind: "property", Kind: "termination"},
		}},
		{"search/common", []Filter{{Query: "农村公路"}, {Query: "采购项目"}, {Query: "不见面开标"}, {Query: "国有建设用地"}, {Query: "应急物资储备"}}},
		{"search/rare", []Filter{{Query: "青石坪镇"}, {Query: "鹰鹤湾村"}, {Query: code}, {Query: "兰竹坝乡"}}},
		{"search/none", []Filter{{Query: "不存在的词语"}, {Query: "数据中心机房"}}},
		{"search/filtered", []Filter{
			{Query: "农村公路", Region: "530627"},
			{Query: "医疗设备", Kind: "result", Region: "530600"},
			{Query: "青石坪镇", TradeKind: "construction"},
			{Query: "工程 招标公告", Region: "530602"},
		}},
		{"search/short", []Filter{{Query: "工程"}, {Query: "学校"}, {Query: "道路"}, {Query: "产权"}}},
		{"search/short-rare", []Filter{{Query: "鹰湾"}, {Query: "竹垭"}, {Query: "产权"}}},
		// Worst cases, reported separately: terms frequent in old notices
		// but absent from recent ones (a year, a partial project code).
		{"search/old-only", []Filter{{Query: "2024年"}, {Query: "BX530602-2024"}}},
	}
}

func BenchmarkPortal(b *testing.B) {
	s := benchService(b)
	ctx := context.Background()
	anon := auth.Public("127.0.0.1")
	scenarios := benchScenarios(b, s)
	// The 5th page of the newest list, reached by cursor.
	f := Filter{}
	for range 4 {
		p, err := s.List(ctx, anon, f)
		if err != nil {
			b.Fatal(err)
		}
		f.After = p.Next
	}
	scenarios[1].filters = []Filter{f}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; b.Loop(); i++ {
				f := sc.filters[i%len(sc.filters)]
				began := time.Now()
				if _, err := s.List(ctx, anon, f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(began))
			}
			reportLatency(b, lat)
		})
	}
}

// reportLatency adds p50, p99 and max in milliseconds to the result line.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 {
		i := min(len(lat)-1, int(q*float64(len(lat))))
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(0, "ns/op") // the percentiles say more than the mean
}
