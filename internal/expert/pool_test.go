package expert_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/testenv"
)

// poolFixture adds the organisations of a lot: the fixture's tenderer,
// agent and bidder, a second bidder, and the supervising department.
type poolFixture struct {
	*fixture
	tendererID, agentID, bidderID, bidder2ID, deptID int64
	codes                                            map[int64]string
}

func newPoolFixture(t *testing.T) *poolFixture {
	f := &poolFixture{fixture: newFixture(t), codes: map[int64]string{}}
	f.tendererID, f.agentID, f.bidderID = f.Orgs[auth.KindTenderer], f.Orgs[auth.KindAgent], f.Orgs[auth.KindBidder]
	f.deptID = f.Orgs[auth.KindSupervisor]
	f.bidder2ID = f.RegisterApproved(auth.KindBidder, "bidder2", "第二投标人")
	for _, id := range []int64{f.tendererID, f.agentID, f.bidderID, f.bidder2ID, f.deptID} {
		var code string
		f.Must(f.DB.QueryRow(f.Ctx, "SELECT credit_code FROM organisations WHERE id = ?", id).Scan(&code))
		f.codes[id] = code
	}
	return f
}

func (f *poolFixture) query() expert.PoolQuery {
	return expert.PoolQuery{Specialty: "A08", Centres: []string{"530600", "530602"}, From: bj(2026, 12, 2, 9, 0),
		To: bj(2026, 12, 2, 17, 0), TendererOrgID: f.tendererID, AgentOrgID: f.agentID,
		BidderOrgIDs: []int64{f.bidderID, f.bidder2ID}, SupervisorOrgIDs: []int64{f.deptID}, MaxServes: 1, ServesMonths: 12,
		MaxAge: 70, At: f.Clock.Now()}
}

func (f *poolFixture) pool(q expert.PoolQuery) ([]int64, []expert.Exclusion) {
	f.T.Helper()
	eligible, excluded, err := f.Expert.Pool(f.Ctx, f.DB, q)
	f.Must(err)
	return eligible, excluded
}

