package portal

import (
	"bytes"
	"context"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
)

// feedItems is how many notices a feed carries.
const feedItems = 50

// feedExcerpt is how many characters of the body an item's description holds.
const feedExcerpt = 200

// RSS 2.0 (https://www.rssboard.org/rss-specification), with an atom:link
// to the feed itself as feed validators ask. encoding/xml escapes every
// text and attribute, and replaces characters XML cannot carry.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	TTL           int       `xml:"ttl"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Category    string  `xml:"category"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// Feed is the RSS 2.0 feed of the newest notices matching f. base is the
// site's address ("https://ggzy.example.cn"), which links are made from.
func (s *Service) Feed(ctx context.Context, a auth.Actor, f Filter, base string) ([]byte, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return nil, err
	}
	f.After, f.Limit = "", feedItems
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p, err := s.list(ctx, f, false)
	if err != nil {
		return nil, err
	}
	bodies, err := s.bodies(ctx, p.Items)
	if err != nil {
		return nil, err
	}
	base = strings.TrimRight(base, "/")
	query := f.Values().Encode()
	list, self := base+"/notices", base+"/feeds/notices.xml"
	if query != "" {
		list, self = list+"?"+query, self+"?"+query
	}
	ch := rssChannel{
		Title: "公共资源交易信息网 · " + s.describe(ctx, f), Link: list, Language: "zh-cn", TTL: 15,
		Description:   "按所选条件列出的最新公告公示，发布时间以平台服务器时间为准",
		LastBuildDate: rfc822(s.Clock.Now()),
		Self:          rssSelf{Href: self, Rel: "self", Type: "application/rss+xml"},
	}
	for _, it := range p.Items {
		link := base + "/notices/" + strconv.FormatInt(it.ID, 10)
		ch.Items = append(ch.Items, rssItem{
			Title: it.Title, Link: link, GUID: rssGUID{IsPermaLink: true, Value: link},
			PubDate: rfc822(it.PublishedAt), Category: it.KindLabel,
			Description: it.TradeKindLabel + " · " + it.RegionName + " · " + excerpt(bodies[it.ID], feedExcerpt),
		})
	}
	return encodeFeed(ch)
}

// encodeFeed writes the RSS document.
func encodeFeed(ch rssChannel) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(rssDoc{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: ch}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rfc822 is RSS's date format, in Beijing time.
func rfc822(t time.Time) string { return t.In(clock.Shanghai).Format(time.RFC1123Z) }

// excerpt is the first n characters of s with white space collapsed.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// bodies reads the bodies of the listed notices.
func (s *Service) bodies(ctx context.Context, items []Summary) (map[int64]string, error) {
	out := map[int64]string{}
	if len(items) == 0 {
		return out, nil
	}
	args := make([]any, len(items))
	for i, it := range items {
		args[i] = it.ID
	}
	rows, err := s.DB.Query(ctx, "SELECT id, body FROM notices WHERE id IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		out[id] = body
	}
	return out, rows.Err()
}

// describe names a filter in words, for titles: "工程建设 · 招标公告 · 昭通市".
func (s *Service) describe(ctx context.Context, f Filter) string {
	var parts []string
	if f.TradeKind != "" {
		parts = append(parts, f.TradeKind.Label())
	}
	if f.Kind != "" {
		parts = append(parts, f.Kind.Label())
	}
	if f.Region != "" {
		name := f.Region
		if names, err := s.regionNames(ctx); err == nil && names[f.Region] != "" {
			name = names[f.Region]
		}
		parts = append(parts, name)
	}
	if q := normalizeQuery(f.Query); q != "" {
		parts = append(parts, "检索“"+q+"”")
	}
	if len(parts) == 0 {
		return "全部公告"
	}
	return strings.Join(parts, " · ")
}

// FeedPath is the feed's address for a filter, relative to the site.
func FeedPath(f Filter) string {
	q := f.Values()
	if len(q) == 0 {
		return "/feeds/notices.xml"
	}
	return "/feeds/notices.xml?" + q.Encode()
}
