package portal

import (
	"net/url"
	"testing"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/portal/fixture"
)

// TestFilters: trading kind, notice kind, region (a prefecture covers its
// counties, the province everything) and combinations, newest first.
func TestFilters(t *testing.T) {
	e := newEnv(t)
	day := func(d int) time.Time { return beijing(2026, 11, d, 10, 0, 0) }
	a := e.notice(fixture.Notice{TradeKind: "construction", Kind: "tender", Region: "530602", PublishedAt: day(1)})
	b := e.notice(fixture.Notice{TradeKind: "procurement", Kind: "result", Region: "530621", PublishedAt: day(2)})
	c := e.notice(fixture.Notice{TradeKind: "land", Kind: "listing", Region: "530600", PublishedAt: day(3)})
	d := e.notice(fixture.Notice{TradeKind: "construction", Kind: "tender", Region: "530302", PublishedAt: day(4)})
	p := e.notice(fixture.Notice{TradeKind: "property", Kind: "listing", Region: "530000", PublishedAt: day(5)})
	f := e.notice(fixture.Notice{TradeKind: "procurement", Kind: "tender", Region: "530681", PublishedAt: day(6)})

	for _, tc := range []struct {
		name   string
		filter Filter
		want   []int64
	}{
		{"everything", Filter{}, []int64{f, p, d, c, b, a}},
		{"prefecture covers its counties", Filter{Region: "530600"}, []int64{f, c, b, a}},
		{"county", Filter{Region: "530602"}, []int64{a}},
		{"other prefecture", Filter{Region: "530300"}, []int64{d}},
		{"county without notices", Filter{Region: "530622"}, nil},
		{"province covers everything", Filter{Region: "530000"}, []int64{f, p, d, c, b, a}},
		{"trading kind", Filter{TradeKind: "construction"}, []int64{d, a}},
		{"notice kind", Filter{Kind: "tender"}, []int64{f, d, a}},
		{"kind and prefecture", Filter{Kind: "tender", Region: "530600"}, []int64{f, a}},
		{"all three", Filter{TradeKind: "procurement", Kind: "result", Region: "530600"}, []int64{b}},
		{"dates", Filter{From: day(2).Truncate(24 * time.Hour), To: day(4)}, []int64{c, b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameIDs(t, tc.name, e.ids(tc.filter), tc.want)
			if p := e.list(tc.filter); p.Total != len(tc.want) || p.TotalCapped {
				t.Errorf("total %d (capped %v), want %d", p.Total, p.TotalCapped, len(tc.want))
			}
		})
	}

	// Labels come with the rows.
	it := e.list(Filter{Region: "530602"}).Items[0]
	if it.KindLabel != "招标（采购）公告" || it.TradeKindLabel != "工程建设" || it.RegionName != "昭阳区" {
		t.Errorf("labels: %+v", it)
	}
}

// TestDateBoundaries: from and to are Beijing days, both included.
func TestDateBoundaries(t *testing.T) {
	e := newEnv(t)
	lastSecond := e.notice(fixture.Notice{PublishedAt: beijing(2026, 11, 1, 23, 59, 59)})
	midnight := e.notice(fixture.Notice{PublishedAt: beijing(2026, 11, 2, 0, 0, 0)})
	first := e.notice(fixture.Notice{PublishedAt: beijing(2026, 11, 1, 0, 0, 0)})
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"from=2026-11-01&to=2026-11-01", []int64{lastSecond, first}},
		{"from=2026-11-02", []int64{midnight}},
		{"to=2026-10-31", nil},
		{"from=2026-11-01&to=2026-11-02", []int64{midnight, lastSecond, first}},
	} {
		q, _ := url.ParseQuery(tc.query)
		f, err := ParseFilter(q)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		sameIDs(t, tc.query, e.ids(f), tc.want)
	}
}

