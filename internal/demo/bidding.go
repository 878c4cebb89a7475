package demo

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
)

// Online bidding and opening (投标与不见面开标) in the demo.
//
// The demo's centres moved to sealed bids and the online opening
// onlineDays before the present: every construction and procurement lot
// whose bid deadline falls on or after that day (onlineFrom) is bid for
// with real sealed containers — the planned bidders hold SM2 certificates
// from the built-in CA, seal a bid form and two small documents, and
// submit, replace or withdraw through bidding.Service before the deadline
// — and opened through bidding.StartDue, Decrypt and CloseDue, with
// confirmations and objections on the record. A round planned to fail
// gets fewer bids than its procedure's minimum (bidding.MinimumFor: three
// for tenders, RULES A12 and D8; one for negotiation, consultation and
// inquiry), so the bidding service itself fails the lot and drafts the
// failure notice, which the demo submits and the centre approves. A
// project re-tendered after such a 流标 is bid for and opened online again
// in its second round (轮次): its bidders seal new bids.
//
// Older lots keep the fast path (the staff move the project to evaluation
// at the deadline, trading_flow.go): sealing, submitting and decrypting
// the few thousand bids of two and a half years would multiply the load
// time for pages nobody reads, and the story holds — those openings
// predate the platform's online opening.
//
// Two things keep the database consistent with the bidding service's
// scheduled job (ggzy serve runs bidding.Housekeeping every two seconds),
// which opens every lot past its deadline that has no opening yet,
// whatever its project:
//
//   - StartDue is global, so no fast-path lot may still be waiting (its
//     project in tendering or evaluation) when the demo calls it. Fast-path
//     projects leave evaluation within days, so no bid deadline is set in
//     the quietDays before onlineFrom (sitting, plainDeadline): those move to
//     onlineFrom. startDue checks the rule before every call.
//   - Single-source purchases are not opened online (bidding.MinimumFor):
//     those registered in the months before the online period negotiate
//     instead (newProject), so every lot the service would open is bid for
//     online.
//
// At the present the demo runs the housekeeping once, as the server will,
// and writes the private keys of the bidders still holding bids that are
// not decrypted (a lot in its decryption window, lots before their
// deadline) to Options.KeysDir, so that a user can decrypt by hand with
// `ggzy bid decrypt`. The keys exist only in memory otherwise.
const (
	onlineDays = 45
	quietDays  = 16
	// windowMinutes is the decryption window of the lot held in its window
	// at the present (stopDecrypting): its deadline is decryptingLead
	// before the present, so it stays open for well over an hour after.
	windowMinutes  = 150
	decryptingLead = 45 * time.Minute
)

// listedBidders are the bidder accounts the demo prints: they take part in
// lots of their trade, so that signing in as one shows bids.
var listedBidders = []string{"bidder00", "bidder01", "bidder02"}

// online is the loader's state of the online period.
type online struct {
	from    time.Time // bid deadlines from here on are opened online
	certsAt time.Time // when the bidders' certificates are issued
	bidders map[int64]*bidder
	byUser  map[string]*org // the listed bidder accounts' organisations
	lots    map[int64]*onlineLot
	order   []*onlineLot // in the order planned
	scratch string       // folder the documents of one bid are written to for sealing
	// counters that make sure even a small demo shows each case once
	revoked, withdrawals, replaced, objections, aboveMax, shared int
}

// bidder is a bidding organisation's signed-in user and its SM2 key pair
// (in memory only).
type bidder struct {
	actor auth.Actor
	key   *sm2.PrivateKey
	cert  *smx509.Certificate
}

// onlineRound is one trading round of a project opened online.
type onlineRound struct {
	lots    []*onlineLot
	failing bool
}

// onlineLot is one lot's bids.
type onlineLot struct {
	p    *project
	r    *onlineRound
	i    int
	lot  tender.Lot
	bids []*bidPlan
}

// decryptWay is how a bidder decrypts at the opening.
type decryptWay int

const (
	decryptOnTime   decryptWay = iota
	decryptWrongKey            // hands over a wrong key and gives up: revoked (B6)
	decryptNever               // misses the window: revoked (B6)
	decryptByHand              // left to the user (the lot in its window at the present)
)

// bidPlan is one bidder's bid on a lot.
type bidPlan struct {
	org      *org
	price    money.Fen // the final price
	first    money.Fen // the first submission's price when it replaces its bid
	winner   bool
	days     int
	quality  string
	manager  string
	cert     string
	withdraw bool
	way      decryptWay
	ip, tool string // where it uploads from and the machine it seals on

	container []byte // the active container once submitted
	active    bool
}

