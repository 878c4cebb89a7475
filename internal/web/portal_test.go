package web_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/auth"
	"ggzy/internal/portal"
	"ggzy/internal/portal/fixture"
	"ggzy/internal/testenv"
)

// portalFixture publishes three notices in 昭通 and 曲靖 and leaves one in
// review, straight into the tables the portal reads.
type portalNotices struct {
	road, med, qujing, hidden int64
}

func portalFixture(t *testing.T, e *testenv.Env) portalNotices {
	t.Helper()
	set, err := fixture.New(e.Ctx, e.DB)
	e.Must(err)
	add := func(n fixture.Notice) int64 {
		id, err := set.AddNotice(e.Ctx, n)
		e.Must(err)
		return id
	}
	var p portalNotices
	p.road = add(fixture.Notice{Title: "昭阳区青石坪镇农村公路提升改造工程招标公告", Body: "项目位于青石坪镇。\n投标截止时间见招标文件。",
		Region: "530602", PublishedAt: testenv.Start.Add(-2 * time.Hour)})
	p.med = add(fixture.Notice{Title: "鲁甸县医疗设备采购项目成交结果公告", Body: "成交金额：119万元。", Kind: "result",
		TradeKind: "procurement", Region: "530621", Amount: 119000000, PublishedAt: testenv.Start.Add(-time.Hour)})
	p.qujing = add(fixture.Notice{Title: "麒麟区 <国有> 土地 & 挂牌出让公告", Body: "宗地位于麒麟区。", Kind: "listing",
		TradeKind: "land", Region: "530302", PublishedAt: testenv.Start.Add(-30 * time.Minute)})
	p.hidden = add(fixture.Notice{Title: "审核中的公告青石坪镇", Body: "青石坪镇", State: "review", Region: "530602"})
	return p
}

func TestPortalAPI(t *testing.T) {
	e := testenv.New(t)
	ids := portalFixture(t, e)
	c := e.Client(auth.Anonymous)

	var page portal.Page
	if st := c.JSON("GET", "/api/v1/portal/notices?region=530600", nil, &page); st != 200 {
		t.Fatalf("list: %d", st)
	}
	if len(page.Items) != 2 || page.Items[0].ID != ids.med || page.Items[1].ID != ids.road || page.Total != 2 {
		t.Errorf("昭通市 notices: %+v", page)
	}
	if st := c.JSON("GET", "/api/v1/portal/notices?q="+url.QueryEscape("青石坪"), nil, &page); st != 200 ||
		len(page.Items) != 1 || page.Items[0].ID != ids.road || page.Items[0].Snippet == nil {
		t.Errorf("search: %d %+v", st, page)
	}
	resp, b := c.Do("GET", "/api/v1/portal/notices?region=12&limit=0", nil, "")
	if p := readProblem(t, resp, b); resp.StatusCode != 422 || len(p.Fields) != 2 {
		t.Errorf("bad filter: %d %+v", resp.StatusCode, p)
	}

	var d portal.Detail
	if st := c.JSON("GET", "/api/v1/portal/notices/"+strconv.FormatInt(ids.med, 10), nil, &d); st != 200 ||
		d.Title != "鲁甸县医疗设备采购项目成交结果公告" || d.Amount != 119000000 {
		t.Errorf("detail: %d %+v", st, d)
	}
	resp, b = c.Do("GET", "/api/v1/portal/notices/"+strconv.FormatInt(ids.hidden, 10), nil, "")
	if p := readProblem(t, resp, b); resp.StatusCode != 404 || p.Code != "not_found" {
		t.Errorf("notice in review: %d %+v", resp.StatusCode, p)
	}

	var st portal.Stats
	if code := c.JSON("GET", "/api/v1/portal/stats?region=530600", nil, &st); code != 200 || st.RegionLevel != "county" {
		t.Errorf("stats: %d %+v", code, st)
	}
	resp, b = c.Do("GET", "/api/v1/portal/stats?year=abc", nil, "")
	if resp.StatusCode != 422 {
		t.Errorf("bad year: %d %s", resp.StatusCode, b)
	}
	resp, b = c.Do("GET", "/api/v1/portal/stats.xlsx", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue(portal.SheetDetail, "A1"); v != "年度" {
		t.Errorf("workbook A1 = %q", v)
	}
	x.Close()

	var h portal.Home
	if code := c.JSON("GET", "/api/v1/portal/home?region=530602", nil, &h); code != 200 || len(h.Latest) != 4 ||
		len(h.Latest[0].Notices) != 1 || h.Latest[0].Notices[0].ID != ids.road {
		t.Errorf("home: %d %+v", code, h)
	}
}

func TestPortalPages(t *testing.T) {
	e := testenv.New(t)
	ids := portalFixture(t, e)
	c := e.Client(auth.Anonymous)
	get := func(path string, want int) string {
		t.Helper()
		resp, b := c.Do("GET", path, nil, "")
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, want, b)
		}
		return string(b)
	}
	home := get("/", 200)
	for _, want := range []string{"青石坪镇农村公路", "鲁甸县医疗设备", `id="home-q"`, `id="headline"`, "麒麟区 &lt;国有&gt; 土地 &amp; 挂牌"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(home, "审核中的公告") {
		t.Error("home page shows a notice in review")
	}
	if zt := get("/?region=530300", 200); strings.Contains(zt, "青石坪镇") || !strings.Contains(zt, "麒麟区") {
		t.Error("home page for 曲靖市 shows the wrong notices")
	}
	if page := get("/centres", 200); !strings.Contains(page, `id="centres"`) || !strings.Contains(page, "昭通市公共资源交易中心") {
		t.Error("centres page")
	}
	list := get("/notices?q="+url.QueryEscape("青石坪"), 200)
	if !strings.Contains(list, "<mark>青石坪</mark>") || strings.Contains(list, "审核中的公告") {
		t.Errorf("search page:\n%s", list)
	}
	if bad := get("/notices?from=yesterday", 422); !strings.Contains(bad, "日期格式应为") {
		t.Error("a bad filter is not explained on the page")
	}
	if detail := get("/notices/"+strconv.FormatInt(ids.road, 10), 200); !strings.Contains(detail, "青石坪镇农村公路提升改造工程招标公告") {
		t.Error("detail page")
	}
	get("/notices/"+strconv.FormatInt(ids.hidden, 10), 404)
	if stats := get("/stats?region=530600&year=2026", 200); !strings.Contains(stats, `id="stats-kind"`) {
		t.Error("stats page")
	}
	resp, b := c.Do("GET", "/stats.xlsx?trade_kind=land", nil, "")
	if resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("stats.xlsx: %d", resp.StatusCode)
	}

	resp, b = c.Do("GET", "/feeds/notices.xml?trade_kind=land", nil, "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/rss+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var feed struct {
		Items []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(b, &feed); err != nil {
		t.Fatalf("feed is not XML: %v", err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Title != "麒麟区 <国有> 土地 & 挂牌出让公告" ||
		feed.Items[0].Link != e.HTTP.URL+"/notices/"+strconv.FormatInt(ids.qujing, 10) {
		t.Errorf("feed items %+v", feed.Items)
	}
	resp, _ = c.Do("GET", "/feeds/notices.xml?kind=nonsense", nil, "")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("feed with a bad filter: %d", resp.StatusCode)
	}
}
