package expert_test

import (
	"fmt"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/ident"
	"ggzy/internal/testenv"
)

// bj is a Beijing wall-clock time.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai)
}

// fixture is a platform with actors of every role and a second centre's
// staff.
type fixture struct {
	*testenv.Env
	staff, admin, supervisor, tenderer, agent, bidder, expertUser auth.Actor
	qjStaff                                                       auth.Actor // staff of 曲靖 (530300)
	zyStaff                                                       auth.Actor // staff of 昭阳区 (530602)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e}
	f.staff, f.admin, f.supervisor = e.Actor(auth.Staff), e.Actor(auth.Admin), e.Actor(auth.Supervisor)
	f.tenderer, f.agent, f.bidder, f.expertUser = e.Actor(auth.Tenderer), e.Actor(auth.Agent), e.Actor(auth.Bidder), e.Actor(auth.Expert)
	f.qjStaff = f.centreStaff("530300", "qjstaff")
	f.zyStaff = f.centreStaff("530602", "zystaff")
	return f
}

func (f *fixture) centreStaff(code, username string) auth.Actor {
	f.T.Helper()
	var centreID int64
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT id FROM centres WHERE region_code = ?", code).Scan(&centreID))
	org, err := f.Auth.CentreOrg(f.Ctx, centreID)
	f.Must(err)
	_, err = f.Auth.CreateUser(f.Ctx, auth.System, auth.NewUser{OrgID: org, Username: username, DisplayName: "工作人员" + code,
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000009", Password: testenv.Password})
	f.Must(err)
	_, a, err := f.Auth.Login(f.Ctx, "127.0.0.1", username, testenv.Password)
	f.Must(err)
	return a
}

var personSeq = 0

// idNumber makes a valid 身份证号 born on birth.
func idNumber(birth time.Time) string {
	personSeq++
	first17 := fmt.Sprintf("530602%s%03d", birth.Format("20060102"), personSeq%1000)
	c, err := ident.IDCheck(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// input is a valid expert of the given centre.
func input(name, centre string, specialties ...string) expert.Input {
	if len(specialties) == 0 {
		specialties = []string{"A080104"}
	}
	return expert.Input{Name: name, IDNumber: idNumber(time.Date(1975, 3, 12, 0, 0, 0, 0, time.UTC)), Phone: "13812345678",
		EmployerName: "昭通某设计院", EmployerCode: testenv.CreditCode("530600"), CentreCode: centre, Specialties: specialties,
		Title: "高级工程师", Years: 20}
}

// create adds an expert as the fixture's staff (530600) or admin.
func (f *fixture) create(a auth.Actor, in expert.Input) expert.Expert {
	f.T.Helper()
	e, err := f.Expert.Create(f.Ctx, a, in)
	f.Must(err)
	return e
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return errs.As(err)
}

// wantField fails unless err is Invalid naming field.
func wantField(t *testing.T, err error, field string) string {
	t.Helper()
	e := wantCode(t, err, errs.Invalid)
	for _, fe := range e.Fields {
		if fe.Field == field {
			return fe.Message
		}
	}
	t.Fatalf("no reason for field %s in %v", field, err)
	return ""
}

// tables the library writes.
var libraryTables = []string{"experts", "expert_specialties", "expert_employments", "expert_relations", "expert_leaves",
	"expert_penalties", "expert_engagements", "expert_ratings", "audit_events"}

type counts map[string]int

func (f *fixture) counts() counts {
	f.T.Helper()
	c := counts{}
	for _, tb := range libraryTables {
		var n int
		f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM "+tb).Scan(&n))
		c[tb] = n
	}
	return c
}

func (f *fixture) unchanged(t *testing.T, before counts, what string) {
	t.Helper()
	after := f.counts()
	for _, tb := range libraryTables {
		if before[tb] != after[tb] {
			t.Errorf("%s changed %s: %d rows before, %d after", what, tb, before[tb], after[tb])
		}
	}
}

// lastEvent is the newest audit event's action and object id.
func (f *fixture) lastEvent() (action, object string) {
	f.T.Helper()
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT action, object_id FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&action, &object))
	return action, object
}

// engage books an expert directly, as the draw does.
func (f *fixture) engage(e expert.Engagement) int64 {
	f.T.Helper()
	var id int64
	f.Must(f.DB.Transact(f.Ctx, func(tx *db.Tx) (err error) {
		id, err = expert.EngageTx(f.Ctx, tx, e)
		return err
	}))
	return id
}

func (f *fixture) setOutcome(id int64, outcome string) {
	f.T.Helper()
	f.Must(f.DB.Transact(f.Ctx, func(tx *db.Tx) error { return expert.SetOutcomeTx(f.Ctx, tx, id, outcome) }))
}

// poolInStep fails unless every expert_specialties row repeats its
// expert's centre, employer, status, 失信 and birth date: the pool reads
// only that copy.
func (f *fixture) poolInStep(t *testing.T) {
	t.Helper()
	var n, total int
	f.Must(f.DB.QueryRow(f.Ctx, `SELECT count(*) FROM expert_specialties s JOIN experts e ON e.id = s.expert_id
		WHERE s.centre_code <> e.centre_code OR s.employer_code <> e.employer_code OR s.status <> e.status
		OR s.dishonest <> e.dishonest OR s.birth_date <> e.birth_date OR s.suspended_from <> e.suspended_from
		OR s.suspended_until <> e.suspended_until`).Scan(&n))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM expert_specialties").Scan(&total))
	if n != 0 || total == 0 {
		t.Fatalf("%d of %d pool rows out of step with their experts", n, total)
	}
}
