package web_test

// Browser tests: the main pages in a real headless Chromium (Debian package
// "chromium"), driven through the DevTools protocol by chromedp.
//
// The browser is /usr/bin/chromium, or the one named by GGZY_CHROMIUM. When
// it is missing the tests skip, except under CI=true, where they must run.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
)

// browserTimeout bounds everything one test does in the browser, start
// included.
const browserTimeout = 60 * time.Second

// browser starts a fresh headless Chromium for t and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("GGZY_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test: chromium not found at %s (%v); CI must install it (apt-get install chromium fonts-noto-cjk)", path, err)
		}
		t.Skipf("chromium not found at %s; set GGZY_CHROMIUM or install the Debian package chromium", path)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	profile := t.TempDir() // removed after the browser below has exited (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
		// The machines that run the tests have no internet: keep Chromium
		// from reaching out, or it stalls.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelBrowser() // closes the tab and the browser, and waits for them
		cancelAlloc()
		cancelTimeout()
	})
	// Start the browser now, so that a failure to start is reported as such.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	// Answer any JavaScript dialog (confirm before irreversible actions)
	// with OK, as a user who means it would.
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			t.Logf("browser dialog %s: %q — accepting", ev.Type, ev.Message)
			if _, err := chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				t.Logf("accept dialog: %v", err)
			}
		}
	}()
	return bctx
}

// do runs steps that do not navigate.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// load runs steps that make the tab load a page (a link, a form) and waits
// for it; it fails unless the final response is 2xx. It returns the page's
// URL after redirects.
func load(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) *url.URL {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil || resp.Status < 200 || resp.Status > 299 {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		status := int64(0)
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("%s: status %d; page:\n%s", what, status, body)
	}
	u, err := url.Parse(resp.URL)
	if err != nil {
		t.Fatalf("%s: url %q: %v", what, resp.URL, err)
	}
	return u
}

