package bidding_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/ident"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// deadline of the fixture's tender notice.
var deadline = bj("2026-12-28 09:30:00")

// bidder is one bidding organisation with its signed-in user, key and
// certificate.
type bidder struct {
	name  string
	org   int64
	actor auth.Actor
	key   *sm2.PrivateKey
	cert  *smx509.Certificate
}

type fixture struct {
	*testenv.Env
	staff, agent, tenderer, admin, supervisor auth.Actor
	bidders                                   []*bidder
	project                                   tender.Project
	lot                                       tender.Lot
}

// newFixture is a platform with a construction project of the fixture
// tenderer in 昭阳区, its tender notice published (deadline 2026-12-28
// 09:30, maximum price 900 万), and n bidders with certificates from the
// built-in CA.
func newFixture(t testing.TB, n int) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e, staff: e.Actor(auth.Staff), agent: e.Actor(auth.Agent), tenderer: e.Actor(auth.Tenderer),
		admin: e.Actor(auth.Admin), supervisor: e.Actor(auth.Supervisor)}
	names := []string{"昭通第一建筑有限公司", "云南第二路桥有限公司", "昭阳第三建设集团", "镇雄第四工程公司", "彝良第五建筑公司"}
	for i := range n {
		b := &bidder{name: names[i]}
		if i == 0 {
			b.org, b.actor = e.Orgs[auth.KindBidder], e.Actor(auth.Bidder)
			var name string
			e.Must(e.DB.QueryRow(e.Ctx, "SELECT name FROM organisations WHERE id = ?", b.org).Scan(&name))
			b.name = name
		} else {
			username := fmt.Sprintf("bidder%d", i+1)
			b.org = e.RegisterApproved(auth.KindBidder, username, b.name)
			_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", username, testenv.Password)
			e.Must(err)
			b.actor = a
		}
		key, err := ca.GenerateKey()
		e.Must(err)
		b.key = key
		b.cert, err = e.CA.IssueFor(e.Ctx, auth.System, b.org, &key.PublicKey)
		e.Must(err)
		f.bidders = append(f.bidders, b)
	}
	f.project = f.addProject()
	f.publishTender()
	p, err := tender.GetProject(e.Ctx, e.DB, f.project.ID)
	e.Must(err)
	f.project, f.lot = p, p.Lots[0]
	if p.State != tender.Tendering || !f.lot.BidDeadline.Equal(deadline) {
		t.Fatalf("project %s, lot deadline %v", p.State, f.lot.BidDeadline)
	}
	return f
}

// addBidder registers and approves one more bidding organisation, signs its
// user in and issues it a certificate from the built-in CA (benchmarks add
// hundreds this way).
func (f *fixture) addBidder(username, name string) *bidder {
	f.T.Helper()
	// Its own 身份证号 series: testenv.IDNumber repeats after 1,000.
	n := len(f.bidders)
	first17 := "530602" + time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000).Format("20060102") + fmt.Sprintf("%03d", n%1000)
	check, err := ident.IDCheck(first17)
	f.Must(err)
	org, _, err := f.Auth.Register(f.Ctx, auth.Public("127.0.0.1"), auth.Registration{OrgName: name, Kind: auth.KindBidder,
		CreditCode: testenv.CreditCode("530602"), CentreCode: "530602", LegalRep: "法人", ContactName: "联系人",
		ContactPhone: "13600000000", Username: username, DisplayName: "用户" + username, IDNumber: first17 + string(check),
		Phone: "13500000000", Password: testenv.Password})
	f.Must(err)
	_, err = f.Auth.DecideOrg(f.Ctx, auth.System, org.ID, auth.Decision{Approve: true})
	f.Must(err)
	b := &bidder{name: name, org: org.ID}
	// Each from its own address: sign-ins are throttled per address.
	_, a, err := f.Auth.Login(f.Ctx, fmt.Sprintf("10.8.%d.%d", n/250, n%250+1), username, testenv.Password)
	f.Must(err)
	b.actor = a
	b.key, err = ca.GenerateKey()
	f.Must(err)
	b.cert, err = f.CA.IssueFor(f.Ctx, auth.System, b.org, &b.key.PublicKey)
	f.Must(err)
	f.bidders = append(f.bidders, b)
	return b
}

