// Package clock is the injected source of time. Every deadline in ggzy is
// decided by the server's clock (RULES B12), so nothing calls time.Now
// directly: production uses System, tests use a Fake they move by hand.
package clock

import (
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without zoneinfo
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// System is the real clock, in UTC.
type System struct{}

func (System) Now() time.Time { return time.Now().UTC() }

// Fake is a clock tests set and advance.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake starts a fake clock at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t.UTC()} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t.UTC()
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Shanghai is the zone times are shown in.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// DayStart is 00:00 Beijing time of t's day (in UTC): what sealed records
// keep in clear instead of the exact time.
func DayStart(t time.Time) time.Time {
	b := t.In(Shanghai)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, Shanghai).UTC()
}

// Local converts t to Asia/Shanghai for display.
func Local(t time.Time) time.Time { return t.In(Shanghai) }

// Format shows t as "2006-01-02 15:04:05" Beijing time.
func Format(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format("2006-01-02 15:04:05")
}
