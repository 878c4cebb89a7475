package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// bj is an instant given in Beijing time.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai)
}

// midnight is 00:00 Beijing of a day, the form periods end in.
func midnight(y int, m time.Month, d int) time.Time { return bj(y, m, d, 0, 0) }

func TestDefaultData(t *testing.T) {
	c := Default()
	for _, y := range []int{2024, 2025, 2026, 2027} {
		if !c.Covers(y) {
			t.Errorf("Covers(%d) = false", y)
		}
	}
	for _, y := range []int{2023, 2028} {
		if c.Covers(y) {
			t.Errorf("Covers(%d) = true", y)
		}
	}
	if c.Provisional(2024) || c.Provisional(2025) || c.Provisional(2026) || !c.Provisional(2027) {
		t.Errorf("Provisional 2025/2026/2027 = %v/%v/%v; want false/false/true",
			c.Provisional(2025), c.Provisional(2026), c.Provisional(2027))
	}
	// Counts from the notices: 2024 has 30 days off (weekends inside the
	// 端午 break listed) and 8 make-up days; 2025 has 28 and 5; 2026 has 33
	// and 6; 2027 (statutory only, 13 days) has none.
	for _, tt := range []struct{ year, holidays, workdays int }{
		{2024, 30, 8}, {2025, 28, 5}, {2026, 33, 6}, {2027, 13, 0},
	} {
		days, err := c.Holidays(tt.year)
		if err != nil {
			t.Fatal(err)
		}
		var h, w int
		for i, d := range days {
			if i > 0 && !days[i-1].Date.Before(d.Date) {
				t.Errorf("Holidays(%d) not sorted at %v", tt.year, d.Date)
			}
			if d.Name == "" {
				t.Errorf("%v has no name", d.Date)
			}
			if d.Kind == Holiday {
				h++
			} else {
				w++
			}
		}
		if h != tt.holidays || w != tt.workdays {
			t.Errorf("%d: %d holidays, %d workdays; want %d, %d", tt.year, h, w, tt.holidays, tt.workdays)
		}
	}
	years := c.Years()
	if len(years) != 4 || years[0].Year != 2024 || years[0].Source == "" {
		t.Errorf("Years() = %+v", years)
	}
}

func TestHolidaysEntry(t *testing.T) {
	days, err := Default().Holidays(2026)
	if err != nil {
		t.Fatal(err)
	}
	first := days[0]
	if !first.Date.Equal(midnight(2026, 1, 1)) || first.Kind != Holiday || first.Name != "元旦" {
		t.Errorf("first 2026 entry = %+v", first)
	}
	if first.Date.Location() != clock.Shanghai {
		t.Errorf("Day.Date location = %v; want Asia/Shanghai", first.Date.Location())
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := Default()
	tests := []struct {
		at   time.Time
		want bool
		why  string
	}{
		{bj(2026, 3, 2, 9, 0), true, "ordinary Monday"},
		{bj(2026, 3, 7, 9, 0), false, "ordinary Saturday"},
		{bj(2026, 2, 14, 9, 0), true, "春节 make-up Saturday"},
		{bj(2026, 2, 15, 9, 0), false, "春节 first day (Sunday)"},
		{bj(2026, 2, 23, 9, 0), false, "春节 last day (Monday)"},
		{bj(2026, 2, 24, 9, 0), true, "first day back"},
		{bj(2026, 2, 28, 9, 0), true, "second 春节 make-up Saturday"},
		{bj(2026, 1, 4, 9, 0), true, "元旦 make-up Sunday"},
		{bj(2026, 10, 7, 9, 0), false, "国庆 last day (Wednesday)"},
		{bj(2026, 10, 10, 9, 0), true, "国庆 make-up Saturday"},
		{bj(2026, 10, 11, 9, 0), false, "Sunday after it"},
		{bj(2025, 1, 1, 9, 0), false, "元旦 2025"},
		{bj(2024, 2, 9, 9, 0), true, "除夕 2024 (Friday, not a statutory day off)"},
		{bj(2024, 2, 4, 9, 0), true, "2024 春节 make-up Sunday"},
		{bj(2024, 2, 16, 9, 0), false, "春节 2024 (Friday)"},
		{bj(2024, 5, 11, 9, 0), true, "2024 劳动节 make-up Saturday"},
		{bj(2024, 9, 16, 9, 0), false, "中秋 2024 (Monday)"},
		{bj(2024, 10, 12, 9, 0), true, "2024 国庆 make-up Saturday"},
		{bj(2024, 12, 31, 9, 0), true, "2024-12-31 (Tuesday)"},
		{bj(2025, 10, 8, 9, 0), false, "国庆中秋 2025 eighth day"},
		{bj(2025, 10, 11, 9, 0), true, "2025 make-up Saturday"},
		{bj(2027, 2, 5, 9, 0), false, "除夕 2027 (provisional)"},
		{bj(2027, 6, 9, 9, 0), false, "端午 2027 (provisional)"},
		// The Beijing day decides, not the UTC day.
		{time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), true, "02-14 00:30 Beijing, make-up Saturday"},
		{time.Date(2026, 2, 14, 16, 0, 0, 0, time.UTC), false, "02-15 00:00 Beijing"},
	}
	for _, tt := range tests {
		got, err := c.IsWorkingDay(tt.at)
		if err != nil || got != tt.want {
			t.Errorf("%s: IsWorkingDay(%v) = %v, %v; want %v", tt.why, tt.at, got, err, tt.want)
		}
	}
}

