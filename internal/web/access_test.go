package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// allRoles is every caller the policy knows, the public first.
var allRoles = append([]auth.Role{auth.Anonymous}, auth.Roles...)

// pageOnly are policy actions that no API route names, each with the reason
// it still belongs in the policy. An action that is neither named by a
// route nor listed here is a dead policy entry and fails the test.
var pageOnly = map[auth.Action]string{
	auth.ViewWorkbench: "the HTML workbench (GET /workbench) checks it; the API has no workbench",
}

// fillPath puts ids of real fixture objects into a route pattern, so an
// allowed request reaches the service instead of failing on the path.
func fillPath(t *testing.T, pattern string, ids map[string]int64) string {
	t.Helper()
	p := pattern
	for _, param := range []struct{ prefix, name, value string }{
		{"/api/v1/organisations/", "{id}", strconv.FormatInt(ids["org"], 10)},
		{"/api/v1/tokens/", "{id}", strconv.FormatInt(ids["token"], 10)},
		{"/api/v1/audit/events/", "{seq}", "1"},
		{"/api/v1/calendar/", "{year}", "2026"},
		{"/api/v1/portal/notices/", "{id}", "1"},
		{"/api/v1/guide/", "{matter}", strconv.FormatInt(ids["matter"], 10)},
		{"/api/v1/projects/", "{project}", strconv.FormatInt(ids["project"], 10)},
		{"/api/v1/projects/", "{file}", strconv.FormatInt(ids["file"], 10)},
		{"/api/v1/rooms/", "{id}", strconv.FormatInt(ids["room"], 10)},
		{"/api/v1/rooms/", "{slot}", strconv.FormatInt(ids["reserved_slot"], 10)},
		{"/api/v1/bookings/", "{id}", strconv.FormatInt(ids["booking"], 10)},
		{"/api/v1/centres/", "{code}", "530600"},
		{"/api/v1/notices/", "{notice}", "1"}, // no fixture notice: allowed callers get 404 or 422
		{"/api/v1/notices/", "{file}", "1"},
		{"/api/v1/experts/", "{id}", "1"}, // no fixture expert: allowed callers get 404 or 422
		{"/api/v1/experts/", "{leave}", "1"},
		{"/api/v1/me/expert/leaves/", "{leave}", "1"},
		{"/api/v1/expert-engagements/", "{id}", "1"},
		{"/api/v1/lots/", "{lot}", strconv.FormatInt(ids["lot"], 10)},
		{"/api/v1/lots/", "{response}", "1"},   // no objection yet: allowed callers get 404, 409 or 422
		{"/api/v1/certificates/", "{id}", "1"}, // no fixture certificate: allowed callers get 404 or 422
		{"/api/v1/draws/", "{id}", "1"},        // no fixture draw: allowed callers get 404 or 422
		{"/api/v1/draws/", "{call}", "1"},
		{"/api/v1/invitations/", "{token}", "00000000000000000000000000000000"},
	} {
		if strings.HasPrefix(p, param.prefix) {
			p = strings.Replace(p, param.name, param.value, 1)
		}
	}
	if strings.Contains(p, "{") {
		t.Fatalf("route %s has a path parameter the access test does not know; add it to fillPath", pattern)
	}
	return p
}

// apiRoute is the part of the server's route table the tests read (the
// table's own type is unexported).
type apiRoute struct {
	Method, Pattern string
	Action          auth.Action
}

func routesOf(e *testenv.Env) []apiRoute {
	var out []apiRoute
	for _, rt := range e.Web.Routes() {
		out = append(out, apiRoute{rt.Method, rt.Pattern, rt.Action})
	}
	return out
}

