package portal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/portal/fixture"
)

// TestSearchAcrossYears: notices over four years, searched for terms that
// are common in old notices and absent from recent ones, rare everywhere,
// or everywhere, with filters and pages of every size — through every way
// a search can go (PostgreSQL: the newest notices, then the index bucket
// by bucket, 30-day buckets broken into days, busy days read in order;
// SQLite: FTS5 collected or read newest first). Each answer is checked
// against the notices themselves.
func TestSearchAcrossYears(t *testing.T) {
	e := newEnv(t)
	type row struct {
		id        int64
		title     string
		body      string
		region    string
		kind      string
		published time.Time
		visible   bool
	}
	var rows []row
	regions := []string{"530602", "530621", "530302"}
	places := []string{"青石坪镇", "鹰鹤湾村", "兰竹坝乡"}
	start := beijing(2023, 1, 3, 9, 0, 0)
	// The edges of the 30-day and day buckets around a few instants of 2024.
	var edges []time.Time
	for _, d := range []time.Time{beijing(2024, 3, 10, 12, 0, 0), beijing(2024, 8, 20, 12, 0, 0)} {
		m := db.Micros(d) / monthMicros
		for _, us := range []int64{m * monthMicros, m*monthMicros - 1, (m+1)*monthMicros - 1, db.Micros(d) / dayMicros * dayMicros} {
			edges = append(edges, db.Time(us))
		}
	}
	for i := range 160 + len(edges) {
		// Two every 18 days, sometimes at one instant, some at night (the
		// day bucket is a UTC day, not a Beijing one).
		at := start.Add(time.Duration(i/2*18*24) * time.Hour).Add(time.Duration(i%3*7) * time.Hour)
		if i >= 160 {
			at = edges[i-160]
		}
		y := at.In(clock.Shanghai).Year()
		r := row{region: regions[i%3], kind: []string{"tender", "result"}[i%2], published: at}
		r.title = fmt.Sprintf("昭通市%d年%s农村公路工程公告", y, places[i%3])
		r.body = fmt.Sprintf("项目编号：ZT%s-%d-%04d。第%d期。", r.region, y, i, i)
		if i%17 == 0 {
			r.body += "应急物资储备"
		}
		state := "published"
		if i%23 == 5 {
			state = "draft"
		}
		r.id = e.notice(fixture.Notice{Title: r.title, Body: r.body, Region: r.region, Kind: r.kind, State: state,
			PublishedAt: at})
		r.visible = state == "published"
		rows = append(rows, r)
	}
	// The clock stands in 2026: later notices are scheduled.
	e.clock.Set(beijing(2026, 6, 1, 0, 0, 0))

	expect := func(f Filter) []int64 {
		now := e.clock.Now()
		var ms []row
		for _, r := range rows {
			if !r.visible || r.published.After(now) || f.Region != "" && r.region != f.Region ||
				f.Kind != "" && string(f.Kind) != r.kind || !f.From.IsZero() && r.published.Before(f.From) ||
				!f.To.IsZero() && !r.published.Before(f.To) {
				continue
			}
			ok := true
			for _, term := range strings.Fields(f.Query) {
				text := r.title + " " + r.body
				if len([]rune(term)) < MinIndexedRunes {
					text = r.title
				}
				ok = ok && strings.Contains(strings.ToLower(text), strings.ToLower(term))
			}
			if ok {
				ms = append(ms, r)
			}
		}
		slices.SortFunc(ms, func(a, b row) int {
			return cmp.Or(b.published.Compare(a.published), cmp.Compare(b.id, a.id))
		})
		var ids []int64
		for _, m := range ms {
			ids = append(ids, m.id)
		}
		return ids
	}

	filters := []Filter{
		{Query: "2024年"},                   // old only
		{Query: "2023年 鹰鹤湾村"},              // old only, two terms
		{Query: "2026年"},                   // recent
		{Query: "农村公路"},                    // everywhere
		{Query: "应急物资储备"},                  // rare, spread out
		{Query: "第77期"},                    // one notice
		{Query: "第77期 2025年"},              // none
		{Query: "不存在的词语"},                  // none
		{Query: "zt530621-2024"},           // a code with its prefix, without case
		{Query: "2024年 公路"},                // with a two-character term
		{Query: "2024年", Region: "530302"}, // with a region
		{Query: "2024年", Kind: "result"},
		{Query: "农村公路", From: beijing(2024, 2, 1, 0, 0, 0), To: beijing(2024, 5, 1, 0, 0, 0)},
		{Query: "2025年", To: beijing(2025, 3, 1, 0, 0, 0)},
	}
	budget, limit := recentScanBudget, bucketCap
	t.Cleanup(func() { recentScanBudget, bucketCap, codeIndex = budget, limit, true })
	for _, way := range []struct {
		name          string
		budget, cap   int
		matchCap      int
		codeIndexUsed bool
	}{
		{"as configured", budget, limit, matchCap, true},
		{"index at once", 1, limit, matchCap, true},
		{"busy buckets", 1, 1, 0, true},
		{"every bucket busy", 1, 0, 0, false},
	} {
		recentScanBudget, bucketCap = way.budget, way.cap
		saved := matchCap
		matchCap = way.matchCap
		codeIndex = way.codeIndexUsed
		for _, f := range filters {
			want := expect(f)
			for _, n := range []int{2, DefaultLimit} {
				f.Limit = n
				sameIDs(t, fmt.Sprintf("%s: %+v", way.name, f), e.ids(f), want)
			}
		}
		matchCap = saved
	}
	recentScanBudget, bucketCap, codeIndex = budget, limit, true
	if got := expect(Filter{Query: "2024年"}); len(got) < 30 {
		t.Fatalf("the data should have many 2024 notices, has %d", len(got))
	}

	// A year later the scheduled notices are out, and found.
	e.clock.Set(beijing(2027, 6, 1, 0, 0, 0))
	want := expect(Filter{Query: "2026年"})
	sameIDs(t, "a year later", e.ids(Filter{Query: "2026年"}), want)
	if len(want) < 10 {
		t.Fatalf("only %d notices of 2026", len(want))
	}
}
