package venue_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// TestCheckInterval: the booking time rules with worked examples, at the
// fake clock's start (Wednesday 2026-11-25 09:00 Beijing time), with the
// default rules (08:00–20:00, at most 8 hours, up to 180 days ahead).
func TestCheckInterval(t *testing.T) {
	now := testenv.Start
	cal := calendar.Default()
	sat := bj(2026, 12, 5, 0, 0)
	newYear := bj(2027, 1, 1, 0, 0) // Friday, 元旦
	for _, tc := range []struct {
		name       string
		start, end time.Time
		override   bool
		bad        []string // fields with a reason; none = accepted
		says       string   // part of the reason
	}{
		{"two hours on a Monday", hm(monday, 9, 0), hm(monday, 11, 0), false, nil, ""},
		{"whole opening day is too long", hm(monday, 8, 0), hm(monday, 20, 0), false, []string{"ends_at"}, "不能超过8小时"},
		{"exactly the longest", hm(monday, 8, 0), hm(monday, 16, 0), false, nil, ""},
		{"half an hour too long", hm(monday, 8, 0), hm(monday, 16, 30), false, []string{"ends_at"}, "8小时30分钟"},
		{"start not on the half hour", hm(monday, 9, 15), hm(monday, 11, 0), false, []string{"starts_at"}, "整点或半点"},
		{"end not on the half hour", hm(monday, 9, 0), hm(monday, 10, 45), false, []string{"ends_at"}, "整点或半点"},
		{"seconds count", hm(monday, 9, 0).Add(30 * time.Second), hm(monday, 10, 0), false, []string{"starts_at"}, "整点或半点"},
		{"end before start", hm(monday, 11, 0), hm(monday, 9, 0), false, []string{"ends_at"}, "晚于开始时间"},
		{"end equals start", hm(monday, 9, 0), hm(monday, 9, 0), false, []string{"ends_at"}, "晚于开始时间"},
		{"before opening", hm(monday, 7, 30), hm(monday, 9, 0), false, []string{"starts_at"}, "08:00–20:00"},
		{"after closing", hm(monday, 19, 0), hm(monday, 20, 30), false, []string{"starts_at"}, "08:00–20:00"},
		{"up to closing", hm(monday, 18, 0), hm(monday, 20, 0), false, nil, ""},
		{"over midnight", hm(monday, 19, 30), hm(monday, 24+8, 30), false, []string{"ends_at", "starts_at"}, "开放时间"},
		{"Saturday", hm(sat, 9, 0), hm(sat, 11, 0), false, []string{"starts_at"}, "不是工作日"},
		{"Saturday with staff override", hm(sat, 9, 0), hm(sat, 11, 0), true, nil, ""},
		{"override keeps the hours", hm(sat, 7, 0), hm(sat, 9, 0), true, []string{"starts_at"}, "开放时间"},
		{"New Year's Day", hm(newYear, 9, 0), hm(newYear, 11, 0), false, []string{"starts_at"}, "周五"},
		{"already begun", now.Add(-time.Hour), now.Add(time.Hour), false, []string{"starts_at"}, "已经过去"},
		{"starting right now", now, now.Add(time.Hour), false, nil, ""},
		{"too far ahead", bj(2027, 6, 1, 9, 0), bj(2027, 6, 1, 10, 0), false, []string{"starts_at"}, "180天"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f errs.Fields
			venue.DefaultConfig.CheckInterval(&f, venue.Interval{Start: tc.start.UTC(), End: tc.end.UTC(), Override: tc.override},
				now, cal.IsWorkingDay)
			var got []string
			text := ""
			for _, fe := range f {
				if !slices.Contains(got, fe.Field) {
					got = append(got, fe.Field)
				}
				text += fe.Message + "；"
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.bad) {
				t.Fatalf("fields %v, want %v (%s)", got, tc.bad, text)
			}
			if tc.says != "" && !strings.Contains(text, tc.says) {
				t.Errorf("reason %q does not say %q", text, tc.says)
			}
		})
	}
}

func TestSlots(t *testing.T) {
	s := venue.Slots(hm(monday, 9, 0), hm(monday, 11, 0))
	if len(s) != 4 || !s[0].Equal(hm(monday, 9, 0)) || !s[3].Equal(hm(monday, 10, 30)) {
		t.Fatalf("slots %v", s)
	}
	if len(venue.Slots(hm(monday, 9, 0), hm(monday, 9, 0))) != 0 {
		t.Error("an empty interval holds no slot")
	}
}

