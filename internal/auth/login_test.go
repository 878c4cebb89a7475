package auth_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
)

func TestLoginLockOut(t *testing.T) {
	e := testenv.New(t)
	cfg := auth.DefaultConfig
	user := e.Users[auth.Bidder]

	// Failures below the limit are counted, and a success resets the count.
	for i := 0; i < cfg.MaxFailures-1; i++ {
		_, _, err := e.Auth.Login(e.Ctx, "10.0.0.1", user, "Wrong-pass-1")
		wantCode(t, err, errs.Unauthenticated)
	}
	_, _, err := e.Auth.Login(e.Ctx, "10.0.0.1", user, testenv.Password)
	e.Must(err)
	for i := 0; i < cfg.MaxFailures-1; i++ {
		before := count(t, e, "audit_events")
		_, _, err := e.Auth.Login(e.Ctx, "10.0.0.2", user, "Wrong-pass-1")
		wantCode(t, err, errs.Unauthenticated)
		ev := expectOneEvent(t, e, before, "user.login_failed", "user", "")
		if ev.IP != "10.0.0.2" {
			t.Fatalf("failed sign-in recorded from %q", ev.IP)
		}
	}
	// The limit-th failure locks the account.
	before := count(t, e, "audit_events")
	_, _, err = e.Auth.Login(e.Ctx, "10.0.0.2", user, "Wrong-pass-1")
	wantCode(t, err, errs.TooMany)
	expectOneEvent(t, e, before, "user.locked", "user", "")

	// While locked even the right password is refused, and nothing is logged in.
	before = count(t, e, "audit_events")
	sessions := count(t, e, "sessions")
	e.Clock.Advance(cfg.LockFor - time.Second)
	_, _, err = e.Auth.Login(e.Ctx, "10.0.0.3", user, testenv.Password)
	wantCode(t, err, errs.TooMany)
	expectNoEvent(t, e, before)
	if count(t, e, "sessions") != sessions {
		t.Fatal("a locked account got a session")
	}
	e.Clock.Advance(time.Second)
	_, a, err := e.Auth.Login(e.Ctx, "10.0.0.3", user, testenv.Password)
	e.Must(err)
	expectOneEvent(t, e, before, "user.login", "user", itoa(a.UserID))

	// Unknown users get the same answer as a wrong password.
	_, _, err1 := e.Auth.Login(e.Ctx, "10.0.0.4", "nosuchuser", "Wrong-pass-1")
	_, _, err2 := e.Auth.Login(e.Ctx, "10.0.0.4", user, "Wrong-pass-1")
	if errs.CodeOf(err1) != errs.Unauthenticated || errs.As(err1).Message != errs.As(err2).Message {
		t.Fatalf("unknown user %v vs wrong password %v", err1, err2)
	}
	// Missing input is a field error.
	_, _, err = e.Auth.Login(e.Ctx, "10.0.0.4", " ", "")
	wantCode(t, err, errs.Invalid)
}

// Wrong passwords sent in parallel (from many addresses) must still count
// one each: the lock-out must not be bypassed by racing the counter.
func TestLoginLockOutConcurrent(t *testing.T) {
	e := testenv.New(t)
	user := e.Users[auth.Tenderer]
	n := 4 * auth.DefaultConfig.MaxFailures
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			e.Auth.Login(e.Ctx, fmt.Sprintf("10.1.0.%d", i), user, "Wrong-pass-1")
		}()
	}
	close(start)
	wg.Wait()
	_, _, err := e.Auth.Login(e.Ctx, "10.2.0.1", user, testenv.Password)
	wantCode(t, err, errs.TooMany)
	var locks int
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM audit_events WHERE action = 'user.locked'").Scan(&locks))
	if locks < 1 {
		t.Fatal("no lock-out recorded")
	}
}