// TestPoolAppliesEveryRule stores one expert per rule and checks Pool
// against the worked answer: the database path gives what the pure rules
// give.
func TestPoolAppliesEveryRule(t *testing.T) {
	f := newPoolFixture(t)
	mk := func(name, centre string, edit func(*expert.Input)) int64 {
		in := input(name, centre, "A080104")
		if edit != nil {
			edit(&in)
		}
		return f.create(f.admin, in).ID
	}
	free := mk("自由", "530600", nil)
	county := mk("县里", "530602", func(in *expert.Input) { in.Specialties = []string{"A080802", "A0801"} }) // two matching codes
	mk("别的专业", "530600", func(in *expert.Input) { in.Specialties = []string{"A090101"} })                  // not a candidate
	mk("别的中心", "530300", nil)                                                                              // not a candidate
	atTenderer := mk("招标人员工", "530600", func(in *expert.Input) { in.EmployerCode = f.codes[f.tendererID] })
	atAgent := mk("代理员工", "530600", func(in *expert.Input) { in.EmployerCode = f.codes[f.agentID] })
	atBidder := mk("投标人员工", "530600", func(in *expert.Input) { in.EmployerCode = f.codes[f.bidder2ID] })
	atDept := mk("主管部门", "530600", func(in *expert.Input) { in.EmployerCode = f.codes[f.deptID] })
	pastBidder := mk("前投标人员工", "530600", func(in *expert.Input) {
		in.PastEmployers = []expert.Employment{{OrgName: "第二投标人", CreditCode: f.codes[f.bidder2ID], From: "2015-01-01", To: "2024-06-30"}}
	})
	longAgo := mk("很久以前", "530600", func(in *expert.Input) {
		in.PastEmployers = []expert.Employment{{OrgName: "投标人", CreditCode: f.codes[f.bidderID], From: "2010-01-01", To: "2023-11-24"}}
	})
	relative := mk("亲属", "530600", func(in *expert.Input) {
		in.Relations = []expert.Relation{{CreditCode: f.codes[f.bidderID], Kind: expert.Relative}}
	})
	dishonest := mk("失信", "530600", func(in *expert.Input) { in.Dishonest = true })
	old := mk("年长", "530600", func(in *expert.Input) {
		in.IDNumber, in.Years = idNumber(time.Date(1956, 12, 1, 0, 0, 0, 0, time.UTC)), 40
	})
	suspended := mk("暂停", "530600", nil)
	_, err := f.Expert.Suspend(f.Ctx, f.admin, suspended, expert.Suspension{Reason: "考核", Until: "2026-12-31"})
	f.Must(err)
	retired := mk("退出", "530600", nil)
	_, err = f.Expert.Retire(f.Ctx, f.admin, retired, expert.Retirement{Reason: "申请"})
	f.Must(err)
	barred := mk("处罚", "530600", nil)
	_, err = f.Expert.AddPenalty(f.Ctx, f.admin, barred, expert.PenaltyInput{Date: "2026-10-01", Text: "通报", BarredUntil: "2026-12-02"})
	f.Must(err)
	onLeave := mk("请假", "530600", nil)
	_, err = f.Expert.AddLeave(f.Ctx, f.admin, onLeave, expert.LeaveInput{From: "2026-12-02 12:00", To: "2026-12-05"})
	f.Must(err)
	booked := mk("已约", "530600", nil)
	f.engage(expert.Engagement{ExpertID: booked, TendererOrgID: f.agentID, From: bj(2026, 12, 2, 14, 0), To: bj(2026, 12, 2, 18, 0),
		Ref: "另一项目"})
	declinedElsewhere := mk("拒绝过", "530600", nil)
	g := f.engage(expert.Engagement{ExpertID: declinedElsewhere, TendererOrgID: f.agentID, From: bj(2026, 12, 2, 9, 0),
		To: bj(2026, 12, 2, 12, 0)})
	f.setOutcome(g, expert.Declined)
	frequent := mk("常客", "530600", nil)
	for _, d := range []int{3, 6} {
		g := f.engage(expert.Engagement{ExpertID: frequent, TendererOrgID: f.tendererID, From: bj(2026, time.Month(d), 10, 9, 0),
			To: bj(2026, time.Month(d), 10, 17, 0)})
		f.setOutcome(g, expert.Served)
	}
	named := mk("指定", "530600", nil)

	q := f.query()
	q.Named = []expert.Named{{ExpertID: named, Reason: "曾与招标人发生纠纷"}}
	eligible, excluded := f.pool(q)
	if want := []int64{free, county, longAgo, declinedElsewhere}; !reflect.DeepEqual(eligible, want) {
		t.Fatalf("eligible %v, want %v", eligible, want)
	}
	other := expert.ReasonOther
	want := []expert.Exclusion{
		{ExpertID: atTenderer, Reason: expert.ReasonTenderer, Detail: "现任职于招标单位"},
		{ExpertID: atAgent, Reason: expert.ReasonAgent, Detail: "现任职于招标代理"},
		{ExpertID: atBidder, Reason: expert.ReasonBidder, Detail: "现任职于投标单位"},
		{ExpertID: atDept, Reason: expert.ReasonSupervisor, Detail: "现任职于主管部门"},
		{ExpertID: pastBidder, Reason: expert.ReasonBidder, Detail: "近三年曾任职于投标单位（至2024-06-30）"},
		{ExpertID: relative, Reason: expert.ReasonBidder, Detail: "申报与投标单位存在关系：近亲属任职"},
		{ExpertID: dishonest, Reason: other, Detail: "失信被执行人（规则 C14）"},
		{ExpertID: old, Reason: other, Detail: "评标时已年满70周岁（规则 C13）"},
		{ExpertID: suspended, Reason: other, Detail: "暂停评标资格（至2026-12-31）"},
		{ExpertID: retired, Reason: other, Detail: "已退出专家库"},
		{ExpertID: barred, Reason: other, Detail: "受到处罚，禁止评标至2026-12-02（规则 C10）"},
		{ExpertID: onLeave, Reason: other, Detail: "评标时段内请假"},
		{ExpertID: booked, Reason: other, Detail: "同一时段已有评标安排"},
		{ExpertID: frequent, Reason: other, Detail: "近12个月已为该招标人评标2次（上限1次）"},
		{ExpertID: named, Reason: other, Detail: "指定回避：曾与招标人发生纠纷"},
	}
	if !reflect.DeepEqual(excluded, want) {
		t.Fatalf("excluded:\n%+v\nwant\n%+v", excluded, want)
	}

	// Narrower specialty, other centres, no limits.
	eligible, _ = f.pool(expert.PoolQuery{Specialty: "A0808", Centres: []string{"530602"}, From: q.From, To: q.To, At: q.At})
	if !reflect.DeepEqual(eligible, []int64{county}) {
		t.Fatalf("A0808 in 530602: %v", eligible)
	}
	eligible, excluded = f.pool(expert.PoolQuery{Specialty: "A080104", Centres: []string{"530300"}, From: q.From, To: q.To, At: q.At})
	if len(eligible) != 1 || len(excluded) != 0 {
		t.Fatalf("530300: %v %v", eligible, excluded)
	}
	eligible, excluded = f.pool(expert.PoolQuery{Specialty: "A09", Centres: []string{"530602"}, From: q.From, To: q.To, At: q.At})
	if eligible == nil || excluded == nil || len(eligible) != 0 || len(excluded) != 0 {
		t.Fatalf("nobody: %#v %#v (want empty, not nil)", eligible, excluded)
	}
}

