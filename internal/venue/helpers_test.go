package venue_test

import (
	"fmt"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// bj is a Beijing wall-clock time.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai)
}

// at formats t the way users type booking times.
func at(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04") }

// monday is the Monday after the fake clock's start (Wednesday
// 2026-11-25 09:00): a working day with nothing special about it.
var monday = bj(2026, 11, 30, 0, 0)

func hm(day time.Time, h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// fixture is a test platform with rooms and projects ready for booking.
type fixture struct {
	*testenv.Env
	staff, admin, tenderer, agent, bidder, supervisor auth.Actor
	otherTenderer, otherStaff                         auth.Actor
	zt, qj                                            int64 // centre ids: 昭通市 530600, 曲靖市 530300
	hall, evalRoom, seat, qjHall, qjSeat              venue.Room
	project, lot                                      int64 // accepted project of the tenderer (agent: e.Orgs[agent]) in 昭通
	green                                             int64 // green-channel project of the tenderer in 昭通
}

// newFixture builds the platform, a second tenderer, staff of 曲靖, rooms
// in both centres and two accepted projects.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e}
	f.staff, f.admin, f.tenderer = e.Actor(auth.Staff), e.Actor(auth.Admin), e.Actor(auth.Tenderer)
	f.agent, f.bidder, f.supervisor = e.Actor(auth.Agent), e.Actor(auth.Bidder), e.Actor(auth.Supervisor)
	f.zt, f.qj = centreID(t, e, "530600"), centreID(t, e, "530300")

	e.RegisterApproved(auth.KindTenderer, "tenderer2", "另一招标人")
	f.otherTenderer = login(t, e, "tenderer2")
	qjOrg, err := e.Auth.CentreOrg(e.Ctx, f.qj)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: qjOrg, Username: "qjstaff", DisplayName: "曲靖工作人员",
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000001", Password: testenv.Password})
	e.Must(err)
	f.otherStaff = login(t, e, "qjstaff")

	f.hall = f.room(f.staff, "", "第一开标厅", venue.OpeningHall)
	f.evalRoom = f.room(f.staff, "", "第一评标室", venue.EvaluationRoom)
	f.seat = f.room(f.staff, "", "远程评标席位01", venue.RemoteSeat)
	f.qjHall = f.room(f.otherStaff, "", "曲靖开标厅", venue.OpeningHall)
	f.qjSeat = f.room(f.otherStaff, "", "曲靖远程席位01", venue.RemoteSeat)

	f.project, f.lot = f.addProject("530600", e.Orgs[auth.KindTenderer], e.Orgs[auth.KindAgent], false, "accepted")
	f.green, _ = f.addProject("530600", e.Orgs[auth.KindTenderer], 0, true, "accepted")
	return f
}

func centreID(t *testing.T, e *testenv.Env, code string) int64 {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, code)
	e.Must(err)
	return c.ID
}

func login(t *testing.T, e *testenv.Env, username string) auth.Actor {
	t.Helper()
	_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", username, testenv.Password)
	e.Must(err)
	return a
}

func (f *fixture) room(a auth.Actor, centreCode, name string, kind venue.RoomKind) venue.Room {
	f.T.Helper()
	r, err := f.Venue.CreateRoom(f.Ctx, a, venue.NewRoom{CentreCode: centreCode, Name: name, Kind: kind, Capacity: 30,
		Equipment: "投影仪、录音录像"})
	f.Must(err)
	return r
}

var projectSeq int

// addProject inserts a project with one lot straight into the database:
// projects are registered and accepted by another capability, and a venue
// test needs only the rows.
func (f *fixture) addProject(centreCode string, tenderer, agent int64, green bool, state string) (project, lot int64) {
	f.T.Helper()
	projectSeq++
	c, err := centre.ByCode(f.Ctx, f.DB, centreCode)
	f.Must(err)
	var agentID any
	if agent != 0 {
		agentID = agent
	}
	now := db.Micros(f.Clock.Now())
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		tenderer_org_id, agent_org_id, green_channel, state, created_by, created_at, updated_at)
		VALUES (?, ?, 'construction', 'housing', ?, ?, 'open', ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		fmt.Sprintf("ZT%s-2026-%04d", centreCode, projectSeq), fmt.Sprintf("测试工程%d", projectSeq), c.ID, c.RegionCode,
		tenderer, agentID, green, state, now, now).Scan(&project))
	f.Must(f.DB.QueryRow(f.Ctx, `INSERT INTO lots (project_id, seq, name, eval_method, state)
		VALUES (?, 1, '第1标段', 'comprehensive', ?) RETURNING id`, project, state).Scan(&lot))
	return project, lot
}

// book asks for room r for project p from s to e (as typed by a user).
func (f *fixture) book(a auth.Actor, p int64, r venue.Room, purpose venue.Purpose, s, e time.Time) (venue.Booking, error) {
	return f.Venue.Book(f.Ctx, a, venue.NewBooking{ProjectID: p, RoomID: r.ID, Purpose: purpose, StartsAt: at(s), EndsAt: at(e)})
}

// counts are the row counts of every table the venue capability writes.
type counts map[string]int

var venueTables = []string{"rooms", "bookings", "booking_slots", "reserved_slots", "audit_events"}

func (f *fixture) counts() counts {
	f.T.Helper()
	c := counts{}
	for _, tb := range venueTables {
		var n int
		f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM "+tb).Scan(&n))
		c[tb] = n
	}
	return c
}

// unchanged fails when a refused request left a trace.
func (f *fixture) unchanged(t *testing.T, before counts, what string) {
	t.Helper()
	after := f.counts()
	for _, tb := range venueTables {
		if before[tb] != after[tb] {
			t.Errorf("%s changed %s: %d rows before, %d after", what, tb, before[tb], after[tb])
		}
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return errs.As(err)
}

// lastEvent is the newest audit event's action and object id.
func (f *fixture) lastEvent() (action, object string) {
	f.T.Helper()
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT action, object_id FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&action, &object))
	return action, object
}

// overlapping counts pairs of active bookings of one room that overlap:
// it must always be 0.
func (f *fixture) overlapping(roomID int64) int {
	f.T.Helper()
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, `SELECT count(*) FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id
		WHERE a.room_id = ? AND a.state = 'active' AND b.state = 'active' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`,
		roomID).Scan(&n))
	return n
}
