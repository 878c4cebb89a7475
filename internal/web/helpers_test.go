package web_test

// Helpers shared by the HTTP-level tests in this package (access, CSRF,
// input, login, pages). They talk to the platform only over HTTP, except for
// row counts, which look straight into the database so a test can prove
// that a refused or invalid request saved nothing.

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"ggzy/internal/testenv"
)

// countRows counts the rows of table.
func countRows(t *testing.T, e *testenv.Env, table string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// watchedTables are the tables a request can change today; a request that
// must change nothing leaves all of their counts alone.
var watchedTables = []string{"audit_events", "organisations", "users", "sessions", "api_tokens", "centres"}

// snapshot counts the rows of every watched table.
func snapshot(t *testing.T, e *testenv.Env) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tb := range watchedTables {
		m[tb] = countRows(t, e, tb)
	}
	return m
}

// assertUnchanged fails when any watched table's row count moved since before.
func assertUnchanged(t *testing.T, e *testenv.Env, before map[string]int, what string) {
	t.Helper()
	after := snapshot(t, e)
	for _, tb := range watchedTables {
		if before[tb] != after[tb] {
			t.Errorf("%s changed %s: %d rows before, %d after", what, tb, before[tb], after[tb])
		}
	}
}

// problemBody is the RFC 9457 body the API answers errors with.
type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Fields []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"fields"`
	RequestID string `json:"request_id"`
}

// readProblem checks that resp is a problem+json answer with a Chinese
// detail and returns it decoded.
func readProblem(t *testing.T, resp *http.Response, body []byte) problemBody {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json; body %s", ct, body)
	}
	var p problemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body is not JSON: %v: %s", err, body)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("problem status %d, HTTP status %d", p.Status, resp.StatusCode)
	}
	if !hasHan(p.Detail) {
		t.Errorf("problem detail %q is not Chinese", p.Detail)
	}
	if p.RequestID == "" || p.RequestID != resp.Header.Get("X-Request-Id") {
		t.Errorf("problem request_id %q, header X-Request-Id %q", p.RequestID, resp.Header.Get("X-Request-Id"))
	}
	return p
}

// hasField reports whether p names field among its field errors.
func (p problemBody) hasField(field string) bool {
	for _, f := range p.Fields {
		if f.Field == field && hasHan(f.Message) {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// csrfInPage finds the csrf_token hidden field of a rendered form.
var csrfInPage = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func formToken(t *testing.T, html []byte) string {
	t.Helper()
	m := csrfInPage.FindSubmatch(html)
	if m == nil {
		t.Fatalf("no csrf_token field in page:\n%s", html)
	}
	return string(m[1])
}

// postForm submits a browser-style form. It never sends the X-CSRF-Token
// header, so only the form's own csrf_token field (if any) counts.
func postForm(c *testenv.Client, path string, form url.Values) (*http.Response, []byte) {
	noHeader := *c
	noHeader.CSRF = ""
	return noHeader.Do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// freshClient is an anonymous client with an empty cookie jar that does
// not follow redirects, like the ones testenv makes.
func freshClient(e *testenv.Env) *testenv.Client {
	jar, _ := cookiejar.New(nil)
	return &testenv.Client{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, Base: e.HTTP.URL}
}

// cookie returns the named cookie c's jar holds for the test server.
func cookie(t *testing.T, c *testenv.Client, name string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(c.Base)
	for _, k := range c.Jar.Cookies(u) {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// setCookie finds the named cookie among resp's Set-Cookie headers.
func setCookie(resp *http.Response, name string) *http.Cookie {
	for _, k := range resp.Cookies() {
		if k.Name == name {
			return k
		}
	}
	return nil
}
