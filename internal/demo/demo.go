// Package demo loads the demonstration dataset modelled on the Zhaotong
// centre's "一网三平台" (shared/seed): the Yunnan province centre, Zhaotong
// with its 11 county-level centres, and Qujing for cross-region work; the
// supervisory departments; tenderers, agents and bidders across the
// counties; the service guide, rooms and green-channel reservations; and
// about a thousand trading projects from 2024 to the present with their
// intake, notices and bookings (trading*.go). Everything is generated
// from a fixed seed, so every demo loaded at the same instant is the same,
// and everything goes through the real services on a clock the demo moves
// through the years, so every object passed the legal checks and is in
// the audit trail with its real time. See docs/demo.md.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/expert"
	"ggzy/internal/guide"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/venue"
)

// Password is the password of every demo account. Demo only.
const Password = "Ggzy-demo-2026"

// Account is a sign-in the demo prints for people to try.
type Account struct {
	Role     auth.Role
	Username string
	Name     string
	Org      string
}

type place struct{ code, name string }

// The centres of the demo (GB/T 2260).
var (
	province   = place{"530000", "云南省"}
	zhaotong   = place{"530600", "昭通市"}
	qujing     = place{"530300", "曲靖市"}
	zhaotongCo = []place{
		{"530602", "昭阳区"}, {"530621", "鲁甸县"}, {"530622", "巧家县"}, {"530623", "盐津县"},
		{"530624", "大关县"}, {"530625", "永善县"}, {"530626", "绥江县"}, {"530627", "镇雄县"},
		{"530628", "彝良县"}, {"530629", "威信县"}, {"530681", "水富市"},
	}
)

// Loaded reports whether the database already holds data, in which case the
// demo leaves it alone.
func Loaded(ctx context.Context, q db.Querier) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n)
	return n > 0, err
}

// Services are the platform's services the demo loads through. All of
// them must run on Clock, which the demo moves forward through its
// timeline (build them with it, as cmd/ggzy does); serve with the real
// clock afterwards.
type Services struct {
	Auth    *auth.Service
	Guide   *guide.Service
	Tender  *tender.Service
	Notice  *notice.Service
	Venue   *venue.Service
	Expert  *expert.Service
	CA      *ca.Service      // issues the bidders' certificates
	Bidding *bidding.Service // sealed bids and the online opening (bidding.go)
	Clock   *clock.Fake
}

// Options size and place the demo.
type Options struct {
	// Now is the present: the timeline runs from the start of 2024 up to
	// it, and whatever would happen later (deadlines, bookings, scheduled
	// notices) is left pending. Required: the caller's clock decides it.
	Now time.Time
	// Projects is how many trading projects to load; 0 is
	// DefaultProjects. Small numbers keep tests quick and still cover
	// every state (trading_specials.go).
	Projects int
	// KeysDir, if set, receives the private keys and certificates of the
	// demo bidders whose bids are not yet decrypted at the present
	// (KeysDir/<username>/key.pem, mode 0600), so that a user can decrypt
	// them by hand; otherwise the keys exist only during the load.
	KeysDir string
}

// DefaultProjects is the size of `ggzy demo`: the seed account counts 959
// projects run fully online in the city's first two years.
const DefaultProjects = 1000

// Result is what a load made: the accounts to print and a summary.
type Result struct {
	Accounts []Account
	Summary  Summary
	Openings []Showcase // lots of the online opening to visit
}

// loader carries what the steps share.
type loader struct {
	q        *db.DB
	svc      Services
	g        *gen
	accounts []Account
	admin    auth.Actor // the platform administrator, signed in

	registered []registered               // organisations of the parties step
	tenderers  map[string]map[string]*org // region → role → tenderer
	agents     []*org
	bidders    map[string][]*org // bidder class → firms
	actors     map[string]auth.Actor
	staff      map[string][]string // region → usernames of its centre's staff

	days     *days
	tl       *timeline
	online   *online
	showcase []Showcase
	venues   *venues
	intake   map[tender.TradeKind]guide.Matter
	projects []*project
	opt      Options
}

