package expert

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/clock"
)

// The avoidance rules (回避) as pure functions over what the pool loaded,
// so they are tested without a database. Pool (pool.go) loads candidates
// and facts and calls Avoid; nobody can add an expert to a panel by hand
// (RULES A16): there is no other way in.

// Reason is an avoidance reason code, the categories the centres report
// exclusions under.
type Reason string

const (
	ReasonBidder     Reason = "bidder"     // 投标单位
	ReasonTenderer   Reason = "tenderer"   // 招标单位
	ReasonSupervisor Reason = "supervisor" // 主管部门
	ReasonAgent      Reason = "agent"      // 招标代理
	ReasonOther      Reason = "other"      // 其他 (booked, leave, suspended, 失信, age, served too often, named)
)

var reasonLabels = map[Reason]string{ReasonBidder: "投标单位", ReasonTenderer: "招标单位", ReasonSupervisor: "主管部门",
	ReasonAgent: "招标代理", ReasonOther: "其他"}

// Label is the reason's Chinese name.
func (r Reason) Label() string { return reasonLabels[r] }

// reasonOrder is the order exclusions of one expert are listed in.
var reasonOrder = []Reason{ReasonTenderer, ReasonAgent, ReasonBidder, ReasonSupervisor, ReasonOther}

// Exclusion is one expert kept out of a pool and why. Detail never names
// a bidder (who bid stays secret until the opening, DESIGN principle 1).
type Exclusion struct {
	ExpertID int64  `json:"expert_id"`
	Reason   Reason `json:"reason"`
	Detail   string `json:"detail"` // Chinese, e.g. "现任职于投标单位"
}

// Named is an expert the request excludes by name, with the reason given.
type Named struct {
	ExpertID int64  `json:"expert_id"`
	Reason   string `json:"reason"`
}

// PoolQuery says whom a draw may choose from.
type PoolQuery struct {
	Specialty        string    // code prefix, e.g. "A08"
	Centres          []string  // region codes of the centres whose experts are eligible
	From, To         time.Time // evaluation period (overlapping engagements and leave exclude)
	TendererOrgID    int64
	AgentOrgID       int64
	BidderOrgIDs     []int64
	SupervisorOrgIDs []int64 // staff of the supervising department(s)
	MaxServes        int     // served this tenderer more than N times ...
	ServesMonths     int     // ... in M months (0 = no limit)
	MaxAge           int     // 0 = none; C13 says under 70
	Named            []Named // excluded by name with reasons
	At               time.Time
}

// PastYears is how far back an employment excludes (RULES C11: 三年内).
const PastYears = 3

// Party is an organisation of the lot whose people may not judge it.
type Party struct {
	Reason     Reason
	OrgID      int64
	CreditCode string
}

// Candidate is an expert of the requested specialty and centres, as the
// rules need it.
type Candidate struct {
	ID             int64
	EmployerCode   string
	Status         Status
	SuspendedFrom  time.Time // first day of a suspension (00:00 Beijing)
	SuspendedUntil time.Time // last day; zero = until reinstated
	Dishonest      bool
	Birth          time.Time
}

// PastJob is a former employment: the employer and the last day there.
type PastJob struct {
	CreditCode string
	To         time.Time
}

// Period is a span of time [From, To) with what it is.
type Period struct {
	From, To time.Time
	Outcome  string // for engagements
}

// Engaged is an engagement with a tenderer, for "served this tenderer N
// times".
type Engaged struct {
	TendererOrgID int64
	From          time.Time
	Outcome       string
}

// Facts are the candidates' ties and bookings that the rules read. They
// may hold more than matters (the store narrows, the rules decide).
type Facts struct {
	Parties   []Party
	PastJobs  map[int64][]PastJob
	Relations map[int64][]Relation
	Leaves    map[int64][]Period
	Barred    map[int64][]time.Time // penalties: last barred day
	Booked    map[int64][]Period    // engagements
	Engaged   map[int64][]Engaged   // engagements with the tenderer
}

// holding outcomes keep an expert busy for the engagement's time.
func holding(outcome string) bool {
	return outcome == Invited || outcome == Accepted || outcome == Served
}

// serving outcomes count as having served a tenderer.
func serving(outcome string) bool { return outcome == Accepted || outcome == Served }

// Avoid applies every avoidance rule to the candidates and returns the
// eligible ids in ascending order and each exclusion (one per expert and
// reason code, the details of that reason joined).
func Avoid(cands []Candidate, f Facts, q PoolQuery) (eligible []int64, excluded []Exclusion) {
	sorted := cands
	if !slices.IsSortedFunc(cands, byID) {
		sorted = slices.Clone(cands)
		slices.SortStableFunc(sorted, byID)
	}
	j := judge{f: f, q: q, named: map[int64][]string{}, cutoff: day(q.At).AddDate(-PastYears, 0, 0),
		serveSince: q.At.AddDate(0, -q.ServesMonths, 0)}
	for _, n := range q.Named {
		j.named[n.ExpertID] = append(j.named[n.ExpertID], strings.TrimSpace(n.Reason))
	}
	eligible = make([]int64, 0, len(sorted))
	var last int64 = -1
	for _, c := range sorted {
		if c.ID == last {
			continue // an expert matched through two specialties
		}
		last = c.ID
		why := j.reasons(c)
		if len(why) == 0 {
			eligible = append(eligible, c.ID)
			continue
		}
		for _, r := range reasonOrder {
			if d := why[r]; len(d) > 0 {
				excluded = append(excluded, Exclusion{ExpertID: c.ID, Reason: r, Detail: strings.Join(d, "；")})
			}
		}
	}
	return eligible, excluded
}

func byID(a, b Candidate) int { return cmp.Compare(a.ID, b.ID) }