func newOnline(l *loader) *online {
	from := midnight(l.opt.Now.AddDate(0, 0, -onlineDays))
	on := &online{from: from, certsAt: at(l.days.workday(from.AddDate(0, 0, -60), 0), 9, 0),
		bidders: map[int64]*bidder{}, byUser: map[string]*org{}, lots: map[int64]*onlineLot{}}
	for _, r := range l.registered {
		if r.kind == auth.KindBidder && !r.pending {
			on.byUser[r.org.user] = r.org
		}
	}
	return on
}

// bidderOf is the bidding organisation's user and keys (from certsAt on).
func (on *online) bidderOf(o *org) (*bidder, error) {
	if b := on.bidders[o.id]; b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("%s 没有数字证书", o.name)
}

// cleanup removes the scratch folder.
func (on *online) cleanup() {
	if on != nil && on.scratch != "" {
		os.RemoveAll(on.scratch)
		on.scratch = ""
	}
}

// near reports whether a project registered at t may reach its deadline
// in the online period (or the quiet days before it).
func (on *online) near(t time.Time) bool {
	return !t.Before(on.from.AddDate(0, 0, -quietDays-120))
}

// quiet reports whether a deadline at t would fall in the quiet days.
func (on *online) quiet(t time.Time) bool {
	return !t.Before(on.from.AddDate(0, 0, -quietDays)) && t.Before(on.from)
}

// sitting is findSitting with the deadline clear of the quiet days.
func (p *project) sitting(earliest time.Time, opening, evaluation bool) (sitting, bool) {
	on := p.l.online
	if on.quiet(earliest) {
		earliest = on.from
	}
	s, ok := p.findSitting(earliest, opening, evaluation)
	if ok && on.quiet(s.deadline) {
		s, ok = p.findSitting(on.from, opening, evaluation)
	}
	return s, ok
}

// plainDeadline is a deadline without rooms (single source), at 10:00 of
// the first working day at or after earliest and clear of the quiet days.
func (p *project) plainDeadline(earliest time.Time) time.Time {
	d := at(p.l.days.workday(earliest, 0), 10, 0)
	if p.l.online.quiet(d) {
		d = at(p.l.days.workday(p.l.online.from, 0), 10, 0)
	}
	return d
}

// decryptingDeadline is the deadline of the lot held in its decryption
// window at the present.
func decryptingDeadline(now time.Time) time.Time {
	return now.Add(-decryptingLead).Truncate(time.Minute)
}

// issueCerts: before the online period every approved bidder gets a user
// (if it had none), signs in, generates its SM2 key pair and has its
// centre's staff issue the certificate from the built-in CA.
func (l *loader) issueCerts(ctx context.Context) error {
	on := l.online
	var orgs []*org
	for _, class := range l.bidders {
		orgs = append(orgs, class...)
	}
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].id < orgs[j].id })
	next := 40 // bidder00–bidder39 registered themselves (parties.go)
	for i, o := range orgs {
		if on.bidders[o.id] != nil {
			continue
		}
		if o.user == "" {
			o.user = fmt.Sprintf("bidder%02d", next)
			next++
			if err := l.user(ctx, o.id, o.name, o.region.code, o.user, auth.Bidder, false); err != nil {
				return err
			}
		}
		_, a, err := l.svc.Auth.Login(ctx, fmt.Sprintf("10.71.%d.%d", i/200, 10+i%200), o.user, Password)
		if err != nil {
			return fmt.Errorf("登录 %s: %w", o.user, err)
		}
		key, err := ca.GenerateKey()
		if err != nil {
			return err
		}
		issuer := l.admin
		if s := l.staff[o.region.code]; len(s) > 0 {
			issuer = l.actors[s[0]]
		}
		cert, err := l.svc.CA.IssueFor(ctx, issuer, o.id, &key.PublicKey)
		if err != nil {
			return fmt.Errorf("为 %s 签发数字证书: %w", o.name, err)
		}
		on.bidders[o.id] = &bidder{actor: a, key: key, cert: cert}
	}
	return nil
}

