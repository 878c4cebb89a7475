package calendar

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAddOfficeTime(t *testing.T) {
	c := Default()
	h := DefaultOfficeHours
	for _, tt := range []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"inside the morning", bj(2026, 11, 23, 9, 0), 2 * time.Hour, bj(2026, 11, 23, 11, 0)},
		{"across the lunch break", bj(2026, 11, 25, 11, 0), 2 * time.Hour, bj(2026, 11, 25, 15, 30)},
		{"submitted during lunch", bj(2026, 11, 25, 12, 30), 2 * time.Hour, bj(2026, 11, 25, 16, 30)},
		{"before opening, ends exactly at noon", bj(2026, 11, 25, 8, 0), 3 * time.Hour, bj(2026, 11, 25, 12, 0)},
		{"ends exactly at close", bj(2026, 11, 25, 14, 30), 210 * time.Minute, bj(2026, 11, 25, 18, 0)},
		{"after close runs from next morning", bj(2026, 11, 25, 19, 0), time.Hour, bj(2026, 11, 26, 10, 0)},
		{"Friday 17:00 over the weekend", bj(2026, 11, 27, 17, 0), 2 * time.Hour, bj(2026, 11, 30, 10, 0)},
		{"submitted on Saturday", bj(2026, 11, 28, 10, 0), time.Hour, bj(2026, 11, 30, 10, 0)},
		{"more than a day", bj(2026, 11, 23, 9, 0), 7 * time.Hour, bj(2026, 11, 24, 9, 30)},
		// 国庆 2026: 10-01 to 10-07 off; the half hour left on 09-30
		// resumes on Thursday 10-08.
		{"into 国庆", bj(2026, 9, 30, 17, 30), 2 * time.Hour, bj(2026, 10, 8, 10, 30)},
		// Saturday 2026-10-10 is a make-up working day (调休上班).
		{"into a 调休 Saturday", bj(2026, 10, 9, 17, 0), 2 * time.Hour, bj(2026, 10, 10, 10, 0)},
		{"one minute", bj(2026, 11, 25, 11, 59), time.Minute, bj(2026, 11, 25, 12, 0)},
		{"the minute after noon waits for the afternoon", bj(2026, 11, 25, 11, 59), 2 * time.Minute, bj(2026, 11, 25, 14, 31)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.AddOfficeTime(tt.start, tt.d, h)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("AddOfficeTime(%v, %v) = %v, want %v", tt.start, tt.d, got.In(tt.want.Location()), tt.want)
			}
			// Counting the office time back gives the duration again.
			back, err := c.OfficeTimeBetween(tt.start, got, h)
			if err != nil {
				t.Fatal(err)
			}
			if back != tt.d {
				t.Errorf("OfficeTimeBetween = %v, want %v", back, tt.d)
			}
		})
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := Default()
	got, err := c.AddWorkingHours(bj(2026, 11, 25, 11, 0), 2, DefaultOfficeHours)
	if err != nil || !got.Equal(bj(2026, 11, 25, 15, 30)) {
		t.Errorf("AddWorkingHours = %v, %v", got, err)
	}
	for _, n := range []int{0, -1} {
		if _, err := c.AddWorkingHours(bj(2026, 11, 25, 11, 0), n, DefaultOfficeHours); err == nil {
			t.Errorf("AddWorkingHours(%d) did not fail", n)
		}
	}
}

func TestOfficeTimeRefusals(t *testing.T) {
	c := Default()
	start := bj(2026, 11, 25, 9, 0)
	if _, err := c.AddOfficeTime(start, 0, DefaultOfficeHours); err == nil {
		t.Error("zero duration accepted")
	}
	for _, bad := range []OfficeHours{
		nil,
		{{From: 600, To: 600}},
		{{From: 600, To: 500}},
		{{From: -1, To: 500}},
		{{From: 600, To: 24*60 + 1}},
		{{From: 540, To: 720}, {From: 700, To: 800}},
	} {
		if _, err := c.AddOfficeTime(start, time.Hour, bad); err == nil {
			t.Errorf("office hours %v accepted", bad)
		}
		if _, err := c.OfficeTimeBetween(start, start.Add(time.Hour), bad); err == nil {
			t.Errorf("office hours %v accepted by OfficeTimeBetween", bad)
		}
	}
	// 2027-12-31 is the last day with data; the hour left runs into 2028.
	_, err := c.AddOfficeTime(bj(2027, 12, 31, 17, 30), time.Hour, DefaultOfficeHours)
	if !errors.Is(err, ErrNotCovered) {
		t.Errorf("into 2028: err = %v, want ErrNotCovered", err)
	}
}

func TestOfficeTimeBetween(t *testing.T) {
	c := Default()
	h := DefaultOfficeHours
	for _, tt := range []struct {
		start, end time.Time
		want       time.Duration
	}{
		{bj(2026, 11, 25, 11, 0), bj(2026, 11, 25, 15, 30), 2 * time.Hour},
		{bj(2026, 11, 27, 17, 0), bj(2026, 11, 30, 10, 0), 2 * time.Hour},
		{bj(2026, 11, 25, 12, 0), bj(2026, 11, 25, 14, 30), 0},
		{bj(2026, 11, 25, 15, 0), bj(2026, 11, 25, 10, 0), 0},
		{bj(2026, 11, 28, 0, 0), bj(2026, 11, 29, 23, 59), 0}, // a weekend
		{bj(2026, 11, 23, 0, 0), bj(2026, 11, 28, 0, 0), 5 * h.PerDay()},
	} {
		got, err := c.OfficeTimeBetween(tt.start, tt.end, h)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("OfficeTimeBetween(%v, %v) = %v, want %v", tt.start, tt.end, got, tt.want)
		}
	}
}

// TestOfficeTimeRoundTrip: for any start and duration, the office time
// between start and the due instant is the duration, and the due instant
// lies inside office hours of a working day (or at a window's end).
func TestOfficeTimeRoundTrip(t *testing.T) {
	c := Default()
	h := DefaultOfficeHours
	r := rand.New(rand.NewPCG(1, 2))
	base := bj(2026, 1, 1, 0, 0)
	for i := 0; i < 2000; i++ {
		start := base.Add(time.Duration(r.IntN(330*24*60)) * time.Minute)
		d := time.Duration(1+r.IntN(40*60)) * time.Minute
		due, err := c.AddOfficeTime(start, d, h)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.OfficeTimeBetween(start, due, h)
		if err != nil {
			t.Fatal(err)
		}
		if back != d {
			t.Fatalf("start %v, d %v: due %v, back %v", start, d, due, back)
		}
		ok, err := c.IsWorkingDay(due)
		if err != nil || !ok {
			t.Fatalf("due %v is not on a working day", due)
		}
		local := due.In(bj(2026, 1, 1, 0, 0).Location())
		m := local.Hour()*60 + local.Minute()
		inside := false
		for _, w := range h {
			if m > w.From && m <= w.To {
				inside = true
			}
		}
		if !inside {
			t.Fatalf("due %v is outside office hours", local)
		}
	}
}

func TestOfficeHoursString(t *testing.T) {
	if got := DefaultOfficeHours.String(); got != "09:00–12:00、14:30–18:00" {
		t.Errorf("String = %q", got)
	}
	if got := DefaultOfficeHours.PerDay(); got != 390*time.Minute {
		t.Errorf("PerDay = %v", got)
	}
}
