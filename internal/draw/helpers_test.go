package draw_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/money"
	"ggzy/internal/notify"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

var gatewayKey = []byte("voice-gateway-shared-key-0123456789")

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fixture is a platform with a draw service, a fake voice gateway that
// answers by script, and a callback endpoint in front of the service.
type fixture struct {
	*testenv.Env
	Draw               *draw.Service
	Gateway            *notify.FakeGateway
	staff, supervisor  auth.Actor
	project            tender.Project
	lot                tender.Lot
	tendererCode       string
	mu                 sync.Mutex
	script             []notify.Result // answers of the n-th call request, "" = never answer
	experts            map[string]int64
	phones             map[string]int64 // phone → expert id
	tendererName, name string
}

func newFixture(t *testing.T, kind tender.TradeKind) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e, staff: e.Actor(auth.Staff), supervisor: e.Actor(auth.Supervisor), experts: map[string]int64{},
		phones: map[string]int64{}}
	// The callback goes through the real web route.
	f.Draw = e.Draw
	f.Gateway = notify.NewFakeGateway(gatewayKey, e.Clock, f.answer)
	t.Cleanup(f.Gateway.Close)
	f.Draw.SetChannels(&notify.Voice{URL: f.Gateway.URL(), Key: gatewayKey, CallbackURL: e.HTTP.URL + "/api/v1/voice/callback",
		Clock: e.Clock}, nil)
	f.project, f.lot = f.addProject(kind)
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT credit_code, name FROM organisations WHERE id = ?", f.project.TendererOrgID).
		Scan(&f.tendererCode, &f.tendererName))
	return f
}

// answer is the fake gateway's script: the n-th call request gets
// script[n], accepted once the script runs out.
func (f *fixture) answer(r notify.CallRequest) notify.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.Gateway.Calls()) - 1
	if n < len(f.script) {
		return f.script[n]
	}
	return notify.Accepted
}

func (f *fixture) addProject(kind tender.TradeKind) (tender.Project, tender.Lot) {
	c, err := centre.ByCode(f.Ctx, f.DB, "530600")
	f.Must(err)
	now := db.Micros(f.Clock.Now())
	proc := tender.Open
	var id int64
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, green_channel, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530600-2026-0777", "昭通市绝密大桥加固工程", kind, "housing", c.ID, c.RegionCode, proc,
		800*money.OneWan, f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], true, false, tender.Tendering, now, now).Scan(&id))
	_, err = f.DB.Exec(f.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '保密标段甲', ?, 0, 0, ?, ?)`, id, 800*money.OneWan, tender.Comprehensive, tender.Tendering)
	f.Must(err)
	p, err := tender.GetProject(f.Ctx, f.DB, id)
	f.Must(err)
	return p, p.Lots[0]
}

// addExpert puts an expert of specialty code into the library.
func (f *fixture) addExpert(name, code, employerCode string, userID int64) int64 {
	f.T.Helper()
	phone := fmt.Sprintf("139%08d", len(f.experts)+1)
	if employerCode == "" {
		employerCode = testenv.CreditCode("530600")
	}
	x, err := f.Expert.Create(f.Ctx, f.staff, expert.Input{Name: name, IDNumber: testenv.IDNumber(), Phone: phone,
		EmployerName: name + "所在单位", EmployerCode: employerCode, CentreCode: "530600", Specialties: []string{code},
		Title: "高级工程师", Years: 15, UserID: userID})
	f.Must(err)
	f.experts[name] = x.ID
	f.phones[phone] = x.ID
	return x.ID
}

var (
	surnames = []rune("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张")
	given    = []string{"建国", "志强", "秀英", "海涛", "丽华", "文博", "晓东", "春梅"}
)

// expertName is a distinct Chinese name for the i-th test expert.
func expertName(i int) string {
	return string(surnames[i%len(surnames)]) + given[(i/len(surnames))%len(given)]
}

// addExperts adds n experts of code.
func (f *fixture) addExperts(n int, code string) []int64 {
	var ids []int64
	for range n {
		ids = append(ids, f.addExpert(expertName(len(f.experts)), code, "", 0))
	}
	return ids
}

// flush delivers the gateway's callbacks until none is left.
func (f *fixture) flush() int {
	f.T.Helper()
	n, err := f.Gateway.Flush(context.Background())
	if err != nil && !strings.Contains(err.Error(), "409") {
		f.T.Fatal(err)
	}
	return n
}

func (f *fixture) request(quotas ...draw.Quota) draw.NewRequest {
	return draw.NewRequest{LotID: f.lot.ID, EvalStart: "2026-12-03 09:00", EvalEnd: "2026-12-03 17:00",
		Venue: "昭通市公共资源交易中心第一评标室", Quotas: quotas, AnswerMinutes: 30}
}

// contribution is a witness value.
const contribution = "5a1e0c4d9b7f2e3a8c6d1f0b4e7a9c2d5f8b1e4a7d0c3f6b9e2a5d8c1f4b7e0a"
