package auth_test

import (
	"strconv"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
)

// count returns the number of rows of table.
func count(t *testing.T, e *testenv.Env, table string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lastEvent is the newest audit event.
func lastEvent(t *testing.T, e *testenv.Env) audit.Event {
	t.Helper()
	evs, err := audit.List(e.Ctx, e.DB, audit.Filter{Limit: 1})
	if err != nil || len(evs) != 1 {
		t.Fatalf("last event: %v (%d)", err, len(evs))
	}
	return evs[0]
}

// expectOneEvent checks that exactly one event was appended since before
// and that it is action on objType/objID (objID "" = any).
func expectOneEvent(t *testing.T, e *testenv.Env, before int, action, objType, objID string) audit.Event {
	t.Helper()
	if n := count(t, e, "audit_events"); n != before+1 {
		t.Fatalf("%s: want exactly 1 new audit event, got %d", action, n-before)
	}
	ev := lastEvent(t, e)
	if ev.Action != action || ev.ObjectType != objType || (objID != "" && ev.ObjectID != objID) {
		t.Fatalf("last event = %s %s/%s, want %s %s/%s", ev.Action, ev.ObjectType, ev.ObjectID, action, objType, objID)
	}
	return ev
}

// expectNoEvent checks nothing was appended since before.
func expectNoEvent(t *testing.T, e *testenv.Env, before int) {
	t.Helper()
	if n := count(t, e, "audit_events"); n != before {
		t.Fatalf("a refused call appended %d audit events", n-before)
	}
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// fields returns the field names of an Invalid error.
func fields(err error) []string {
	var out []string
	for _, f := range errs.As(err).Fields {
		out = append(out, f.Field)
	}
	return out
}

// staffAt creates and signs in a staff user of the centre of region code.
func staffAt(t *testing.T, e *testenv.Env, code, username string) auth.Actor {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, code)
	e.Must(err)
	orgID, err := e.Auth.CentreOrg(e.Ctx, c.ID)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: orgID, Username: username, DisplayName: "审核员",
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13711112222", Password: testenv.Password})
	e.Must(err)
	_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", username, testenv.Password)
	e.Must(err)
	return a
}

// goodPassword is strong enough for every check.
const goodPassword = "Str0ng-pass-2026"

// validReg is a complete, valid registration at 昭阳区.
func validReg(username string) auth.Registration {
	return auth.Registration{OrgName: "昭通测试建筑工程有限公司" + username, Kind: auth.KindBidder,
		CreditCode: testenv.CreditCode("530602"), CentreCode: "530602", LegalRep: "张三", ContactName: "李四",
		ContactPhone: "13612345678", Username: username, DisplayName: "王五", IDNumber: testenv.IDNumber(),
		Phone: "13512345678", Password: goodPassword}
}

// register registers r anonymously and fails the test on error.
func register(t *testing.T, e *testenv.Env, r auth.Registration) (auth.Organisation, auth.User) {
	t.Helper()
	org, u, err := e.Auth.Register(e.Ctx, auth.Public("198.51.100.7"), r)
	e.Must(err)
	return org, u
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
