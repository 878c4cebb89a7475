package auth_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
)

// replaceCheck swaps the last character of code for another from alphabet.
func replaceCheck(code, alphabet string) string {
	last := code[len(code)-1]
	for i := 0; i < len(alphabet); i++ {
		if alphabet[i] != last {
			return code[:len(code)-1] + string(alphabet[i])
		}
	}
	panic("no alternative")
}

func TestRegisterValidation(t *testing.T) {
	e := testenv.New(t)
	cases := []struct {
		name  string
		edit  func(r *auth.Registration)
		field string
	}{
		{"empty org name", func(r *auth.Registration) { r.OrgName = "  " }, "org_name"},
		{"org name too long", func(r *auth.Registration) { r.OrgName = strings.Repeat("建", 101) }, "org_name"},
		{"empty kind", func(r *auth.Registration) { r.Kind = "" }, "kind"},
		{"unknown kind", func(r *auth.Registration) { r.Kind = "hacker" }, "kind"},
		{"supervisor not self-registrable", func(r *auth.Registration) { r.Kind = auth.KindSupervisor }, "kind"},
		{"centre not self-registrable", func(r *auth.Registration) { r.Kind = auth.KindCentre }, "kind"},
		{"platform not self-registrable", func(r *auth.Registration) { r.Kind = auth.KindPlatform }, "kind"},
		{"bank not self-registrable", func(r *auth.Registration) { r.Kind = auth.KindBank }, "kind"},
		{"empty credit code", func(r *auth.Registration) { r.CreditCode = "" }, "credit_code"},
		{"bad credit check digit", func(r *auth.Registration) {
			r.CreditCode = replaceCheck(r.CreditCode, "0123456789ABCDEFGHJKLMNPQRTUWXY")
		}, "credit_code"},
		{"credit code too short", func(r *auth.Registration) { r.CreditCode = r.CreditCode[:17] }, "credit_code"},
		{"empty centre", func(r *auth.Registration) { r.CentreCode = "" }, "centre_code"},
		{"unknown centre", func(r *auth.Registration) { r.CentreCode = "530699" }, "centre_code"},
		{"empty legal rep", func(r *auth.Registration) { r.LegalRep = "" }, "legal_rep"},
		{"empty contact", func(r *auth.Registration) { r.ContactName = "" }, "contact_name"},
		{"empty contact phone", func(r *auth.Registration) { r.ContactPhone = "" }, "contact_phone"},
		{"bad contact phone", func(r *auth.Registration) { r.ContactPhone = "12345678901" }, "contact_phone"},
		{"empty username", func(r *auth.Registration) { r.Username = "" }, "username"},
		{"username too short", func(r *auth.Registration) { r.Username = "ab" }, "username"},
		{"username too long", func(r *auth.Registration) { r.Username = "a" + strings.Repeat("b", 32) }, "username"},
		{"username starts with digit", func(r *auth.Registration) { r.Username = "1abc" }, "username"},
		{"username starts with underscore", func(r *auth.Registration) { r.Username = "_abc" }, "username"},
		{"username with space", func(r *auth.Registration) { r.Username = "ab cd" }, "username"},
		{"username with dash", func(r *auth.Registration) { r.Username = "ab-cd" }, "username"},
		{"username with Chinese", func(r *auth.Registration) { r.Username = "张三丰" }, "username"},
		{"username with @", func(r *auth.Registration) { r.Username = "a@b.cn" }, "username"},
		{"empty display name", func(r *auth.Registration) { r.DisplayName = "" }, "display_name"},
		{"empty ID number", func(r *auth.Registration) { r.IDNumber = "" }, "id_number"},
		{"bad ID check digit", func(r *auth.Registration) { r.IDNumber = replaceCheck(r.IDNumber, "0123456789X") }, "id_number"},
		{"ID number wrong length", func(r *auth.Registration) { r.IDNumber = r.IDNumber[:17] }, "id_number"},
		{"ID number unreal birth date", func(r *auth.Registration) { r.IDNumber = withIDCheck(t, "53060219800230001") }, "id_number"},
		{"ID number born in the future", func(r *auth.Registration) { r.IDNumber = withIDCheck(t, "53060220990101001") }, "id_number"},
		{"empty phone", func(r *auth.Registration) { r.Phone = "" }, "phone"},
		{"phone 10 digits", func(r *auth.Registration) { r.Phone = "1351234567" }, "phone"},
		{"phone starts 12", func(r *auth.Registration) { r.Phone = "12512345678" }, "phone"},
		{"phone with letters", func(r *auth.Registration) { r.Phone = "1351234567a" }, "phone"},
		{"empty password", func(r *auth.Registration) { r.Password = "" }, "password"},
		{"password too short", func(r *auth.Registration) { r.Password = "Ab1-defgh" }, "password"},
		{"password one class", func(r *auth.Registration) { r.Password = "abcdefghijkl" }, "password"},
		{"password two classes", func(r *auth.Registration) { r.Password = "abcdefgh1234" }, "password"},
		{"password too long", func(r *auth.Registration) { r.Password = "Aa1-" + strings.Repeat("x", 125) }, "password"},
		{"password equals username", func(r *auth.Registration) {
			r.Username, r.Password = "Zhang_san.2026", "zhang_san.2026"
		}, "password"},
	}
	orgs, users, events := count(t, e, "organisations"), count(t, e, "users"), count(t, e, "audit_events")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validReg("newbidder")
			c.edit(&r)
			_, _, err := e.Auth.Register(e.Ctx, auth.Public("198.51.100.7"), r)
			wantCode(t, err, errs.Invalid)
			if got := fields(err); len(got) != 1 || got[0] != c.field {
				t.Fatalf("fields = %v, want [%s] (%v)", got, c.field, err)
			}
		})
	}
	if count(t, e, "organisations") != orgs || count(t, e, "users") != users || count(t, e, "audit_events") != events {
		t.Fatal("a refused registration saved something")
	}

	// The valid base really is valid, and all problems are reported at once.
	r := validReg("newbidder")
	r.Phone, r.Password, r.CreditCode = "", "", "X"
	_, _, err := e.Auth.Register(e.Ctx, auth.Public(""), r)
	if got := fields(err); !slices.Equal(got, []string{"credit_code", "phone", "password"}) {
		t.Fatalf("fields = %v", got)
	}
	register(t, e, validReg("newbidder"))
}