// planOnline plans the round's sealed bids once its notice is out (or an
// amendment moved its deadline into the online period) and queues their
// submission, replacement and withdrawal before the deadline.
func (p *project) planOnline(ctx context.Context) error {
	l, pl, on := p.l, p.plan, p.l.online
	switch {
	case p.online != nil, p.ended, p.deadline.Before(on.from),
		pl.kind != tender.Construction && pl.kind != tender.Procurement,
		pl.outcome == terminated: // ends before its deadline: nobody bids
		return nil
	}
	g := l.g
	r := &onlineRound{failing: pl.outcome == failedFinal || (pl.outcome == failedThenAwarded && p.round == 1)}
	p.online = r
	now := l.tl.now()
	first := later(now.Add(24*time.Hour), on.certsAt.Add(time.Hour)) // the documents are read first
	last := p.deadline.Add(-30 * time.Minute)
	if !first.Before(last) {
		first = now.Add(time.Hour)
	}
	for i, lot := range p.lots {
		ol := &onlineLot{p: p, r: r, i: i, lot: lot}
		for _, o := range p.lotBidders(i, r.failing) {
			ol.bids = append(ol.bids, p.newBidPlan(o))
		}
		p.priceBids(ol)
		p.decryptWays(ol)
		on.lots[lot.ID], on.order, r.lots = ol, append(on.order, ol), append(r.lots, ol)

		// Who withdraws: in a failing lot the third of three, leaving two
		// (A12); otherwise now and then one of several, leaving enough.
		n := len(ol.bids)
		switch {
		case r.failing && n == 3:
			ol.bids[2].withdraw = true
		case !r.failing && n >= 4 && pl.stop != stopDecrypting && (on.withdrawals < 2 || g.chance(8)):
			for k := n - 1; k > 0; k-- {
				if bp := ol.bids[k]; !bp.winner && bp.way == decryptOnTime {
					bp.withdraw = true
					on.withdrawals++
					break
				}
			}
		}
		for k, bp := range ol.bids {
			t := p.bidTime(first, last)
			if k == 0 {
				t = first // one bidder is always in early
			}
			if bp.first > 0 {
				p.at(t, p.submitBid(ol, bp, bp.first))
				t = p.bidTime(t.Add(time.Minute), last)
			}
			p.at(t, p.submitBid(ol, bp, bp.price))
			if bp.withdraw {
				p.at(p.bidTime(t.Add(time.Minute), last), p.withdrawBid(ol, bp))
			}
		}
		// The decryption window: longer for some lots; the lot held in its
		// window at the present long enough to be open after loading.
		minutes := 0
		switch {
		case pl.stop == stopDecrypting:
			minutes = windowMinutes
		case g.chance(20):
			minutes = 60
		}
		if minutes > 0 {
			lotID := lot.ID
			p.at(now.Add(30*time.Minute), func(ctx context.Context) error {
				_, err := l.svc.Bidding.SetSettings(ctx, p.owner, lotID, bidding.Settings{DecryptMinutes: minutes})
				if err != nil {
					return fmt.Errorf("设置解密时限: %w", err)
				}
				return nil
			})
		}
	}
	return nil
}

// lotBidders are the firms that bid on lot i: the invitees of an invited
// tender, otherwise a draw from the lot's trade, with the listed bidder
// accounts of that trade now and then; a failing round gets fewer than
// its procedure's minimum (none where one is enough).
func (p *project) lotBidders(i int, failing bool) []*org {
	l, pl, on, g := p.l, p.plan, p.l.online, p.l.g
	if min, err := bidding.MinimumFor(pl.kind, pl.procedure); failing && err == nil && min.Bids <= 1 {
		return nil
	}
	var orgs []*org
	switch {
	case pl.procedure == tender.Invited && len(p.invited) > 0:
		orgs = append(orgs, p.invited...)
	case pl.kind == tender.Construction:
		orgs = l.pickBidders(pl.classes[i], 4+g.r.IntN(4))
	case pl.procedure == tender.Open:
		orgs = l.pickBidders(pl.classes[i], 3+g.r.IntN(4))
	default:
		orgs = l.pickBidders(pl.classes[i], 3+g.r.IntN(3))
	}
	if failing {
		switch x := g.r.IntN(10); {
		case x < 3:
			return orgs[:min(3, len(orgs))] // three bid, one withdraws
		case x < 5:
			return orgs[:1]
		}
		return orgs[:2]
	}
	has := func(o *org) bool {
		for _, x := range orgs {
			if x.id == o.id {
				return true
			}
		}
		return false
	}
	for k, u := range listedBidders {
		o := on.byUser[u]
		switch {
		case o == nil:
		case pl.stop == stopDecrypting && i == 0 && k == 0:
			// The listed bidder comes first: it is left to decrypt by hand.
			others := []*org{o}
			for _, x := range orgs {
				if x.id != o.id {
					others = append(others, x)
				}
			}
			orgs = others
		case !has(o) && bidderClass(o.name) == pl.classes[i] && g.chance(40):
			orgs = append(orgs, o)
		}
	}
	return orgs
}

