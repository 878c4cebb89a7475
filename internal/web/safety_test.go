package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
)

// rawDo sends one request with no cookie jar and the given headers, so a
// test controls exactly which credentials travel.
func rawDo(t *testing.T, e *testenv.Env, method, path, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// ---- CSRF ----

// TestCSRFOnAPI: a signed-in browser session must prove each state change
// with the session's X-CSRF-Token; without it, or with a wrong one, the
// request is refused and nothing is saved.
func TestCSRFOnAPI(t *testing.T) {
	e := testenv.New(t)
	c := e.Client(auth.Bidder)
	_, tok, err := e.Auth.CreateToken(e.Ctx, e.Actor(auth.Bidder), "待吊销", 30)
	e.Must(err)
	revoke := "/api/v1/tokens/" + strconv.FormatInt(tok.ID, 10)
	create := `{"name":"投标工具","days":30}`

	for _, tc := range []struct {
		name, method, path, body, csrf string
		want                           int
	}{
		{"create without token", "POST", "/api/v1/tokens", create, "", http.StatusForbidden},
		{"create with wrong token", "POST", "/api/v1/tokens", create, "not-the-token", http.StatusForbidden},
		{"create with another session's token", "POST", "/api/v1/tokens", create, e.Client(auth.Tenderer).CSRF, http.StatusForbidden},
		{"revoke without token", "DELETE", revoke, "", "", http.StatusForbidden},
		{"revoke with wrong token", "DELETE", revoke, "", "x", http.StatusForbidden},
		// The same calls with the right token go through (so the refusals
		// above are about the token and nothing else).
		{"create with token", "POST", "/api/v1/tokens", create, c.CSRF, http.StatusCreated},
		{"revoke with token", "DELETE", revoke, "", c.CSRF, http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e)
			var revokedBefore int64
			e.Must(e.DB.QueryRow(e.Ctx, "SELECT revoked_at FROM api_tokens WHERE id = ?", tok.ID).Scan(&revokedBefore))
			cc := *c
			cc.CSRF = tc.csrf
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, b := cc.Do(tc.method, tc.path, body, "application/json")
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b)
			}
			if tc.want != http.StatusForbidden {
				return
			}
			if p := readProblem(t, resp, b); !strings.Contains(p.Detail, "CSRF") {
				t.Errorf("refusal does not say why: %q", p.Detail)
			}
			assertUnchanged(t, e, before, "CSRF-refused request")
			var revokedAfter int64
			e.Must(e.DB.QueryRow(e.Ctx, "SELECT revoked_at FROM api_tokens WHERE id = ?", tok.ID).Scan(&revokedAfter))
			if revokedAfter != revokedBefore {
				t.Error("CSRF-refused revoke revoked the token")
			}
		})
	}
}

