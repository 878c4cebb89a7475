package portal

import (
	"context"
	"slices"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/platform"
	"ggzy/internal/portal/fixture"
)

// env is a portal on a fresh database (SQLite, or PostgreSQL when
// GGZY_TEST_POSTGRES is set) with a fake clock and the fixture writer.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	svc   *Service
	set   *fixture.Set
}

// testNow is the fake clock's start: 2026-11-25 09:00 Beijing time.
var testNow = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

var public = auth.Public("127.0.0.1")

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	set, err := fixture.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(testNow)
	return &env{t: t, ctx: ctx, clock: c, set: set,
		svc: New(platform.Base{DB: d, Clock: c, Calendar: calendar.Default()})}
}

// beijing is a Beijing wall-clock time.
func beijing(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, clock.Shanghai)
}

func (e *env) notice(n fixture.Notice) int64 {
	e.t.Helper()
	if n.PublishedAt.IsZero() && (n.State == "" || n.State == "published") {
		n.PublishedAt = testNow.Add(-time.Hour)
	}
	id, err := e.set.AddNotice(e.ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.svc.DB.Exec(e.ctx, q, args...); err != nil {
		e.t.Fatal(err)
	}
}

// list returns one page for f, failing the test on an error.
func (e *env) list(f Filter) Page {
	e.t.Helper()
	p, err := e.svc.List(e.ctx, public, f)
	if err != nil {
		e.t.Fatalf("List(%+v): %v", f, err)
	}
	return p
}

// ids lists the ids of every page of f, following the cursors.
func (e *env) ids(f Filter) []int64 {
	e.t.Helper()
	var out []int64
	for range 1000 {
		p := e.list(f)
		for _, it := range p.Items {
			out = append(out, it.ID)
		}
		if p.Next == "" {
			return out
		}
		f.After = p.Next
	}
	e.t.Fatal("pages never end")
	return nil
}

func sameIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
