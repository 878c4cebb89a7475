package clock_test

import (
	"testing"
	"time"

	"ggzy/internal/clock"
)

func TestFakeClockAndBeijingDisplay(t *testing.T) {
	start := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC) // 2026-10-01 00:00 in Beijing
	c := clock.NewFake(start)
	if got := clock.Format(c.Now()); got != "2026-10-01 00:00:00" {
		t.Fatalf("Format = %q", got)
	}
	c.Advance(90 * time.Minute)
	if !c.Now().Equal(start.Add(90 * time.Minute)) {
		t.Fatal("Advance did not move the clock")
	}
	if clock.Format(time.Time{}) != "" {
		t.Fatal("the zero time must show as empty")
	}
	if c.Now().Location() != time.UTC {
		t.Fatal("clocks must give UTC")
	}
}

// DayStart is Beijing's midnight: 23:30 UTC on the 24th is already the
// 25th in Beijing.
func TestDayStart(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-24T23:30:00Z": "2026-11-24T16:00:00Z",
		"2026-11-24T15:59:59Z": "2026-11-23T16:00:00Z",
		"2026-11-24T16:00:00Z": "2026-11-24T16:00:00Z",
	} {
		at, _ := time.Parse(time.RFC3339, in)
		if got := clock.DayStart(at).Format(time.RFC3339); got != want {
			t.Errorf("DayStart(%s) = %s, want %s", in, got, want)
		}
	}
}