func (f *fixture) addProject() tender.Project {
	c, err := centre.ByCode(f.Ctx, f.DB, "530602")
	f.Must(err)
	now := db.Micros(f.Clock.Now())
	var id int64
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, green_channel, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530602-2026-0042", "昭阳区北部新区道路提升改造工程", tender.Construction, "housing", c.ID, c.RegionCode, tender.Open,
		1000*money.OneWan, f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], true, false, tender.Accepted, now, now).Scan(&id))
	_, err = f.DB.Exec(f.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '第1标段', ?, ?, ?, ?, ?)`, id, 1000*money.OneWan, 900*money.OneWan, 20*money.OneWan, tender.Comprehensive, tender.Accepted)
	f.Must(err)
	p, err := tender.GetProject(f.Ctx, f.DB, id)
	f.Must(err)
	return p
}

// publishTender publishes the tender notice through the notice service:
// drafted by the agent, approved by the centre's staff.
func (f *fixture) publishTender() {
	f.publishTenderAt(bj("2026-11-25 09:00:00"), bj("2026-12-02 17:00:00"), deadline)
}

// publishTenderAt publishes a tender notice with the given documents
// period and deadline (a re-tender after 流标 too).
func (f *fixture) publishTenderAt(docsFrom, docsUntil, bidDeadline time.Time) {
	in := notice.Input{ProjectID: f.project.ID, Kind: notice.KindTender, DocsFrom: docsFrom,
		DocsUntil: docsUntil, BidDeadline: bidDeadline}
	n, err := f.Notice.Draft(f.Ctx, f.agent, in)
	f.Must(err)
	if strings.Contains(n.Body, "（请填写") {
		in.Body = strings.ReplaceAll(n.Body, "（请填写", "（已填写")
		n, err = f.Notice.Update(f.Ctx, f.agent, n.ID, in)
		f.Must(err)
	}
	_, err = f.Notice.Submit(f.Ctx, f.agent, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)
}

// marker is text inside bidder b's sealed files: it must never be found in
// the database or the file store before decryption.
func marker(b *bidder) string { return "PLAINTEXT-MARKER-" + b.name + "-施工组织设计" }

// seal makes b's sealed bid for the fixture lot at price (fen).
func (f *fixture) seal(b *bidder, price money.Fen) []byte {
	f.T.Helper()
	dir := f.T.TempDir()
	f.Must(os.MkdirAll(filepath.Join(dir, "技术标"), 0o755))
	f.Must(os.WriteFile(filepath.Join(dir, "技术标", "施工组织设计.txt"), []byte(strings.Repeat(marker(b)+"\n", 200)), 0o644))
	f.Must(os.WriteFile(filepath.Join(dir, "商务标.txt"), []byte("投标报价 "+price.Yuan()), 0o644))
	form := sealed.Form{LotID: f.lot.ID, Price: price, DurationDays: 365, Quality: "合格", Manager: "张工",
		ManagerCert: "云153202100001"}
	var buf bytes.Buffer
	_, err := sealed.Seal(&buf, sealed.Signer{Cert: b.cert, Key: b.key}, form, dir,
		sealed.Options{ChunkSize: 1024, Fingerprint: strings.Repeat("ab", 32), Now: f.Clock.Now()})
	f.Must(err)
	return buf.Bytes()
}

func (f *fixture) submit(b *bidder, container []byte) (bidding.SignedReceipt, error) {
	return f.Bidding.Submit(f.Ctx, b.actor, f.lot.ID, bytes.NewReader(container), bidding.Upload{IP: "10.0.0.1"})
}

// contentKey unwraps b's content key from its container, as its tool does.
func contentKey(t *testing.T, b *bidder, container []byte) []byte {
	t.Helper()
	env, err := sealed.Inspect(bytes.NewReader(container))
	if err != nil {
		t.Fatal(err)
	}
	k, err := sealed.UnwrapKey(env, b.key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return errs.As(err)
}

func wantRule(t *testing.T, err error, rule string) {
	t.Helper()
	if e := wantCode(t, err, errs.Rule); e.RuleID != rule {
		t.Fatalf("rule %s, want %s: %v", e.RuleID, rule, err)
	}
}
