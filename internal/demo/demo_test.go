package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/blob"
	"ggzy/internal/ca"
	"ggzy/internal/calendar"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/demo"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/guide"
	"ggzy/internal/notice"
	"ggzy/internal/platform"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// smallDemo keeps the ordinary tests quick: the specials still put every
// state in the present.
const smallDemo = 60

type rig struct {
	db      *db.DB
	keys    *gm.Keys
	log     *audit.Log
	svc     *auth.Service
	all     demo.Services
	keysDir string // the demo bidders' keys
}

// newPlatform builds the services on a fresh, empty database, as cmd/ggzy
// does, on a fake clock the demo moves, with cheap password hashing.
func newPlatform(t *testing.T) *rig {
	t.Helper()
	p := &rig{db: dbtest.Open(t)}
	dir := t.TempDir()
	var err error
	if p.keys, err = gm.LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewDisk(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(testenv.Start)
	p.log = audit.New(clk, p.keys.NoteSigner, p.keys.VerifierKey)
	cfg := auth.DefaultConfig
	cfg.PasswordHasher = testenv.FastArgon2
	p.svc = auth.NewService(p.db, clk, p.log, p.keys.PII, cfg)
	base := platform.Base{DB: p.db, Clock: clk, Audit: p.log, Calendar: calendar.Default(), Blobs: blobs, Keys: p.keys}
	ts := tender.New(base)
	ns := notice.New(base, ts)
	authority, err := ca.LoadOrCreate(filepath.Join(dir, "keys"), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	cs := ca.New(base, authority, nil)
	bs := bidding.New(base, ts, cs, ns)
	bs.RecordPDF = bidding.RenderRecord
	p.all = demo.Services{Auth: p.svc, Guide: guide.New(base), Tender: ts, Notice: ns, Venue: venue.New(base),
		Expert: expert.New(base), CA: cs, Bidding: bs, Clock: clk}
	p.keysDir = filepath.Join(dir, "demo-keys")
	return p
}

// load loads a demo of n projects whose present is testenv.Start.
func (p *rig) load(ctx context.Context, n int) (demo.Result, error) {
	return demo.Load(ctx, p.db, p.all, demo.Options{Now: testenv.Start, Projects: n, KeysDir: p.keysDir})
}

func count(t *testing.T, q db.Querier, table string) int {
	t.Helper()
	var n int
	if err := q.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	p := newPlatform(t)
	if done, err := demo.Loaded(ctx, p.db); err != nil || done {
		t.Fatalf("fresh database loaded=%v err=%v", done, err)
	}
	res, err := p.load(ctx, smallDemo)
	if err != nil {
		t.Fatal(err)
	}
	accounts := res.Accounts
	// The trading data: every region, kind, year and state (trading_test.go).
	checkTrading(t, p, res, smallDemo)
	// The online openings of the last 45 days (bidding_test.go).
	checkOnline(t, p, res, smallDemo)

	// Centres: Yunnan, Zhaotong and its 11 counties, Qujing.
	cs, err := centre.List(ctx, p.db)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]centre.Centre{}
	for _, c := range cs {
		byCode[c.RegionCode] = c
	}
	counties := []string{"530602", "530621", "530622", "530623", "530624", "530625", "530626", "530627", "530628", "530629", "530681"}
	if len(cs) != 3+len(counties) {
		t.Fatalf("%d centres", len(cs))
	}
	yn, zt, qj := byCode["530000"], byCode["530600"], byCode["530300"]
	if yn.Level != centre.Province || zt.Level != centre.Prefecture || qj.Level != centre.Prefecture ||
		zt.ParentID != yn.ID || qj.ParentID != yn.ID || !strings.Contains(zt.Name, "昭通") || !strings.Contains(qj.Name, "曲靖") {
		t.Fatalf("province/city centres: %+v %+v %+v", yn, zt, qj)
	}
	for _, code := range counties {
		c, ok := byCode[code]
		if !ok || c.Level != centre.County || c.ParentID != zt.ID {
			t.Fatalf("county centre %s: %+v", code, c)
		}
		if _, err := p.svc.CentreOrg(ctx, c.ID); err != nil {
			t.Fatalf("county %s has no centre organisation: %v", code, err)
		}
	}

	// Accounts: every role that signs in is represented, and every account
	// signs in with the demo password, except the one left pending.
	if len(accounts) == 0 {
		t.Fatal("no accounts")
	}
	roles := map[auth.Role]bool{}
	pending := 0
	for i, a := range accounts {
		roles[a.Role] = true
		_, actor, err := p.svc.Login(ctx, fmt.Sprintf("10.9.%d.%d", i/200, i%200), a.Username, demo.Password)
		if strings.Contains(a.Org, "待审核") {
			pending++
			if !errs.Is(err, errs.Unauthenticated) {
				t.Errorf("pending account %s: %v", a.Username, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("account %s (%s): %v", a.Username, a.Role.Label(), err)
			continue
		}
		if actor.Role != a.Role || actor.Name != a.Name {
			t.Errorf("account %s signs in as %+v, listed as %+v", a.Username, actor, a)
		}
	}
	if pending != 1 {
		t.Errorf("%d pending accounts listed, want 1", pending)
	}
	for _, r := range []auth.Role{auth.Admin, auth.Staff, auth.Supervisor, auth.Tenderer, auth.Agent, auth.Bidder} {
		if !roles[r] {
			t.Errorf("no %s account listed", r.Label())
		}
	}
	// The supervisory departments have their jurisdictions.
	_, sup, err := p.svc.Login(ctx, "10.8.0.1", "zt_housing", demo.Password)
	if err != nil || sup.Region != "530600" || sup.Industry != "housing" {
		t.Fatalf("zt_housing: %+v %v", sup, err)
	}

	// The trail is intact and covers the load.
	events := count(t, p.db, "audit_events")
	if events < count(t, p.db, "organisations")+count(t, p.db, "users") {
		t.Fatalf("only %d audit events", events)
	}
	if _, err := p.log.Checkpoint(ctx, p.db); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, p.db, p.keys.VerifierKey)
	if err != nil || !rep.OK || rep.Events != int64(events) || rep.Checkpoints != 2 { // one after loading (checkTrading), one now
		t.Fatalf("verify: %+v %v", rep, err)
	}

	// Loading again does nothing.
	orgs, users := count(t, p.db, "organisations"), count(t, p.db, "users")
	again, err := p.load(ctx, smallDemo)
	if err != nil || len(again.Accounts) != 0 {
		t.Fatalf("second load: %d accounts, %v", len(again.Accounts), err)
	}
	if count(t, p.db, "organisations") != orgs || count(t, p.db, "users") != users || count(t, p.db, "audit_events") != events {
		t.Fatal("second load changed the database")
	}
	if done, err := demo.Loaded(ctx, p.db); err != nil || !done {
		t.Fatalf("loaded=%v err=%v", done, err)
	}
}

// The demo is generated from a fixed seed: two loads give the same people.
func TestLoadDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo twice")
	}
	ctx := context.Background()
	p1, p2 := newPlatform(t), newPlatform(t)
	r1, err1 := p1.load(ctx, 40)
	r2, err2 := p2.load(ctx, 40)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if fmt.Sprint(r1.Accounts) != fmt.Sprint(r2.Accounts) {
		t.Fatalf("two loads differ:\n%v\n%v", r1.Accounts, r2.Accounts)
	}
	if d1, d2 := digest(t, p1.db), digest(t, p2.db); d1 != d2 {
		t.Fatalf("two loads hold different projects:\n%s\n%s", d1, d2)
	}
}
