package venue

import (
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// Parsers for what users type: booking times, clock times of weekly
// reservations and the week a calendar shows. Each returns a Chinese
// reason on bad input and is fuzzed (parse_fuzz_test.go).

// localLayouts are the forms a booking time may take without a zone; they
// mean Beijing time. "2006-01-02T15:04" is what <input type=datetime-local>
// sends.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// ParseTime reads a booking time: RFC 3339 with a zone, or a Beijing
// wall-clock time such as "2026-11-30 09:00". The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errs.E(errs.Invalid, "不能为空")
	}
	if len(s) > 40 {
		return time.Time{}, errs.E(errs.Invalid, "格式不正确")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return checkYear(t.UTC())
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return checkYear(t.UTC())
		}
	}
	return time.Time{}, errs.E(errs.Invalid, "格式不正确，应为 2026-11-30 09:00（北京时间）或 RFC 3339")
}

func checkYear(t time.Time) (time.Time, error) {
	if y := t.In(clock.Shanghai).Year(); y < 2000 || y > 2100 {
		return time.Time{}, errs.E(errs.Invalid, "年份须在2000至2100之间")
	}
	return t, nil
}

// ParseClock reads a time of day "HH:MM" (Beijing time) as minutes after
// 00:00; "24:00" is the end of the day.
func ParseClock(s string) (int, error) {
	bad := errs.E(errs.Invalid, "格式不正确，应为 HH:MM，例如 09:30")
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, bad
	}
	hh, ok1 := digits(h)
	mm, ok2 := digits(m)
	if !ok1 || !ok2 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, bad
	}
	return hh*60 + mm, nil
}

func digits(s string) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ParseWeek reads which week a calendar shows and returns its Monday 00:00
// Beijing time: "" is the week of now, "2026-11-23" (any day) its week,
// "2026-W48" the ISO week.
func ParseWeek(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return monday(now), nil
	}
	bad := errs.E(errs.Invalid, "格式不正确，应为日期 2026-11-23 或 ISO 周 2026-W48")
	if len(s) > 10 {
		return time.Time{}, bad
	}
	if y, w, ok := strings.Cut(s, "-W"); ok {
		year, ok1 := digits(y)
		week, ok2 := digits(w)
		if !ok1 || !ok2 || len(y) != 4 || len(w) < 1 || len(w) > 2 || year < 2000 || year > 2100 {
			return time.Time{}, bad
		}
		// 4 January is always in ISO week 1.
		jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, clock.Shanghai)
		m := monday(jan4).AddDate(0, 0, 7*(week-1))
		if gy, gw := m.In(clock.Shanghai).ISOWeek(); week < 1 || gy != year || gw != week {
			return time.Time{}, errs.E(errs.Invalid, "%d年没有第%d周", year, week)
		}
		return m, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, clock.Shanghai)
	if err != nil {
		return time.Time{}, bad
	}
	m := monday(t)
	if y := m.In(clock.Shanghai).Year(); y < 2000 || y > 2100 {
		return time.Time{}, errs.E(errs.Invalid, "年份须在2000至2100之间")
	}
	return m, nil
}

// monday is 00:00 Beijing time of the Monday of t's week, in UTC.
func monday(t time.Time) time.Time {
	d := dayStart(t)
	return d.In(clock.Shanghai).AddDate(0, 0, 1-isoWeekday(d)).UTC()
}
