package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ggzy/internal/testenv"
)

// TestBrowserPortalSearchAndFilter: a visitor searches from the home page,
// then narrows the list by region and notice kind with the filter form.
func TestBrowserPortalSearchAndFilter(t *testing.T) {
	ctx := browser(t)
	e := testenv.New(t)
	portalFixture(t, e)
	base := e.HTTP.URL

	load(t, ctx, "open the home page", chromedp.Navigate(base+"/"))
	if got := text(t, ctx, "#latest-construction"); !strings.Contains(got, "青石坪镇农村公路") {
		t.Errorf("latest construction notices = %q", got)
	}
	do(t, ctx, "type a search", chromedp.SendKeys(chromedp.ID("home-q"), "青石坪镇"))
	u := load(t, ctx, "search", chromedp.Click(chromedp.CSS(`#home-search button`)))
	if u.Path != "/notices" || u.Query().Get("q") != "青石坪镇" {
		t.Fatalf("search went to %s", u)
	}
	rows := text(t, ctx, "#notices tbody")
	if !strings.Contains(rows, "青石坪镇农村公路提升改造工程招标公告") || strings.Contains(rows, "审核中") {
		t.Errorf("search results:\n%s", rows)
	}
	if got := text(t, ctx, "#notices mark"); got != "青石坪镇" {
		t.Errorf("marked match = %q", got)
	}

	load(t, ctx, "open the list", chromedp.Navigate(base+"/notices"))
	do(t, ctx, "choose 昭通市 and result notices",
		chromedp.SetValue(chromedp.ID("region"), "530600"),
		chromedp.SetValue(chromedp.ID("kind"), "result"))
	u = load(t, ctx, "filter", chromedp.Click(chromedp.ID("filter-submit")))
	if u.Query().Get("region") != "530600" || u.Query().Get("kind") != "result" {
		t.Fatalf("filter went to %s", u)
	}
	rows = text(t, ctx, "#notices tbody")
	if !strings.Contains(rows, "鲁甸县医疗设备采购项目成交结果公告") || strings.Contains(rows, "青石坪") || strings.Contains(rows, "麒麟区") {
		t.Errorf("filtered rows:\n%s", rows)
	}
	if got := text(t, ctx, "#result-count"); got != "共 1 条公告" {
		t.Errorf("count = %q", got)
	}
}