func TestAddDays(t *testing.T) {
	c := Default()
	tests := []struct {
		why   string
		start time.Time
		n     int
		want  time.Time // exclusive end: 00:00 of the day after the last day
	}{
		{"plain: last day 03-11 (Wed)", bj(2026, 3, 1, 10, 0), 10, midnight(2026, 3, 12)},
		{"start time of day does not matter", bj(2026, 3, 1, 23, 59), 10, midnight(2026, 3, 12)},
		{"issued 09-10 + 20 = 09-30, a working day before 国庆", bj(2026, 9, 10, 9, 0), 20, midnight(2026, 10, 1)},
		{"issued 09-11 + 20 = 10-01 国庆 → 10-08", bj(2026, 9, 11, 9, 0), 20, midnight(2026, 10, 9)},
		{"ending 10-01 moves to first working day after the holiday", bj(2026, 9, 21, 9, 0), 10, midnight(2026, 10, 9)},
		{"ending on an ordinary Saturday → Monday", bj(2026, 3, 4, 9, 0), 3, midnight(2026, 3, 10)},
		{"ending on a make-up Saturday stays", bj(2026, 2, 4, 9, 0), 10, midnight(2026, 2, 15)},
		{"ending inside 春节 → 02-24", bj(2026, 2, 10, 9, 0), 7, midnight(2026, 2, 25)},
		{"across the year into 元旦, make-up Sunday 01-04", bj(2025, 12, 25, 9, 0), 7, midnight(2026, 1, 5)},
		{"one day", bj(2026, 3, 2, 9, 0), 1, midnight(2026, 3, 4)},
		{"start just after Beijing midnight (UTC previous day)", time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC), 1, midnight(2026, 3, 4)},
		{"2027 provisional 春节", bj(2027, 1, 28, 9, 0), 10, midnight(2027, 2, 10)},
	}
	for _, tt := range tests {
		got, err := c.AddDays(tt.start, tt.n)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: AddDays(%v, %d) = %v, %v; want %v", tt.why, tt.start, tt.n, got.In(clock.Shanghai), err, tt.want)
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: result not in UTC", tt.why)
		}
	}
}

