// Package testenv builds a whole ggzy in a test: a fresh database (SQLite,
// or PostgreSQL when GGZY_TEST_POSTGRES is set), a fake clock, real keys,
// the services, the web server on an httptest listener, and one signed-up
// user for every role.
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/blob"
	"ggzy/internal/ca"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/guide"
	"ggzy/internal/ident"
	"ggzy/internal/notice"
	"ggzy/internal/platform"
	"ggzy/internal/portal"
	"ggzy/internal/supervision"
	"ggzy/internal/tender"
	"ggzy/internal/venue"
	"ggzy/internal/web"
)

// Password is every fixture user's password.
const Password = "Test-pass-2026"

// Start is the fake clock's starting instant: 2026-11-25 09:00 Beijing time.
var Start = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

// Env is one running platform.
type Env struct {
	T       testing.TB
	Ctx     context.Context
	DB      *db.DB
	Clock   *clock.Fake
	Keys    *gm.Keys
	Audit   *audit.Log
	Auth    *auth.Service
	Trail   *supervision.Trail
	Base    platform.Base
	Blobs   *blob.Disk
	Guide   *guide.Service
	Tender  *tender.Service
	Notice  *notice.Service
	Venue   *venue.Service
	Portal  *portal.Service
	Expert  *expert.Service
	Bidding *bidding.Service
	CA      *ca.Service   // bidders' certificates; its built-in root lives in DataDir/keys
	Draw    *draw.Service // expert draws; in-app channel only (tests add a fake voice gateway)
	Web     *web.Server
	HTTP    *httptest.Server
	DataDir string
	// Users maps each role to the username of its fixture user.
	Users map[auth.Role]string
	// Orgs maps each fixture organisation kind to its id.
	Orgs map[auth.OrgKind]int64
}

// FastArgon2 keeps password hashing cheap in tests; production uses
// auth.DefaultArgon2.
var FastArgon2 = auth.Argon2{Memory: 64, Time: 1, Threads: 1}

// New builds an empty platform with the fixture centres, organisations and
// users.
func New(t testing.TB) *Env {
	t.Helper()
	e := bare(t)
	e.fixtures()
	return e
}