// TestCSRFOnForms: page forms carry the token in the csrf_token field; a
// form without it is refused and changes nothing.
func TestCSRFOnForms(t *testing.T) {
	e := testenv.New(t)
	c := e.Client(auth.Bidder)
	for _, tc := range []struct {
		name, path string
		form       url.Values
	}{
		{"logout", "/logout", url.Values{}},
		{"issue token", "/workbench/tokens", url.Values{"name": {"表单令牌"}, "days": {"30"}}},
		{"logout with wrong token", "/logout", url.Values{"csrf_token": {"wrong"}}},
		{"issue token with wrong token", "/workbench/tokens", url.Values{"name": {"表单令牌"}, "days": {"30"}, "csrf_token": {"wrong"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e)
			resp, b := postForm(c, tc.path, tc.form)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %s", resp.StatusCode, b)
			}
			if !strings.Contains(string(b), "CSRF") || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("want an HTML error page naming CSRF, got %s", resp.Header.Get("Content-Type"))
			}
			assertUnchanged(t, e, before, "form without CSRF token")
			if st := c.JSON("GET", "/api/v1/me", nil, nil); st != http.StatusOK {
				t.Fatalf("session no longer works after refused form: %d", st)
			}
		})
	}

	// With the page's own token the form works: the token is shown once.
	_, page := c.Do("GET", "/workbench/tokens", nil, "")
	before := countRows(t, e, "api_tokens")
	resp, b := postForm(c, "/workbench/tokens", url.Values{"name": {"表单令牌"}, "days": {"30"}, "csrf_token": {formToken(t, page)}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="new-token"`) {
		t.Fatalf("issue token with the form's token: %d", resp.StatusCode)
	}
	if after := countRows(t, e, "api_tokens"); after != before+1 {
		t.Errorf("api_tokens %d → %d, want one more", before, after)
	}
}

// TestCSRFOnSignInForm: the public sign-in form is protected by a
// double-submit cookie, so another site cannot sign a visitor in to the
// attacker's account (login CSRF).
func TestCSRFOnSignInForm(t *testing.T) {
	e := testenv.New(t)
	creds := url.Values{"username": {e.Users[auth.Bidder]}, "password": {testenv.Password}, "next": {"/workbench"}}
	with := func(token string) url.Values {
		v := url.Values{}
		for k, x := range creds {
			v[k] = x
		}
		if token != "" {
			v.Set("csrf_token", token)
		}
		return v
	}

	t.Run("no cookie, no field", func(t *testing.T) {
		c := freshClient(e)
		before := snapshot(t, e)
		if resp, _ := postForm(c, "/login", with("")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
		assertUnchanged(t, e, before, "forged sign-in")
	})
	t.Run("no cookie, made-up field", func(t *testing.T) {
		c := freshClient(e)
		before := snapshot(t, e)
		if resp, _ := postForm(c, "/login", with(strings.Repeat("a", 48))); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
		assertUnchanged(t, e, before, "forged sign-in")
	})
	t.Run("cookie, field from another visitor", func(t *testing.T) {
		other := freshClient(e)
		_, page := other.Do("GET", "/login", nil, "")
		c := freshClient(e)
		c.Do("GET", "/login", nil, "")
		if resp, _ := postForm(c, "/login", with(formToken(t, page))); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("cookie and matching field", func(t *testing.T) {
		c := freshClient(e)
		_, page := c.Do("GET", "/login", nil, "")
		resp, b := postForm(c, "/login", with(formToken(t, page)))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/workbench" {
			t.Fatalf("status %d Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), b)
		}
		if cookie(t, c, "ggzy_session") == nil {
			t.Fatal("no session cookie after sign-in")
		}
	})
	t.Run("JSON sign-in from a browser holding the form cookie", func(t *testing.T) {
		// A browser that has seen our pages holds the anonymous CSRF
		// cookie; a cross-site script making it POST to the JSON API must
		// still show the token.
		c := freshClient(e)
		_, page := c.Do("GET", "/login", nil, "")
		body := `{"username":"` + e.Users[auth.Bidder] + `","password":"` + testenv.Password + `"}`
		if resp, _ := c.Do("POST", "/api/v1/session", strings.NewReader(body), "application/json"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("without header: %d, want 403", resp.StatusCode)
		}
		c.CSRF = formToken(t, page)
		if resp, b := c.Do("POST", "/api/v1/session", strings.NewReader(body), "application/json"); resp.StatusCode != http.StatusOK {
			t.Fatalf("with header: %d: %s", resp.StatusCode, b)
		}
	})
}

// TestAPIClientKeepsWorking is the regression test for a program that
// keeps cookies (any HTTP library with a cookie jar): it used to be handed
// the anonymous CSRF cookie by its first call and then be refused every
// later sign-in or registration, with no way to learn the token from the
// API. It must be able to fail a sign-in, sign in, sign out and sign in
// again.
func TestAPIClientKeepsWorking(t *testing.T) {
	e := testenv.New(t)
	c := freshClient(e)
	login := func(password string) int {
		var out struct {
			CSRF string `json:"csrf_token"`
		}
		st := c.JSON("POST", "/api/v1/session", map[string]string{"username": e.Users[auth.Agent], "password": password}, &out)
		if out.CSRF != "" {
			c.CSRF = out.CSRF
		}
		return st
	}
	steps := []struct {
		name string
		do   func() int
		want int
	}{
		{"read the time", func() int { return c.JSON("GET", "/api/v1/time", nil, nil) }, http.StatusOK},
		{"wrong password", func() int { return login("Wrong-pass-2026") }, http.StatusUnauthorized},
		{"sign in", func() int { return login(testenv.Password) }, http.StatusOK},
		{"me", func() int { return c.JSON("GET", "/api/v1/me", nil, nil) }, http.StatusOK},
		{"sign out", func() int { return c.JSON("DELETE", "/api/v1/session", nil, nil) }, http.StatusNoContent},
		{"me after sign-out", func() int { return c.JSON("GET", "/api/v1/me", nil, nil) }, http.StatusUnauthorized},
		{"sign in again", func() int { c.CSRF = ""; return login(testenv.Password) }, http.StatusOK},
		{"me again", func() int { return c.JSON("GET", "/api/v1/me", nil, nil) }, http.StatusOK},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Fatalf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	if k := cookie(t, c, "ggzy_csrf"); k != nil {
		t.Errorf("the API handed out the page forms' CSRF cookie %q", k.Value)
	}
}

// TestBearerTokenNeedsNoCSRF: programs call the API with a bearer token and
// no cookies; there is nothing ambient to forge, so no CSRF token is asked.
func TestBearerTokenNeedsNoCSRF(t *testing.T) {
	e := testenv.New(t)
	c := e.Client(auth.Bidder)
	var created struct {
		Token string `json:"token"`
		Info  struct {
			ID int64 `json:"id"`
		} `json:"info"`
	}
	if st := c.JSON("POST", "/api/v1/tokens", map[string]any{"name": "投标工具", "days": 30}, &created); st != http.StatusCreated {
		t.Fatalf("create token: %d", st)
	}
	if !strings.HasPrefix(created.Token, "ggzy_") {
		t.Fatalf("token %q", created.Token)
	}
	var spare struct {
		Info struct {
			ID int64 `json:"id"`
		} `json:"info"`
	}
	if st := c.JSON("POST", "/api/v1/tokens", map[string]any{"name": "备用", "days": 30}, &spare); st != http.StatusCreated {
		t.Fatalf("create spare token: %d", st)
	}
	bearer := map[string]string{"Authorization": "Bearer " + created.Token}

	resp, b := rawDo(t, e, "GET", "/api/v1/me", "", bearer)
	var me struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
	}
	json.Unmarshal(b, &me)
	if resp.StatusCode != http.StatusOK || me.User.Username != e.Users[auth.Bidder] {
		t.Fatalf("GET /me with bearer: %d %s", resp.StatusCode, b)
	}

	// A state change with the bearer token and no CSRF header succeeds.
	before := countRows(t, e, "audit_events")
	resp, b = rawDo(t, e, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(spare.Info.ID, 10), "", bearer)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke with bearer: %d %s", resp.StatusCode, b)
	}
	if after := countRows(t, e, "audit_events"); after != before+1 {
		t.Errorf("revoke left %d audit events, want 1", after-before)
	}
	// Minting tokens with a token is refused by the service's own rule,
	// not by CSRF: the message says so.
	resp, b = rawDo(t, e, "POST", "/api/v1/tokens", `{"name":"链式","days":1}`,
		map[string]string{"Authorization": "Bearer " + created.Token, "Content-Type": "application/json"})
	if p := readProblem(t, resp, b); resp.StatusCode != http.StatusForbidden || strings.Contains(p.Detail, "CSRF") {
		t.Errorf("token via token: %d %q, want 403 from the token rule", resp.StatusCode, p.Detail)
	}
	// A wrong bearer token is 401, not anonymous access.
	resp, b = rawDo(t, e, "GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer ggzy_nope"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad bearer: %d %s", resp.StatusCode, b)
	}
	readProblem(t, resp, b)
}

// ---- security headers ----

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// TestSecurityHeaders: every answer — page, API, error, static file — is
// unframeable, not MIME-sniffed and carries a request id.
func TestSecurityHeaders(t *testing.T) {
	e := testenv.New(t)
	anon := e.Client(auth.Anonymous)
	staff := e.Client(auth.Staff)
	seen := map[string]bool{}
	for _, tc := range []struct {
		name   string
		c      *testenv.Client
		path   string
		status int
	}{
		{"home page", anon, "/", 200},
		{"sign-in page", anon, "/login", 200},
		{"workbench redirect", anon, "/workbench", 303},
		{"workbench", staff, "/workbench", 200},
		{"error page", anon, "/no-such-page", 404},
		{"API", anon, "/api/v1/time", 200},
		{"API refusal", anon, "/api/v1/me", 401},
		{"static", anon, "/static/app.js", 200},
		{"health", anon, "/healthz", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := tc.c.Do("GET", tc.path, nil, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			h := resp.Header
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
				!strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
			if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", v)
			}
			if v := h.Get("X-Frame-Options"); v != "DENY" {
				t.Errorf("X-Frame-Options %q", v)
			}
			id := h.Get("X-Request-Id")
			if !requestIDPattern.MatchString(id) || seen[id] {
				t.Errorf("X-Request-Id %q missing, malformed or reused", id)
			}
			seen[id] = true
		})
	}
}

// TestCookieFlags: the session cookie and the form CSRF cookie are out of
// reach of scripts and of cross-site requests.
func TestCookieFlags(t *testing.T) {
	e := testenv.New(t)
	c := freshClient(e)
	resp, _ := c.Do("POST", "/api/v1/session", strings.NewReader(
		`{"username":"`+e.Users[auth.Staff]+`","password":"`+testenv.Password+`"}`), "application/json")
	sess := setCookie(resp, "ggzy_session")
	resp, _ = freshClient(e).Do("GET", "/login", nil, "")
	csrf := setCookie(resp, "ggzy_csrf")
	for name, k := range map[string]*http.Cookie{"ggzy_session": sess, "ggzy_csrf": csrf} {
		if k == nil {
			t.Errorf("%s not set", name)
			continue
		}
		if !k.HttpOnly {
			t.Errorf("%s is not HttpOnly", name)
		}
		if k.SameSite != http.SameSiteLaxMode && k.SameSite != http.SameSiteStrictMode {
			t.Errorf("%s SameSite %v, want Lax or Strict", name, k.SameSite)
		}
		if k.Path != "/" {
			t.Errorf("%s Path %q", name, k.Path)
		}
	}
	if sess != nil && (sess.MaxAge <= 0 || sess.MaxAge > int((8*time.Hour).Seconds())) {
		t.Errorf("session Max-Age %d, want (0, 8h]", sess.MaxAge)
	}
}

// ---- bad input ----

// validRegistration is a registration that passes every check, with fresh
// codes; each bad-input case breaks exactly one thing in it.
func validRegistration(username string) map[string]any {
	return map[string]any{"org_name": "昭通新投标单位" + username, "kind": "bidder", "credit_code": testenv.CreditCode("530602"),
		"centre_code": "530602", "legal_rep": "法人", "contact_name": "联系人", "contact_phone": "13600000000",
		"username": username, "display_name": "新用户", "id_number": testenv.IDNumber(), "phone": "13500000000",
		"password": testenv.Password}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// breakCheckDigit changes the last character of a code so its check digit
// no longer matches.
func breakCheckDigit(code string) string {
	last := code[len(code)-1]
	repl := byte('1')
	if last == '1' {
		repl = '2'
	}
	return code[:len(code)-1] + string(repl)
}

// TestBadInputIsAProblem: malformed requests get a 422 problem+json with a
// Chinese detail (naming the field where there is one), and save nothing.
func TestBadInputIsAProblem(t *testing.T) {
	e := testenv.New(t)
	anon := e.Client(auth.Anonymous)
	staff := e.Client(auth.Staff)
	var existingCode string
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT credit_code FROM organisations WHERE id = ?", e.Orgs[auth.KindBidder]).Scan(&existingCode))

	with := func(field string, value any) string {
		r := validRegistration("newbidder")
		r[field] = value
		return jsonOf(r)
	}
	huge := `{"org_name":"` + strings.Repeat("a", 1<<20+10) + `"}`

	for _, tc := range []struct {
		name        string
		c           *testenv.Client
		method      string
		path, body  string
		contentType string
		field       string // "" when the problem is with the body as a whole
		detail      string // part of the detail
	}{
		{"empty body", anon, "POST", "/api/v1/registrations", "", "application/json", "", "为空"},
		{"malformed JSON", anon, "POST", "/api/v1/registrations", `{"org_name":`, "application/json", "", "JSON"},
		{"not an object", anon, "POST", "/api/v1/registrations", `["org_name"]`, "application/json", "", "JSON 对象"},
		{"two objects", anon, "POST", "/api/v1/registrations", `{}{}`, "application/json", "", "一个 JSON 对象"},
		{"unknown field", anon, "POST", "/api/v1/registrations", `{"org_nam":"x"}`, "application/json", "org_nam", "未知字段"},
		{"wrong type", anon, "POST", "/api/v1/registrations", `{"org_name":42}`, "application/json", "org_name", "字符串"},
		{"wrong type, number", staff, "POST", "/api/v1/tokens", `{"name":"x","days":"30"}`, "application/json", "days", "整数"},
		{"body over 1 MB", anon, "POST", "/api/v1/registrations", huge, "application/json", "", "过大"},
		{"wrong Content-Type", anon, "POST", "/api/v1/registrations", with("kind", "bidder"), "text/plain", "", "Content-Type"},
		{"form Content-Type", anon, "POST", "/api/v1/registrations", "org_name=x", "application/x-www-form-urlencoded", "", "JSON"},
		{"non-numeric path id", staff, "GET", "/api/v1/organisations/abc", "", "", "id", "整数"},
		{"negative path id", staff, "GET", "/api/v1/organisations/-1", "", "", "id", "整数"},
		{"non-numeric audit seq", staff, "GET", "/api/v1/audit/events/x/proof", "", "", "seq", "整数"},
		{"bad query number", staff, "GET", "/api/v1/organisations?limit=many", "", "", "limit", "整数"},
		{"bad credit code check digit", anon, "POST", "/api/v1/registrations",
			with("credit_code", breakCheckDigit(testenv.CreditCode("530602"))), "application/json", "credit_code", ""},
		{"bad ID number check digit", anon, "POST", "/api/v1/registrations",
			with("id_number", breakCheckDigit(testenv.IDNumber())), "application/json", "id_number", ""},
		{"weak password", anon, "POST", "/api/v1/registrations", with("password", "password12"), "application/json", "password", "密码"},
		{"duplicate username", anon, "POST", "/api/v1/registrations", with("username", e.Users[auth.Bidder]), "application/json", "username", "用户名"},
		{"duplicate credit code", anon, "POST", "/api/v1/registrations", with("credit_code", existingCode), "application/json", "credit_code", "已注册"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e)
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, b := tc.c.Do(tc.method, tc.path, body, tc.contentType)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.300s", resp.StatusCode, b)
			}
			p := readProblem(t, resp, b)
			if p.Code != "invalid" {
				t.Errorf("code %q", p.Code)
			}
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", p.Detail, tc.detail)
			}
			if tc.field != "" && !p.hasField(tc.field) {
				t.Errorf("fields %+v do not name %q", p.Fields, tc.field)
			}
			// Go type names are internal detail, not for users.
			if strings.Contains(p.Detail, "auth.") || strings.Contains(p.Detail, "int64") {
				t.Errorf("detail leaks Go types: %q", p.Detail)
			}
			assertUnchanged(t, e, before, "bad input")
		})
	}

	// The base registration itself is valid, so each case above failed for
	// the one thing it broke.
	before := snapshot(t, e)
	if resp, b := anon.Do("POST", "/api/v1/registrations", strings.NewReader(with("kind", "bidder")), "application/json"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("valid registration: %d %s", resp.StatusCode, b)
	}
	after := snapshot(t, e)
	if after["organisations"] != before["organisations"]+1 || after["users"] != before["users"]+1 {
		t.Errorf("valid registration saved orgs %d→%d users %d→%d", before["organisations"], after["organisations"],
			before["users"], after["users"])
	}
}

// ---- sign-in safety ----

type apiLogin struct {
	e *testenv.Env
	c *testenv.Client
}

func (l apiLogin) try(t *testing.T, username, password string) (int, problemBody) {
	t.Helper()
	resp, b := l.c.Do("POST", "/api/v1/session", strings.NewReader(jsonOf(map[string]string{"username": username, "password": password})), "application/json")
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, problemBody{}
	}
	return resp.StatusCode, readProblem(t, resp, b)
}

// TestSignInLockOut: five wrong passwords lock the account for 15 minutes
// (429, in Chinese); while locked even the right password is refused;
// after the lock it works again.
func TestSignInLockOut(t *testing.T) {
	e := testenv.New(t)
	l := apiLogin{e, freshClient(e)}
	user := e.Users[auth.Bidder]
	for i := 1; i <= 4; i++ {
		if st, _ := l.try(t, user, "Wrong-pass-2026"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, st)
		}
	}
	st, p := l.try(t, user, "Wrong-pass-2026")
	if st != http.StatusTooManyRequests || !strings.Contains(p.Detail, "锁定") || p.Code != "too_many" {
		t.Fatalf("5th wrong password: %d %q, want 429 saying the account is locked", st, p.Detail)
	}
	if st, p := l.try(t, user, testenv.Password); st != http.StatusTooManyRequests || !strings.Contains(p.Detail, "锁定") {
		t.Fatalf("right password while locked: %d %q, want 429", st, p.Detail)
	}
	e.Clock.Advance(14 * time.Minute)
	if st, _ := l.try(t, user, testenv.Password); st != http.StatusTooManyRequests {
		t.Fatalf("right password 14 minutes into the lock: %d, want 429", st)
	}
	e.Clock.Advance(2 * time.Minute)
	if st, p := l.try(t, user, testenv.Password); st != http.StatusOK {
		t.Fatalf("right password after the lock: %d %q", st, p.Detail)
	}
	// Other users were never affected.
	other := apiLogin{e, freshClient(e)}
	if st, _ := other.try(t, e.Users[auth.Tenderer], testenv.Password); st != http.StatusOK {
		t.Fatalf("another user: %d", st)
	}
}

// TestSignInDoesNotRevealUsers: an unknown username and a wrong password
// get the same answer, so sign-in cannot be used to find accounts.
func TestSignInDoesNotRevealUsers(t *testing.T) {
	e := testenv.New(t)
	l := apiLogin{e, freshClient(e)}
	st1, p1 := l.try(t, "nosuchuser", "Wrong-pass-2026")
	st2, p2 := l.try(t, e.Users[auth.Tenderer], "Wrong-pass-2026")
	if st1 != http.StatusUnauthorized || st1 != st2 || p1.Detail != p2.Detail || p1.Code != p2.Code || p1.Title != p2.Title {
		t.Fatalf("unknown user: %d %q; wrong password: %d %q", st1, p1.Detail, st2, p2.Detail)
	}
	// The HTML form says the same.
	c := freshClient(e)
	_, page := c.Do("GET", "/login", nil, "")
	tokenField := formToken(t, page)
	var msgs []string
	for _, u := range []string{"nosuchuser", e.Users[auth.Tenderer]} {
		resp, b := postForm(c, "/login", url.Values{"username": {u}, "password": {"Wrong-pass-2026"}, "csrf_token": {tokenField}})
		m := regexp.MustCompile(`id="login-error">([^<]*)<`).FindSubmatch(b)
		if resp.StatusCode != http.StatusUnauthorized || m == nil {
			t.Fatalf("form sign-in as %s: %d", u, resp.StatusCode)
		}
		msgs = append(msgs, string(m[1]))
	}
	if msgs[0] != msgs[1] || msgs[0] != p1.Detail {
		t.Errorf("form messages differ: %q", msgs)
	}
}

// TestSessionLifetime: a session lasts eight hours by the server's clock,
// and signing out ends it on the server, not just in the browser.
func TestSessionLifetime(t *testing.T) {
	t.Run("expires after 8 hours", func(t *testing.T) {
		e := testenv.New(t)
		c := e.Client(auth.Bidder)
		e.Clock.Advance(8*time.Hour - time.Second)
		if st := c.JSON("GET", "/api/v1/me", nil, nil); st != http.StatusOK {
			t.Fatalf("just before 8h: %d", st)
		}
		e.Clock.Advance(time.Second)
		resp, b := c.Do("GET", "/api/v1/me", nil, "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after 8h: %d", resp.StatusCode)
		}
		if p := readProblem(t, resp, b); p.Code != "unauthenticated" {
			t.Errorf("code %q", p.Code)
		}
		// The dead cookie is cleared, so the browser stops sending it.
		if k := setCookie(resp, "ggzy_session"); k == nil || k.MaxAge >= 0 {
			t.Errorf("expired session cookie not cleared: %v", k)
		}
		// The page sends the visitor to sign in again.
		if resp, _ := c.Do("GET", "/workbench", nil, ""); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("workbench after expiry: %d", resp.StatusCode)
		}
	})
	for _, how := range []string{"api", "form"} {
		t.Run("logout via "+how+" ends the session", func(t *testing.T) {
			e := testenv.New(t)
			c := e.Client(auth.Bidder)
			old := cookie(t, c, "ggzy_session")
			if old == nil {
				t.Fatal("no session cookie")
			}
			replay := func() int {
				resp, _ := rawDo(t, e, "GET", "/api/v1/me", "", map[string]string{"Cookie": "ggzy_session=" + old.Value})
				return resp.StatusCode
			}
			if st := replay(); st != http.StatusOK {
				t.Fatalf("cookie before logout: %d", st)
			}
			switch how {
			case "api":
				if st := c.JSON("DELETE", "/api/v1/session", nil, nil); st != http.StatusNoContent {
					t.Fatalf("logout: %d", st)
				}
			case "form":
				_, page := c.Do("GET", "/workbench", nil, "")
				resp, _ := postForm(c, "/logout", url.Values{"csrf_token": {formToken(t, page)}})
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/") {
					t.Fatalf("logout form: %d", resp.StatusCode)
				}
			}
			if k := cookie(t, c, "ggzy_session"); k != nil {
				t.Errorf("browser still holds the session cookie")
			}
			if st := replay(); st != http.StatusUnauthorized {
				t.Fatalf("old cookie after logout: %d, want 401", st)
			}
			var n int
			e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM audit_events WHERE action = 'user.logout'").Scan(&n))
			if n != 1 {
				t.Errorf("%d user.logout events, want 1", n)
			}
		})
	}
}

// ---- health and metrics ----

func TestHealthAndMetrics(t *testing.T) {
	e := testenv.New(t)
	c := e.Client(auth.Staff)
	resp, b := c.Do("GET", "/healthz", nil, "")
	var h map[string]string
	if err := json.Unmarshal(b, &h); err != nil || resp.StatusCode != http.StatusOK || h["status"] != "ok" {
		t.Fatalf("healthz: %d %s", resp.StatusCode, b)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("healthz Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if want := string(e.DB.Dialect()); h["database"] != want {
		t.Errorf("healthz database %q, want %q", h["database"], want)
	}

	for i := 0; i < 3; i++ {
		c.Do("GET", "/api/v1/time", nil, "")
	}
	c.Do("GET", fmt.Sprintf("/api/v1/organisations/%d", e.Orgs[auth.KindBidder]), nil, "")
	_, m := c.Do("GET", "/metrics", nil, "")
	text := string(m)
	for _, want := range []string{
		`ggzy_http_requests_total{method="GET",route="GET /api/v1/time",status="200"} 3`,
		`route="GET /api/v1/organisations/{id}"`,
		`ggzy_http_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Labels are route patterns, never raw paths with ids in them.
	if strings.Contains(text, fmt.Sprintf("/api/v1/organisations/%d", e.Orgs[auth.KindBidder])) {
		t.Error("metrics label a raw path")
	}
}