// newBidPlan draws the bid form's other fields; each firm uploads from an
// address of its own and seals on a machine of its own.
func (p *project) newBidPlan(o *org) *bidPlan {
	g := p.l.g
	machine := gm.SM3([]byte(fmt.Sprintf("ggzy-demo-machine|%d", o.id)))
	bp := &bidPlan{org: o, manager: g.name(), ip: fmt.Sprintf("10.72.%d.%d", o.id/200, 10+o.id%200),
		tool: hex.EncodeToString(machine[:])}
	if p.plan.kind == tender.Construction {
		bp.days, bp.quality = 60+10*g.r.IntN(40), "合格"
		if g.chance(20) {
			bp.quality = "优良"
		}
		bp.cert = fmt.Sprintf("云%d%d%05d", 153, 2015+g.r.IntN(10), g.r.IntN(100000))
	} else {
		bp.days, bp.quality = 10+5*g.r.IntN(10), "符合采购文件全部实质性要求"
	}
	return bp
}

// priceBids sets the bids' prices: the winner's as chooseWinners would give
// it, the others above it and within the maximum price — now and then one
// above the maximum price (marked at the opening, RULES A14) — and some
// bidders first submit another price and replace it.
func (p *project) priceBids(ol *onlineLot) {
	pl, on, g := p.plan, p.l.online, p.l.g
	if len(ol.bids) == 0 {
		return
	}
	base := ol.lot.EstimatedPrice
	if ol.lot.MaxPrice > 0 {
		base = ol.lot.MaxPrice
	}
	by := float64(base / money.OneYuan)
	win := yuan(by*pl.ratios[ol.i], 1)
	w := g.r.IntN(len(ol.bids)) // the winner
	if pl.stop == stopDecrypting {
		w = len(ol.bids) / 2 // neither end: those are left to decrypt by hand
	}
	for k, bp := range ol.bids {
		if k == w {
			bp.price, bp.winner = win, true
		} else {
			bp.price = yuan(float64(win/money.OneYuan)+float64((base-win)/money.OneYuan)*g.between(0.1, 0.95), 1)
		}
		if on.replaced == 0 || g.chance(12) {
			on.replaced++
			bp.first = yuan(float64(bp.price/money.OneYuan)*g.between(1.001, 1.02), 1)
			if ol.lot.MaxPrice > 0 && bp.first > base {
				bp.first = base
			}
		}
	}
	if k := (w + 1) % len(ol.bids); k != w && ol.lot.MaxPrice > 0 && !ol.r.failing && pl.stop != stopDecrypting &&
		(on.aboveMax == 0 || g.chance(4)) {
		ol.bids[k].price = yuan(by*g.between(1.002, 1.02), 1)
		on.aboveMax++
	}
	if len(ol.bids) >= 4 && !ol.r.failing && (on.shared == 0 || g.chance(3)) {
		// Two bidders upload from one address and seal on one machine: a
		// hint of collusion the supervisors see after the opening.
		a, b := ol.bids[len(ol.bids)-1], ol.bids[len(ol.bids)-2]
		if !a.winner && !b.winner {
			a.ip, a.tool = b.ip, b.tool
			on.shared++
		}
	}
}

// decryptWays: most decrypt within minutes; now and then one fails (B6);
// in the lot held in its window, the listed bidder and one more are left
// for the user.
func (p *project) decryptWays(ol *onlineLot) {
	on, g := p.l.online, p.l.g
	if p.plan.stop == stopDecrypting {
		ol.bids[0].way = decryptByHand
		if n := len(ol.bids); n > 2 && !ol.bids[n-1].winner {
			ol.bids[n-1].way = decryptByHand
		}
		return
	}
	if ol.r.failing || len(ol.bids) < 4 {
		return
	}
	for _, bp := range ol.bids {
		if bp.winner {
			continue
		}
		switch x := g.r.IntN(100); {
		case on.revoked == 0 || x < 4:
			bp.way = decryptWrongKey
		case on.revoked == 1 || x < 8:
			bp.way = decryptNever
		default:
			continue
		}
		on.revoked++
		return // one per lot at most
	}
}

// bidTime is a moment in [first, last), later more likely (bids come in
// towards the deadline), inside office hours when that is still in time.
// last is half an hour before the deadline, so a first at or after it
// (a replacement or withdrawal close to the deadline) is still in time.
func (p *project) bidTime(first, last time.Time) time.Time {
	if !first.Before(last) {
		return first
	}
	t := first.Add(time.Duration(math.Sqrt(p.l.g.r.Float64()) * float64(last.Sub(first))))
	if o := p.l.days.office(t); o.Before(last) {
		t = o
	}
	return t.Truncate(time.Minute)
}

// current reports whether ol is still the project's round and taking bids.
func (ol *onlineLot) current() bool {
	p := ol.p
	return p.online == ol.r && !p.ended && p.l.tl.now().Before(p.deadline)
}

