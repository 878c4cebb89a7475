package notice_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// bj is a Beijing wall-clock instant, "2006-01-02 15:04".
func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fixture is a platform with one actor per role plus a second tenderer,
// staff of another prefecture and two more bidders.
type fixture struct {
	*testenv.Env
	tenderer, agent, staff, admin, bidder, supervisor, anon auth.Actor
	otherTenderer, otherStaff, bidder2, bidder3             auth.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e}
	f.tenderer, f.agent, f.staff, f.admin = e.Actor(auth.Tenderer), e.Actor(auth.Agent), e.Actor(auth.Staff), e.Actor(auth.Admin)
	f.bidder, f.supervisor, f.anon = e.Actor(auth.Bidder), e.Actor(auth.Supervisor), e.Actor(auth.Anonymous)
	e.RegisterApproved(auth.KindTenderer, "tenderer2", "另一招标人")
	f.otherTenderer = f.login("tenderer2")
	e.RegisterApproved(auth.KindBidder, "bidder2", "昭通第二建筑有限公司")
	f.bidder2 = f.login("bidder2")
	e.RegisterApproved(auth.KindBidder, "bidder3", "昭通第三建筑有限公司")
	f.bidder3 = f.login("bidder3")
	qj, err := centre.ByCode(e.Ctx, e.DB, "530300")
	e.Must(err)
	qjOrg, err := e.Auth.CentreOrg(e.Ctx, qj.ID)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: qjOrg, Username: "qjstaff", DisplayName: "曲靖工作人员",
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000001", Password: testenv.Password})
	e.Must(err)
	f.otherStaff = f.login("qjstaff")
	return f
}

// login signs a user in again; sessions last 8 hours, so tests that move
// the clock by days sign in afresh.
func (f *fixture) login(username string) auth.Actor {
	f.T.Helper()
	_, a, err := f.Auth.Login(f.Ctx, "127.0.0.1", username, testenv.Password)
	f.Must(err)
	return a
}

// lotSpec is one lot of a test project, amounts in fen.
type lotSpec struct {
	name                    string
	estimated, max, deposit money.Fen
}

var projectSeq int

// addProject inserts an accepted project of the fixture tenderer (agent:
// the fixture agent) in 昭阳区 straight into the database: registration
// and intake belong to another capability; a notice needs only the rows.
func (f *fixture) addProject(trade tender.TradeKind, proc tender.Procedure, industry string, lots ...lotSpec) tender.Project {
	f.T.Helper()
	projectSeq++
	c, err := centre.ByCode(f.Ctx, f.DB, "530602")
	f.Must(err)
	if len(lots) == 0 {
		lots = []lotSpec{{"第1标段", 1000 * money.OneWan, 900 * money.OneWan, 20 * money.OneWan}}
	}
	now := db.Micros(f.Clock.Now())
	var id int64
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, green_channel, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		fmt.Sprintf("ZT530602-2026-%04d", projectSeq), fmt.Sprintf("昭阳区测试项目%d", projectSeq), trade, industry, c.ID,
		c.RegionCode, proc, lots[0].estimated, f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], true, false,
		tender.Accepted, now, now).Scan(&id))
	eval := tender.Comprehensive
	if trade == tender.Land || trade == tender.Property {
		eval = tender.HighestPrice
	}
	for i, l := range lots {
		var lot int64
		f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, i+1, l.name, l.estimated, l.max, l.deposit, eval, tender.Accepted).Scan(&lot))
	}
	return f.project(id)
}

func (f *fixture) project(id int64) tender.Project {
	f.T.Helper()
	p, err := tender.GetProject(f.Ctx, f.DB, id)
	f.Must(err)
	return p
}

// tenderInput is a lawful tender notice for p: published now (Wednesday
// 2026-11-25 09:00), documents from now for 7 days, deadline 2026-12-28
// 09:30 (33 days later).
func tenderInput(p tender.Project) notice.Input {
	return notice.Input{ProjectID: p.ID, Kind: notice.KindTender, DocsFrom: bj("2026-11-25 09:00"),
		DocsUntil: bj("2026-12-02 17:00"), BidDeadline: bj("2026-12-28 09:30")}
}

// publish drafts, submits and approves (now) a notice; it returns it published.
func (f *fixture) publish(drafter auth.Actor, in notice.Input) notice.Notice {
	f.T.Helper()
	n, err := f.Notice.Draft(f.Ctx, drafter, in)
	f.Must(err)
	if strings.Contains(n.Body, "（请填写") {
		n, err = f.Notice.Update(f.Ctx, drafter, n.ID, withBody(in, strings.ReplaceAll(n.Body, "（请填写", "（已填写")))
		f.Must(err)
	}
	_, err = f.Notice.Submit(f.Ctx, drafter, n.ID)
	f.Must(err)
	reviewer := f.staff
	if drafter.UserID == f.staff.UserID {
		reviewer = f.admin
	}
	n, err = f.Notice.Decide(f.Ctx, reviewer, n.ID, notice.Decision{Approve: true})
	f.Must(err)
	if n.State != notice.Published {
		f.T.Fatalf("state %s, want published", n.State)
	}
	return n
}

func withBody(in notice.Input, body string) notice.Input { in.Body = body; return in }

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return errs.As(err)
}

// wantRule fails unless err is a violation of rule.
func wantRule(t *testing.T, err error, rule string) *errs.Error {
	t.Helper()
	e := wantCode(t, err, errs.Rule)
	if e.RuleID != rule {
		t.Fatalf("rule %s, want %s: %v", e.RuleID, rule, err)
	}
	return e
}

// count counts rows of a table.
func (f *fixture) count(table string) int {
	f.T.Helper()
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

// read drains a download.
func read(t *testing.T, rc io.ReadCloser, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func file(s string) io.Reader { return bytes.NewReader([]byte(s)) }