func TestLoginIPThrottle(t *testing.T) {
	e := testenv.New(t)
	cfg := auth.DefaultConfig
	ip := "203.0.113.50"
	for i := 0; i < cfg.IPAttempts; i++ {
		_, _, err := e.Auth.Login(e.Ctx, ip, fmt.Sprintf("ghost%d", i), "Wrong-pass-1")
		wantCode(t, err, errs.Unauthenticated)
	}
	before := count(t, e, "audit_events")
	_, _, err := e.Auth.Login(e.Ctx, ip, e.Users[auth.Bidder], testenv.Password)
	wantCode(t, err, errs.TooMany)
	expectNoEvent(t, e, before)
	// Other addresses are not affected.
	_, _, err = e.Auth.Login(e.Ctx, "203.0.113.51", e.Users[auth.Bidder], testenv.Password)
	e.Must(err)
	// The window slides.
	e.Clock.Advance(cfg.IPWindow - time.Second)
	_, _, err = e.Auth.Login(e.Ctx, ip, e.Users[auth.Bidder], testenv.Password)
	wantCode(t, err, errs.TooMany)
	e.Clock.Advance(time.Second)
	_, _, err = e.Auth.Login(e.Ctx, ip, e.Users[auth.Bidder], testenv.Password)
	e.Must(err)
}

func TestSessionExpiryAndLogout(t *testing.T) {
	e := testenv.New(t)
	sess, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", e.Users[auth.Agent], testenv.Password)
	e.Must(err)
	if sess.Token == "" || sess.CSRF == "" || !sess.ExpiresAt.Equal(testenv.Start.Add(auth.DefaultConfig.SessionTTL)) {
		t.Fatalf("session %+v", sess)
	}
	got, csrf, err := e.Auth.SessionActor(e.Ctx, sess.Token, "127.0.0.9")
	e.Must(err)
	if got.UserID != a.UserID || got.Role != auth.Agent || got.IP != "127.0.0.9" || csrf != sess.CSRF || got.ViaToken {
		t.Fatalf("actor %+v csrf %q", got, csrf)
	}
	for _, bad := range []string{"", "nonsense", sess.Token + "x", string(make([]byte, 200))} {
		_, _, err := e.Auth.SessionActor(e.Ctx, bad, "127.0.0.1")
		wantCode(t, err, errs.Unauthenticated)
	}
	e.Clock.Advance(auth.DefaultConfig.SessionTTL - time.Second)
	_, _, err = e.Auth.SessionActor(e.Ctx, sess.Token, "127.0.0.1")
	e.Must(err)
	e.Clock.Advance(time.Second)
	_, _, err = e.Auth.SessionActor(e.Ctx, sess.Token, "127.0.0.1")
	wantCode(t, err, errs.Unauthenticated)
	e.Must(e.Auth.PurgeSessions(e.Ctx))
	var n int
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM sessions WHERE user_id = ?", a.UserID).Scan(&n))
	if n != 0 {
		t.Fatalf("%d expired sessions kept", n)
	}

	// Logout ends the session at once and is recorded; a second logout is a no-op.
	sess, a, err = e.Auth.Login(e.Ctx, "127.0.0.1", e.Users[auth.Agent], testenv.Password)
	e.Must(err)
	before := count(t, e, "audit_events")
	e.Must(e.Auth.Logout(e.Ctx, a, sess.Token))
	expectOneEvent(t, e, before, "user.logout", "user", itoa(a.UserID))
	_, _, err = e.Auth.SessionActor(e.Ctx, sess.Token, "127.0.0.1")
	wantCode(t, err, errs.Unauthenticated)
	e.Must(e.Auth.Logout(e.Ctx, a, sess.Token))
	expectNoEvent(t, e, before+1)
}

