package expert_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/expert"
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
	n := 100_000
	if v := os.Getenv("GGZY_BENCH_EXPERTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("GGZY_BENCH_EXPERTS=%q", v)
		}
	}
	e := testenv.New(b)
	lib := buildLibrary(b, e, n)
	zhaotong := []string{"530600", "530602", "530621", "530622", "530623", "530624", "530625", "530626", "530627", "530628",
		"530629", "530681"}
	from := bj(2026, 12, 2, 9, 0)
	base := expert.PoolQuery{From: from, To: from.Add(8 * time.Hour), TendererOrgID: lib.orgs[0], AgentOrgID: lib.orgs[1],
		BidderOrgIDs: lib.orgs[2:5], SupervisorOrgIDs: lib.orgs[5:6], MaxServes: 2, ServesMonths: 12, MaxAge: 70,
		Named: []expert.Named{{ExpertID: 17, Reason: "指定回避"}, {ExpertID: 4711, Reason: "指定回避"}}, At: testenv.Start}
	for _, c := range []struct {
		name      string
		specialty string
		centres   []string
	}{
		{"A0801-zhaotong", "A0801", zhaotong},      // 建筑工程, the city and its counties: the usual request
		{"A08-zhaotong", "A08", zhaotong},          // a whole first-level branch of the city and counties
		{"A080104-yunnan", "A080104", lib.centres}, // one leaf, every centre: remote evaluation province-wide
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

type library struct {
	orgs    []int64  // tenderer, agent, bidders ×3, department, then other firms
	codes   []string // their credit codes
	centres []string
}

// benchCentres are Yunnan's prefectures and Zhaotong's counties, added to
// the fixture's four centres.
var benchCentres = []string{"530100", "530400", "530500", "530700", "530800", "530900", "532300", "532500", "532600",
	"532800", "532900", "533100", "533300", "533400", "530621", "530622", "530623", "530624", "530625", "530626", "530627",
	"530628", "530629", "530681"}

var benchSpecialties = []string{"A080101", "A080102", "A080104", "A080104", "A080104", "A080105", "A080106", "A080109",
	"A080113", "A080201", "A080202", "A080204", "A080205", "A080301", "A080302", "A080303", "A080802", "A080803", "A080804",
	"A080807", "A081003", "A083001", "A090101", "A090102", "A090103", "A060101", "A060101", "A060102", "A060111", "A060201",
	"A030101", "A030302", "A040102", "A040103", "A070101"}

// buildLibrary writes n experts with their lists straight into the
// database in one transaction (the import path would take minutes for
// this many; the pool reads only these tables).
func buildLibrary(b testing.TB, e *testenv.Env, n int) library {
	b.Helper()
	ctx := context.Background()
	for _, code := range benchCentres {
		_, _, err := e.Auth.CreateCentre(ctx, auth.System, auth.NewCentre{RegionCode: code, RegionName: code, Name: code + "交易中心",
			CreditCode: testenv.CreditCode(code), LegalRep: "甲", ContactName: "乙", ContactPhone: "13800000000"})
		e.Must(err)
	}
	lib := library{centres: append([]string{"530000", "530600", "530602", "530300"}, benchCentres...)}
	for i := 0; i < 26; i++ {
		kind := auth.KindBidder
		switch {
		case i == 0:
			kind = auth.KindTenderer
		case i == 1:
			kind = auth.KindAgent
		case i == 5:
			kind = auth.KindSupervisor
		}
		o, err := e.Auth.CreateOrg(ctx, auth.System, auth.NewOrg{Name: fmt.Sprintf("单位%02d", i), Kind: kind,
			CreditCode: testenv.CreditCode("530600"), CentreCode: "530600", Industry: "housing", LegalRep: "甲", ContactName: "乙",
			ContactPhone: "13800000000"})
		e.Must(err)
		lib.orgs, lib.codes = append(lib.orgs, o.ID), append(lib.codes, o.CreditCode)
	}
	var centreIDs []int64
	for _, code := range lib.centres {
		var id int64
		e.Must(e.DB.QueryRow(ctx, "SELECT id FROM centres WHERE region_code = ?", code).Scan(&id))
		centreIDs = append(centreIDs, id)
	}
	r := mrand.New(mrand.NewPCG(100_000, 2026))
	// Where the experts sit: the province centre 8 %, each prefecture
	// 5.5 %, Zhaotong 6 % — half at the city centre, half in its counties.
	var weighted []int
	for i, code := range lib.centres {
		w := 55
		switch {
		case code == "530000":
			w = 80
		case code == "530600":
			w = 30
		case strings.HasPrefix(code, "5306"):
			w = 3
		}
		for k := 0; k < w; k++ {
			weighted = append(weighted, i)
		}
	}
	employer := func() string {
		if r.IntN(40) == 0 {
			return lib.codes[r.IntN(len(lib.codes))]
		}
		return "91530600MA" + fmt.Sprintf("%08d", r.IntN(20000))
	}
	evalDay := bj(2026, 12, 2, 0, 0)
	now := db.Micros(testenv.Start)
	rows := map[string][][]any{}
	add := func(table string, vals ...any) { rows[table] = append(rows[table], vals) }
	for i := 1; i <= n; i++ {
		id := int64(i)
		c := weighted[r.IntN(len(weighted))]
		centre := lib.centres[c]
		status, susFrom, susUntil := "active", int64(0), int64(0)
		switch r.IntN(100) {
		case 0:
			status = "retired"
		case 1, 2:
			status, susFrom, susUntil = "suspended", db.Micros(evalDay.AddDate(0, -r.IntN(6), 0)), db.Micros(evalDay.AddDate(0, r.IntN(12)-3, 0))
		}
		birth := time.Date(1957+r.IntN(36), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		if r.IntN(50) == 0 {
			birth = birth.AddDate(-8, 0, 0) // a few still in the library at 70 or more (C13)
		}
		idx := make([]byte, 16)
		rand.Read(idx)
		works, dishonest := employer(), r.IntN(100) == 0
		add("experts", id, "专家"+strconv.Itoa(i), idx, hex.EncodeToString(idx), idx, works, "某单位", "", centreIDs[c], centre,
			"高级工程师", 10+r.IntN(20), db.Micros(birth), status, susFrom, susUntil, dishonest, now, now)
		seen := map[string]bool{}
		for k := 1 + r.IntN(3); k > 0; k-- {
			sp := benchSpecialties[r.IntN(len(benchSpecialties))]
			if !seen[sp] {
				seen[sp] = true
				add("expert_specialties", id, sp, centre, works, status, dishonest, db.Micros(birth), susFrom, susUntil)
			}
		}
		if r.IntN(5) == 0 {
			to := evalDay.AddDate(-r.IntN(8), -r.IntN(12), 0)
			add("expert_employments", id, "前单位", employer(), db.Micros(to.AddDate(-5, 0, 0)), db.Micros(to))
		}
		if r.IntN(20) == 0 {
			add("expert_relations", id, employer(), "", "shareholding", "")
		}
		if r.IntN(30) == 0 {
			s := evalDay.Add(time.Duration(r.IntN(24*20)-24*10) * time.Hour)
			add("expert_leaves", id, db.Micros(s), db.Micros(s.Add(time.Duration(4+r.IntN(100))*time.Hour)), "请假", 0, now)
		}
		if r.IntN(100) == 0 {
			add("expert_penalties", id, db.Micros(evalDay.AddDate(-1, 0, 0)), "通报", db.Micros(evalDay.AddDate(0, 0, r.IntN(60)-30)), 0, now)
		}
		for k := r.IntN(4); k > 0; k-- { // two years of history, and the next three weeks' invitations
			s := evalDay.Add(time.Duration(r.IntN(24*750)-24*730) * time.Hour)
			outcome := []string{"served", "served", "served", "declined", "no_answer", "accepted", "invited", "replaced"}[r.IntN(8)]
			tenderer := lib.orgs[r.IntN(len(lib.orgs))]
			if r.IntN(300) == 0 {
				tenderer = lib.orgs[0] // the lot's tenderer: a busy one, some 250 evaluations a year
			} else if tenderer == lib.orgs[0] {
				tenderer = lib.orgs[6]
			}
			add("expert_engagements", id, tenderer, db.Micros(s), db.Micros(s.Add(8*time.Hour)), "", outcome)
		}
	}
	cols := map[string]string{
		"experts": "id, name, id_number, id_index, phone, employer_code, employer_name, email, centre_id, centre_code, title, years, " +
			"birth_date, status, suspended_from, suspended_until, dishonest, created_at, updated_at",
		"expert_specialties": "expert_id, code, centre_code, employer_code, status, dishonest, birth_date, suspended_from, suspended_until",
		"expert_employments": "expert_id, org_name, credit_code, from_date, to_date",
		"expert_relations":   "expert_id, credit_code, org_name, kind, note",
		"expert_leaves":      "expert_id, starts_at, ends_at, reason, created_by, created_at",
		"expert_penalties":   "expert_id, on_date, text, barred_until, created_by, created_at",
		"expert_engagements": "expert_id, tenderer_org_id, from_at, to_at, ref, outcome",
	}
	start := time.Now()
	e.Must(e.DB.Transact(ctx, func(tx *db.Tx) error {
		for _, table := range []string{"experts", "expert_specialties", "expert_employments", "expert_relations", "expert_leaves",
			"expert_penalties", "expert_engagements"} {
			all := rows[table]
			width := strings.Count(cols[table], ",") + 1
			for i := 0; i < len(all); i += 400 {
				batch := all[i:min(i+400, len(all))]
				var sb strings.Builder
				var args []any
				for j, r := range batch {
					if j > 0 {
						sb.WriteString(", ")
					}
					sb.WriteString("(" + db.Placeholders(width) + ")")
					args = append(args, r...)
				}
				if _, err := tx.Exec(ctx, "INSERT INTO "+table+" ("+cols[table]+") VALUES "+sb.String(), args...); err != nil {
					return fmt.Errorf("%s: %w", table, err)
				}
			}
		}
		return nil
	}))
	if e.DB.Dialect() == db.Postgres {
		_, err := e.DB.Exec(ctx, "SELECT setval(pg_get_serial_sequence('experts', 'id'), (SELECT max(id) FROM experts))")
		e.Must(err)
		_, err = e.DB.Exec(ctx, "VACUUM ANALYZE") // as autovacuum would: statistics and the visibility map (index-only scans)
		e.Must(err)
	} else {
		_, err := e.DB.Exec(ctx, "ANALYZE")
		e.Must(err)
	}
	b.Logf("library of %d experts (%d specialties, %d engagements) written in %v", n, len(rows["expert_specialties"]),
		len(rows["expert_engagements"]), time.Since(start).Round(time.Millisecond))
	return lib
}
