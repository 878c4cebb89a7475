package venue

import (
	"fmt"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// SlotLength is the unit rooms are booked in: every booking starts and ends
// on a half hour, and holds one booking_slots row per half hour, whose
// primary key (room_id, slot_start) makes double booking impossible.
const SlotLength = 30 * time.Minute

// Config holds the booking rules a centre may tune.
type Config struct {
	OpenMinute  int           // opening hours start, minutes after 00:00 Beijing time (480 = 08:00)
	CloseMinute int           // opening hours end (1200 = 20:00); a booking ends at the latest then
	MaxDuration time.Duration // longest single booking
	MaxAhead    time.Duration // how far ahead one may book
}

// DefaultConfig: 08:00–20:00 Beijing time, at most 8 hours per booking, up
// to 180 days ahead.
var DefaultConfig = Config{OpenMinute: 8 * 60, CloseMinute: 20 * 60, MaxDuration: 8 * time.Hour,
	MaxAhead: 180 * 24 * time.Hour}

// Check refuses a configuration the rules cannot work with.
func (c Config) Check() error {
	var f errs.Fields
	if c.OpenMinute < 0 || c.OpenMinute%30 != 0 || c.CloseMinute > 24*60 || c.CloseMinute%30 != 0 ||
		c.OpenMinute >= c.CloseMinute {
		f.Add("hours", "开放时间须为整点或半点，且开始早于结束")
	}
	if c.MaxDuration < SlotLength || c.MaxDuration%SlotLength != 0 {
		f.Add("max_duration", "单次预约时长上限须为30分钟的整数倍")
	}
	if c.MaxAhead < 24*time.Hour {
		f.Add("max_ahead", "可提前预约的期限至少为1天")
	}
	return f.Err()
}

// Hours shows the opening hours, e.g. "08:00–20:00".
func (c Config) Hours() string { return clockText(c.OpenMinute) + "–" + clockText(c.CloseMinute) }

// Interval is a requested booking time, checked by CheckInterval.
type Interval struct {
	Start, End time.Time
	// Override lets centre staff book a non-working day (weekend or
	// holiday); opening hours still apply.
	Override bool
}

// WorkingDay tells whether the Beijing day of t is a working day; the
// calendar package answers it (RULES C1: holidays and 调休 included).
type WorkingDay func(t time.Time) (bool, error)

// CheckInterval applies the booking time rules to iv at time now, adding
// a Chinese reason per bad field to f: half-hour alignment, end after
// start, within one day's opening hours, not longer than MaxDuration, not in
// the past nor too far ahead, and on a working day unless overridden.
func (c Config) CheckInterval(f *errs.Fields, iv Interval, now time.Time, working WorkingDay) {
	s, e := iv.Start, iv.End
	aligned := true
	if !onHalfHour(s) {
		f.Add("starts_at", "开始时间须为整点或半点（以30分钟为单位预约），收到 %s", minuteText(s))
		aligned = false
	}
	if !onHalfHour(e) {
		f.Add("ends_at", "结束时间须为整点或半点（以30分钟为单位预约），收到 %s", minuteText(e))
		aligned = false
	}
	if !e.After(s) {
		f.Add("ends_at", "结束时间须晚于开始时间")
		return
	}
	if !aligned {
		return
	}
	if d := e.Sub(s); d > c.MaxDuration {
		f.Add("ends_at", "单次预约不能超过%s，所选时长为%s；更长的安排请分次预约", durationText(c.MaxDuration), durationText(d))
	}
	day := dayStart(s)
	open, close := day.Add(time.Duration(c.OpenMinute)*time.Minute), day.Add(time.Duration(c.CloseMinute)*time.Minute)
	if s.Before(open) || e.After(close) {
		f.Add("starts_at", "预约时间须在当日开放时间 %s（北京时间）之内", c.Hours())
	}
	if s.Before(now) {
		f.Add("starts_at", "不能预约已经过去的时间（当前服务器时间 %s）", minuteText(now))
	} else if s.After(now.Add(c.MaxAhead)) {
		f.Add("starts_at", "最多可提前%d天预约", int(c.MaxAhead/(24*time.Hour)))
	}
	if iv.Override {
		return
	}
	ok, err := working(s)
	switch {
	case err != nil:
		f.Add("starts_at", "%s", errs.As(err).Message)
	case !ok:
		f.Add("starts_at", "%s（%s）不是工作日，场地只在工作日开放；确需安排的，请联系交易中心工作人员", dateText(s), weekdayLabel(isoWeekday(s)))
	}
}

// onHalfHour reports whether t falls on :00 or :30 Beijing time exactly.
func onHalfHour(t time.Time) bool {
	l := t.In(clock.Shanghai)
	return l.Minute()%30 == 0 && l.Second() == 0 && l.Nanosecond() == 0
}

// Slots lists the starts of the half-hour slots in [start, end), in
// ascending order: the rows a booking takes in booking_slots. Inserting
// them in ascending order keeps two overlapping PostgreSQL transactions
// from waiting on each other in a cycle.
func Slots(start, end time.Time) []time.Time {
	var out []time.Time
	for t := start; t.Before(end); t = t.Add(SlotLength) {
		out = append(out, t)
	}
	return out
}

// Occurrence is one weekly reservation on a given day.
type Occurrence struct {
	Start, End, ReleaseAt time.Time
}

// Released reports whether the occurrence is open to everyone at now.
func (o Occurrence) Released(now time.Time) bool { return !now.Before(o.ReleaseAt) }

// OccurrenceOn places reservation r on the Beijing day starting at day
// (00:00 Beijing time); ok is false when r is not on that weekday. The
// occurrence is released to every project release_hours before it starts.
func OccurrenceOn(r Reservation, day time.Time) (Occurrence, bool) {
	if isoWeekday(day) != r.Weekday {
		return Occurrence{}, false
	}
	s := day.Add(time.Duration(r.StartMinute) * time.Minute)
	return Occurrence{Start: s, End: day.Add(time.Duration(r.EndMinute) * time.Minute),
		ReleaseAt: s.Add(-time.Duration(r.ReleaseHours) * time.Hour)}, true
}

// Blocking returns the first occurrence among rs on the day of iv that
// overlaps iv and is not yet released at now: a project outside the green
// channel may not book into it.
func Blocking(rs []Reservation, iv Interval, now time.Time) (Reservation, Occurrence, bool) {
	day := dayStart(iv.Start)
	for _, r := range rs {
		o, ok := OccurrenceOn(r, day)
		if ok && overlaps(o.Start, o.End, iv.Start, iv.End) && !o.Released(now) {
			return r, o, true
		}
	}
	return Reservation{}, Occurrence{}, false
}

// Touches reports whether iv overlaps any occurrence of rs, released or not.
func Touches(rs []Reservation, iv Interval) bool {
	day := dayStart(iv.Start)
	for _, r := range rs {
		if o, ok := OccurrenceOn(r, day); ok && overlaps(o.Start, o.End, iv.Start, iv.End) {
			return true
		}
	}
	return false
}

func overlaps(s1, e1, s2, e2 time.Time) bool { return s1.Before(e2) && s2.Before(e1) }

// checkReservation validates a weekly reservation against the opening hours.
func (c Config) checkReservation(f *errs.Fields, r Reservation) {
	if r.Weekday < 1 || r.Weekday > 7 {
		f.Add("weekday", "星期须为1（周一）至7（周日）")
	}
	timesOK := true
	for _, x := range []struct{ field, label, text string }{{"start", "开始时间", r.Start}, {"end", "结束时间", r.End}} {
		if !f.Required(x.field, x.label, x.text) {
			timesOK = false
		}
	}
	var err error
	if timesOK {
		if r.StartMinute, err = ParseClock(r.Start); err != nil {
			f.Add("start", "开始时间%s", errs.As(err).Message)
			timesOK = false
		}
		if r.EndMinute, err = ParseClock(r.End); err != nil {
			f.Add("end", "结束时间%s", errs.As(err).Message)
			timesOK = false
		}
	}
	if timesOK {
		switch {
		case r.StartMinute%30 != 0 || r.EndMinute%30 != 0:
			f.Add("start", "预留时段须从整点或半点开始和结束")
		case r.EndMinute <= r.StartMinute:
			f.Add("end", "结束时间须晚于开始时间")
		case r.StartMinute < c.OpenMinute || r.EndMinute > c.CloseMinute:
			f.Add("start", "预留时段须在开放时间 %s 之内", c.Hours())
		}
	}
	if r.ReleaseHours < 0 || r.ReleaseHours > 7*24 {
		f.Add("release_hours", "释放提前量须为0至168小时")
	}
	f.MaxLen("note", "备注", r.Note, 100)
}

// dayStart is 00:00 Beijing time of t's Beijing day.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, clock.Shanghai).UTC()
}

// isoWeekday is 1 = Monday … 7 = Sunday of t's Beijing day.
func isoWeekday(t time.Time) int {
	w := int(t.In(clock.Shanghai).Weekday())
	if w == 0 {
		return 7
	}
	return w
}

var weekdayNames = [...]string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

func weekdayLabel(w int) string {
	if w < 1 || w > 7 {
		return ""
	}
	return weekdayNames[w]
}

func clockText(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

func minuteText(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04") }

func dateText(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }

// spanText shows a range within one day: "2026-11-30 09:00–11:00".
func spanText(s, e time.Time) string {
	return minuteText(s) + "–" + e.In(clock.Shanghai).Format("15:04")
}

func durationText(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0:
		return fmt.Sprintf("%d小时", h)
	case h == 0:
		return fmt.Sprintf("%d分钟", m)
	}
	return fmt.Sprintf("%d小时%d分钟", h, m)
}