func TestAddDaysConvention(t *testing.T) {
	// Package doc example: a 10-day period ending 2026-03-11 is returned as
	// 2026-03-11T16:00:00Z; 23:59:59 that day is in time, 00:00 next is late.
	end, err := Default().AddDays(bj(2026, 3, 1, 10, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Fatalf("end = %v; want %v", end, want)
	}
	if !time.Date(2026, 3, 11, 23, 59, 59, 0, clock.Shanghai).Before(end) {
		t.Error("23:59:59 on the last day should be in time")
	}
	if midnight(2026, 3, 12).Before(end) {
		t.Error("00:00 the next day should be late")
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Default()
	tests := []struct {
		why   string
		start time.Time
		n     int
		want  time.Time
	}{
		// 02-13 Fri (1), 02-14 make-up Sat (2), 春节 02-15..23, 02-24 (3), 02-25 (4), 02-26 (5).
		{"5 working days spanning 春节 2026", bj(2026, 2, 12, 9, 0), 5, midnight(2026, 2, 27)},
		// 02-27 Fri (1), 02-28 make-up Sat (2), 03-02 (3), 03-03 (4), 03-04 (5).
		{"after 春节, second make-up Saturday", bj(2026, 2, 26, 9, 0), 5, midnight(2026, 3, 5)},
		{"across 国庆: 09-29, 09-30, 10-08", bj(2026, 9, 28, 9, 0), 3, midnight(2026, 10, 9)},
		{"make-up Saturday 10-10 counts", bj(2026, 10, 9, 9, 0), 1, midnight(2026, 10, 11)},
		{"start on a holiday", bj(2026, 10, 3, 9, 0), 1, midnight(2026, 10, 9)},
		{"plain week: Fri + 1 = Mon", bj(2026, 3, 6, 9, 0), 1, midnight(2026, 3, 10)},
		// 2025: 春节 01-28..02-04, make-up 01-26 (Sun) and 02-08 (Sat).
		{"2025 春节", bj(2025, 1, 24, 9, 0), 3, midnight(2025, 2, 6)},
	}
	for _, tt := range tests {
		got, err := c.AddWorkingDays(tt.start, tt.n)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: AddWorkingDays(%v, %d) = %v, %v; want %v", tt.why, tt.start, tt.n, got.In(clock.Shanghai), err, tt.want)
		}
	}
}

func TestAtLeastDays(t *testing.T) {
	c := Default()
	tests := []struct {
		why        string
		start, end time.Time
		n          int
		want       bool
	}{
		// "不少于20日" (RULES A1), bound inclusive (C2).
		// Day 20 after 03-04 (Wed) is 03-24 (Tue), day 19 is 03-23 (Mon).
		{"exactly 20 days", midnight(2026, 3, 4), midnight(2026, 3, 24), 20, true},
		{"19 days 23:59", midnight(2026, 3, 4), bj(2026, 3, 23, 23, 59), 20, false},
		{"issued 10:00, deadline on day 20 at 09:00", bj(2026, 3, 4, 10, 0), bj(2026, 3, 24, 9, 0), 20, true},
		// Day 20 after 03-01 is 03-21, a Saturday: the last day is Monday 03-23.
		{"day 20 on a Saturday is not enough", bj(2026, 3, 1, 10, 0), bj(2026, 3, 21, 9, 0), 20, false},
		{"the Monday after is", bj(2026, 3, 1, 10, 0), bj(2026, 3, 23, 9, 0), 20, true},
		{"more than enough", bj(2026, 3, 1, 10, 0), bj(2026, 4, 1, 9, 0), 20, true},
		{"end before start", bj(2026, 3, 1, 10, 0), bj(2026, 2, 1, 9, 0), 20, false},
		// Day 20 is 10-01 (国庆), so the last day is 10-08.
		{"day 20 in 国庆 is not enough", bj(2026, 9, 11, 9, 0), bj(2026, 10, 7, 9, 0), 20, false},
		{"first working day after 国庆", bj(2026, 9, 11, 9, 0), bj(2026, 10, 8, 9, 0), 20, true},
		{"issued 09-10: deadline 09-30 suffices", bj(2026, 9, 10, 9, 0), bj(2026, 9, 30, 9, 0), 20, true},
	}
	for _, tt := range tests {
		got, err := c.AtLeastDays(tt.start, tt.end, tt.n)
		if err != nil || got != tt.want {
			t.Errorf("%s: AtLeastDays = %v, %v; want %v", tt.why, got, err, tt.want)
		}
		// AtLeastDays agrees with EarliestEnd by definition.
		e, err := c.EarliestEnd(tt.start, tt.n)
		if err != nil || tt.end.Before(e) == tt.want {
			t.Errorf("%s: EarliestEnd = %v, %v disagrees", tt.why, e, err)
		}
	}
	e, _ := c.EarliestEnd(bj(2026, 9, 11, 9, 0), 20)
	if !e.Equal(midnight(2026, 10, 8)) {
		t.Errorf("EarliestEnd(09-11, 20) = %v; want 2026-10-08 00:00", e.In(clock.Shanghai))
	}
}

func TestAtLeastWorkingDays(t *testing.T) {
	c := Default()
	// "不少于5个工作日" (RULES D3) from 2026-02-12: the 5th working day is 02-26.
	start := bj(2026, 2, 12, 15, 0)
	for _, tt := range []struct {
		end  time.Time
		want bool
	}{
		{bj(2026, 2, 26, 9, 0), true},
		{midnight(2026, 2, 26), true},
		{bj(2026, 2, 25, 23, 59), false},
	} {
		got, err := c.AtLeastWorkingDays(start, tt.end, 5)
		if err != nil || got != tt.want {
			t.Errorf("AtLeastWorkingDays(%v) = %v, %v; want %v", tt.end, got, err, tt.want)
		}
	}
	e, err := c.EarliestEndWorking(start, 5)
	if err != nil || !e.Equal(midnight(2026, 2, 26)) {
		t.Errorf("EarliestEndWorking = %v, %v", e, err)
	}
}

func TestLatestStart(t *testing.T) {
	c := Default()
	tests := []struct {
		why  string
		end  time.Time
		n    int
		want time.Time // the act must be before this
	}{
		// RULES A4: clarification ≥ 15 days before the deadline 03-25 (Wed):
		// on 03-10 at the latest.
		{"deadline on a working day", bj(2026, 3, 25, 9, 0), 15, midnight(2026, 3, 11)},
		// Deadline on Saturday 03-21: an act on 03-06 has its 15th day on
		// 03-21, a Saturday that moves to 03-23, past the deadline.
		{"deadline on a Saturday", bj(2026, 3, 21, 9, 0), 15, midnight(2026, 3, 6)},
		{"deadline 10-08 after 国庆", bj(2026, 10, 8, 9, 0), 15, midnight(2026, 9, 24)},
		{"deadline inside 国庆", bj(2026, 10, 5, 9, 0), 15, midnight(2026, 9, 16)},
	}
	for _, tt := range tests {
		got, err := c.LatestStart(tt.end, tt.n)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: LatestStart = %v, %v; want %v", tt.why, got.In(clock.Shanghai), err, tt.want)
		}
	}
}