func withIDCheck(t *testing.T, first17 string) string {
	t.Helper()
	// Compute the GB 11643 check digit here, independently of ident.
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range first17 {
		sum += int(c-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

func TestRegisterNormalisesAndIsFree(t *testing.T) {
	e := testenv.New(t)
	// B2: no session, no address, nothing else needed, and signed-in users
	// cannot use the self-service path on someone's behalf.
	r := validReg("freebidder")
	r.CreditCode = " " + strings.ToLower(r.CreditCode) + " "
	r.IDNumber = strings.ToLower(r.IDNumber)
	r.Username = "  freebidder "
	before := count(t, e, "audit_events")
	org, u, err := e.Auth.Register(e.Ctx, auth.Actor{}, r)
	e.Must(err)
	if org.Status != auth.Pending || u.Status != auth.Pending || u.Role != auth.Bidder || u.Username != "freebidder" {
		t.Fatalf("org %+v user %+v", org, u)
	}
	if org.CreditCode != strings.ToUpper(strings.TrimSpace(r.CreditCode)) || org.RegionCode != "530602" {
		t.Fatalf("credit %q region %q", org.CreditCode, org.RegionCode)
	}
	ev := expectOneEvent(t, e, before, "org.register", "organisation", itoa(org.ID))
	if ev.Region != "530602" || ev.IP != "" || ev.ActorID != 0 {
		t.Fatalf("event %+v", ev)
	}
	for _, k := range []string{"id_number", "phone", "password"} {
		if _, ok := ev.Details[k]; ok {
			t.Fatalf("audit details carry %s", k)
		}
	}

	for _, k := range []auth.OrgKind{auth.KindTenderer, auth.KindAgent} {
		r := validReg("free" + string(k))
		r.Kind = k
		_, u := register(t, e, r)
		if u.Role != auth.Role(k) {
			t.Fatalf("%s registered with role %s", k, u.Role)
		}
	}

	before = count(t, e, "audit_events")
	_, _, err = e.Auth.Register(e.Ctx, e.Actor(auth.Bidder), validReg("other1"))
	wantCode(t, err, errs.Forbidden)
	if n := count(t, e, "audit_events"); n != before+1 { // the sign-in only
		t.Fatalf("%d events", n-before)
	}
}

func TestRegisterDuplicates(t *testing.T) {
	e := testenv.New(t)
	first := validReg("dupbidder")
	register(t, e, first)
	orgs, users, events := count(t, e, "organisations"), count(t, e, "users"), count(t, e, "audit_events")
	for _, c := range []struct {
		name  string
		edit  func(r *auth.Registration)
		field string
	}{
		{"credit code", func(r *auth.Registration) { r.CreditCode = first.CreditCode }, "credit_code"},
		{"credit code lower case", func(r *auth.Registration) { r.CreditCode = strings.ToLower(first.CreditCode) }, "credit_code"},
		{"username", func(r *auth.Registration) { r.Username = first.Username }, "username"},
		{"ID number", func(r *auth.Registration) { r.IDNumber = first.IDNumber }, "id_number"},
		{"existing fixture user", func(r *auth.Registration) { r.Username = "bidder1" }, "username"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := validReg("second")
			c.edit(&r)
			_, _, err := e.Auth.Register(e.Ctx, auth.Public("198.51.100.7"), r)
			wantCode(t, err, errs.Invalid)
			if got := fields(err); len(got) != 1 || got[0] != c.field {
				t.Fatalf("fields = %v, want [%s] (%v)", got, c.field, err)
			}
		})
	}
	if count(t, e, "organisations") != orgs || count(t, e, "users") != users || count(t, e, "audit_events") != events {
		t.Fatal("a refused registration saved something")
	}
}

func TestPendingUserCannotLogInUntilApproved(t *testing.T) {
	e := testenv.New(t)
	staff := e.Actor(auth.Staff) // 昭通市 centre (530600)
	org, _ := register(t, e, validReg("waiting"))
	_, _, err := e.Auth.Login(e.Ctx, "127.0.0.1", "waiting", goodPassword)
	wantCode(t, err, errs.Unauthenticated)

	before := count(t, e, "audit_events")
	got, err := e.Auth.DecideOrg(e.Ctx, staff, org.ID, auth.Decision{Approve: true})
	e.Must(err)
	if got.Status != auth.Approved || got.DecidedAt.IsZero() {
		t.Fatalf("org after approval: %+v", got)
	}
	ev := expectOneEvent(t, e, before, "org.approve", "organisation", itoa(org.ID))
	if ev.ActorID != staff.UserID || ev.Region != "530602" {
		t.Fatalf("event %+v", ev)
	}
	_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", "waiting", goodPassword)
	e.Must(err)
	if a.Role != auth.Bidder || a.OrgID != org.ID || a.Region != "530602" {
		t.Fatalf("actor %+v", a)
	}

	// Deciding again is a conflict and leaves no trace.
	before = count(t, e, "audit_events")
	for _, d := range []auth.Decision{{Approve: true}, {Approve: false, Reason: "重复"}} {
		_, err = e.Auth.DecideOrg(e.Ctx, staff, org.ID, d)
		wantCode(t, err, errs.Conflict)
	}
	expectNoEvent(t, e, before)
}

func TestRejectNeedsReason(t *testing.T) {
	e := testenv.New(t)
	staff := e.Actor(auth.Staff)
	org, _ := register(t, e, validReg("rejectme"))
	before := count(t, e, "audit_events")
	for _, reason := range []string{"", "   "} {
		_, err := e.Auth.DecideOrg(e.Ctx, staff, org.ID, auth.Decision{Approve: false, Reason: reason})
		wantCode(t, err, errs.Invalid)
		if got := fields(err); len(got) != 1 || got[0] != "reason" {
			t.Fatalf("fields %v", got)
		}
	}
	_, err := e.Auth.DecideOrg(e.Ctx, staff, org.ID, auth.Decision{Approve: false, Reason: strings.Repeat("长", 501)})
	wantCode(t, err, errs.Invalid)
	expectNoEvent(t, e, before)
	if o, err := e.Auth.GetOrg(e.Ctx, staff, org.ID); err != nil || o.Status != auth.Pending {
		t.Fatalf("refused rejection changed the org: %+v %v", o, err)
	}

	got, err := e.Auth.DecideOrg(e.Ctx, staff, org.ID, auth.Decision{Reason: " 营业执照不清晰 "})
	e.Must(err)
	if got.Status != auth.Rejected || got.StatusReason != "营业执照不清晰" {
		t.Fatalf("org %+v", got)
	}
	ev := expectOneEvent(t, e, before, "org.reject", "organisation", itoa(org.ID))
	if ev.Details["reason"] != "营业执照不清晰" {
		t.Fatalf("details %v", ev.Details)
	}
	_, _, err = e.Auth.Login(e.Ctx, "127.0.0.1", "rejectme", goodPassword)
	wantCode(t, err, errs.Unauthenticated)
	_, err = e.Auth.DecideOrg(e.Ctx, staff, org.ID, auth.Decision{Approve: true})
	wantCode(t, err, errs.Conflict)
}

func TestDecideWithinRegion(t *testing.T) {
	e := testenv.New(t)
	zhaoyang := staffAt(t, e, "530602", "zy_staff")
	qujing := staffAt(t, e, "530300", "qj_staff")
	province := staffAt(t, e, "530000", "yn_staff")
	city := e.Actor(auth.Staff) // 昭通市

	r := validReg("qjbidder")
	r.CentreCode, r.CreditCode = "530300", testenv.CreditCode("530300")
	qjOrg, _ := register(t, e, r)
	zyOrg, _ := register(t, e, validReg("zybidder"))
	zyOrg2, _ := register(t, e, validReg("zybidder2"))
	zyOrg3, _ := register(t, e, validReg("zybidder3"))
	qjOrg2Reg := validReg("qjbidder2")
	qjOrg2Reg.CentreCode, qjOrg2Reg.CreditCode = "530300", testenv.CreditCode("530300")
	qjOrg2, _ := register(t, e, qjOrg2Reg)

	before := count(t, e, "audit_events")
	for _, a := range []auth.Actor{zhaoyang, city} {
		_, err := e.Auth.DecideOrg(e.Ctx, a, qjOrg.ID, auth.Decision{Approve: true})
		wantCode(t, err, errs.NotFound)
		_, err = e.Auth.GetOrg(e.Ctx, a, qjOrg.ID)
		wantCode(t, err, errs.NotFound)
	}
	// Qujing staff cannot decide for 昭阳区 either.
	_, err := e.Auth.DecideOrg(e.Ctx, qujing, zyOrg.ID, auth.Decision{Approve: true})
	wantCode(t, err, errs.NotFound)
	// Nor can other roles, whatever the region.
	for _, role := range []auth.Role{auth.Bidder, auth.Tenderer, auth.Agent, auth.Expert, auth.Supervisor} {
		a := e.Actor(role)
		before = count(t, e, "audit_events")
		_, err := e.Auth.DecideOrg(e.Ctx, a, zyOrg.ID, auth.Decision{Approve: true})
		wantCode(t, err, errs.Forbidden)
		expectNoEvent(t, e, before)
	}
	_, err = e.Auth.DecideOrg(e.Ctx, auth.Public("1.2.3.4"), zyOrg.ID, auth.Decision{Approve: true})
	wantCode(t, err, errs.Unauthenticated)
	_, err = e.Auth.DecideOrg(e.Ctx, city, 999999, auth.Decision{Approve: true})
	wantCode(t, err, errs.NotFound)
	before = count(t, e, "audit_events")

	for _, c := range []struct {
		who string
		a   auth.Actor
		org int64
	}{
		{"county staff, own county", zhaoyang, zyOrg.ID},
		{"city staff, county below", city, zyOrg2.ID},
		{"province staff, county", province, zyOrg3.ID},
		{"qujing staff, own city", qujing, qjOrg.ID},
		{"province staff, other city", province, qjOrg2.ID},
	} {
		got, err := e.Auth.DecideOrg(e.Ctx, c.a, c.org, auth.Decision{Approve: true})
		if err != nil || got.Status != auth.Approved {
			t.Fatalf("%s: %v", c.who, err)
		}
		expectOneEvent(t, e, before, "org.approve", "organisation", itoa(c.org))
		before++
	}
}

// Two members of staff deciding the same registration at once: exactly one
// decision wins, the other is a conflict, and the trail has one event.
func TestDecideConcurrently(t *testing.T) {
	e := testenv.New(t)
	staff := e.Actor(auth.Staff)
	admin := e.Actor(auth.Admin)
	for round := 0; round < 5; round++ {
		org, _ := register(t, e, validReg("race"+itoa(int64(round))))
		before := count(t, e, "audit_events")
		var wg sync.WaitGroup
		errsOut := make([]error, 6)
		for i := range errsOut {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := staff
				if i%2 == 1 {
					a = admin
				}
				_, errsOut[i] = e.Auth.DecideOrg(e.Ctx, a, org.ID, auth.Decision{Approve: i%3 != 0, Reason: "并发"})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errsOut {
			switch {
			case err == nil:
				ok++
			case !errs.Is(err, errs.Conflict):
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d decisions succeeded, want 1", round, ok)
		}
		if n := count(t, e, "audit_events"); n != before+1 {
			t.Fatalf("round %d: %d audit events for one decision", round, n-before)
		}
	}
}