// submitBid seals the bidder's bid at price on its computer and submits it.
func (p *project) submitBid(ol *onlineLot, bp *bidPlan, price money.Fen) func(context.Context) error {
	return func(ctx context.Context) error {
		if !ol.current() {
			return nil
		}
		l := p.l
		b, err := l.online.bidderOf(bp.org)
		if err != nil {
			return err
		}
		c, err := l.online.seal(l, ol, bp, b, price)
		if err != nil {
			return fmt.Errorf("加密投标文件（%s）: %w", bp.org.name, err)
		}
		if _, err := l.svc.Bidding.Submit(ctx, b.actor, ol.lot.ID, bytes.NewReader(c), bidding.Upload{IP: bp.ip}); err != nil {
			return fmt.Errorf("递交投标文件（%s）: %w", bp.org.name, err)
		}
		bp.container, bp.active = c, true
		return nil
	}
}

func (p *project) withdrawBid(ol *onlineLot, bp *bidPlan) func(context.Context) error {
	return func(ctx context.Context) error {
		if !ol.current() || !bp.active {
			return nil
		}
		b, err := p.l.online.bidderOf(bp.org)
		if err != nil {
			return err
		}
		if _, err := p.l.svc.Bidding.Withdraw(ctx, b.actor, ol.lot.ID); err != nil {
			return fmt.Errorf("撤回投标文件（%s）: %w", bp.org.name, err)
		}
		bp.container, bp.active = nil, false
		return nil
	}
}

// seal writes the bid's two documents to the scratch folder and seals them
// with the form, as `ggzy seal` does on the bidder's computer.
func (on *online) seal(l *loader, ol *onlineLot, bp *bidPlan, b *bidder, price money.Fen) ([]byte, error) {
	if on.scratch == "" {
		dir, err := os.MkdirTemp("", "ggzy-demo-bid-")
		if err != nil {
			return nil, err
		}
		on.scratch = dir
	}
	dir := filepath.Join(on.scratch, "bid")
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "技术标"), 0o700); err != nil {
		return nil, err
	}
	p := ol.p
	letter := fmt.Sprintf("投标函\n\n致：%s\n项目：%s %s\n标段：%s\n\n我方 %s 愿以人民币 %s 元（大写见报价表）承担本标段全部内容，工期（交货期）%d 日历天，质量：%s。\n项目负责人：%s %s\n\n（演示数据，由 ggzy demo 生成）\n",
		p.plan.tenderer.name, p.code, p.plan.name, ol.lot.Name, bp.org.name, price.Yuan(), bp.days, bp.quality, bp.manager, bp.cert)
	tech, body := "技术标/技术响应文件.txt", "技术响应及偏离表：全部响应采购文件要求，无负偏离。\n供货及售后服务方案（略）。\n"
	if p.plan.kind == tender.Construction {
		tech, body = "技术标/施工组织设计.txt", "施工组织设计：工程概况、施工部署、进度计划、质量与安全保证措施、文明施工（略）。\n"
	}
	for name, text := range map[string]string{"投标函及报价.txt": letter, tech: body} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	form := sealed.Form{LotID: ol.lot.ID, Price: price, DurationDays: bp.days, Quality: bp.quality, Manager: bp.manager,
		ManagerCert: bp.cert}
	var buf bytes.Buffer
	_, err := sealed.Seal(&buf, sealed.Signer{Cert: b.cert, Key: b.key}, form, dir,
		sealed.Options{ChunkSize: sealed.MinChunkSize * 4, Fingerprint: bp.tool, Now: l.tl.now().Add(-20 * time.Minute)})
	return buf.Bytes(), err
}

// checkDue makes sure every lot the bidding service would open now is one
// the demo bid for online (see the comment at the top).
func (l *loader) checkDue(ctx context.Context) error {
	rows, err := l.q.Query(ctx, `SELECT l.id FROM lots l JOIN projects p ON p.id = l.project_id
		WHERE l.bid_deadline > 0 AND l.bid_deadline <= ? AND l.opening_at > 0 AND p.state IN ('tendering', 'evaluating')
		AND p.procedure <> ? AND NOT EXISTS (SELECT 1 FROM openings o WHERE o.lot_id = l.id AND o.bid_deadline >= l.bid_deadline)`,
		db.Micros(l.tl.now()), tender.SingleSource)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if l.online.lots[id] == nil {
			return fmt.Errorf("demo: lot %d is past its deadline without an online opening and the opening would fail it (see internal/demo/bidding.go)", id)
		}
	}
	return rows.Err()
}

// startDue is the opening job at a deadline.
func (l *loader) startDue(ctx context.Context) error {
	if err := l.checkDue(ctx); err != nil {
		return err
	}
	if _, err := l.svc.Bidding.StartDue(ctx); err != nil {
		return fmt.Errorf("开标: %w", err)
	}
	return nil
}