// TestAccessMatrix walks every role through every API route and checks the
// answer against the policy: refused callers get 401 (anonymous) or 403
// (signed in), with a problem body, and change nothing; allowed callers are
// never told 401/403 and never crash the server. The body is always {}, so
// an allowed call usually ends in a validation error, which is fine: it got
// past the gate.
func TestAccessMatrix(t *testing.T) {
	e := testenv.New(t)
	_, tok, err := e.Auth.CreateToken(e.Ctx, e.Actor(auth.Bidder), "矩阵测试", 30)
	e.Must(err)
	ids := map[string]int64{"org": e.Orgs[auth.KindBidder], "token": tok.ID}
	ids["matter"], ids["project"], ids["file"] = intakeFixtures(t, e)
	room, err := e.Venue.CreateRoom(e.Ctx, e.Actor(auth.Staff), venue.NewRoom{Name: "矩阵测试开标厅", Kind: venue.OpeningHall, Capacity: 10})
	e.Must(err)
	ids["room"] = room.ID
	var lot int64
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT min(id) FROM lots WHERE project_id = ?", ids["project"]).Scan(&lot))
	ids["lot"] = lot

	routes := routesOf(e)
	if len(routes) == 0 {
		t.Fatal("no API routes")
	}
	// Signing out must come last, or the role's later calls would be made
	// anonymously and be refused for the wrong reason.
	slices.SortStableFunc(routes, func(a, b apiRoute) int {
		isLogout := func(r apiRoute) int {
			if r.Method == http.MethodDelete && r.Pattern == "/api/v1/session" {
				return 1
			}
			return 0
		}
		return isLogout(a) - isLogout(b)
	})

	refusedSeen, allowedSeen := 0, 0
	for _, role := range allRoles {
		c := e.Client(role)
		for _, rt := range routes {
			name := fmt.Sprintf("%s/%s_%s", roleName(role), rt.Method, rt.Pattern)
			t.Run(name, func(t *testing.T) {
				path := fillPath(t, rt.Pattern, ids)
				var body *strings.Reader
				ct := ""
				if rt.Method != http.MethodGet {
					body, ct = strings.NewReader("{}"), "application/json"
				}
				before := snapshot(t, e)
				var resp *http.Response
				var b []byte
				cc := c
				if strings.HasSuffix(rt.Pattern, "/events") {
					cc = streamClient(c)
				}
				if body != nil {
					resp, b = cc.Do(rt.Method, path, body, ct)
				} else {
					resp, b = cc.Do(rt.Method, path, nil, "")
				}
				allowed := rt.Action == "" || auth.Can(role, rt.Action)
				if allowed {
					allowedSeen++
					if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
						t.Fatalf("%s may call it (action %q) but got %d: %s", roleName(role), rt.Action, resp.StatusCode, b)
					}
					if resp.StatusCode >= 500 {
						t.Fatalf("server error %d: %s", resp.StatusCode, b)
					}
					return
				}
				refusedSeen++
				want := http.StatusForbidden
				if role == auth.Anonymous {
					want = http.StatusUnauthorized
				}
				if resp.StatusCode != want {
					t.Fatalf("%s may not %s: got %d, want %d: %s", roleName(role), rt.Action, resp.StatusCode, want, b)
				}
				p := readProblem(t, resp, b)
				if wantCode := map[int]string{401: "unauthenticated", 403: "forbidden"}[want]; p.Code != wantCode {
					t.Errorf("problem code %q, want %q", p.Code, wantCode)
				}
				assertUnchanged(t, e, before, "refused request")
			})
		}
	}
	// Guard against a matrix that silently tests nothing on one side.
	if refusedSeen == 0 || allowedSeen == 0 {
		t.Fatalf("matrix is one-sided: %d refused, %d allowed", refusedSeen, allowedSeen)
	}
}

// streamClient is c for a live stream (Server-Sent Events), which does not
// end by itself: it reads what arrives within a moment, then hangs up.
func streamClient(c *testenv.Client) *testenv.Client {
	cc := *c
	hc := *c.Client
	hc.Timeout = time.Second
	cc.Client = &hc
	return &cc
}

func roleName(r auth.Role) string {
	if r == auth.Anonymous {
		return "anonymous"
	}
	return string(r)
}

// TestPolicyHasNoDeadActions: every action in the policy is named by some
// API route or is a known page-only action, every route names an action the
// policy knows (an unknown one would be refused for everybody), and the
// page-only list does not rot.
func TestPolicyHasNoDeadActions(t *testing.T) {
	e := testenv.New(t)
	used := map[auth.Action]bool{}
	for _, rt := range routesOf(e) {
		if rt.Action == "" {
			continue // sign-in and sign-out: anyone may try
		}
		used[rt.Action] = true
		if !slices.Contains(auth.Actions(), rt.Action) {
			t.Errorf("route %s %s names action %q, which the policy does not list", rt.Method, rt.Pattern, rt.Action)
		}
	}
	for _, a := range auth.Actions() {
		_, page := pageOnly[a]
		switch {
		case used[a] && page:
			t.Errorf("action %q is listed as page-only but route(s) use it; drop it from pageOnly", a)
		case !used[a] && !page:
			t.Errorf("action %q is in the policy but no route or page uses it", a)
		}
	}
	for a := range pageOnly {
		if !slices.Contains(auth.Actions(), a) {
			t.Errorf("pageOnly lists %q, which is not in the policy", a)
		}
	}
}

// TestWorkbenchFollowsPolicy checks the page-only action workbench.view
// where it is used: the workbench opens exactly for the roles it allows and
// sends the public to sign in.
func TestWorkbenchFollowsPolicy(t *testing.T) {
	e := testenv.New(t)
	for _, role := range allRoles {
		t.Run(roleName(role), func(t *testing.T) {
			resp, b := e.Client(role).Do("GET", "/workbench", nil, "")
			switch {
			case role == auth.Anonymous:
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Fatalf("anonymous: %d %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
				}
			case auth.Can(role, auth.ViewWorkbench):
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
			default:
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d, want 403", resp.StatusCode)
				}
			}
		})
	}
}
