package demo

import (
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
)

// days does the timeline's date arithmetic in Beijing time with the
// platform calendar (holidays and 调休 make-up days, RULES C1–C3), so a
// demo centre works on working days only, as the real ones do. Errors
// (a date outside the calendar's years) stick: the first one is kept and
// every later answer is the zero time, and the loader checks err after
// each step.
type days struct {
	cal *calendar.Calendar
	err error
}

func (d *days) keep(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

// at is day's Beijing date at hh:mm.
func at(day time.Time, hh, mm int) time.Time {
	l := day.In(clock.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), hh, mm, 0, 0, clock.Shanghai).UTC()
}

// midnight is 00:00 Beijing of t's day.
func midnight(t time.Time) time.Time { return at(t, 0, 0) }

// working reports whether t's Beijing day is a working day.
func (d *days) working(t time.Time) bool {
	ok, err := d.cal.IsWorkingDay(t)
	d.keep(err)
	return ok
}

// workday is 00:00 of the n-th working day after t's day; n = 0 is t's
// day itself when it is a working day, else the next one.
func (d *days) workday(t time.Time, n int) time.Time {
	day := midnight(t)
	for d.err == nil && !d.working(day) {
		day = day.AddDate(0, 0, 1)
	}
	for i := 0; i < n && d.err == nil; i++ {
		day = day.AddDate(0, 0, 1)
		for d.err == nil && !d.working(day) {
			day = day.AddDate(0, 0, 1)
		}
	}
	return midnight(day)
}

// before is 00:00 of the n-th working day before t's day (n ≥ 1).
func (d *days) before(t time.Time, n int) time.Time {
	day := midnight(t)
	for i := 0; i < n && d.err == nil; i++ {
		day = day.AddDate(0, 0, -1)
		for d.err == nil && !d.working(day) {
			day = day.AddDate(0, 0, -1)
		}
	}
	return midnight(day)
}

// office is the first instant at or after t inside office hours
// (calendar.DefaultOfficeHours) of a working day.
func (d *days) office(t time.Time) time.Time {
	for i := 0; i < 60 && d.err == nil; i++ {
		if d.working(t) {
			l := t.In(clock.Shanghai)
			minute := l.Hour()*60 + l.Minute()
			for _, w := range calendar.DefaultOfficeHours {
				if minute < w.From {
					return at(t, w.From/60, w.From%60)
				}
				if minute < w.To {
					return t
				}
			}
		}
		t = d.workday(t.AddDate(0, 0, 1), 0)
	}
	return t
}

func (d *days) earliestEnd(t time.Time, n int) time.Time {
	e, err := d.cal.EarliestEnd(t, n)
	d.keep(err)
	return e
}

func (d *days) earliestEndWorking(t time.Time, n int) time.Time {
	e, err := d.cal.EarliestEndWorking(t, n)
	d.keep(err)
	return e
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
