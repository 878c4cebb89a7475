package expert_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/testenv"
)

// addLot inserts a project with one lot straight into the database: the
// tender capability registers projects; the portal and the ratings need
// only the rows (region and industry decide which supervisor rates).
func (f *fixture) addLot(tenderer, agent int64, region, industry string) int64 {
	f.T.Helper()
	c, err := centre.ByCode(f.Ctx, f.DB, region)
	f.Must(err)
	now := db.Micros(f.Clock.Now())
	var project, lot int64
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		tenderer_org_id, agent_org_id, state, created_by, created_at, updated_at)
		VALUES (?, ?, 'construction', ?, ?, ?, 'open', ?, ?, 'evaluating', 1, ?, ?) RETURNING id`,
		fmt.Sprintf("ZT%s-2026-%04d", region, now%10000), "昭阳区第一中学教学楼", industry, c.ID, region, tenderer, agent, now, now).Scan(&project))
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO lots (project_id, seq, name, eval_method, state)
		VALUES (?, 1, '施工', 'comprehensive', 'evaluating') RETURNING id`, project).Scan(&lot))
	return lot
}

func TestPortal(t *testing.T) {
	f := newFixture(t)
	_, err := f.Expert.Mine(f.Ctx, f.expertUser)
	if e := wantCode(t, err, errs.NotFound); !strings.Contains(e.Message, "尚未关联") {
		t.Fatal(e.Message)
	}
	in := input("孔明", "")
	in.UserID = f.expertUser.UserID
	me := f.create(f.staff, in)
	other := f.create(f.staff, input("庞统", ""))

	p, err := f.Expert.Mine(f.Ctx, f.expertUser)
	f.Must(err)
	if p.Expert.ID != me.ID || p.Expert.Masked || p.Expert.IDNumber != in.IDNumber || len(p.History) != 0 {
		t.Fatalf("portal %+v", p)
	}

	// Leave: only future periods, only one's own.
	_, err = f.Expert.AddMyLeave(f.Ctx, f.expertUser, expert.LeaveInput{From: "2026-11-25", To: "2026-11-27"})
	wantField(t, err, "from") // today has begun
	l, err := f.Expert.AddMyLeave(f.Ctx, f.expertUser, expert.LeaveInput{From: "2026-12-07", To: "2026-12-09", Reason: "外出培训"})
	f.Must(err)
	mine, err := f.Expert.AddLeave(f.Ctx, f.staff, other.ID, expert.LeaveInput{From: "2026-12-07", To: "2026-12-08"})
	f.Must(err)
	wantCode(t, f.Expert.RemoveMyLeave(f.Ctx, f.expertUser, mine.ID), errs.NotFound) // someone else's
	p, err = f.Expert.Mine(f.Ctx, f.expertUser)
	f.Must(err)
	if len(p.Expert.Leaves) != 1 || p.Expert.Leaves[0].ID != l.ID || p.Expert.Leaves[0].Reason != "外出培训" {
		t.Fatalf("leaves %+v", p.Expert.Leaves)
	}
	f.Clock.Set(bj(2026, 12, 7, 10, 0))
	wantCode(t, f.Expert.RemoveMyLeave(f.Ctx, f.expertUser, l.ID), errs.Conflict) // started
	f.Clock.Set(testenv.Start)
	f.Must(f.Expert.RemoveMyLeave(f.Ctx, f.expertUser, l.ID))

	// History: the project is named only once the evaluation is over and
	// the expert took part.
	lot := f.addLot(f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], "530602", "housing")
	past := f.engage(expert.Engagement{ExpertID: me.ID, TendererOrgID: f.Orgs[auth.KindTenderer], LotID: lot,
		From: bj(2026, 11, 20, 9, 0), To: bj(2026, 11, 20, 17, 0), Ref: "ZT-2026-0001", Outcome: expert.Served})
	f.engage(expert.Engagement{ExpertID: me.ID, TendererOrgID: f.Orgs[auth.KindTenderer], LotID: lot,
		From: bj(2026, 12, 3, 9, 0), To: bj(2026, 12, 3, 17, 0), Ref: "通知", Outcome: expert.Invited})
	p, err = f.Expert.Mine(f.Ctx, f.expertUser)
	f.Must(err)
	if len(p.History) != 2 || p.History[0].ProjectName != "" || p.History[0].OutcomeLabel != "已通知待答复" ||
		p.History[1].ID != past || p.History[1].ProjectName != "昭阳区第一中学教学楼" {
		t.Fatalf("history %+v", p.History)
	}
}

