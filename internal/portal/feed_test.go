package portal

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"ggzy/internal/portal/fixture"
)

// parsedFeed is what a feed reader takes from the RSS document.
type parsedFeed struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		Links []struct {
			Href  string `xml:"href,attr"`
			Value string `xml:",chardata"`
		} `xml:"link"`
		Items []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			GUID        string `xml:"guid"`
			PubDate     string `xml:"pubDate"`
			Category    string `xml:"category"`
			Description string `xml:"description"`
		} `xml:"item"`
	} `xml:"channel"`
}

func parseFeed(t testing.TB, b []byte) parsedFeed {
	t.Helper()
	var f parsedFeed
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("feed is not XML: %v\n%s", err, b)
	}
	return f
}

// TestFeed: the feed carries the filter's notices with absolute links and
// RFC 822 dates, and escapes whatever a title or body holds.
func TestFeed(t *testing.T) {
	e := newEnv(t)
	nasty := `A&B <b>粗体</b> "引号" 'single' ]]> &amp;`
	id := e.notice(fixture.Notice{Title: nasty, Body: "正文<script>alert(1)</script>\x01结束", Kind: "result",
		TradeKind: "procurement", Region: "530621", PublishedAt: beijing(2026, 11, 20, 9, 30, 0)})
	e.notice(fixture.Notice{Title: "其他地区公告", Region: "530302"})

	b, err := e.svc.Feed(e.ctx, public, Filter{Region: "530600"}, "https://ggzy.example.cn/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", b)
	}
	if strings.Contains(string(b), "<script>") || strings.Contains(string(b), "<b>") {
		t.Errorf("markup from the data reached the feed unescaped:\n%s", b)
	}
	f := parseFeed(t, b)
	if f.Version != "2.0" || f.Channel.Title != "公共资源交易信息网 · 昭通市" {
		t.Errorf("channel: version %q title %q", f.Version, f.Channel.Title)
	}
	var self string
	for _, l := range f.Channel.Links {
		if l.Href != "" {
			self = l.Href
		}
	}
	if self != "https://ggzy.example.cn/feeds/notices.xml?region=530600" {
		t.Errorf("self link %q", self)
	}
	if len(f.Channel.Items) != 1 {
		t.Fatalf("items %d, want the one notice in 昭通市", len(f.Channel.Items))
	}
	it := f.Channel.Items[0]
	link := "https://ggzy.example.cn/notices/" + itoa(id)
	if it.Title != nasty || it.Link != link || it.GUID != link || it.Category != "中标（成交）结果公告" {
		t.Errorf("item %+v", it)
	}
	if pub, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || !pub.Equal(beijing(2026, 11, 20, 9, 30, 0)) {
		t.Errorf("pubDate %q: %v", it.PubDate, err)
	}
	if it.Description != "政府采购 · 鲁甸县 · 正文<script>alert(1)</script>\uFFFD结束" {
		t.Errorf("description %q", it.Description)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzFeedRoundTrip: whatever text a notice holds, the feed is well-formed
// XML and a reader gets the text back — except characters XML cannot
// carry, which become U+FFFD.
func FuzzFeedRoundTrip(f *testing.F) {
	for _, s := range []string{"普通标题", `<>&"'`, "]]>", "\x00\x01\x1f", "\r\n\t", "\xff\xfe", "\U0010FFFF", "&amp;#x0;"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, title, desc string) {
		ch := rssChannel{Title: title, Link: "http://x/notices", Self: rssSelf{Href: "http://x/feeds/notices.xml?q=" + title},
			Items: []rssItem{{Title: title, Description: desc, Link: "http://x/notices/1", GUID: rssGUID{Value: "http://x/notices/1"}}}}
		b, err := encodeFeed(ch)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		got := parseFeed(t, b)
		if len(got.Channel.Items) != 1 {
			t.Fatalf("items: %d", len(got.Channel.Items))
		}
		if w := xmlText(title); got.Channel.Items[0].Title != w {
			t.Errorf("title %q came back as %q, want %q", title, got.Channel.Items[0].Title, w)
		}
		if w := xmlText(desc); got.Channel.Items[0].Description != w {
			t.Errorf("description %q came back as %q, want %q", desc, got.Channel.Items[0].Description, w)
		}
	})
}

// xmlText is s as an XML reader returns it after encoding/xml wrote it:
// invalid UTF-8 and characters outside XML's Char production replaced,
// and line ends normalised as XML 1.0 §2.11 requires.
func xmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		ok := r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if r == utf8.RuneError && n == 1 || !ok {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