func TestTokens(t *testing.T) {
	e := testenv.New(t)
	bidder := e.Actor(auth.Bidder)
	tenderer := e.Actor(auth.Tenderer)

	before := count(t, e, "audit_events")
	secret, tok, err := e.Auth.CreateToken(e.Ctx, bidder, " 投标工具 ", 30)
	e.Must(err)
	ev := expectOneEvent(t, e, before, "token.create", "api_token", itoa(tok.ID))
	if len(secret) < 40 || secret[:5] != "ggzy_" || tok.Prefix != secret[:11] || tok.Name != "投标工具" ||
		tok.OrgID != bidder.OrgID || tok.UserID != bidder.UserID ||
		!tok.ExpiresAt.Equal(testenv.Start.AddDate(0, 0, 30)) {
		t.Fatalf("token %+v secret %q", tok, secret)
	}
	for k, v := range ev.Details {
		if s, ok := v.(string); ok && s == secret {
			t.Fatalf("secret in audit details %q", k)
		}
	}
	secret2, _, err := e.Auth.CreateToken(e.Ctx, bidder, "第二个", 1)
	e.Must(err)
	if secret2 == secret {
		t.Fatal("two tokens share a secret")
	}

	// The token stands for its user, marked as via token.
	e.Clock.Advance(time.Hour)
	a, err := e.Auth.TokenActor(e.Ctx, secret, "192.0.2.1")
	e.Must(err)
	if a.UserID != bidder.UserID || a.Role != auth.Bidder || !a.ViaToken || a.IP != "192.0.2.1" {
		t.Fatalf("token actor %+v", a)
	}
	// A token cannot mint tokens.
	before = count(t, e, "audit_events")
	tokens := count(t, e, "api_tokens")
	_, _, err = e.Auth.CreateToken(e.Ctx, a, "偷偷的", 30)
	wantCode(t, err, errs.Forbidden)
	expectNoEvent(t, e, before)
	if count(t, e, "api_tokens") != tokens {
		t.Fatal("token created by a token")
	}

	// Listing: own organisation only, newest first, last use noted to the
	// day (Beijing), no secrets.
	list, err := e.Auth.ListTokens(e.Ctx, bidder)
	e.Must(err)
	usedDay := time.Date(2026, 11, 25, 0, 0, 0, 0, clock.Shanghai)
	if len(list) != 2 || list[1].ID != tok.ID || !list[1].LastUsedAt.Equal(usedDay) || !list[0].LastUsedAt.IsZero() {
		t.Fatalf("list %+v", list)
	}
	other, err := e.Auth.ListTokens(e.Ctx, tenderer)
	e.Must(err)
	if len(other) != 0 {
		t.Fatalf("tenderer sees %d bidder tokens", len(other))
	}

	// Another organisation cannot revoke it.
	before = count(t, e, "audit_events")
	wantCode(t, e.Auth.RevokeToken(e.Ctx, tenderer, tok.ID), errs.NotFound)
	expectNoEvent(t, e, before)
	_, err = e.Auth.TokenActor(e.Ctx, secret, "192.0.2.1")
	e.Must(err)
	// The owner can, at once.
	e.Must(e.Auth.RevokeToken(e.Ctx, bidder, tok.ID))
	expectOneEvent(t, e, before, "token.revoke", "api_token", itoa(tok.ID))
	_, err = e.Auth.TokenActor(e.Ctx, secret, "192.0.2.1")
	wantCode(t, err, errs.Unauthenticated)
	wantCode(t, e.Auth.RevokeToken(e.Ctx, bidder, tok.ID), errs.NotFound)
	expectNoEvent(t, e, before+1)
	list, _ = e.Auth.ListTokens(e.Ctx, bidder)
	if list[1].RevokedAt.IsZero() {
		t.Fatal("revocation not listed")
	}

	// Expiry: the one-day token dies exactly one day after it was made.
	_, err = e.Auth.TokenActor(e.Ctx, secret2, "192.0.2.1")
	e.Must(err)
	e.Clock.Advance(23 * time.Hour)
	_, err = e.Auth.TokenActor(e.Ctx, secret2, "192.0.2.1")
	wantCode(t, err, errs.Unauthenticated)

	// Garbage.
	for _, bad := range []string{"", "ggzy_", "ggzy_nope", "Bearer " + secret2, secret2[5:], "ggzy_" + string(make([]byte, 120))} {
		_, err := e.Auth.TokenActor(e.Ctx, bad, "192.0.2.1")
		wantCode(t, err, errs.Unauthenticated)
	}
}