// openOnline is the deadline of an online round: the opening starts (or
// fails with fewer than three bids), the bidders decrypt within minutes,
// the window closes and the record is made, bidders confirm or object,
// and evaluation follows.
func (p *project) openOnline(ctx context.Context) error {
	l, pl, r := p.l, p.plan, p.online
	if err := l.startDue(ctx); err != nil {
		return err
	}
	now := l.tl.now()
	if r.failing {
		p.at(now.Add(40*time.Minute), p.failOnline)
		return nil
	}
	end := now
	for _, ol := range r.lots {
		h, err := l.svc.Bidding.Hall(ctx, p.staff, ol.lot.ID)
		if err != nil {
			return err
		}
		if h.State != bidding.Decrypting {
			return fmt.Errorf("开标：%s 应进入解密，却是「%s」%s", ol.lot.Name, h.StateText, h.Failure)
		}
		recorded, onTime := now, true
		for _, bp := range ol.bids {
			if !bp.active {
				continue
			}
			switch bp.way {
			case decryptOnTime:
				t := now.Add(time.Duration(1+l.g.r.IntN(15)) * time.Minute)
				if pl.stop == stopDecrypting {
					t = now.Add(time.Duration(3+l.g.r.IntN(15)) * time.Minute)
				}
				recorded = later(recorded, t)
				p.at(t, p.decrypt(ol, bp))
			case decryptWrongKey:
				onTime = false
				p.at(now.Add(time.Duration(2+l.g.r.IntN(8))*time.Minute), p.decrypt(ol, bp))
			default:
				onTime = false
			}
		}
		if !onTime {
			recorded = h.WindowEndsAt
		}
		p.at(h.WindowEndsAt, func(ctx context.Context) error {
			if _, err := l.svc.Bidding.CloseDue(ctx); err != nil {
				return fmt.Errorf("解密时间结束: %w", err)
			}
			return nil
		})
		p.at(recorded.Add(time.Duration(5+l.g.r.IntN(20))*time.Minute), p.respond(ol))
		end = later(end, h.WindowEndsAt)
	}
	if pl.stop == stopEvaluating || pl.stop == stopDecrypting {
		return nil
	}
	for _, b := range p.bookings {
		end = later(end, b.end)
	}
	// Procurement too goes through publicity: after the opening the project
	// is under evaluation, whose only way on is publicity.
	p.at(at(l.days.workday(end, p.workdays(1, 2)), 10, 0), p.candidates)
	return nil
}

// decrypt is the bidder's tool unwrapping the content key with its private
// key and handing it over (or a wrong one).
func (p *project) decrypt(ol *onlineLot, bp *bidPlan) func(context.Context) error {
	return func(ctx context.Context) error {
		l := p.l
		b, err := l.online.bidderOf(bp.org)
		if err != nil {
			return err
		}
		env, err := sealed.Inspect(bytes.NewReader(bp.container))
		if err != nil {
			return err
		}
		key, err := sealed.UnwrapKey(env, b.key)
		if err != nil {
			return err
		}
		if bp.way == decryptWrongKey {
			key = bytes.Repeat([]byte{0x5a}, sealed.KeySize) // a key kept from another bid
		}
		_, err = l.svc.Bidding.Decrypt(ctx, b.actor, ol.lot.ID, key)
		if bp.way == decryptWrongKey && errs.CodeOf(err) == errs.Invalid {
			return nil
		}
		if err != nil {
			return fmt.Errorf("解密（%s）: %w", bp.org.name, err)
		}
		return nil
	}
}

// objections are what bidders object to at the opening, with the answers
// the tenderer gives on the spot (条例 44).
var objections = []struct {
	revoked      bool
	text, answer string
}{
	{true, "我单位在解密时限内因网络故障未能完成解密，请求给予补充解密的机会。",
		"解密时限已在招标文件和开标大厅中载明，平台记录显示贵单位未在时限内完成解密。依据《电子招标投标办法》第三十一条，视为撤销其投标文件。"},
	{false, "第一名的投标报价明显低于其他投标人，可能低于成本，请予核查。",
		"异议已记录。投标报价是否低于成本由评标委员会依法评审认定，开标环节不作判断。"},
	{false, "请核实各投标人的投标保证金是否按时足额缴纳。",
		"投标保证金的缴纳情况由交易中心出具查询结果，提交评标委员会审查，评标结果将依法公示。"},
}

