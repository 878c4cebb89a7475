package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
)

// workbenchPages are the signed-in pages and the policy action that guards
// each.
var workbenchPages = []struct {
	path   string
	action auth.Action
}{
	{"/workbench", auth.ViewWorkbench},
	{"/workbench/organisations", auth.ListOrgs},
	{"/workbench/tokens", auth.ManageTokens},
	{"/workbench/audit", auth.ReadAudit},
	{"/workbench/bids", auth.ViewOpening},
}

// TestPagesRenderForEveryRole: every page answers every role sensibly —
// public pages render, workbench pages send the public to sign in and
// refuse roles the policy refuses with an error page — and every rendered
// page shows the server's time (from the fake clock, not the visitor's).
func TestPagesRenderForEveryRole(t *testing.T) {
	e := testenv.New(t)
	serverTime := `id="server-time" data-now="` + strconv.FormatInt(testenv.Start.UnixMilli(), 10) + `">2026-11-25 09:00:00<`
	for _, role := range allRoles {
		c := e.Client(role)
		type want struct {
			path   string
			status int
		}
		wants := []want{{"/", 200}, {"/login", 200}, {"/register", 200}}
		for _, p := range workbenchPages {
			switch {
			case role == auth.Anonymous:
				wants = append(wants, want{p.path, http.StatusSeeOther})
			case auth.Can(role, p.action):
				wants = append(wants, want{p.path, http.StatusOK})
			default:
				wants = append(wants, want{p.path, http.StatusForbidden})
			}
		}
		for _, w := range wants {
			t.Run(roleName(role)+w.path, func(t *testing.T) {
				resp, b := c.Do("GET", w.path, nil, "")
				if resp.StatusCode != w.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, w.status)
				}
				if w.status == http.StatusSeeOther {
					if loc := resp.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(w.path) {
						t.Errorf("Location %q, want /login?next=%s", loc, w.path)
					}
					return
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type %q", ct)
				}
				if !strings.Contains(string(b), serverTime) {
					t.Errorf("page lacks the server time element %s", serverTime)
				}
				if w.status == http.StatusForbidden && !strings.Contains(string(b), "您无权执行此操作") {
					t.Errorf("403 page does not say why")
				}
			})
		}
	}
}

// cardsOf returns the workbench's card section.
func cardsOf(t *testing.T, page []byte) string {
	t.Helper()
	s := string(page)
	i := strings.Index(s, `id="workbench-cards"`)
	if i < 0 {
		t.Fatalf("no cards section")
	}
	j := strings.Index(s[i:], "</div>")
	return s[i : i+j]
}

// TestWorkbenchCards: each role sees the cards for what it can do and not
// the others.
func TestWorkbenchCards(t *testing.T) {
	e := testenv.New(t)
	const (
		approve = "单位注册审核"
		orgs    = "单位查询"
		audit   = "审计追溯"
		tokens  = "API 令牌"
		own     = "本单位信息"
	)
	all := []string{approve, orgs, audit, tokens, own}
	for _, tc := range []struct {
		role auth.Role
		sees []string
	}{
		{auth.Tenderer, []string{tokens, own}},
		{auth.Agent, []string{tokens, own}},
		{auth.Bidder, []string{tokens, own}},
		{auth.Expert, []string{own}},
		{auth.Staff, []string{approve, orgs, tokens, own}},
		{auth.Supervisor, []string{orgs, audit, own}},
		{auth.Admin, all},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			resp, b := e.Client(tc.role).Do("GET", "/workbench", nil, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			cards := cardsOf(t, b)
			for _, card := range all {
				want := false
				for _, s := range tc.sees {
					want = want || s == card
				}
				if got := strings.Contains(cards, "<h3>"+card+"</h3>"); got != want {
					t.Errorf("card %s shown=%v, want %v", card, got, want)
				}
			}
		})
	}
}

// orgStatus reads an organisation's status and its users' statuses.
func orgStatus(t *testing.T, e *testenv.Env, id int64) (org string, users []string) {
	t.Helper()
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT status FROM organisations WHERE id = ?", id).Scan(&org))
	rows, err := e.DB.Query(e.Ctx, "SELECT status FROM users WHERE org_id = ?", id)
	e.Must(err)
	defer rows.Close()
	for rows.Next() {
		var s string
		e.Must(rows.Scan(&s))
		users = append(users, s)
	}
	return org, users
}