func TestPoolRefusesBadQueries(t *testing.T) {
	f := newPoolFixture(t)
	f.create(f.admin, input("某人", "530600"))
	for name, edit := range map[string]func(*expert.PoolQuery){
		"unknown specialty": func(q *expert.PoolQuery) { q.Specialty = "A0899" },
		"no centre":         func(q *expert.PoolQuery) { q.Centres = nil },
		"bad centre":        func(q *expert.PoolQuery) { q.Centres = []string{"5306"} },
		"backwards":         func(q *expert.PoolQuery) { q.To = q.From },
		"no now":            func(q *expert.PoolQuery) { q.At = time.Time{} },
		"negative":          func(q *expert.PoolQuery) { q.MaxServes = -1 },
		"unknown party":     func(q *expert.PoolQuery) { q.BidderOrgIDs = append(q.BidderOrgIDs, 987654) },
	} {
		q := f.query()
		edit(&q)
		if _, _, err := f.Expert.Pool(f.Ctx, f.DB, q); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestPoolProperty builds random libraries in the database — employers,
// past employers, relations, status, 失信, ages, leave, penalties,
// engagements — and checks that Pool never returns an expert who should
// be excluded, judged by an oracle that reads the rows itself.
func TestPoolProperty(t *testing.T) {
	f := newPoolFixture(t)
	r := rand.New(rand.NewPCG(2026, 11))
	orgs := []int64{f.tendererID, f.agentID, f.bidderID, f.bidder2ID, f.deptID}
	someone := testenv.CreditCode("530600")
	codeOf := func() string {
		if r.IntN(3) == 0 {
			return f.codes[orgs[r.IntN(len(orgs))]]
		}
		return someone
	}
	centres := []string{"530600", "530602", "530300"}
	specs := []string{"A080104", "A080202", "A080802", "A090101", "A060101"}
	dayOf := func(base time.Time, spread int) string {
		return base.AddDate(0, 0, r.IntN(spread)-spread/2).Format("2006-01-02")
	}
	var ids []int64
	for i := 0; i < 120; i++ {
		in := input("专家", centres[r.IntN(len(centres))], specs[r.IntN(len(specs))], specs[r.IntN(len(specs))])
		in.Name = "专家" + string(rune('甲'+i%10)) + string(rune('子'+i/10))
		in.EmployerCode = codeOf()
		in.IDNumber = idNumber(time.Date(1950+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC))
		in.Years = 8
		if r.IntN(3) == 0 {
			from := dayOf(bj(2020, 1, 1, 0, 0), 1000)
			to := dayOf(bj(2023, 6, 1, 0, 0), 600)
			if from < to {
				in.PastEmployers = []expert.Employment{{OrgName: "前单位", CreditCode: codeOf(), From: from, To: to}}
			}
		}
		if r.IntN(6) == 0 {
			in.Relations = []expert.Relation{{CreditCode: codeOf(), Kind: expert.Interest}}
		}
		in.Dishonest = r.IntN(15) == 0
		id := f.create(f.admin, in).ID
		ids = append(ids, id)
		switch r.IntN(12) {
		case 0:
			_, err := f.Expert.Retire(f.Ctx, f.admin, id, expert.Retirement{Reason: "退出"})
			f.Must(err)
		case 1, 2:
			_, err := f.Expert.Suspend(f.Ctx, f.admin, id, expert.Suspension{Reason: "暂停", From: dayOf(bj(2026, 12, 2, 0, 0), 20),
				Until: dayOf(bj(2027, 1, 1, 0, 0), 60)})
			if errs.CodeOf(err) != errs.Invalid { // until before from: skipped
				f.Must(err)
			}
		}
		if r.IntN(5) == 0 {
			from := bj(2026, 12, 2, 0, 0).Add(time.Duration(r.IntN(72)-36) * time.Hour)
			_, err := f.Expert.AddLeave(f.Ctx, f.admin, id, expert.LeaveInput{From: from.Format("2006-01-02 15:04"),
				To: from.Add(time.Duration(1+r.IntN(30)) * time.Hour).Format("2006-01-02 15:04")})
			if errs.CodeOf(err) != errs.Invalid {
				f.Must(err)
			}
		}
		if r.IntN(8) == 0 {
			_, err := f.Expert.AddPenalty(f.Ctx, f.admin, id, expert.PenaltyInput{Date: "2026-01-01", Text: "处罚",
				BarredUntil: dayOf(bj(2026, 12, 2, 0, 0), 6)})
			f.Must(err)
		}
		for k := r.IntN(3); k > 0; k-- {
			from := bj(2026, 12, 2, 0, 0).Add(time.Duration(r.IntN(500)-400) * time.Hour)
			e := expert.Engagement{ExpertID: id, TendererOrgID: orgs[r.IntN(2)], From: from, To: from.Add(time.Duration(1+r.IntN(9)) * time.Hour)}
			var g int64
			err := f.DB.Transact(f.Ctx, func(tx *db.Tx) (err error) {
				g, err = expert.EngageTx(f.Ctx, tx, e)
				return err
			})
			if errs.CodeOf(err) == errs.Conflict {
				continue
			}
			f.Must(err)
			f.setOutcome(g, []string{expert.Invited, expert.Accepted, expert.Declined, expert.NoAnswer, expert.Replaced, expert.Served}[r.IntN(6)])
		}
	}

	checked, eligibleSeen := 0, 0
	for round := 0; round < 20; round++ {
		q := f.query()
		q.Specialty = []string{"A08", "A0801", "A080104", "A0808", "A09", "A"}[r.IntN(6)]
		q.Centres = []string{centres[r.IntN(3)], centres[r.IntN(3)]}
		q.MaxServes = r.IntN(2)
		start := bj(2026, 12, 2, 0, 0).Add(time.Duration(r.IntN(48)) * time.Hour)
		q.From, q.To = start, start.Add(time.Duration(1+r.IntN(10))*time.Hour)
		if r.IntN(2) == 0 {
			q.Named = []expert.Named{{ExpertID: ids[r.IntN(len(ids))], Reason: "指定"}}
		}
		eligible, excluded := f.pool(q)
		// The node's cache (poolcache.go) and the database alone agree.
		de, dx, err := f.Expert.PoolDirect(f.Ctx, f.DB, q)
		f.Must(err)
		if !slices.Equal(de, eligible) || !slices.Equal(dx, excluded) {
			t.Fatalf("round %d: cached pool %v %v, direct %v %v", round, eligible, excluded, de, dx)
		}
		eligibleSeen += len(eligible)
		excludedIDs := map[int64]bool{}
		for _, x := range excluded {
			excludedIDs[x.ExpertID] = true
		}
		for _, id := range eligible {
			if excludedIDs[id] {
				t.Fatalf("round %d: %d both eligible and excluded", round, id)
			}
			if why := f.shouldExclude(id, q); why != "" {
				t.Fatalf("round %d: expert %d is eligible but %s (query %+v)", round, id, why, q)
			}
			checked++
		}
		for id := range excludedIDs {
			if f.shouldExclude(id, q) == "" {
				t.Fatalf("round %d: expert %d excluded without cause: %v", round, id, excluded)
			}
		}
		if !slices.IsSorted(eligible) {
			t.Fatalf("round %d: not sorted: %v", round, eligible)
		}
	}
	f.poolInStep(t)
	if checked == 0 || eligibleSeen == 0 {
		t.Fatal("the random libraries never gave an eligible expert: the property was not tested")
	}
}

// shouldExclude is the oracle: it reads one expert's rows with its own SQL
// and says why the expert may not serve, "" if nothing stops them.
func (f *poolFixture) shouldExclude(id int64, q expert.PoolQuery) string {
	f.T.Helper()
	var employer, status string
	var dishonest bool
	var birth, susFrom, susUntil int64
	f.Must(f.DB.QueryRow(f.Ctx, `SELECT employer_code, status, dishonest, birth_date, suspended_from, suspended_until
		FROM experts WHERE id = ?`, id).Scan(&employer, &status, &dishonest, &birth, &susFrom, &susUntil))
	count := func(query string, args ...any) int {
		var n int
		f.Must(f.DB.QueryRow(f.Ctx, query, args...).Scan(&n))
		return n
	}
	partyCodes := []any{}
	for _, o := range append([]int64{q.TendererOrgID, q.AgentOrgID, q.SupervisorOrgIDs[0]}, q.BidderOrgIDs...) {
		partyCodes = append(partyCodes, f.codes[o])
	}
	for _, c := range partyCodes {
		if employer == c {
			return "works for a party"
		}
	}
	cutoff := db.Micros(time.Date(q.At.In(bjLoc()).Year()-3, q.At.In(bjLoc()).Month(), q.At.In(bjLoc()).Day(), 0, 0, 0, 0, bjLoc()))
	in := "(?, ?, ?, ?, ?)"
	if count("SELECT count(*) FROM expert_employments WHERE expert_id = ? AND to_date >= ? AND credit_code IN "+in,
		append([]any{id, cutoff}, partyCodes...)...) > 0 {
		return "worked for a party within three years"
	}
	if count("SELECT count(*) FROM expert_relations WHERE expert_id = ? AND credit_code IN "+in, append([]any{id}, partyCodes...)...) > 0 {
		return "declared a relation"
	}
	if status == "retired" || dishonest {
		return "retired or 失信"
	}
	if status == "suspended" && susFrom < db.Micros(q.To) && (susUntil == 0 || susUntil+86400e6 > db.Micros(q.From)) {
		return "suspended"
	}
	if count("SELECT count(*) FROM expert_penalties WHERE expert_id = ? AND barred_until + 86400000000 > ?", id, db.Micros(q.From)) > 0 {
		return "barred"
	}
	if b := time.UnixMicro(birth).In(bjLoc()); !b.AddDate(q.MaxAge, 0, 0).After(q.From) {
		return "too old"
	}
	if count("SELECT count(*) FROM expert_leaves WHERE expert_id = ? AND starts_at < ? AND ends_at > ?", id, db.Micros(q.To), db.Micros(q.From)) > 0 {
		return "on leave"
	}
	if count(`SELECT count(*) FROM expert_engagements WHERE expert_id = ? AND from_at < ? AND to_at > ?
		AND outcome IN ('invited', 'accepted', 'served')`, id, db.Micros(q.To), db.Micros(q.From)) > 0 {
		return "booked"
	}
	if count(`SELECT count(*) FROM expert_engagements WHERE expert_id = ? AND tenderer_org_id = ? AND from_at >= ?
		AND outcome IN ('accepted', 'served')`, id, q.TendererOrgID, db.Micros(q.At.AddDate(0, -q.ServesMonths, 0))) > q.MaxServes {
		return "served the tenderer too often"
	}
	for _, n := range q.Named {
		if n.ExpertID == id {
			return "named"
		}
	}
	return ""
}

func bjLoc() *time.Location { return bj(2026, 1, 1, 0, 0).Location() }