// respond: once the record is made, some bidders confirm it; now and then
// one objects and the tenderer (or its agent) answers.
func (p *project) respond(ol *onlineLot) func(context.Context) error {
	return func(ctx context.Context) error {
		l, on, g := p.l, p.l.online, p.l.g
		h, err := l.svc.Bidding.Hall(ctx, p.staff, ol.lot.ID)
		if err != nil {
			return err
		}
		if h.State != bidding.Recorded {
			return fmt.Errorf("开标记录: %s 为「%s」", ol.lot.Name, h.StateText)
		}
		status := map[int64]bidding.Status{}
		for _, b := range h.Bids {
			status[b.BidderID] = b.Status
		}
		object := on.objections < 2 || g.chance(6)
		var objector *bidPlan
		for _, bp := range ol.bids {
			st, ok := status[bp.org.id]
			if object && objector == nil && ok && !bp.winner && (st == bidding.Revoked || st == bidding.Decrypted) {
				objector = bp
				continue
			}
			if ok && st == bidding.Decrypted && g.chance(60) {
				b, err := on.bidderOf(bp.org)
				if err != nil {
					return err
				}
				if _, err := l.svc.Bidding.Respond(ctx, b.actor, ol.lot.ID, bidding.ResponseInput{Kind: "confirm"}); err != nil {
					return fmt.Errorf("确认开标记录: %w", err)
				}
			}
		}
		if objector == nil {
			return nil
		}
		on.objections++
		o := objections[1+g.r.IntN(len(objections)-1)]
		if status[objector.org.id] == bidding.Revoked {
			o = objections[0]
		}
		b, err := on.bidderOf(objector.org)
		if err != nil {
			return err
		}
		res, err := l.svc.Bidding.Respond(ctx, b.actor, ol.lot.ID, bidding.ResponseInput{Kind: "objection", Text: o.text})
		if err != nil {
			return fmt.Errorf("开标异议: %w", err)
		}
		p.at(l.tl.now().Add(time.Duration(8+g.r.IntN(25))*time.Minute), func(ctx context.Context) error {
			if _, err := l.svc.Bidding.Answer(ctx, p.owner, ol.lot.ID, res.ID, o.answer); err != nil {
				return fmt.Errorf("答复开标异议: %w", err)
			}
			return nil
		})
		return nil
	}
}

// failOnline publishes the failure notices the opening drafted (the
// bidding service moved the project to 流标 already): the owner submits
// each, the centre approves, and the project goes on as after any 流标.
func (p *project) failOnline(ctx context.Context) error {
	l := p.l
	var ids []int64
	for _, ol := range p.online.lots {
		var id int64
		if err := l.q.QueryRow(ctx, "SELECT COALESCE(failure_notice, 0) FROM openings WHERE lot_id = ? AND state = ? ORDER BY round DESC LIMIT 1",
			ol.lot.ID, bidding.Failed).Scan(&id); err != nil {
			return fmt.Errorf("流标（%s）: %w", ol.lot.Name, err)
		}
		if id == 0 {
			return fmt.Errorf("流标（%s）: 没有起草流标公告", ol.lot.Name)
		}
		if _, err := l.svc.Notice.Submit(ctx, p.owner, id); err != nil {
			return fmt.Errorf("提交流标公告: %w", err)
		}
		ids = append(ids, id)
	}
	p.at(l.days.office(l.tl.now().Add(p.minutes(20, 90))), func(ctx context.Context) error {
		for _, id := range ids {
			if _, err := l.svc.Notice.Decide(ctx, p.staff, id, notice.Decision{Approve: true}); err != nil {
				return fmt.Errorf("审核流标公告: %w", err)
			}
		}
		return p.failed(ctx)
	})
	return nil
}

// onlineWinner is lot i's designated winner and price, when its bids were
// opened online.
func (p *project) onlineWinner(i int) (*org, money.Fen, bool) {
	if p.online == nil || i >= len(p.online.lots) {
		return nil, 0, false
	}
	for _, bp := range p.online.lots[i].bids {
		if bp.winner && bp.active {
			return bp.org, bp.price, true
		}
	}
	return nil, 0, false
}

// onlineCandidates is lot i's candidates line from its opened bids: the
// winner, then the lowest other prices read at the opening.
func (p *project) onlineCandidates(i int) (string, bool) {
	o, price, ok := p.onlineWinner(i)
	if !ok {
		return "", false
	}
	ol := p.online.lots[i]
	others := []*bidPlan{}
	for _, bp := range ol.bids {
		if bp.active && !bp.winner && bp.way == decryptOnTime && (ol.lot.MaxPrice == 0 || bp.price <= ol.lot.MaxPrice) {
			others = append(others, bp)
		}
	}
	sort.SliceStable(others, func(a, b int) bool { return others[a].price < others[b].price })
	line := fmt.Sprintf("第一名 %s，投标报价 %s 元", o.name, price.Yuan())
	for k, bp := range others[:min(2, len(others))] {
		line += fmt.Sprintf("；第%s名 %s，投标报价 %s 元", cnNumbers[k+1], bp.org.name, bp.price.Yuan())
	}
	return line, true
}

