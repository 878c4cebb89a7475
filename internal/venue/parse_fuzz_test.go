package venue_test

import (
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// The parsers take whatever users type; they must never panic, fail only
// with a Chinese invalid-input error, and give results that read back.

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-30 09:30", "2026-11-30T09:30", "2026-11-30T01:30:00Z", "2026-11-30T09:30:00+08:00", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := venue.ParseTime(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
				t.Fatalf("ParseTime(%q): %v", s, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) not in UTC", s)
		}
		if y := got.In(clock.Shanghai).Year(); y < 2000 || y > 2100 {
			t.Fatalf("ParseTime(%q) = %v: year out of range", s, got)
		}
		back, err := venue.ParseTime(got.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v does not read back: %v %v", s, got, back, err)
		}
	})
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:30", "9:30", "24:00", "24:01", "", ":", "99:99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := venue.ParseClock(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
				t.Fatalf("ParseClock(%q): %v", s, err)
			}
			return
		}
		if m < 0 || m > 24*60 {
			t.Fatalf("ParseClock(%q) = %d", s, m)
		}
	})
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"", "2026-11-23", "2026-W48", "2026-W53", "2027-W53", "2026-W", "-W1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := venue.ParseWeek(s, testenv.Start)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
				t.Fatalf("ParseWeek(%q): %v", s, err)
			}
			return
		}
		l := got.In(clock.Shanghai)
		if l.Weekday() != time.Monday || l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0 || l.Nanosecond() != 0 {
			t.Fatalf("ParseWeek(%q) = %v is not a Monday 00:00 Beijing time", s, l)
		}
		again, err := venue.ParseWeek(l.Format("2006-01-02"), testenv.Start)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseWeek(%q) = %v does not read back: %v %v", s, got, again, err)
		}
	})
}
