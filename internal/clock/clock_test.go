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