func TestTokenValidationAndPolicy(t *testing.T) {
	e := testenv.New(t)
	bidder := e.Actor(auth.Bidder)
	before := count(t, e, "audit_events")
	for _, c := range []struct {
		name  string
		days  int
		field string
	}{
		{"", 30, "name"},
		{"   ", 30, "name"},
		{string(make([]rune, 51)), 30, "name"},
		{"ok", 0, "days"},
		{"ok", -1, "days"},
		{"ok", auth.DefaultConfig.TokenMaxDays + 1, "days"},
	} {
		_, _, err := e.Auth.CreateToken(e.Ctx, bidder, c.name, c.days)
		wantCode(t, err, errs.Invalid)
		if got := fields(err); len(got) != 1 || got[0] != c.field {
			t.Fatalf("%q/%d: fields %v", c.name, c.days, got)
		}
	}
	_, _, err := e.Auth.CreateToken(e.Ctx, e.Actor(auth.Expert), "x", 1)
	wantCode(t, err, errs.Forbidden)
	_, _, err = e.Auth.CreateToken(e.Ctx, auth.Public("1.1.1.1"), "x", 1)
	wantCode(t, err, errs.Unauthenticated)
	_, err = e.Auth.ListTokens(e.Ctx, e.Actor(auth.Supervisor))
	wantCode(t, err, errs.Forbidden)
	if n := count(t, e, "audit_events"); n != before+2 { // the two sign-ins
		t.Fatalf("%d events", n-before)
	}
	_, _, err = e.Auth.CreateToken(e.Ctx, bidder, "max", auth.DefaultConfig.TokenMaxDays)
	e.Must(err)
}

func TestPolicy(t *testing.T) {
	for _, c := range []struct {
		role auth.Role
		act  auth.Action
		want bool
	}{
		{auth.Anonymous, auth.RegisterOrg, true},
		{auth.Bidder, auth.RegisterOrg, false},
		{auth.Admin, auth.RegisterOrg, false},
		{auth.Anonymous, auth.ReadCentres, true},
		{auth.Anonymous, auth.ReadSelf, false},
		{auth.Staff, auth.DecideOrg, true},
		{auth.Admin, auth.DecideOrg, true},
		{auth.Supervisor, auth.DecideOrg, false},
		{auth.Bidder, auth.DecideOrg, false},
		{auth.Admin, auth.CreateUser, true},
		{auth.Staff, auth.CreateUser, false},
		{auth.Supervisor, auth.ReadAudit, true},
		{auth.Staff, auth.ReadAudit, false},
		{auth.Bidder, auth.ReadAudit, false},
		{auth.Staff, auth.ProveAudit, true},
		{auth.Expert, auth.ManageTokens, false},
		{auth.Bidder, auth.ManageTokens, true},
		{auth.Admin, auth.CreateCentre, true},
		{auth.Staff, auth.CreateCentre, false},
		{auth.Bidder, "no.such.action", false},
		{auth.Admin, "no.such.action", false},
		{"root", auth.ReadCentres, false},
	} {
		if got := auth.Can(c.role, c.act); got != c.want {
			t.Errorf("Can(%q, %s) = %v, want %v", c.role, c.act, got, c.want)
		}
		a := auth.Actor{Role: c.role}
		if c.role != auth.Anonymous {
			a.UserID = 1
		}
		err := a.Authorize(c.act)
		switch {
		case c.want && err != nil:
			t.Errorf("Authorize(%q, %s) = %v", c.role, c.act, err)
		case !c.want && c.role == auth.Anonymous && !errs.Is(err, errs.Unauthenticated):
			t.Errorf("Authorize(anonymous, %s) = %v, want unauthenticated", c.act, err)
		case !c.want && c.role != auth.Anonymous && !errs.Is(err, errs.Forbidden):
			t.Errorf("Authorize(%q, %s) = %v, want forbidden", c.role, c.act, err)
		}
	}
	// Every action is allowed to someone, and only to real roles.
	for _, act := range auth.Actions() {
		n := 0
		for _, r := range append([]auth.Role{auth.Anonymous}, auth.Roles...) {
			if auth.Can(r, act) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("action %s is allowed to nobody", act)
		}
	}
	// Roles fit organisation kinds.
	if !auth.RoleFits(auth.KindCentre, auth.Staff) || auth.RoleFits(auth.KindBidder, auth.Admin) || auth.RoleFits(auth.KindBank, auth.Bidder) {
		t.Error("RoleFits")
	}
}