func TestRatingsOncePerSide(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("徐庶", ""))
	lot := f.addLot(f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], "530602", "housing")
	served := f.engage(expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], LotID: lot,
		From: bj(2026, 11, 20, 9, 0), To: bj(2026, 11, 20, 17, 0), Outcome: expert.Served})
	upcoming := f.engage(expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], LotID: lot,
		From: bj(2026, 12, 3, 9, 0), To: bj(2026, 12, 3, 17, 0), Outcome: expert.Accepted})

	// Who may rate: the tenderer's side and the supervisor in
	// jurisdiction; others do not learn the engagement exists.
	list, err := f.Expert.Rateable(f.Ctx, f.agent)
	f.Must(err)
	if len(list) != 1 || list[0].EngagementID != served || list[0].ExpertName != "徐*" || list[0].Rater != expert.ByTenderer {
		t.Fatalf("agent's list %+v", list)
	}
	otherTenderer := f.RegisterApproved(auth.KindTenderer, "tenderer2", "另一招标人")
	_, stranger, err := f.Auth.Login(f.Ctx, "127.0.0.1", "tenderer2", testenv.Password)
	f.Must(err)
	_ = otherTenderer
	_, err = f.Expert.Rate(f.Ctx, stranger, served, expert.RatingInput{Score: 1})
	wantCode(t, err, errs.NotFound)
	_, err = f.Expert.Rate(f.Ctx, f.tenderer, upcoming, expert.RatingInput{Score: 4})
	wantCode(t, err, errs.Conflict) // not over yet
	_, err = f.Expert.Rate(f.Ctx, f.tenderer, served, expert.RatingInput{Score: 6})
	wantField(t, err, "score")

	r, err := f.Expert.Rate(f.Ctx, f.agent, served, expert.RatingInput{Score: 2, Comment: "打分随意，未认真审阅"})
	f.Must(err)
	if r.Rater != expert.ByTenderer || r.ExpertID != e.ID {
		t.Fatalf("rating %+v", r)
	}
	before := f.counts()
	_, err = f.Expert.Rate(f.Ctx, f.tenderer, served, expert.RatingInput{Score: 5})
	if e := wantCode(t, err, errs.Conflict); !strings.Contains(e.Message, "只能评价一次") {
		t.Fatal(e.Message)
	}
	f.unchanged(t, before, "second rating by the tenderer's side")
	_, err = f.Expert.Rate(f.Ctx, f.supervisor, served, expert.RatingInput{Score: 3})
	f.Must(err)
	_, err = f.Expert.Rate(f.Ctx, f.supervisor, served, expert.RatingInput{Score: 3})
	wantCode(t, err, errs.Conflict)
	if list, _ := f.Expert.Rateable(f.Ctx, f.tenderer); len(list) != 0 {
		t.Fatalf("still rateable: %+v", list)
	}
	// A supervisor of another industry does not see it.
	water, err := f.Auth.CreateOrg(f.Ctx, auth.System, auth.NewOrg{Name: "昭通市水利局", Kind: auth.KindSupervisor,
		CreditCode: testenv.CreditCode("530600"), CentreCode: "530600", Industry: "water", LegalRep: "甲", ContactName: "乙",
		ContactPhone: "13900000002"})
	f.Must(err)
	_, err = f.Auth.CreateUser(f.Ctx, auth.System, auth.NewUser{OrgID: water.ID, Username: "water1", DisplayName: "水利",
		Role: auth.Supervisor, IDNumber: testenv.IDNumber(), Phone: "13700000003", Password: testenv.Password})
	f.Must(err)
	_, waterSup, err := f.Auth.Login(f.Ctx, "127.0.0.1", "water1", testenv.Password)
	f.Must(err)
	_, err = f.Expert.Rate(f.Ctx, waterSup, served, expert.RatingInput{Score: 1})
	wantCode(t, err, errs.NotFound)

	// The ratings show in the expert's history and feed the flags.
	h, err := f.Expert.History(f.Ctx, f.staff, e.ID)
	f.Must(err)
	if len(h) != 2 || len(h[1].Ratings) != 2 || h[1].Ratings[0].Score != 2 || h[1].Ratings[1].Rater != expert.BySupervisor {
		t.Fatalf("history %+v", h)
	}
	got, err := f.Expert.Get(f.Ctx, f.staff, e.ID)
	f.Must(err)
	if got.Flags.Ratings != 2 || got.Flags.AverageTenths != 25 || !got.Flags.LowRatings {
		t.Fatalf("flags %+v", got.Flags)
	}
}

