// Package calendar is the only place ggzy computes legal periods (RULES
// C1–C3): calendar days, working days per the State Council holiday
// schedule (including 调休 make-up working weekends), and "不少于N日".
//
// # Days and instants
//
// Functions take and return time.Time instants (store them in UTC), but
// they count Beijing calendar days: the day of an instant is its date in
// Asia/Shanghai (clock.Shanghai). China has no daylight saving time, so
// every day is 24 hours and starts at 00:00.
//
// # "Ends at 24:00" convention
//
// A period that ends "at 24:00 of its last day" (民法典 203) is
// represented by the instant 00:00 of the following day in Beijing time,
// and that instant is exclusive: an act at time t is within the period if
// and only if t.Before(end). For example, a 10-day period ending on
// 2026-03-11 is returned as 2026-03-12 00:00 +08:00 (2026-03-11T16:00:00Z);
// an act at 2026-03-11 23:59:59 is in time, one at 2026-03-12 00:00:00 is
// late.
//
// # Periods counted forward (C1)
//
// The day of the start instant is not counted; counting begins the next
// day. The last day of an n-day period is start day + n; if that day is not
// a working day (a statutory holiday, a 调休 rest day or an ordinary
// weekend), the last day becomes the next working day. AddDays returns the
// end of the last day; AddWorkingDays returns the end of the n-th working
// day after the start day.
//
// # Minimum periods, "不少于N日" (C2)
//
// Rules such as "from the day documents are first issued to the bid
// deadline: ≥ 20 days" (RULES A1) count from the day after the start up to
// and including the day of the end (自…之日起至…之日止). The bound is
// inclusive (C2), and the same holiday move applies to the last day. So the
// end satisfies the rule if its day is on or after the last day of the
// n-day period: EarliestEnd returns 00:00 of that last day, and
// AtLeastDays(start, end, n) is exactly !end.Before(EarliestEnd(start, n)).
// Example: documents issued 2026-03-04 (any time of day); day 20 is
// 2026-03-24, a Tuesday, so the bid deadline may be any time on 2026-03-24
// or later, but not 2026-03-23 23:59. Issued 2026-03-01, day 20 would be
// Saturday 03-21, so the earliest deadline is Monday 2026-03-23 00:00.
//
// # Years without data
//
// Holidays are data (holidays/*.txt, embedded), one file per year. A
// computation that needs a day in a year the calendar does not cover
// fails with an error wrapping ErrNotCovered; it never falls back to
// "weekends only", which would silently give deadlines that are too early.
// A year whose State Council notice was not yet published is loaded as
// provisional (Provisional reports it): only the statutory holidays
// themselves, without 调休 and 补假.
package calendar

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// Kind says how the schedule changes a day.
type Kind string

const (
	Holiday Kind = "holiday" // a day off: statutory holiday or 调休 rest day
	Workday Kind = "workday" // a weekend day worked (调休上班)
)

// Day is one entry of a year's schedule.
type Day struct {
	Date time.Time // 00:00 of the day, in location clock.Shanghai
	Kind Kind
	Name string // e.g. "春节", "春节调休上班"
}

// Year describes the data loaded for one year.
type Year struct {
	Year        int
	Provisional bool   // no State Council notice yet; statutory holidays only
	Source      string // where the data comes from
}

// ErrNotCovered is wrapped by errors about days in years without holiday
// data; test with errors.Is.
var ErrNotCovered = errors.New("calendar: year not covered")

// Calendar is an immutable holiday schedule for a set of years. It is safe
// for concurrent use.
type Calendar struct {
	years map[int]Year
	days  map[date]Day
}

//go:embed holidays/*.txt
var embedded embed.FS

var (
	defaultOnce sync.Once
	defaultCal  *Calendar
)

// Default returns the calendar built from the embedded holiday files. The
// files are part of the build and checked by the tests, so a bad file is a
// programming error and panics.
func Default() *Calendar {
	defaultOnce.Do(func() {
		c, err := loadFS(embedded, "holidays")
		if err != nil {
			panic(err)
		}
		defaultCal = c
	})
	return defaultCal
}