func TestCreateUserChecksOrganisation(t *testing.T) {
	e := testenv.New(t)
	org, _ := register(t, e, validReg("pendingorg"))
	base := auth.NewUser{OrgID: org.ID, Username: "second1", DisplayName: "第二人", Role: auth.Bidder,
		IDNumber: testenv.IDNumber(), Phone: "13811112222", Password: goodPassword}
	before := count(t, e, "audit_events")
	_, err := e.Auth.CreateUser(e.Ctx, auth.System, base)
	wantCode(t, err, errs.Conflict) // organisation not approved yet
	_, err = e.Auth.DecideOrg(e.Ctx, auth.System, org.ID, auth.Decision{Approve: true})
	e.Must(err)
	before++
	wrong := base
	wrong.Role = auth.Admin
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, wrong)
	if got := fields(err); len(got) != 1 || got[0] != "role" {
		t.Fatalf("a bidder's user made admin: %v", err)
	}
	_, err = e.Auth.CreateUser(e.Ctx, e.Actor(auth.Staff), base)
	wantCode(t, err, errs.Forbidden)
	before++ // sign-in
	expectNoEvent(t, e, before)
	u, err := e.Auth.CreateUser(e.Ctx, auth.System, base)
	e.Must(err)
	expectOneEvent(t, e, before, "user.create", "user", itoa(u.ID))
	if _, _, err := e.Auth.Login(e.Ctx, "127.0.0.1", "second1", goodPassword); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordHash(t *testing.T) {
	h := testenv.FastArgon2.Hash("Correct-horse-1")
	if want := "$argon2id$v=19$m=64,t=1,p=1$"; len(h) < len(want) || h[:len(want)] != want {
		t.Fatalf("hash %q", h)
	}
	if !auth.CheckPassword(h, "Correct-horse-1") {
		t.Fatal("round trip failed")
	}
	for _, wrong := range []string{"", "Correct-horse-2", "correct-horse-1", "Correct-horse-1 "} {
		if auth.CheckPassword(h, wrong) {
			t.Fatalf("%q accepted", wrong)
		}
	}
	if h2 := testenv.FastArgon2.Hash("Correct-horse-1"); h2 == h || !auth.CheckPassword(h2, "Correct-horse-1") {
		t.Fatal("salt not fresh")
	}
	// A hash made with another cost still checks (the cost is in the hash).
	other := auth.Argon2{Memory: 128, Time: 2, Threads: 2}.Hash("Correct-horse-1")
	if !auth.CheckPassword(other, "Correct-horse-1") {
		t.Fatal("other cost")
	}
	salt, key := "c2FsdHNhbHRzYWx0c2FsdA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for _, bad := range []string{
		"",
		"Correct-horse-1",
		"$argon2id$",
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$bcrypt$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key, // would allocate ~100 GB
		"$argon2id$v=19$m=64,t=1000000,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$",
		"$argon2id$v=19$m=64,t=1,p=1$***$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$!!!",
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$extra",
		h[:len(h)-4],
		h + "A",
	} {
		if auth.CheckPassword(bad, "Correct-horse-1") || auth.CheckPassword(bad, "") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