func TestDeclineFlag(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("马谡", ""))
	ok := f.create(f.staff, input("王平", ""))
	for i, d := range []time.Time{bj(2025, 11, 1, 9, 0), bj(2026, 3, 1, 9, 0), bj(2026, 6, 1, 9, 0), bj(2026, 9, 1, 9, 0)} {
		g := f.engage(expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], From: d, To: d.Add(8 * time.Hour)})
		if i < 3 {
			f.setOutcome(g, expert.Declined)
		} else {
			f.setOutcome(g, expert.Served)
		}
	}
	got, err := f.Expert.Get(f.Ctx, f.staff, e.ID)
	f.Must(err)
	if got.Flags.Declines != 2 || got.Flags.ManyDeclines {
		t.Fatalf("flags %+v (the 2025-11-01 decline is over 12 months ago)", got.Flags)
	}
	g := f.engage(expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], From: bj(2026, 11, 1, 9, 0),
		To: bj(2026, 11, 1, 17, 0)})
	f.setOutcome(g, expert.Declined)
	list, _, err := f.Expert.List(f.Ctx, f.staff, expert.Filter{Flagged: true})
	f.Must(err)
	if len(list) != 1 || list[0].ID != e.ID || !list[0].Flags.ManyDeclines || list[0].Flags.Declines != 3 {
		t.Fatalf("flagged %+v", list)
	}
	_ = ok
}

func TestEngagements(t *testing.T) {
	f := newFixture(t)
	e := f.create(f.staff, input("姜维", ""))
	base := expert.Engagement{ExpertID: e.ID, TendererOrgID: f.Orgs[auth.KindTenderer], From: bj(2026, 12, 2, 9, 0),
		To: bj(2026, 12, 2, 17, 0), Ref: "抽取1"}
	id := f.engage(base)
	got, err := expert.GetEngagement(f.Ctx, f.DB, id)
	f.Must(err)
	if got.Outcome != expert.Invited || got.Ref != "抽取1" || !got.From.Equal(base.From) {
		t.Fatalf("%+v", got)
	}
	// The same person cannot be held twice at once.
	clash := base
	clash.From, clash.To = bj(2026, 12, 2, 16, 0), bj(2026, 12, 2, 20, 0)
	err = f.DB.Transact(f.Ctx, func(tx *db.Tx) error { _, err := expert.EngageTx(f.Ctx, tx, clash); return err })
	wantCode(t, err, errs.Conflict)
	f.setOutcome(id, expert.Declined)
	f.engage(clash)
	for _, bad := range []expert.Engagement{{}, {ExpertID: e.ID, TendererOrgID: 1, From: base.To, To: base.From},
		{ExpertID: e.ID, TendererOrgID: 1, From: base.From, To: base.To, Outcome: "maybe"}} {
		err := f.DB.Transact(f.Ctx, func(tx *db.Tx) error { _, err := expert.EngageTx(f.Ctx, tx, bad); return err })
		wantCode(t, err, errs.Invalid)
	}
	err = f.DB.Transact(f.Ctx, func(tx *db.Tx) error { return expert.SetOutcomeTx(f.Ctx, tx, 999999, expert.Served) })
	wantCode(t, err, errs.NotFound)
	err = f.DB.Transact(f.Ctx, func(tx *db.Tx) error { return expert.SetOutcomeTx(f.Ctx, tx, id, "won") })
	wantCode(t, err, errs.Invalid)

	c, err := f.Expert.Contact(f.Ctx, f.DB, e.ID)
	f.Must(err)
	if c.Name != "姜维" || c.Phone != "13812345678" || c.CentreCode != "530600" || c.Specialty != "A080104 土建工程" {
		t.Fatalf("contact %+v", c)
	}
	_, err = f.Expert.Contact(f.Ctx, f.DB, 424242)
	wantCode(t, err, errs.NotFound)
}
