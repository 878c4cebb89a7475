package demo

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// outcome is how a project's trading ends.
type outcome int

const (
	awarded           outcome = iota // 成交 / 中标
	failedThenAwarded                // 流标, re-tendered, then awarded
	failedFinal                      // 流标 and left there
	terminated                       // 终止公告 while tendering
	withdrawn                        // returned by the centre, then withdrawn by the applicant
)

// stop is a point where a project's life is held, so that the present
// shows every state (trading_specials.go); most projects run on until
// their end or the present.
type stop int

const (
	runOn stop = iota
	stopDraft
	stopSubmitted
	stopReturned
	stopAccepted
	stopNoticeDraft
	stopNoticeReview
	stopNoticeRejected
	stopNoticeScheduled
	stopEvaluating
	stopPublicity
	stopDecrypting // its opening's decryption window is open at the present (bidding.go)
)

// amendment is what a project's amendment (澄清/变更) does, if it has one.
type amendment int

const (
	noAmendment amendment = iota
	clarify               // clarification, deadline kept
	extend                // the deadline (or a listing's end) moves later
)

// plan is everything decided about a project before its life starts.
type plan struct {
	kind      tender.TradeKind
	industry  string
	procedure tender.Procedure
	region    place
	tenderer  *org
	agent     *org   // nil: no agent
	owner     string // username who registers, drafts and books
	name      string
	approval  string
	lots      []tender.LotInput
	classes   []string  // bidder class per lot
	ratios    []float64 // award price ÷ (maximum price or estimate), or deal ÷ starting price
	green     bool
	reason    string
	start     time.Time
	outcome   outcome
	stop      stop
	amend     amendment
	remote    bool // evaluation also at a remote seat (远程异地评标)
	prequal   bool // bidders prequalified first (资格预审公告, then the tender)
	// The people's habits: returned once at intake, answered late,
	// notice rejected once by the reviewer.
	returnFirst, lateDecision, rejectFirst bool
	// fast: every step at its earliest, so a special's stage is reached on
	// a known day; publishAt overrides the planned publication.
	fast      bool
	publishAt time.Time
}

// kindShares are the kinds' shares of the projects, and procedures'
// shares within each kind (per mille), close to a prefecture centre's
// mix: most projects are construction and procurement, most money goes
// to construction and land.
var (
	kindShares = []struct {
		kind  tender.TradeKind
		share int
	}{{tender.Construction, 42}, {tender.Procurement, 38}, {tender.Land, 11}, {tender.Property, 9}}
	procedureShares = map[tender.TradeKind][]struct {
		p     tender.Procedure
		share int
	}{
		tender.Construction: {{tender.Open, 88}, {tender.Invited, 12}},
		tender.Procurement: {{tender.Open, 45}, {tender.Consultation, 22}, {tender.Inquiry, 12}, {tender.Negotiation, 10},
			{tender.Invited, 6}, {tender.SingleSource, 5}},
		tender.Land:     {{tender.Listing, 65}, {tender.Auction, 30}, {tender.Open, 5}},
		tender.Property: {{tender.Listing, 75}, {tender.Auction, 25}},
	}
	// regionShares: the city centre handles a fifth; the counties the rest
	// roughly by size (镇雄 is the most populous county of Yunnan).
	regionShares = []struct {
		code  string
		share int
	}{{"530600", 20}, {"530602", 12}, {"530627", 13}, {"530628", 8}, {"530621", 7}, {"530622", 7}, {"530629", 6},
		{"530625", 6}, {"530623", 6}, {"530624", 5}, {"530681", 5}, {"530626", 5}}
)

func regionByCode(code string) place {
	for _, p := range append([]place{zhaotong}, zhaotongCo...) {
		if p.code == code {
			return p
		}
	}
	panic("demo: no region " + code)
}

