package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/demo"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

// digest summarises the projects, lots and notices a load made, to compare
// two loads.
func digest(t *testing.T, d *db.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		"SELECT code || '|' || name || '|' || state || '|' || estimated_price || '|' || created_at FROM projects ORDER BY id",
		"SELECT name || '|' || state || '|' || award_price || '|' || bid_deadline FROM lots ORDER BY id",
		"SELECT kind || '|' || state || '|' || title || '|' || published_at FROM notices ORDER BY id",
		"SELECT room_id || '|' || starts_at || '|' || state FROM bookings ORDER BY id",
	} {
		rows, err := d.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			h.Write([]byte(s + "\n"))
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestTradingFull loads the full demo, as `ggzy demo` does. It takes
// about a minute, longer under -race, so it runs when GGZY_DEMO_FULL is set.
func TestTradingFull(t *testing.T) {
	if os.Getenv("GGZY_DEMO_FULL") == "" {
		t.Skip("set GGZY_DEMO_FULL=1 to load the full demo")
	}
	ctx := context.Background()
	p := newPlatform(t)
	began := time.Now()
	res, err := p.load(ctx, demo.DefaultProjects)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded in %v: %+v", time.Since(began).Round(time.Millisecond), res.Summary)
	checkTrading(t, p, res, demo.DefaultProjects)
	checkOnline(t, p, res, demo.DefaultProjects)
}

// checkTrading checks that the present of a demo of n projects shows
// everything the demo promises (TestLoad runs it on a small demo).
func checkTrading(t *testing.T, p *rig, res demo.Result, n int) {
	t.Helper()
	ctx := context.Background()
	s := res.Summary
	if s.Projects != n {
		t.Errorf("%d projects, want %d", s.Projects, n)
	}
	if n >= 900 && s.Projects < 900 {
		t.Errorf("only %d projects", s.Projects)
	}
	// Every region of Zhaotong, every kind, three years.
	for _, code := range []string{"530600", "530602", "530621", "530622", "530623", "530624", "530625", "530626",
		"530627", "530628", "530629", "530681"} {
		if s.ByRegion[code] == 0 {
			t.Errorf("no project in %s", code)
		}
	}
	for _, k := range tender.TradeKinds {
		if s.ByKind[k] == 0 {
			t.Errorf("no %s project", k)
		}
	}
	for y := 2024; y <= clock.Local(s.Now).Year(); y++ {
		if s.ByYear[y] == 0 {
			t.Errorf("no project registered in %d", y)
		}
	}
	// Every state of the life cycle that the front door reaches.
	for _, st := range []tender.State{tender.Draft, tender.Submitted, tender.Returned, tender.Accepted, tender.Tendering,
		tender.Evaluating, tender.Publicity, tender.Awarded, tender.Failed, tender.Terminated, tender.Archived} {
		if s.ByState[st] == 0 {
			t.Errorf("no project %s", st)
		}
	}
	// Most finished projects of the full demo are archived months after
	// their end, the recent ones not yet.
	if finished := s.ByState[tender.Awarded] + s.ByState[tender.Failed] + s.ByState[tender.Terminated] +
		s.ByState[tender.Archived]; n >= 900 && (s.ByState[tender.Archived]*100 < finished*60 || s.ByState[tender.Archived]*100 > finished*92) {
		t.Errorf("%d of %d finished projects archived", s.ByState[tender.Archived], finished)
	}
	if s.Overdue == 0 || s.Green == 0 {
		t.Errorf("overdue %d, green channel %d", s.Overdue, s.Green)
	}
	for _, st := range []notice.State{notice.Draft, notice.Review, notice.Scheduled, notice.Published, notice.Rejected} {
		if s.NoticeStates[st] == 0 {
			t.Errorf("no notice %s", st)
		}
	}
	for _, k := range notice.Kinds {
		if s.NoticeKinds[k] == 0 {
			t.Errorf("no %s notice", k)
		}
	}
	if s.Bookings == 0 || s.Upcoming == 0 || s.GreenBookings == 0 || s.Cancelled == 0 {
		t.Errorf("bookings %d, upcoming %d, green %d, cancelled %d", s.Bookings, s.Upcoming, s.GreenBookings, s.Cancelled)
	}

	// The statistics page has something to show: sums straight from SQL.
	var traded, savings, premium int64
	err := p.db.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(l.award_price), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement')
			THEN (CASE WHEN l.max_price > 0 THEN l.max_price ELSE l.estimated_price END) - l.award_price ELSE 0 END), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN p.trade_kind IN ('land', 'property') THEN l.award_price - l.estimated_price ELSE 0 END), 0) AS BIGINT)
		FROM lots l JOIN projects p ON p.id = l.project_id WHERE l.award_price > 0`).Scan(&traded, &savings, &premium)
	if err != nil || traded <= 0 || savings <= 0 || premium <= 0 {
		t.Errorf("traded %d, savings %d, premium %d, %v", traded, savings, premium, err)
	}
	// No award above the maximum price, no deal below the starting price.
	var bad int
	err = p.db.QueryRow(ctx, `SELECT count(*) FROM lots l JOIN projects p ON p.id = l.project_id WHERE l.award_price > 0 AND (
		(p.trade_kind IN ('construction', 'procurement') AND l.award_price > (CASE WHEN l.max_price > 0 THEN l.max_price ELSE l.estimated_price END))
		OR (p.trade_kind IN ('land', 'property') AND l.award_price < l.estimated_price))`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Errorf("%d lots awarded outside their price bounds, %v", bad, err)
	}
	// 2024's projects carry 2024 times, down to their audit events, and the
	// trail is in time order and intact.
	var unordered int
	err = p.db.QueryRow(ctx, `SELECT count(*) FROM audit_events a JOIN audit_events b ON b.seq = a.seq + 1 WHERE b.at < a.at`).Scan(&unordered)
	if err != nil || unordered != 0 {
		t.Errorf("%d audit events earlier than the one before, %v", unordered, err)
	}
	var first int64
	if err := p.db.QueryRow(ctx, "SELECT min(created_at) FROM projects WHERE code LIKE '%-2024-%'").Scan(&first); err != nil ||
		db.Time(first).Year() != 2024 {
		t.Errorf("2024 projects created at %v, %v", db.Time(first), err)
	}
	if _, err := p.log.Checkpoint(ctx, p.db); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, p.db, p.keys.VerifierKey)
	if err != nil || !rep.OK || rep.Events != int64(s.AuditEvents) {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// TestPresents loads small demos "as of" awkward presents — a weekend,
// the day after 春节, inside 国庆, early morning — and checks that every
// state is still there. It runs with the full demo (GGZY_DEMO_FULL).
func TestPresents(t *testing.T) {
	if os.Getenv("GGZY_DEMO_FULL") == "" {
		t.Skip("set GGZY_DEMO_FULL=1 to load demos at several presents")
	}
	for _, now := range []string{"2025-10-04 11:00", "2026-02-24 08:05", "2026-06-13 16:00", "2026-12-31 23:50", "2027-03-01 09:00"} {
		t.Run(now, func(t *testing.T) {
			at, err := time.ParseInLocation("2006-01-02 15:04", now, clock.Shanghai)
			if err != nil {
				t.Fatal(err)
			}
			p := newPlatform(t)
			res, err := demo.Load(context.Background(), p.db, p.all, demo.Options{Now: at, Projects: 40, KeysDir: p.keysDir})
			if err != nil {
				t.Fatal(err)
			}
			checkTrading(t, p, res, 40)
			checkOnline(t, p, res, 40)
		})
	}
}

// After the holiday files run out the demo still loads, ending its
// timeline where the calendar can serve it.
func TestServablePresent(t *testing.T) {
	now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	if got := demo.ServablePresent(now); !got.Equal(now) {
		t.Fatalf("a servable present moved to %v", got)
	}
	late := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
	got := demo.ServablePresent(late)
	if !got.Before(late) || got.In(clock.Shanghai).Month() != time.May || got.In(clock.Shanghai).Day() != 31 {
		t.Fatalf("ServablePresent(%v) = %v, want 31 May of the last covered year", late, got)
	}
	if demo.ServablePresent(got) != got {
		t.Fatal("the clamped present must itself be servable")
	}
}
