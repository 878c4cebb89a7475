package calendar

import (
	"fmt"
	"time"

	"ggzy/internal/errs"
)

// # Working hours
//
// Service promises such as "2个工作小时内办结" (the green channel of the
// service guide) run in office time: only the office hours of working
// days count. A working day is the same as for AddWorkingDays (C3: the
// State Council schedule with 调休); office hours are a centre setting,
// DefaultOfficeHours unless configured otherwise.
//
// AddOfficeTime counts forward from the start instant: time before the
// first window of a working day, during the lunch break, after close, and
// on rest days does not count. The result is the instant the promised time
// is used up; like the other periods here it is exclusive — an act at t is
// in time iff t.Before(due). A period used up exactly at the end of a
// window ends there (12:00), not at the start of the next one (14:30).

// OfficeWindow is one stretch of office time within a day, in minutes after
// 00:00 Beijing time: {540, 720} is 09:00–12:00.
type OfficeWindow struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// OfficeHours are the windows of a working day in which working hours run,
// in order and not overlapping.
type OfficeHours []OfficeWindow

// DefaultOfficeHours are 09:00–12:00 and 14:30–18:00 Beijing time: the
// hours Yunnan's trading centres publish (the long lunch break is usual in
// Yunnan), 6.5 hours a day. A centre with other hours configures its own.
var DefaultOfficeHours = OfficeHours{{From: 9 * 60, To: 12 * 60}, {From: 14*60 + 30, To: 18 * 60}}

// Validate checks that the windows are in order, do not overlap, lie
// within one day and are not empty.
func (h OfficeHours) Validate() error {
	if len(h) == 0 {
		return errs.E(errs.Invalid, "办公时间不能为空")
	}
	prev := -1
	for _, w := range h {
		if w.From < 0 || w.To > 24*60 || w.From >= w.To {
			return errs.E(errs.Invalid, "办公时段 %s 无效", w)
		}
		if w.From < prev {
			return errs.E(errs.Invalid, "办公时段须按时间先后排列且互不重叠（%s）", w)
		}
		prev = w.To
	}
	return nil
}

// PerDay is the office time of one working day.
func (h OfficeHours) PerDay() time.Duration {
	var d time.Duration
	for _, w := range h {
		d += time.Duration(w.To-w.From) * time.Minute
	}
	return d
}

// String is "09:00–12:00、14:30–18:00".
func (h OfficeHours) String() string {
	s := ""
	for i, w := range h {
		if i > 0 {
			s += "、"
		}
		s += w.String()
	}
	return s
}

func (w OfficeWindow) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", w.From/60, w.From%60, w.To/60, w.To%60)
}

// AddWorkingHours returns when n working hours of office time after start
// are used up (see AddOfficeTime).
func (c *Calendar) AddWorkingHours(start time.Time, n int, h OfficeHours) (time.Time, error) {
	if n < 1 {
		return time.Time{}, errs.E(errs.Invalid, "期限小时数必须为正整数，实际为%d", n)
	}
	return c.AddOfficeTime(start, time.Duration(n)*time.Hour, h)
}

// AddOfficeTime returns the instant at which d of office time, counted from
// start, is used up. It fails for d ≤ 0, for invalid office hours and when
// it needs a year the calendar does not cover.
func (c *Calendar) AddOfficeTime(start time.Time, d time.Duration, h OfficeHours) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, errs.E(errs.Invalid, "办理时限必须大于零")
	}
	if err := h.Validate(); err != nil {
		return time.Time{}, err
	}
	left := d
	// Each pass looks at one day from start onwards and ends: either the
	// time is used up, or the day moves forward, and days run out of
	// calendar data eventually.
	for day := dateOf(start); ; day++ {
		ok, err := c.working(day)
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			continue
		}
		midnight := day.time()
		for _, w := range h {
			from := midnight.Add(time.Duration(w.From) * time.Minute)
			to := midnight.Add(time.Duration(w.To) * time.Minute)
			if !to.After(start) {
				continue // this window is over before start
			}
			if from.Before(start) {
				from = start
			}
			avail := to.Sub(from)
			if left <= avail {
				return from.Add(left), nil
			}
			left -= avail
		}
	}
}

// OfficeTimeBetween is the office time from start to end: how much of a
// promise has been used, or how far past due an item is. Zero when end is
// not after start.
func (c *Calendar) OfficeTimeBetween(start, end time.Time, h OfficeHours) (time.Duration, error) {
	if err := h.Validate(); err != nil {
		return 0, err
	}
	var total time.Duration
	for day, last := dateOf(start), dateOf(end); day <= last && end.After(start); day++ {
		ok, err := c.working(day)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		midnight := day.time()
		for _, w := range h {
			from := midnight.Add(time.Duration(w.From) * time.Minute)
			to := midnight.Add(time.Duration(w.To) * time.Minute)
			if from.Before(start) {
				from = start
			}
			if to.After(end) {
				to = end
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total, nil
}
