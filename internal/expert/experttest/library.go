// Package experttest generates large expert libraries for benchmarks
// (internal/expert's BenchmarkPool, internal/draw's BenchmarkDraw), so both
// measure the same library written the same way.
package experttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/testenv"
)

// Library is a generated library: the organisations avoidance is tested
// against and the centres the experts sit at.
type Library struct {
	Orgs    []int64  // tenderer, agent, bidders ×3, department, then other firms
	Codes   []string // their credit codes
	Centres []string // the fixture's four centres, then Centres
}

// Centres are Yunnan's prefectures and Zhaotong's counties, added to
// the fixture's four centres.
var Centres = []string{"530100", "530400", "530500", "530700", "530800", "530900", "532300", "532500", "532600",
	"532800", "532900", "533100", "533300", "533400", "530621", "530622", "530623", "530624", "530625", "530626", "530627",
	"530628", "530629", "530681"}

var Specialties = []string{"A080101", "A080102", "A080104", "A080104", "A080104", "A080105", "A080106", "A080109",
	"A080113", "A080201", "A080202", "A080204", "A080205", "A080301", "A080302", "A080303", "A080802", "A080803", "A080804",
	"A080807", "A081003", "A083001", "A090101", "A090102", "A090103", "A060101", "A060101", "A060102", "A060111", "A060201",
	"A030101", "A030302", "A040102", "A040103", "A070101"}

// Build writes n experts with their lists straight into the database in
// one transaction (the import path would take minutes for this many; the
// pool reads only these tables), in the shape the library's own writes
// give them: expert_specialties repeats the centre, employer, status and
// suspension, 失信 and birth date (store.go). Leave, penalties and
// engagements cluster around evalDay (Beijing midnight of the evaluation
// day). It adds Centres and 26 organisations; the library starts at a
// version of its own, as if written through the service.
func Build(b testing.TB, e *testenv.Env, n int, evalDay time.Time) Library {
	b.Helper()
	ctx := context.Background()
	for _, code := range Centres {
		_, _, err := e.Auth.CreateCentre(ctx, auth.System, auth.NewCentre{RegionCode: code, RegionName: code, Name: code + "交易中心",
			CreditCode: testenv.CreditCode(code), LegalRep: "甲", ContactName: "乙", ContactPhone: "13800000000"})
		e.Must(err)
	}
	lib := Library{Centres: append([]string{"530000", "530600", "530602", "530300"}, Centres...)}
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
		lib.Orgs, lib.Codes = append(lib.Orgs, o.ID), append(lib.Codes, o.CreditCode)
	}
	var centreIDs []int64
	for _, code := range lib.Centres {
		var id int64
		e.Must(e.DB.QueryRow(ctx, "SELECT id FROM centres WHERE region_code = ?", code).Scan(&id))
		centreIDs = append(centreIDs, id)
	}
	r := mrand.New(mrand.NewPCG(100_000, 2026))
	// Where the experts sit: the province centre 8 %, each prefecture
	// 5.5 %, Zhaotong 6 % — half at the city centre, half in its counties.
	var weighted []int
	for i, code := range lib.Centres {
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
			return lib.Codes[r.IntN(len(lib.Codes))]
		}
		return "91530600MA" + fmt.Sprintf("%08d", r.IntN(20000))
	}
	now := db.Micros(testenv.Start)
	rows := map[string][][]any{}
	add := func(table string, vals ...any) { rows[table] = append(rows[table], vals) }
	for i := 1; i <= n; i++ {
		id := int64(i)
		c := weighted[r.IntN(len(weighted))]
		centre := lib.Centres[c]
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
			sp := Specialties[r.IntN(len(Specialties))]
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
			tenderer := lib.Orgs[r.IntN(len(lib.Orgs))]
			if r.IntN(300) == 0 {
				tenderer = lib.Orgs[0] // the lot's tenderer: a busy one, some 250 evaluations a year
			} else if tenderer == lib.Orgs[0] {
				tenderer = lib.Orgs[6]
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
	var err error
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
		_, err = e.DB.Exec(ctx, "SELECT setval(pg_get_serial_sequence('experts', 'id'), (SELECT max(id) FROM experts))")
		e.Must(err)
		_, err = e.DB.Exec(ctx, "VACUUM ANALYZE") // as autovacuum would: statistics and the visibility map (index-only scans)
		e.Must(err)
	} else {
		_, err = e.DB.Exec(ctx, "ANALYZE")
		e.Must(err)
	}
	_, err = e.DB.Exec(ctx, "UPDATE expert_library SET version = version + 1 WHERE id = 1")
	e.Must(err)
	b.Logf("library of %d experts (%d specialties, %d engagements) written in %v", n, len(rows["expert_specialties"]),
		len(rows["expert_engagements"]), time.Since(start).Round(time.Millisecond))
	return lib
}