// plans makes the projects: the specials (trading_specials.go) that hold
// the present in every state, and ordinary ones spread over the years.
func (l *loader) plans() ([]*plan, error) {
	specials := l.specials()
	n := l.opt.Projects - len(specials)
	if n < 14 {
		return nil, fmt.Errorf("演示项目数至少为 %d", len(specials)+14)
	}
	first := l.days.workday(timelineStart.AddDate(0, 0, 1), 0)
	last := l.days.before(l.opt.Now, 1)
	span := last.Sub(first)
	var out []*plan
	for i := 0; i < n; i++ {
		// Evenly spread days with a little jitter; the first projects go
		// round the kinds and regions so even a small demo has them all.
		day := first.Add(time.Duration(float64(span) * (float64(i) + l.g.r.Float64()) / float64(n)))
		kind := l.pickKind()
		if i < len(kindShares) {
			kind = kindShares[i].kind
		}
		region := l.pickRegion()
		if i < len(regionShares) {
			region = regionByCode(regionShares[(i*5)%len(regionShares)].code)
		}
		out = append(out, l.newPlan(kind, region, "", l.morning(day)))
	}
	out = append(out, specials...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out, l.days.err
}

// morning is a random instant of the first working morning at or after day.
func (l *loader) morning(day time.Time) time.Time {
	d := l.days.workday(day, 0)
	return at(d, 9, 0).Add(time.Duration(l.g.r.IntN(150)) * time.Minute)
}

func (l *loader) pickKind() tender.TradeKind {
	x := l.g.r.IntN(100)
	for _, k := range kindShares {
		if x < k.share {
			return k.kind
		}
		x -= k.share
	}
	return tender.Construction
}

func (l *loader) pickRegion() place {
	x := l.g.r.IntN(100)
	for _, r := range regionShares {
		if x < r.share {
			return regionByCode(r.code)
		}
		x -= r.share
	}
	return zhaotong
}

func (l *loader) pickProcedure(k tender.TradeKind) tender.Procedure {
	x := l.g.r.IntN(100)
	for _, p := range procedureShares[k] {
		if x < p.share {
			return p.p
		}
		x -= p.share
	}
	return procedureShares[k][0].p
}

// chance is true with probability pct/100.
func (g *gen) chance(pct int) bool { return g.r.IntN(100) < pct }

// between is a uniform float in [a, b).
func (g *gen) between(a, b float64) float64 { return a + (b-a)*g.r.Float64() }

// lognormal is a price around median with the given spread, within
// [lo, hi].
func (g *gen) lognormal(median, spread, lo, hi float64) float64 {
	v := median * math.Exp(spread*g.r.NormFloat64())
	return math.Max(lo, math.Min(hi, v))
}

// yuan rounds an amount in 元 down to a multiple of unit 元, as fen.
func yuan(v float64, unit int64) money.Fen {
	return money.Fen(int64(v)/unit*unit) * money.OneYuan
}

// newPlan draws an ordinary project of kind k in region p, registered at
// start. role, if set, chooses the tenderer's role.
func (l *loader) newPlan(k tender.TradeKind, p place, role string, start time.Time) *plan {
	g := l.g
	var ts []template
	total := 0
	for _, t := range templates {
		if t.kind == k && (role == "" || t.role == role) {
			ts = append(ts, t)
			total += t.weight
		}
	}
	t := ts[len(ts)-1]
	x := g.r.IntN(total)
	for _, c := range ts {
		if x < c.weight {
			t = c
			break
		}
		x -= c.weight
	}
	pl := &plan{kind: k, industry: t.industry, region: p, procedure: l.pickProcedure(k), tenderer: l.tendererFor(p.code)[t.role],
		start: start}
	year := clock.Local(start).Year()
	pl.name = g.fill(g.pick(t.names), p, pl.tenderer, year)
	l.chooseOwner(pl)
	l.fillLots(pl, t)
	switch x := g.r.IntN(100); {
	case x < 5 && k != tender.Property:
		pl.outcome = failedThenAwarded
	case x < 9:
		pl.outcome = failedFinal
	case x < 12 && pl.procedure != tender.SingleSource:
		pl.outcome = terminated
	case x < 14:
		pl.outcome, pl.returnFirst = withdrawn, true
	}
	pl.returnFirst = pl.returnFirst || g.chance(10)
	pl.lateDecision = g.chance(5)
	pl.rejectFirst = g.chance(8)
	if amendable(pl) && g.chance(20) {
		pl.amend = clarify
		if g.chance(40) {
			pl.amend = extend
		}
	}
	if k == tender.Construction && g.chance(6) {
		pl.green, pl.reason = true, g.pick(greenReasons)
	}
	pl.remote = k == tender.Construction && g.chance(15)
	pl.prequal = prequalifies(pl, g)
	return pl
}

// prequalifies decides whether a project prequalifies its bidders with a
// 资格预审公告 before the tender: now and then a large open construction
// tender (条例 15–19), and most invited purchases, whose suppliers answer a
// public prequalification notice (87号令 第14条).
func prequalifies(pl *plan, g *gen) bool {
	switch {
	case pl.kind == tender.Construction && pl.procedure == tender.Open:
		var est money.Fen
		for _, l := range pl.lots {
			est += l.EstimatedPrice
		}
		return est >= 3000*money.OneWan && g.chance(35)
	case pl.kind == tender.Procurement && pl.procedure == tender.Invited:
		return g.chance(70)
	}
	return false
}

// amendable: amendments are drafted for open procedures and listings.
func amendable(pl *plan) bool {
	switch pl.kind {
	case tender.Construction:
		return true
	case tender.Procurement:
		return pl.procedure == tender.Open
	}
	return pl.procedure == tender.Listing
}

// chooseOwner decides who registers the project: the tenderer itself when
// it has a user (sometimes naming an agent), otherwise an agent. The
// first agent is the busiest, so its demo account has plenty to show.
func (l *loader) chooseOwner(pl *plan) {
	g := l.g
	agent := l.agents[0]
	if !g.chance(30) {
		agent = l.agents[g.r.IntN(len(l.agents))]
	}
	switch {
	case pl.tenderer.user != "" && g.chance(50):
		pl.owner = pl.tenderer.user
		if g.chance(40) {
			pl.agent = agent
		}
	default:
		pl.agent, pl.owner = agent, agent.user
	}
}

// fillLots divides the project into lots with their prices, maximum
// prices, deposits (within RULES A6/D5) and the award ratios.
func (l *loader) fillLots(pl *plan, t template) {
	g := l.g
	est := g.lognormal(t.median*1.08, 0.8, 3e5, 5e8)
	var names []string
	classes := []string{}
	switch pl.kind {
	case tender.Construction:
		switch x := g.r.IntN(100); {
		case x < 70:
			names = []string{"施工"}
		case x < 80:
			pl.name += "监理"
			names, est, t.bidders = []string{"监理"}, est*0.025, bidSupervision
		case x < 85:
			pl.name += "勘察设计"
			names, est, t.bidders = []string{"勘察设计"}, est*0.03, bidDesign
		default:
			names = []string{"施工Ⅰ标段", "施工Ⅱ标段"}
			if g.chance(50) {
				names = append(names, "监理")
			}
		}
		est = math.Max(est, 1.2e5)
	case tender.Procurement:
		names = []string{"全部采购内容"}
		if g.chance(20) {
			names = []string{"A包", "B包"}
			if g.chance(40) {
				names = append(names, "C包")
			}
		}
	case tender.Land:
		names = []string{"出让宗地"}
		est = g.lognormal(t.median, 1.0, 2e6, 8e8)
		if strings.HasSuffix(pl.name, "（工业用地）") {
			est /= 5
		}
	case tender.Property:
		names = []string{"转让标的"}
		est = g.lognormal(t.median, 1.1, 5e4, 2e8)
	}
	share := make([]float64, len(names))
	sum := 0.0
	for i, n := range names {
		share[i] = g.between(0.6, 1.4)
		if n == "监理" && len(names) > 1 {
			share[i] = 0.08
		}
		sum += share[i]
	}
	for i, n := range names {
		lot := tender.LotInput{Name: n}
		v := est * share[i] / sum
		class := classFor(pl.name, t.bidders)
		switch {
		case n == "监理":
			class = bidSupervision
		case pl.kind == tender.Land || pl.kind == tender.Property:
			lot.EstimatedPrice = yuan(v, 10000)
		default:
			lot.EstimatedPrice = yuan(v, 100)
		}
		if lot.EstimatedPrice == 0 {
			lot.EstimatedPrice = yuan(v, 100)
		}
		l.priceLot(pl, &lot)
		pl.lots = append(pl.lots, lot)
		classes = append(classes, class)
		pl.ratios = append(pl.ratios, l.awardRatio(pl.kind))
	}
	pl.classes = classes
	pl.approval = g.approvalRef(pl.kind, pl.region, clock.Local(pl.start).Year())
}

// classFor refines a template's bidder class by what the project buys.
func classFor(name, class string) string {
	for _, c := range []struct{ word, class string }{
		{"物业", bidService}, {"运维", bidIT}, {"监控系统", bidIT}, {"智慧校园", bidIT}, {"车辆", bidVehicle},
		{"食材", bidGoods}, {"图书", bidGoods},
	} {
		if strings.Contains(name, c.word) {
			return c.class
		}
	}
	return class
}

// priceLot sets the maximum price, deposit and evaluation method of a lot.
func (l *loader) priceLot(pl *plan, lot *tender.LotInput) {
	g := l.g
	est := int64(lot.EstimatedPrice / money.OneYuan)
	switch pl.kind {
	case tender.Construction:
		if g.chance(85) {
			lot.MaxPrice = yuan(float64(est)*g.between(0.94, 1.0), 1)
		}
		if g.chance(75) {
			// RULES A6: at most 2% of the estimate and 80万元.
			lot.Deposit = min(yuan(float64(est)*0.02, 1000), 80*money.OneWan)
		}
		lot.EvalMethod = tender.Comprehensive
		if g.chance(35) {
			lot.EvalMethod = tender.LowestPrice
		}
	case tender.Procurement:
		if g.chance(50) {
			lot.MaxPrice = lot.EstimatedPrice
		}
		if pl.procedure == tender.Open && g.chance(50) {
			lot.Deposit = yuan(float64(est)*0.01, 100) // RULES D5: at most 2%
		}
		lot.EvalMethod = tender.Comprehensive
		if pl.procedure == tender.Inquiry || g.chance(30) {
			lot.EvalMethod = tender.LowestPrice
		}
	case tender.Land:
		lot.Deposit = yuan(float64(est)*0.2, 10000)
		lot.EvalMethod = tender.HighestPrice
	case tender.Property:
		lot.Deposit = yuan(float64(est)*g.between(0.1, 0.3), 1000)
		lot.EvalMethod = tender.HighestPrice
	}
}

// awardRatio: tenders are won a little under the maximum price (the
// savings), land and property often go above the starting price (the
// premium), sometimes at it. With the templates' prices the totals come
// out near the seed account's (196.53亿元 traded, 2.79亿元 saved, 15.12亿元
// premium).
func (l *loader) awardRatio(k tender.TradeKind) float64 {
	g := l.g
	switch k {
	case tender.Construction:
		return g.between(0.958, 0.998)
	case tender.Procurement:
		return g.between(0.86, 0.995)
	case tender.Land:
		if g.chance(25) {
			return 1
		}
		u := g.r.Float64()
		return 1 + 0.9*u*u
	}
	if g.chance(35) {
		return 1
	}
	u := g.r.Float64()
	return 1 + 0.5*u*u
}