// TestReservationRelease: a Monday 09:00–12:00 reservation with a 48-hour
// release is closed to ordinary projects until Saturday 09:00 before it.
func TestReservationRelease(t *testing.T) {
	r := venue.Reservation{ID: 1, Weekday: 1, StartMinute: 9 * 60, EndMinute: 12 * 60, ReleaseHours: 48, Start: "09:00", End: "12:00"}
	o, ok := venue.OccurrenceOn(r, monday.UTC())
	if !ok || !o.Start.Equal(hm(monday, 9, 0)) || !o.End.Equal(hm(monday, 12, 0)) || !o.ReleaseAt.Equal(bj(2026, 11, 28, 9, 0)) {
		t.Fatalf("occurrence %+v ok=%v", o, ok)
	}
	if _, ok := venue.OccurrenceOn(r, monday.Add(24*time.Hour).UTC()); ok {
		t.Error("a Monday reservation occurs on Tuesday")
	}
	for _, tc := range []struct {
		name       string
		start, end time.Time
		now        time.Time
		blocked    bool
	}{
		{"inside, a week before", hm(monday, 10, 0), hm(monday, 11, 0), testenv.Start, true},
		{"overlapping its start", hm(monday, 8, 0), hm(monday, 9, 30), testenv.Start, true},
		{"overlapping its end", hm(monday, 11, 30), hm(monday, 13, 0), testenv.Start, true},
		{"right after it", hm(monday, 12, 0), hm(monday, 13, 0), testenv.Start, false},
		{"right before it", hm(monday, 8, 0), hm(monday, 9, 0), testenv.Start, false},
		{"a minute before release", hm(monday, 10, 0), hm(monday, 11, 0), bj(2026, 11, 28, 8, 59), true},
		{"at release", hm(monday, 10, 0), hm(monday, 11, 0), bj(2026, 11, 28, 9, 0), false},
		{"next Tuesday", hm(monday, 24+10, 0), hm(monday, 24+11, 0), testenv.Start, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iv := venue.Interval{Start: tc.start.UTC(), End: tc.end.UTC()}
			if _, _, got := venue.Blocking([]venue.Reservation{r}, iv, tc.now); got != tc.blocked {
				t.Errorf("blocked %v, want %v", got, tc.blocked)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	want := hm(monday, 9, 30).UTC()
	for _, s := range []string{"2026-11-30 09:30", "2026-11-30T09:30", "2026-11-30 09:30:00", "2026-11-30T01:30:00Z",
		"2026-11-30T09:30:00+08:00", " 2026-11-30 09:30 "} {
		got, err := venue.ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-11-30", "09:30", "2026/11/30 09:30", "2026-11-31 09:30", "1999-12-31 09:00",
		"2026-11-30 25:00", "明天上午"} {
		if _, err := venue.ParseTime(s); errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
			t.Errorf("ParseTime(%q): %v, want a Chinese invalid-input error", s, err)
		}
	}
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]int{"09:30": 570, "9:30": 570, "00:00": 0, "24:00": 1440, "20:00": 1200} {
		if got, err := venue.ParseClock(s); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "930", "09:3", "24:30", "09:60", "-1:00", "+9:30", "09:30:00", "０９:３０"} {
		if _, err := venue.ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", bj(2026, 11, 23, 0, 0)}, // the week of the fake clock
		{"2026-11-23", bj(2026, 11, 23, 0, 0)},
		{"2026-11-29", bj(2026, 11, 23, 0, 0)}, // Sunday belongs to the week before
		{"2026-11-30", bj(2026, 11, 30, 0, 0)},
		{"2026-W48", bj(2026, 11, 23, 0, 0)},
		{"2026-W1", bj(2025, 12, 29, 0, 0)}, // ISO week 1 of 2026 starts in 2025
		{"2026-W53", bj(2026, 12, 28, 0, 0)},
		{"2027-01-01", bj(2026, 12, 28, 0, 0)},
	} {
		got, err := venue.ParseWeek(tc.in, testenv.Start)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v", tc.in, got, err, tc.want.UTC())
		}
	}
	for _, s := range []string{"2026-W54", "2027-W53", "2026-W0", "2026-11", "W48", "2026-13-01", "11/23/2026", "3000-01-01"} {
		if _, err := venue.ParseWeek(s, testenv.Start); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ParseWeek(%q): %v, want invalid", s, err)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	if err := venue.DefaultConfig.Check(); err != nil {
		t.Fatal(err)
	}
	bad := venue.DefaultConfig
	bad.OpenMinute, bad.CloseMinute = 20*60, 8*60
	if venue.DefaultConfig.Hours() != "08:00–20:00" || bad.Check() == nil {
		t.Error("closing before opening accepted")
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