// TestOnlyPublishedNoticesAreShown: drafts, notices in review, approved
// but not yet published, rejected, and published for a later time never
// appear — in lists, searches, details, feeds or on the home page — until
// their time comes by the server's clock.
func TestOnlyPublishedNoticesAreShown(t *testing.T) {
	e := newEnv(t)
	const marker = "隐身公告标记"
	visible := e.notice(fixture.Notice{Title: "可见的" + marker, Body: marker})
	var hidden []int64
	for _, st := range []string{"draft", "review", "scheduled", "rejected"} {
		hidden = append(hidden, e.notice(fixture.Notice{State: st, Title: st + marker, Body: marker,
			PublishedAt: testNow.Add(-48 * time.Hour)}))
	}
	later := e.notice(fixture.Notice{Title: "定时" + marker, Body: marker, PublishedAt: testNow.Add(time.Hour)})

	check := func(want []int64, invisible []int64) {
		t.Helper()
		for _, f := range []Filter{{}, {Query: marker}, {Query: "隐身"}, {Query: "标记"}, {Region: "530602", Kind: "tender"}} {
			sameIDs(t, "list "+f.Query, e.ids(f), want)
		}
		for _, id := range invisible {
			if _, err := e.svc.Notice(e.ctx, public, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("notice %d: got %v, want not found", id, err)
			}
		}
		for _, id := range want {
			if _, err := e.svc.Notice(e.ctx, public, id); err != nil {
				t.Errorf("notice %d: %v", id, err)
			}
		}
		feed, err := e.svc.Feed(e.ctx, public, Filter{Query: marker}, "http://example.test")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(parseFeed(t, feed).Channel.Items); got != len(want) {
			t.Errorf("feed has %d items, want %d", got, len(want))
		}
		h, err := e.svc.Home(e.ctx, public, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(h.Latest[0].Notices); got != len(want) {
			t.Errorf("home shows %d construction notices, want %d", got, len(want))
		}
	}
	check([]int64{visible}, append(hidden, later))
	e.clock.Advance(time.Hour) // exactly the publication time: shown
	check([]int64{later, visible}, hidden)
}

// TestPagination: pages follow one another without gaps or repeats, in
// (published_at, id) order even when notices share a publication instant.
func TestPagination(t *testing.T) {
	e := newEnv(t)
	same := testNow.Add(-3 * time.Hour)
	var all []int64
	for i := range 45 {
		at := testNow.Add(-time.Duration(i+10) * time.Minute)
		if i%3 == 0 {
			at = same // a batch published at one instant
		}
		all = append(all, e.notice(fixture.Notice{Title: "分页测试公告", Body: "翻页检索正文", PublishedAt: at}))
	}
	budget, limit := recentScanBudget, matchCap
	defer func() { recentScanBudget, matchCap = budget, limit }()
	for i, f := range []Filter{{Limit: 20}, {Limit: 7, Query: "分页测试"}, {Limit: 20, Query: "检索正文"}, {Limit: 6, Query: "分页"},
		{Limit: 7, Query: "分页测试"}, {Limit: 6, Query: "分页"}} {
		if i >= 4 { // every search path: the index, newest first
			recentScanBudget, matchCap = 1, 0
		}
		got := e.ids(f)
		if len(got) != len(all) {
			t.Fatalf("%+v: %d notices over the pages, want %d", f, len(got), len(all))
		}
		seen := map[int64]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%+v: notice %d twice", f, id)
			}
			seen[id] = true
		}
	}
	// Plain lists order ties by id, newest first.
	p := e.list(Filter{Limit: 20})
	if p.Total != 45 || p.TotalCapped || len(p.Items) != 20 || p.Next == "" {
		t.Fatalf("first page: total %d capped %v items %d next %q", p.Total, p.TotalCapped, len(p.Items), p.Next)
	}
	for i := 1; i < len(p.Items); i++ {
		a, b := p.Items[i-1], p.Items[i]
		if a.PublishedAt.Before(b.PublishedAt) || (a.PublishedAt.Equal(b.PublishedAt) && a.ID < b.ID) {
			t.Fatalf("out of order: %d (%s) before %d (%s)", a.ID, a.PublishedAt, b.ID, b.PublishedAt)
		}
	}
	// A cursor from another kind of query is refused, not misread.
	search := e.list(Filter{Limit: 5, Query: "分页测试"})
	plain := e.list(Filter{Limit: 5})
	for _, f := range []Filter{{After: search.Next}, {Query: "分页测试", After: plain.Next}} {
		_, err := e.svc.List(e.ctx, public, f)
		if e.svc.DB.Dialect() == "sqlite" && !errs.Is(err, errs.Invalid) {
			t.Errorf("%+v: got %v, want invalid", f, err)
		}
	}
}

// TestListCountIsCapped: counting stops at listCountCap.
func TestListCountIsCapped(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		e.notice(fixture.Notice{})
	}
	n, capped, err := e.svc.count(e.ctx, "notices n WHERE n.state = 'published'", nil, 2)
	if err != nil || n != 2 || !capped {
		t.Fatalf("count = %d, %v, %v; want 2, capped", n, capped, err)
	}
}