// pendingOrg registers an organisation through the public path and leaves
// it pending.
func pendingOrg(t *testing.T, e *testenv.Env, username string) int64 {
	t.Helper()
	org, _, err := e.Auth.Register(e.Ctx, auth.Public("127.0.0.1"), auth.Registration{OrgName: "待审核单位" + username,
		Kind: auth.KindBidder, CreditCode: testenv.CreditCode("530602"), CentreCode: "530602", LegalRep: "法人",
		ContactName: "联系人", ContactPhone: "13600000000", Username: username, DisplayName: "新用户",
		IDNumber: testenv.IDNumber(), Phone: "13500000000", Password: testenv.Password})
	e.Must(err)
	return org.ID
}

// TestDecideRegistrationByForm: centre staff approve a registration with
// the HTML form (the token comes from the page, as in a browser); returning
// one needs a reason, and without it the form shows the field error and
// nothing changes. Roles that may not decide do not get the form and are
// refused if they post it anyway.
func TestDecideRegistrationByForm(t *testing.T) {
	e := testenv.New(t)
	staff := e.Client(auth.Staff)
	toApprove := pendingOrg(t, e, "pending1")
	toReject := pendingOrg(t, e, "pending2")
	decision := func(id int64) string { return "/workbench/organisations/" + strconv.FormatInt(id, 10) + "/decision" }
	orgPath := func(id int64) string { return "/workbench/organisations/" + strconv.FormatInt(id, 10) }

	t.Run("approve", func(t *testing.T) {
		resp, page := staff.Do("GET", orgPath(toApprove), nil, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="decide-form"`) {
			t.Fatalf("org page: %d, decide form shown: %v", resp.StatusCode, strings.Contains(string(page), `id="decide-form"`))
		}
		resp, b := postForm(staff, decision(toApprove), url.Values{"csrf_token": {formToken(t, page)}, "approve": {"1"}, "reason": {""}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), orgPath(toApprove)+"?flash=") {
			t.Fatalf("decision: %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), b)
		}
		org, users := orgStatus(t, e, toApprove)
		if org != "approved" || len(users) != 1 || users[0] != "active" {
			t.Fatalf("after approval: org %s, users %v", org, users)
		}
		// The page now shows the new state and no form.
		_, page = staff.Do("GET", resp.Header.Get("Location"), nil, "")
		if !strings.Contains(string(page), "已通过") || strings.Contains(string(page), `id="decide-form"`) {
			t.Error("approved org page still offers a decision")
		}
		// The new user can sign in.
		var out map[string]any
		if st := freshClient(e).JSON("POST", "/api/v1/session", map[string]string{"username": "pending1", "password": testenv.Password}, &out); st != http.StatusOK {
			t.Errorf("approved user sign-in: %d", st)
		}
	})

	t.Run("reject without reason", func(t *testing.T) {
		_, page := staff.Do("GET", orgPath(toReject), nil, "")
		before := snapshot(t, e)
		resp, b := postForm(staff, decision(toReject), url.Values{"csrf_token": {formToken(t, page)}, "approve": {"0"}, "reason": {"  "}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", resp.StatusCode)
		}
		if !strings.Contains(string(b), `<span class="field-error">退回理由不能为空</span>`) {
			t.Errorf("the form does not show the reason's field error")
		}
		assertUnchanged(t, e, before, "reject without reason")
		if org, _ := orgStatus(t, e, toReject); org != "pending" {
			t.Errorf("org status %s, want pending", org)
		}
	})

	t.Run("others may not decide", func(t *testing.T) {
		for _, role := range []auth.Role{auth.Bidder, auth.Supervisor} {
			c := e.Client(role)
			resp, page := c.Do("GET", orgPath(toReject), nil, "")
			if strings.Contains(string(page), `id="decide-form"`) {
				t.Errorf("%s is offered the decision form", role)
			}
			// A bidder does not even see another organisation; a
			// supervisor sees it but may not decide.
			if want := map[auth.Role]int{auth.Bidder: 404, auth.Supervisor: 200}[role]; resp.StatusCode != want {
				t.Errorf("%s org page: %d, want %d", role, resp.StatusCode, want)
			}
			_, wb := c.Do("GET", "/workbench", nil, "")
			before := snapshot(t, e)
			resp, _ = postForm(c, decision(toReject), url.Values{"csrf_token": {formToken(t, wb)}, "approve": {"1"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s posting a decision: %d, want 403", role, resp.StatusCode)
			}
			assertUnchanged(t, e, before, string(role)+" decision")
		}
		if org, _ := orgStatus(t, e, toReject); org != "pending" {
			t.Errorf("org status %s, want pending", org)
		}
	})
}