// judge holds what every candidate is judged against, computed once.
type judge struct {
	f          Facts
	q          PoolQuery
	named      map[int64][]string
	cutoff     time.Time // employment ending on or after this day ties (three years)
	serveSince time.Time
}

// reasons lists, per reason code, why c may not serve; nil when nothing
// does.
func (j *judge) reasons(c Candidate) map[Reason][]string {
	f, q := j.f, j.q
	jobs, rels := f.PastJobs[c.ID], f.Relations[c.ID] // each map read once: most candidates have nothing
	var why map[Reason][]string
	add := func(r Reason, d string) {
		if why == nil {
			why = map[Reason][]string{}
		}
		why[r] = append(why[r], d)
	}

	// Ties to the parties: current employer, employment within three
	// years, declared relations (RULES C10, C11).
	for _, p := range f.Parties {
		if p.CreditCode == "" || c.EmployerCode != p.CreditCode && len(jobs) == 0 && len(rels) == 0 {
			continue
		}
		label := p.Reason.Label()
		if c.EmployerCode == p.CreditCode {
			add(p.Reason, "现任职于"+label)
		}
		for _, jb := range jobs {
			if jb.CreditCode == p.CreditCode && !jb.To.Before(j.cutoff) {
				add(p.Reason, "近三年曾任职于"+label+"（至"+dateText(jb.To)+"）")
			}
		}
		for _, r := range rels {
			if r.CreditCode == p.CreditCode {
				add(p.Reason, "申报与"+label+"存在关系："+r.Kind.Label())
			}
		}
	}

	// The expert's own standing.
	switch c.Status {
	case Retired:
		add(ReasonOther, "已退出专家库")
	case Suspended:
		end := time.Time{}
		if !c.SuspendedUntil.IsZero() {
			end = c.SuspendedUntil.AddDate(0, 0, 1)
		}
		if overlaps(c.SuspendedFrom, end, q.From, q.To) {
			d := "暂停评标资格"
			if !c.SuspendedUntil.IsZero() {
				d += "（至" + dateText(c.SuspendedUntil) + "）"
			}
			add(ReasonOther, d)
		}
	}
	if c.Dishonest {
		add(ReasonOther, "失信被执行人（规则 C14）")
	}
	for _, until := range f.Barred[c.ID] {
		if q.From.Before(until.AddDate(0, 0, 1)) {
			add(ReasonOther, "受到处罚，禁止评标至"+dateText(until)+"（规则 C10）")
			break
		}
	}
	if q.MaxAge > 0 && !c.Birth.IsZero() && Age(c.Birth, q.From) >= q.MaxAge {
		add(ReasonOther, "评标时已年满"+strconv.Itoa(q.MaxAge)+"周岁（规则 C13）")
	}
	for _, l := range f.Leaves[c.ID] {
		if overlaps(l.From, l.To, q.From, q.To) {
			add(ReasonOther, "评标时段内请假")
			break
		}
	}
	for _, b := range f.Booked[c.ID] {
		if holding(b.Outcome) && overlaps(b.From, b.To, q.From, q.To) {
			add(ReasonOther, "同一时段已有评标安排")
			break
		}
	}
	if q.ServesMonths > 0 && q.TendererOrgID != 0 {
		n := 0
		for _, s := range f.Engaged[c.ID] {
			if s.TendererOrgID == q.TendererOrgID && serving(s.Outcome) && !s.From.Before(j.serveSince) {
				n++
			}
		}
		if n > q.MaxServes {
			add(ReasonOther, "近"+strconv.Itoa(q.ServesMonths)+"个月已为该招标人评标"+strconv.Itoa(n)+"次（上限"+
				strconv.Itoa(q.MaxServes)+"次）")
		}
	}
	for _, r := range j.named[c.ID] {
		d := "指定回避"
		if r != "" {
			d += "：" + r
		}
		add(ReasonOther, d)
	}
	return why
}

// overlaps reports whether [a1, a2) and [b1, b2) share an instant; a zero
// a1 is the distant past and a zero a2 the distant future.
func overlaps(a1, a2, b1, b2 time.Time) bool {
	return (a2.IsZero() || a2.After(b1)) && (a1.IsZero() || a1.Before(b2))
}

// day is 00:00 Beijing time of t's day.
func day(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, clock.Shanghai)
}

func dateText(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }

// Age is the age in full years on the day of at (Beijing time) of a person
// born on birth.
func Age(birth, at time.Time) int {
	b, a := birth.In(clock.Shanghai), at.In(clock.Shanghai)
	years := a.Year() - b.Year()
	if a.Month() < b.Month() || (a.Month() == b.Month() && a.Day() < b.Day()) {
		years--
	}
	return years
}

// Mask hides a name for pages that may not show it: the first and last
// characters stay, "张*明", "欧**明", two-character names keep the first,
// "李*".
func Mask(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// Flag thresholds: repeated declines (DeclineLimit or more in
// DeclineMonths) and low ratings (average below LowRating over the last
// RatingWindow ratings).
const (
	DeclineLimit  = 3
	DeclineMonths = 12
	RatingWindow  = 5
	LowRating     = 3
)

// ComputeFlags raises the flags from the number of declines in the window
// and the scores of the latest ratings (newest first; only the first
// RatingWindow count).
func ComputeFlags(declines int, scores []int) Flags {
	f := Flags{Declines: declines, ManyDeclines: declines >= DeclineLimit}
	if len(scores) > RatingWindow {
		scores = scores[:RatingWindow]
	}
	sum := 0
	for _, s := range scores {
		sum += s
	}
	f.Ratings = len(scores)
	if f.Ratings > 0 {
		f.AverageTenths = sum * 10 / f.Ratings
		f.LowRatings = sum < LowRating*f.Ratings
	}
	return f
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