// text returns the text of the first element with the CSS selector sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// signIn goes to the sign-in page by the header link and signs in.
func signIn(t *testing.T, ctx context.Context, base, username, password string) {
	t.Helper()
	load(t, ctx, "open home page", chromedp.Navigate(base+"/"))
	u := load(t, ctx, "click 登录", chromedp.Click(chromedp.Search(`//header//a[normalize-space(.)="登录"]`)))
	if u.Path != "/login" {
		t.Fatalf("登录 link went to %s, want /login", u)
	}
	do(t, ctx, "fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password))
	u = load(t, ctx, "submit the sign-in form", chromedp.Click(chromedp.ID("login-submit")))
	if u.Path != "/workbench" {
		body := text(t, ctx, "main")
		t.Fatalf("after sign-in as %s the browser is at %s, want /workbench; page:\n%s", username, u, body)
	}
}

func TestBrowserStaffSignIn(t *testing.T) {
	ctx := browser(t)
	e := testenv.New(t)
	signIn(t, ctx, e.HTTP.URL, e.Users[auth.Staff], testenv.Password)

	if got := text(t, ctx, "#workbench-title"); !strings.Contains(got, "工作台") {
		t.Errorf("workbench title = %q, want it to contain 工作台", got)
	}
	if got := text(t, ctx, "#workbench-cards"); !strings.Contains(got, "单位注册审核") {
		t.Errorf("workbench cards = %q, want 单位注册审核 among them", got)
	}
	name := "测试" + auth.Staff.Label()
	if got := text(t, ctx, "#who"); !strings.Contains(got, name) {
		t.Errorf("header shows %q, want the user's name %q", got, name)
	}

	// The clock shows the server's time (the fake clock, not the machine's)
	// and ticks in the page.
	first := text(t, ctx, "#server-time")
	want := testenv.Start.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:0")
	if !strings.HasPrefix(first, want) {
		t.Errorf("#server-time = %q, want the server's time %s…", first, want)
	}
	began := time.Now()
	next, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(function () { var s = document.getElementById('server-time').textContent.trim(); return s !== `+strconv.Quote(first)+` && s; })()`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second)))
	if err != nil {
		t.Fatalf("#server-time stayed %q: %v", first, err)
	}
	if d := time.Since(began); d > 2500*time.Millisecond {
		t.Errorf("#server-time took %v to change from %q to %q, want at most about 2 s", d, first, next)
	}
	t.Logf("#server-time ticked %q → %q", first, next)

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("GGZY_SCREENSHOT")
	if out == "" {
		out = "/tmp/ggzy-workbench.png"
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Logf("write screenshot: %v", err)
	} else {
		t.Logf("workbench screenshot: %s", out)
	}
}

func TestBrowserRegisterApproveSignIn(t *testing.T) {
	ctx := browser(t)
	e := testenv.New(t)
	base := e.HTTP.URL

	// A bidder registers through the public form.
	const (
		orgName  = "昭通浏览器测试建设有限公司"
		username = "webbidder1"
		password = "Bidder-pass-2026"
		realName = "王浏览"
	)
	load(t, ctx, "open /register", chromedp.Navigate(base+"/register"))
	field := func(name string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`#register-form [name=%q]`, name)) }
	do(t, ctx, "fill in the registration form",
		chromedp.SetValue(field("kind"), string(auth.KindBidder)),
		chromedp.SendKeys(field("org_name"), orgName),
		chromedp.SendKeys(field("credit_code"), testenv.CreditCode("530600")),
		chromedp.SetValue(field("centre_code"), "530600"),
		chromedp.SendKeys(field("legal_rep"), "王法人"),
		chromedp.SendKeys(field("contact_name"), "李联系"),
		chromedp.SendKeys(field("contact_phone"), "13600000009"),
		chromedp.SendKeys(field("username"), username),
		chromedp.SendKeys(field("display_name"), realName),
		chromedp.SendKeys(field("id_number"), testenv.IDNumber()),
		chromedp.SendKeys(field("phone"), "13500000009"),
		chromedp.SendKeys(field("password"), password),
		chromedp.SendKeys(field("password2"), password),
	)
	u := load(t, ctx, "submit the registration", chromedp.Click(chromedp.CSS(`#register-form button[type=submit]`)))
	if u.Path != "/login" {
		t.Fatalf("after registering the browser is at %s, want /login; page:\n%s", u, text(t, ctx, "main"))
	}
	if got := text(t, ctx, "p.flash"); !strings.Contains(got, "注册已提交") {
		t.Errorf("flash after registering = %q, want 注册已提交…", got)
	}

	// Not yet approved: the bidder cannot sign in.
	do(t, ctx, "try to sign in before approval",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("login-submit")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status < 400 {
		t.Errorf("sign-in of a pending organisation's user: status %d, want an error", resp.Status)
	}
	t.Logf("before approval: %d %s", resp.Status, text(t, ctx, "#login-error"))

	// A centre staff member approves it in the browser.
	signIn(t, ctx, base, e.Users[auth.Staff], testenv.Password)
	load(t, ctx, "open pending organisations", chromedp.Navigate(base+"/workbench/organisations?status=pending"))
	u = load(t, ctx, "open the new organisation",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//table[@id="orgs"]//a[normalize-space(.)=%q]`, orgName))))
	if !strings.HasPrefix(u.Path, "/workbench/organisations/") {
		t.Fatalf("organisation link went to %s", u)
	}
	if got := text(t, ctx, "#org-status"); !strings.Contains(got, auth.Pending.Label()) {
		t.Errorf("status before the decision = %q, want %s", got, auth.Pending.Label())
	}
	load(t, ctx, "click 通过", chromedp.Click(chromedp.ID("approve")))
	if got := text(t, ctx, "#org-status"); !strings.Contains(got, "已通过") {
		t.Errorf("status after 通过 = %q, want 已通过", got)
	}
	if got := text(t, ctx, "p.flash"); !strings.Contains(got, "已通过") {
		t.Errorf("flash after 通过 = %q, want 已通过", got)
	}
	do(t, ctx, "approve button gone", chromedp.WaitNotPresent(chromedp.ID("approve")))
	load(t, ctx, "sign out", chromedp.Click(chromedp.ID("logout")))

	// Now the bidder signs in.
	signIn(t, ctx, base, username, password)
	if got := text(t, ctx, "#workbench-title"); !strings.Contains(got, "工作台") {
		t.Errorf("bidder workbench title = %q, want …工作台", got)
	}
	if got := text(t, ctx, "#who"); !strings.Contains(got, realName) || !strings.Contains(got, orgName) {
		t.Errorf("header shows %q, want %s of %s", got, realName, orgName)
	}
}