// Showcase is a lot of the online opening worth visiting, as left at the
// present: Path is its opening hall; Bidders are the accounts whose bids
// on it are not decrypted (their keys are in Options.KeysDir).
type Showcase struct {
	What    string
	State   bidding.OpeningState
	LotID   int64
	Project string
	Lot     string
	Path    string
	Bidders []string
}

// finishOnline runs the opening job once at the present, as the server
// will when it starts, writes the keys of the bidders whose bids are not
// yet decrypted, and picks the lots to show.
func (l *loader) finishOnline(ctx context.Context) ([]Showcase, error) {
	on := l.online
	defer on.cleanup()
	if err := l.checkDue(ctx); err != nil {
		return nil, err
	}
	if err := l.svc.Bidding.Housekeeping(ctx); err != nil {
		return nil, fmt.Errorf("开标: %w", err)
	}
	// The lots to show: one of each kind, preferring the lot held in its
	// window and lots where a listed bidder account holds a bid.
	kinds := []string{"解密中", "投标中", "流标", "开标结束"}
	best := map[string]Showcase{}
	score := map[string]int{}
	keep := map[int64]bool{}
	var index []string
	for _, ol := range on.order {
		h, err := l.svc.Bidding.Hall(ctx, l.admin, ol.lot.ID)
		if err != nil {
			return nil, err
		}
		var waiting []string
		if h.State == bidding.Waiting || h.State == bidding.Decrypting {
			decrypted := map[string]bool{}
			for _, n := range h.Decrypted {
				decrypted[n] = true
			}
			for _, bp := range ol.bids {
				if bp.active && !decrypted[bp.org.name] {
					waiting = append(waiting, bp.org.user)
					keep[bp.org.id] = true
					index = append(index, fmt.Sprintf("%s\t%s\t标段 %d（%s %s）\t%s", bp.org.user, bp.org.name, ol.lot.ID,
						ol.p.code, ol.lot.Name, h.StateText))
				}
			}
		}
		kind, what := "", ""
		switch {
		case h.State == bidding.Decrypting:
			kind, what = kinds[0], "解密中（截至 "+clock.Format(h.WindowEndsAt)+"）"
		case h.State == bidding.Waiting && len(waiting) > 0:
			kind, what = kinds[1], "投标中（截止 "+clock.Format(h.Deadline)+"，开标前不显示投标人）"
		case h.State == bidding.Failed && ol.p.online == ol.r: // not re-tendered since
			kind, what = kinds[2], "流标（投标人不足三家）"
		case h.State == bidding.Recorded && hasObjection(h):
			kind, what = kinds[3], "开标结束（开标记录、异议及答复）"
		default:
			continue
		}
		n := 0
		if ol.p.plan.stop == stopDecrypting {
			n += 2
		}
		for _, u := range waiting {
			if u == listedBidders[0] {
				n++
			}
		}
		if _, ok := best[kind]; ok && n <= score[kind] {
			continue
		}
		best[kind], score[kind] = Showcase{What: what, State: h.State, LotID: ol.lot.ID, Project: ol.p.code + " " + ol.p.plan.name,
			Lot: ol.lot.Name, Path: fmt.Sprintf("/workbench/lots/%d/opening", ol.lot.ID), Bidders: waiting}, n
	}
	var out []Showcase
	for _, k := range kinds {
		if sc, ok := best[k]; ok {
			out = append(out, sc)
		}
	}
	return out, l.writeKeys(keep, index)
}

func hasObjection(h bidding.Hall) bool {
	for _, r := range h.Responses {
		if r.Kind == "objection" && r.Answer != "" {
			return true
		}
	}
	return false
}

// writeKeys writes the certificate and private key of each bidder in keep
// to KeysDir/<username>/{cert.pem,key.pem} (the key 0600, folders 0700),
// as `ggzy cert issue --out` would, with an index of their open bids.
func (l *loader) writeKeys(keep map[int64]bool, index []string) error {
	dir := l.opt.KeysDir
	if dir == "" || len(keep) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ids := make([]int64, 0, len(keep))
	for id := range keep {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		b := l.online.bidders[id]
		key, err := ca.EncodeKeyPEM(b.key)
		if err != nil {
			return err
		}
		sub := filepath.Join(dir, b.actor.Username)
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return err
		}
		for name, data := range map[string][]byte{"key.pem": key, "cert.pem": ca.EncodeCertPEM(b.cert)} {
			path := filepath.Join(sub, name)
			os.Remove(path) // a previous demo's file: never widen its mode
			if err := os.WriteFile(path, data, 0o600); err != nil {
				return err
			}
		}
	}
	text := "演示投标人的私钥（仅供演示）：用户名\t单位\t尚未解密的投标\t状态\n" + strings.Join(index, "\n") + "\n"
	path := filepath.Join(dir, "index.txt")
	os.Remove(path)
	return os.WriteFile(path, []byte(text), 0o600)
}