// bare builds the platform on a fresh, empty database.
func bare(t testing.TB) *Env {
	t.Helper()
	e := &Env{T: t, Ctx: context.Background(), DB: dbtest.Open(t), Clock: clock.NewFake(Start), DataDir: t.TempDir(),
		Users: map[auth.Role]string{}, Orgs: map[auth.OrgKind]int64{}}
	var err error
	if e.Keys, err = gm.LoadOrCreateKeys(e.DataDir); err != nil {
		t.Fatal(err)
	}
	e.Audit = audit.New(e.Clock, e.Keys.NoteSigner, e.Keys.VerifierKey)
	cfg := auth.DefaultConfig
	cfg.PasswordHasher = FastArgon2
	e.Auth = auth.NewService(e.DB, e.Clock, e.Audit, e.Keys.PII, cfg)
	e.Trail = supervision.NewTrail(e.DB, e.Audit)
	if e.Blobs, err = blob.NewDisk(e.DataDir + "/blobs"); err != nil {
		t.Fatal(err)
	}
	e.Base = platform.Base{DB: e.DB, Clock: e.Clock, Audit: e.Audit, Calendar: calendar.Default(), Blobs: e.Blobs, Keys: e.Keys}
	e.Guide = guide.New(e.Base)
	e.Tender = tender.New(e.Base)
	e.Notice = notice.New(e.Base, e.Tender)
	e.Venue = venue.New(e.Base)
	e.Portal = portal.New(e.Base)
	e.Expert = expert.New(e.Base)
	authority, err := ca.LoadOrCreate(filepath.Join(e.DataDir, "keys"), e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.CA = ca.New(e.Base, authority, nil)
	e.Bidding = bidding.New(e.Base, e.Tender, e.CA, e.Notice)
	e.Bidding.RecordPDF = bidding.RenderRecord
	e.Draw = draw.New(e.Base, e.Expert, e.Bidding)
	// Request logs would drown test output; failures carry the request id.
	e.Web, err = web.New(web.Deps{DB: e.DB, Clock: e.Clock, Log: slog.New(slog.DiscardHandler), Auth: e.Auth, Trail: e.Trail, Audit: e.Audit,
		Calendar: e.Base.Calendar, Guide: e.Guide, Tender: e.Tender, Notice: e.Notice, Venue: e.Venue, Portal: e.Portal, Expert: e.Expert,
		CA: e.CA, Bidding: e.Bidding, Draw: e.Draw,
		Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.HTTP = httptest.NewServer(e.Web.Handler())
	t.Cleanup(e.HTTP.Close)
	return e
}

var seq int

// CreditCode returns a fresh valid 统一社会信用代码 in region.
func CreditCode(region string) string {
	seq++
	first17 := fmt.Sprintf("91%s%09d", region, seq)
	c, err := ident.CreditCodeCheck(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// IDNumber returns a fresh valid 身份证号.
func IDNumber() string {
	seq++
	first17 := fmt.Sprintf("530602198%d0101%03d", seq%10, seq%1000)
	c, err := ident.IDCheck(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// Must fails the test on err.
func (e *Env) Must(err error) {
	e.T.Helper()
	if err != nil {
		e.T.Fatal(err)
	}
}

func (e *Env) fixtures() {
	ctx := e.Ctx
	for _, c := range []auth.NewCentre{
		{RegionCode: "530000", RegionName: "云南省", Name: "云南省公共资源交易中心"},
		{RegionCode: "530600", RegionName: "昭通市", Name: "昭通市公共资源交易中心"},
		{RegionCode: "530602", RegionName: "昭阳区", Name: "昭阳区公共资源交易中心"},
		{RegionCode: "530300", RegionName: "曲靖市", Name: "曲靖市公共资源交易中心"},
	} {
		c.CreditCode, c.LegalRep, c.ContactName, c.ContactPhone = CreditCode(c.RegionCode), "张三", "李四", "13800000000"
		_, org, err := e.Auth.CreateCentre(ctx, auth.System, c)
		e.Must(err)
		if c.RegionCode == "530600" {
			e.Orgs[auth.KindCentre] = org.ID
		}
	}
	sup, err := e.Auth.CreateOrg(ctx, auth.System, auth.NewOrg{Name: "昭通市住房和城乡建设局", Kind: auth.KindSupervisor,
		CreditCode: CreditCode("530600"), CentreCode: "530600", Industry: "housing", LegalRep: "王五",
		ContactName: "赵六", ContactPhone: "13900000000"})
	e.Must(err)
	e.Orgs[auth.KindSupervisor] = sup.ID
	emp, err := e.Auth.CreateOrg(ctx, auth.System, auth.NewOrg{Name: "昭通学院", Kind: auth.KindEmployer,
		CreditCode: CreditCode("530600"), CentreCode: "530600", LegalRep: "王五", ContactName: "赵六", ContactPhone: "13900000001"})
	e.Must(err)
	e.Orgs[auth.KindEmployer] = emp.ID
	for _, k := range []auth.OrgKind{auth.KindTenderer, auth.KindAgent, auth.KindBidder} {
		e.Orgs[k] = e.RegisterApproved(k, string(k)+"1", "昭通测试"+k.Label())
	}
	for role, org := range map[auth.Role]int64{auth.Staff: e.Orgs[auth.KindCentre], auth.Admin: e.Orgs[auth.KindCentre],
		auth.Supervisor: sup.ID, auth.Expert: emp.ID} {
		_, err := e.Auth.CreateUser(ctx, auth.System, auth.NewUser{OrgID: org, Username: string(role) + "1",
			DisplayName: "测试" + role.Label(), Role: role, IDNumber: IDNumber(), Phone: "13700000000", Password: Password})
		e.Must(err)
	}
	for _, r := range auth.Roles {
		e.Users[r] = string(r) + "1"
	}
}

// RegisterApproved registers an organisation of kind with first user
// username through the public path and approves it; it returns the org id.
func (e *Env) RegisterApproved(kind auth.OrgKind, username, name string) int64 {
	e.T.Helper()
	org, _, err := e.Auth.Register(e.Ctx, auth.Public("127.0.0.1"), auth.Registration{OrgName: name, Kind: kind,
		CreditCode: CreditCode("530602"), CentreCode: "530602", LegalRep: "法人", ContactName: "联系人",
		ContactPhone: "13600000000", Username: username, DisplayName: "用户" + username, IDNumber: IDNumber(),
		Phone: "13500000000", Password: Password})
	e.Must(err)
	_, err = e.Auth.DecideOrg(e.Ctx, auth.System, org.ID, auth.Decision{Approve: true})
	e.Must(err)
	return org.ID
}

// Actor signs role's fixture user in and returns its actor.
func (e *Env) Actor(role auth.Role) auth.Actor {
	e.T.Helper()
	if role == auth.Anonymous {
		return auth.Public("127.0.0.1")
	}
	_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", e.Users[role], Password)
	e.Must(err)
	return a
}

// Client is an HTTP client with its own cookie jar, signed in as role (or
// anonymous), that knows its CSRF token.
type Client struct {
	*http.Client
	Base string
	CSRF string
}

// Client returns a client signed in through the API as role.
func (e *Env) Client(role auth.Role) *Client {
	e.T.Helper()
	jar, _ := cookiejar.New(nil)
	c := &Client{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, Base: e.HTTP.URL}
	if role != auth.Anonymous {
		var out struct {
			CSRF string `json:"csrf_token"`
		}
		status := c.JSON("POST", "/api/v1/session", map[string]string{"username": e.Users[role], "password": Password}, &out)
		if status != http.StatusOK {
			e.T.Fatalf("sign in as %s: status %d", role, status)
		}
		c.CSRF = out.CSRF
	}
	return c
}