func loadFS(fsys fs.FS, dir string) (*Calendar, error) {
	names, err := fs.Glob(fsys, dir+"/*.txt")
	if err != nil {
		return nil, err
	}
	c := newCalendar()
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := c.parse(bytes.NewReader(b), name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Load reads a schedule in the holidays/*.txt format (see holidays/2025.txt):
// "year YYYY official|provisional source" lines declare the years covered,
// "YYYY-MM-DD holiday|workday name" lines list the changed days.
func Load(r io.Reader) (*Calendar, error) {
	c := newCalendar()
	if err := c.parse(r, "input"); err != nil {
		return nil, err
	}
	return c, nil
}

func newCalendar() *Calendar {
	return &Calendar{years: map[int]Year{}, days: map[date]Day{}}
}

// parse adds one file's years and days. Days must belong to a year declared
// in the same file before them, which keeps each year's data in one place.
func (c *Calendar) parse(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	declared := map[int]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("calendar: %s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			return fail("want 3 fields or more, got %q", line)
		}
		rest := strings.Join(fields[2:], " ")
		if fields[0] == "year" {
			y, err := strconv.Atoi(fields[1])
			if err != nil || y < 1949 || y > 9999 {
				return fail("bad year %q", fields[1])
			}
			if _, dup := c.years[y]; dup {
				return fail("year %d declared twice", y)
			}
			status, source, _ := strings.Cut(rest, " ")
			if status != "official" && status != "provisional" {
				return fail("year status must be official or provisional, got %q", status)
			}
			c.years[y] = Year{Year: y, Provisional: status == "provisional", Source: strings.TrimSpace(source)}
			declared[y] = true
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", fields[0], clock.Shanghai)
		if err != nil {
			return fail("bad date %q", fields[0])
		}
		d := dateOf(t)
		if !declared[d.year()] {
			return fail("date %s is in a year not declared above it in this file", fields[0])
		}
		kind := Kind(fields[1])
		switch kind {
		case Holiday:
		case Workday:
			// Make-up working days are always weekend days; a weekday here
			// is a typo in the date.
			if !d.weekend() {
				return fail("workday %s is not a Saturday or Sunday", fields[0])
			}
		default:
			return fail("kind must be holiday or workday, got %q", fields[1])
		}
		if _, dup := c.days[d]; dup {
			return fail("date %s listed twice", fields[0])
		}
		c.days[d] = Day{Date: d.time().In(clock.Shanghai), Kind: kind, Name: rest}
	}
	return sc.Err()
}

// Years lists the years covered, ascending.
func (c *Calendar) Years() []Year {
	out := make([]Year, 0, len(c.years))
	for _, y := range c.years {
		out = append(out, y)
	}
	slices.SortFunc(out, func(a, b Year) int { return a.Year - b.Year })
	return out
}

// Covers reports whether the calendar has holiday data for year.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Provisional reports whether year's data is provisional: statutory
// holidays only, before the State Council notice. False for years not
// covered at all (see Covers).
func (c *Calendar) Provisional(year int) bool { return c.years[year].Provisional }

// Holidays lists the changed days of year, holidays and make-up working
// days alike, in date order, for showing the schedule.
func (c *Calendar) Holidays(year int) ([]Day, error) {
	if !c.Covers(year) {
		return nil, notCovered(year)
	}
	var out []Day
	for d, day := range c.days {
		if d.year() == year {
			out = append(out, day)
		}
	}
	slices.SortFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out, nil
}

func notCovered(year int) error {
	return &errs.Error{
		Code:    errs.Invalid,
		Message: fmt.Sprintf("%d年的法定节假日安排尚未录入，无法计算期限", year),
		Err:     ErrNotCovered,
	}
}

// working reports whether d is a working day: a weekday that is not a
// holiday, or a weekend day listed as a make-up working day.
func (c *Calendar) working(d date) (bool, error) {
	if !c.Covers(d.year()) {
		return false, notCovered(d.year())
	}
	if day, ok := c.days[d]; ok {
		return day.Kind == Workday, nil
	}
	return !d.weekend(), nil
}

// IsWorkingDay reports whether the Beijing day of t is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) (bool, error) { return c.working(dateOf(t)) }

// nextWorking returns d if it is a working day, else the first working day
// after it. It ends: every step either finds a working day or reaches a
// year without data and fails.
func (c *Calendar) nextWorking(d date) (date, error) {
	for {
		ok, err := c.working(d)
		if err != nil || ok {
			return d, err
		}
		d++
	}
}

// nthWorkingAfter returns the n-th working day after d, d not counted.
func (c *Calendar) nthWorkingAfter(d date, n int) (date, error) {
	for n > 0 {
		d++
		ok, err := c.working(d)
		if err != nil {
			return 0, err
		}
		if ok {
			n--
		}
	}
	return d, nil
}

func checkN(n int) error {
	if n < 1 {
		return errs.E(errs.Invalid, "期限天数必须为正整数，实际为%d", n)
	}
	return nil
}

// lastDay is the last day of an n-day period from start per C1.
func (c *Calendar) lastDay(start time.Time, n int) (date, error) {
	if err := checkN(n); err != nil {
		return 0, err
	}
	return c.nextWorking(dateOf(start) + date(n))
}

// AddDays returns the end of an n-calendar-day period that starts at start
// (C1): the start day is not counted, a last day that is not a working day
// moves to the next working day, and the period ends at 24:00 of the last
// day, returned as the exclusive instant 00:00 of the day after. Use it for
// "within n days" limits: an act at t is in time iff t.Before(end).
func (c *Calendar) AddDays(start time.Time, n int) (time.Time, error) {
	d, err := c.lastDay(start, n)
	if err != nil {
		return time.Time{}, err
	}
	return (d + 1).time(), nil
}

// AddWorkingDays returns the end (exclusive, 00:00 of the next day) of a
// period of n working days after the day of start.
func (c *Calendar) AddWorkingDays(start time.Time, n int) (time.Time, error) {
	if err := checkN(n); err != nil {
		return time.Time{}, err
	}
	d, err := c.nthWorkingAfter(dateOf(start), n)
	if err != nil {
		return time.Time{}, err
	}
	return (d + 1).time(), nil
}

// EarliestEnd returns the earliest instant that satisfies "不少于n日" from
// start: 00:00 of the period's last day (see the package doc). A deadline
// is lawful iff it is not before this instant.
func (c *Calendar) EarliestEnd(start time.Time, n int) (time.Time, error) {
	d, err := c.lastDay(start, n)
	if err != nil {
		return time.Time{}, err
	}
	return d.time(), nil
}

// EarliestEndWorking is EarliestEnd for "不少于n个工作日": 00:00 of the
// n-th working day after the day of start.
func (c *Calendar) EarliestEndWorking(start time.Time, n int) (time.Time, error) {
	if err := checkN(n); err != nil {
		return time.Time{}, err
	}
	d, err := c.nthWorkingAfter(dateOf(start), n)
	if err != nil {
		return time.Time{}, err
	}
	return d.time(), nil
}

// AtLeastDays reports whether the span from start to end is "不少于n日"
// (C2, inclusive): the day of end is on or after the last day of the n-day
// period from start.
func (c *Calendar) AtLeastDays(start, end time.Time, n int) (bool, error) {
	e, err := c.EarliestEnd(start, n)
	if err != nil {
		return false, err
	}
	return !end.Before(e), nil
}

// AtLeastWorkingDays reports whether there are at least n working days
// after the day of start up to and including the day of end.
func (c *Calendar) AtLeastWorkingDays(start, end time.Time, n int) (bool, error) {
	e, err := c.EarliestEndWorking(start, n)
	if err != nil {
		return false, err
	}
	return !end.Before(e), nil
}

// LatestStart answers "at least n days before end" (RULES A4, A5): it
// returns the instant before which an act must happen so that
// AtLeastDays(act, end, n) holds. Like AddDays it is exclusive: the act is
// in time iff act.Before(LatestStart(end, n)). When the day n days before
// end would make the period's last day a holiday that moves past end, the
// act must come earlier still.
func (c *Calendar) LatestStart(end time.Time, n int) (time.Time, error) {
	if err := checkN(n); err != nil {
		return time.Time{}, err
	}
	// The period's last day must be a working day on or before the day of
	// end; the latest start is n days before the latest such working day.
	// (A non-working day+n moves forward, so it cannot be the last day.)
	d := dateOf(end)
	for {
		ok, err := c.working(d)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			break
		}
		d--
	}
	return (d - date(n) + 1).time(), nil
}

// WorkingDaysBetween counts the working days after the day of start up to
// and including the day of end; 0 when end's day is not after start's.
func (c *Calendar) WorkingDaysBetween(start, end time.Time) (int, error) {
	count := 0
	for d, last := dateOf(start)+1, dateOf(end); d <= last; d++ {
		ok, err := c.working(d)
		if err != nil {
			return 0, err
		}
		if ok {
			count++
		}
	}
	return count, nil
}

// DaysBetween counts Beijing calendar days from the day of start to the day
// of end, counting the first and not the last (算头不算尾), as interest on a
// deposit is counted (RULES F2): arrival 03-01, refund 03-31 → 30 days.
// Negative when end's day is before start's. It needs no holiday data.
func DaysBetween(start, end time.Time) int { return int(dateOf(end) - dateOf(start)) }

// date is a Beijing calendar day, counted in days since 1970-01-01.
type date int64

const secondsPerDay = 24 * 60 * 60

func dateOf(t time.Time) date {
	y, m, d := t.In(clock.Shanghai).Date()
	return date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// civil is the same day as a UTC midnight, handy for its fields.
func (d date) civil() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// time is 00:00 of the day in Beijing, as a UTC instant.
func (d date) time() time.Time {
	y, m, day := d.civil().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, clock.Shanghai).UTC()
}

func (d date) year() int { return d.civil().Year() }

func (d date) weekend() bool {
	w := d.civil().Weekday()
	return w == time.Saturday || w == time.Sunday
}