// TestLatestStartAgrees checks LatestStart against AtLeastDays for acts at
// every 6 hours over two months around 国庆 and 春节.
func TestLatestStartAgrees(t *testing.T) {
	c := Default()
	for _, end := range []time.Time{bj(2026, 10, 5, 9, 0), bj(2026, 10, 8, 9, 0), bj(2026, 2, 26, 9, 0), bj(2026, 3, 21, 9, 0)} {
		for _, n := range []int{1, 3, 10, 15} {
			bound, err := c.LatestStart(end, n)
			if err != nil {
				t.Fatal(err)
			}
			for act := end.AddDate(0, -1, 0); act.Before(end); act = act.Add(6 * time.Hour) {
				ok, err := c.AtLeastDays(act, end, n)
				if err != nil {
					t.Fatal(err)
				}
				if ok != act.Before(bound) {
					t.Fatalf("end %v n %d act %v: AtLeastDays %v, LatestStart %v", end, n, act, ok, bound)
				}
			}
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Default()
	tests := []struct {
		start, end time.Time
		want       int
	}{
		{bj(2026, 2, 12, 9, 0), bj(2026, 2, 26, 18, 0), 5},
		{bj(2026, 9, 30, 9, 0), bj(2026, 10, 8, 9, 0), 1},
		{bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 18, 0), 0},
		{bj(2026, 3, 9, 9, 0), bj(2026, 3, 2, 9, 0), 0},
		{bj(2025, 12, 31, 9, 0), bj(2026, 1, 5, 9, 0), 2}, // 01-04 make-up Sunday, 01-05 Monday
	}
	for _, tt := range tests {
		got, err := c.WorkingDaysBetween(tt.start, tt.end)
		if err != nil || got != tt.want {
			t.Errorf("WorkingDaysBetween(%v, %v) = %d, %v; want %d", tt.start, tt.end, got, err, tt.want)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	tests := []struct {
		start, end time.Time
		want       int
	}{
		{bj(2026, 3, 1, 9, 0), bj(2026, 3, 31, 9, 0), 30}, // 算头不算尾
		{time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 15, 59, 0, 0, time.UTC), 30},
		{bj(2026, 3, 1, 23, 59), bj(2026, 3, 2, 0, 1), 1},
		{bj(2026, 3, 2, 9, 0), bj(2026, 3, 1, 9, 0), -1},
		{bj(2030, 1, 1, 0, 0), bj(2031, 1, 1, 0, 0), 365}, // needs no holiday data
	}
	for _, tt := range tests {
		if got := DaysBetween(tt.start, tt.end); got != tt.want {
			t.Errorf("DaysBetween(%v, %v) = %d; want %d", tt.start, tt.end, got, tt.want)
		}
	}
}

func TestNotCovered(t *testing.T) {
	c := Default()
	check := func(what string, err error, year string) {
		t.Helper()
		if !errors.Is(err, ErrNotCovered) || !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: err = %v; want ErrNotCovered, Invalid", what, err)
			return
		}
		if !strings.Contains(errs.As(err).Message, year+"年的法定节假日安排尚未录入") {
			t.Errorf("%s: message %q", what, errs.As(err).Message)
		}
	}
	_, err := c.IsWorkingDay(bj(2023, 12, 29, 9, 0))
	check("IsWorkingDay 2023", err, "2023")
	_, err = c.AddDays(bj(2027, 12, 25, 9, 0), 10) // would need 2028-01-04
	check("AddDays into 2028", err, "2028")
	_, err = c.AddWorkingDays(bj(2027, 12, 28, 9, 0), 5)
	check("AddWorkingDays into 2028", err, "2028")
	_, err = c.AtLeastDays(bj(2027, 12, 20, 9, 0), bj(2028, 1, 20, 9, 0), 20)
	check("AtLeastDays into 2028", err, "2028")
	_, err = c.WorkingDaysBetween(bj(2023, 12, 29, 9, 0), bj(2024, 1, 5, 9, 0))
	check("WorkingDaysBetween from 2023", err, "2023")
	_, err = c.LatestStart(bj(2024, 1, 1, 9, 0), 1) // 元旦 → back into 2023
	check("LatestStart into 2023", err, "2023")
	_, err = c.Holidays(2028)
	check("Holidays 2028", err, "2028")
}

func TestBadN(t *testing.T) {
	c := Default()
	start := bj(2026, 3, 1, 9, 0)
	for _, n := range []int{0, -1} {
		if _, err := c.AddDays(start, n); !errs.Is(err, errs.Invalid) {
			t.Errorf("AddDays n=%d: %v", n, err)
		}
		if _, err := c.AddWorkingDays(start, n); !errs.Is(err, errs.Invalid) {
			t.Errorf("AddWorkingDays n=%d: %v", n, err)
		}
		if _, err := c.AtLeastWorkingDays(start, start, n); !errs.Is(err, errs.Invalid) {
			t.Errorf("AtLeastWorkingDays n=%d: %v", n, err)
		}
		if _, err := c.LatestStart(start, n); !errs.Is(err, errs.Invalid) {
			t.Errorf("LatestStart n=%d: %v", n, err)
		}
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(strings.NewReader(`
# a test year
year 2030 official 测试
2030-01-01 holiday 元旦
2030-01-05 workday 调休上班
`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Covers(2030) || c.Covers(2026) || c.Provisional(2030) {
		t.Errorf("Covers/Provisional wrong: %+v", c.Years())
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{bj(2030, 1, 1, 9, 0), false}, // Tuesday, holiday
		{bj(2030, 1, 2, 9, 0), true},  // Wednesday
		{bj(2030, 1, 5, 9, 0), true},  // Saturday, make-up
		{bj(2030, 1, 6, 9, 0), false}, // Sunday
	} {
		if got, err := c.IsWorkingDay(tt.at); err != nil || got != tt.want {
			t.Errorf("IsWorkingDay(%v) = %v, %v", tt.at, got, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, text, msg string }{
		{"undeclared year", "2030-01-01 holiday 元旦", "not declared"},
		{"weekday workday", "year 2030 official x\n2030-01-02 workday 调休", "not a Saturday or Sunday"},
		{"duplicate day", "year 2030 official x\n2030-01-01 holiday a\n2030-01-01 holiday b", "listed twice"},
		{"duplicate year", "year 2030 official x\nyear 2030 official y", "declared twice"},
		{"bad kind", "year 2030 official x\n2030-01-01 rest 元旦", "kind must be"},
		{"bad date", "year 2030 official x\n2030-02-30 holiday 元旦", "bad date"},
		{"bad status", "year 2030 maybe x", "official or provisional"},
		{"bad year", "year 20x0 official x", "bad year"},
		{"short line", "year 2030", "3 fields"},
	}
	for _, tt := range tests {
		_, err := Load(strings.NewReader(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v; want it to mention %q", tt.name, err, tt.msg)
		}
	}
}

// FuzzLoad: the data file parser never panics, and what it accepts answers
// IsWorkingDay without error for covered years.
func FuzzLoad(f *testing.F) {
	b, err := embedded.ReadFile("holidays/2026.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add("year 2030 official x\n2030-01-05 workday y\n")
	f.Add("2030-01-01 holiday")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Load(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, y := range c.Years() {
			if _, err := c.IsWorkingDay(bj(y.Year, 6, 1, 9, 0)); err != nil {
				t.Fatalf("covered year %d: %v", y.Year, err)
			}
			if _, err := c.Holidays(y.Year); err != nil {
				t.Fatalf("Holidays(%d): %v", y.Year, err)
			}
		}
	})
}

// FuzzPeriods: for any start in the covered range and any n, the results
// are consistent: the end of an n-day period is after EarliestEnd, is a
// Beijing midnight, and its last day is a working day.
func FuzzPeriods(f *testing.F) {
	f.Add(uint16(0), uint8(20))
	f.Add(uint16(600), uint8(5))
	f.Fuzz(func(t *testing.T, offsetHours uint16, n8 uint8) {
		c := Default()
		n := int(n8)%60 + 1
		start := bj(2025, 1, 1, 0, 0).Add(time.Duration(offsetHours) * time.Hour)
		end, err := c.AddDays(start, n)
		if errors.Is(err, ErrNotCovered) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, m, s := end.In(clock.Shanghai).Clock(); h+m+s != 0 {
			t.Fatalf("end %v is not a Beijing midnight", end)
		}
		last := end.Add(-time.Hour)
		if ok, _ := c.IsWorkingDay(last); !ok {
			t.Fatalf("AddDays(%v, %d) last day %v is not a working day", start, n, last)
		}
		early, err := c.EarliestEnd(start, n)
		if err != nil || !early.Add(24*time.Hour).Equal(end) {
			t.Fatalf("EarliestEnd %v, AddDays %v", early, end)
		}
		wend, err := c.AddWorkingDays(start, n)
		if err == nil {
			if DaysBetween(start, wend.Add(-time.Hour)) < n {
				t.Fatalf("%d working days took fewer calendar days", n)
			}
			cnt, err := c.WorkingDaysBetween(start, wend.Add(-time.Hour))
			if err != nil || cnt != n {
				t.Fatalf("WorkingDaysBetween to AddWorkingDays end = %d, %v; want %d", cnt, err, n)
			}
		}
	})
}