// Load fills an empty database and returns the accounts to print with a
// summary of what was loaded. A database that already holds data is left
// alone (the Result is then empty).
func Load(ctx context.Context, d *db.DB, s Services, opt Options) (Result, error) {
	if done, err := Loaded(ctx, d); err != nil || done {
		return Result{}, err
	}
	if opt.Now.IsZero() {
		// The present comes from the caller's clock, never the wall clock.
		return Result{}, errors.New("demo: Options.Now (the present) is required")
	}
	if opt.Projects <= 0 {
		opt.Projects = DefaultProjects
	}
	if err := checkServices(s); err != nil {
		return Result{}, err
	}
	if err := checkNow(opt.Now); err != nil {
		return Result{}, err
	}
	s.Clock.Set(timelineStart)
	l := &loader{q: d, svc: s, g: newGen(20181119), opt: opt} // the seed account's publication date
	steps := []func(context.Context) error{l.centres, l.platform, l.supervisors, l.parties, l.signIn,
		l.tradingParties, l.guide, l.rooms, l.experts, l.trading}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return Result{}, err
		}
	}
	sum, err := summarise(ctx, d, opt.Now)
	if err != nil {
		return Result{}, err
	}
	return Result{Accounts: l.accounts, Summary: sum, Openings: l.showcase}, nil
}

func (l *loader) centre(ctx context.Context, p place) error {
	_, _, err := l.svc.Auth.CreateCentre(ctx, auth.System, auth.NewCentre{
		RegionCode: p.code, RegionName: p.name, Name: p.name + "公共资源交易中心",
		CreditCode: l.g.creditCode("12", p.code), LegalRep: l.g.name(), ContactName: l.g.name(), ContactPhone: l.g.phone(),
	})
	if err != nil {
		return fmt.Errorf("交易中心 %s: %w", p.name, err)
	}
	return nil
}

func (l *loader) centres(ctx context.Context) error {
	for _, p := range append([]place{province, zhaotong, qujing}, zhaotongCo...) {
		if err := l.centre(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// user adds one user to org and, when listed, remembers it for printing.
func (l *loader) user(ctx context.Context, orgID int64, orgName, region, username string, role auth.Role, list bool) error {
	name := l.g.name()
	_, err := l.svc.Auth.CreateUser(ctx, auth.System, auth.NewUser{OrgID: orgID, Username: username, DisplayName: name,
		Role: role, IDNumber: l.g.idNumber(region), Phone: l.g.phone(), Password: Password})
	if err != nil {
		return fmt.Errorf("用户 %s: %w", username, err)
	}
	if list {
		l.accounts = append(l.accounts, Account{Role: role, Username: username, Name: name, Org: orgName})
	}
	return nil
}

func (l *loader) centreOrg(ctx context.Context, code string) (int64, string, error) {
	c, err := centre.ByCode(ctx, l.q, code)
	if err != nil {
		return 0, "", err
	}
	id, err := l.svc.Auth.CentreOrg(ctx, c.ID)
	return id, c.Name, err
}

// platformStaff are the administrator and the staff of the Zhaotong city
// centre, of every county centre and of Qujing.
var platformStaff = []struct {
	code, username string
	role           auth.Role
	list           bool
}{
	{province.code, "admin", auth.Admin, true},
	{zhaotong.code, "zt_staff", auth.Staff, true},
	{zhaotong.code, "zt_staff2", auth.Staff, false},
	{"530602", "zy_staff", auth.Staff, true},
	{"530621", "ld_staff", auth.Staff, true},
	{"530622", "qjx_staff", auth.Staff, false},
	{"530623", "yj_staff", auth.Staff, false},
	{"530624", "dg_staff", auth.Staff, false},
	{"530625", "ys_staff", auth.Staff, false},
	{"530626", "sj_staff", auth.Staff, false},
	{"530627", "zx_staff", auth.Staff, false},
	{"530628", "yl_staff", auth.Staff, false},
	{"530629", "wx_staff", auth.Staff, false},
	{"530681", "sf_staff", auth.Staff, false},
	{qujing.code, "qj_staff", auth.Staff, false},
}

// platform adds the administrator and the centres' staff.
func (l *loader) platform(ctx context.Context) error {
	l.staff = map[string][]string{}
	for _, s := range platformStaff {
		orgID, name, err := l.centreOrg(ctx, s.code)
		if err != nil {
			return err
		}
		if err := l.user(ctx, orgID, name, s.code, s.username, s.role, s.list); err != nil {
			return err
		}
		if s.role == auth.Staff {
			l.staff[s.code] = append(l.staff[s.code], s.username)
		}
	}
	return nil
}
