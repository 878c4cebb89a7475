package portal

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// Page sizes: a caller may ask for up to MaxLimit notices at a time.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxQueryRunes bounds a search text; longer ones are refused, not cut.
	MaxQueryRunes = 50
)

// Filter says which published notices a list shows. The zero value is
// "everything, newest first".
type Filter struct {
	TradeKind tender.TradeKind // "" = every kind of trading
	Kind      NoticeKind       // "" = every kind of notice
	// Region is a GB/T 2260 code; a province or prefecture covers every
	// region inside it (centre.Prefix).
	Region string
	// From and To bound the publication time: From ≤ published_at < To.
	// Zero means unbounded.
	From, To time.Time
	// Query is the search text: whitespace-separated terms, all of which
	// must occur (see search.go).
	Query string
	// After is the cursor of the previous page's last notice ("" = first page).
	After string
	Limit int
}

// ParseFilter reads a filter from a query string, as the pages, the API and
// the feeds take it: trade_kind, kind, region, from and to (yyyy-mm-dd,
// Beijing time, both days included), q, after, limit.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	var fe errs.Fields
	f.TradeKind = tender.TradeKind(strings.TrimSpace(q.Get("trade_kind")))
	f.Kind = NoticeKind(strings.TrimSpace(q.Get("kind")))
	f.Region = strings.TrimSpace(q.Get("region"))
	f.Query = q.Get("q")
	f.After = q.Get("after")
	for _, d := range []struct {
		name string
		dst  *time.Time
		next bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		v := strings.TrimSpace(q.Get(d.name))
		if v == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", v, clock.Shanghai)
		if err != nil {
			fe.Add(d.name, "日期格式应为 2006-01-02")
			continue
		}
		if d.next {
			day = day.AddDate(0, 0, 1) // the whole last day
		}
		*d.dst = day.UTC()
	}
	f.Limit = DefaultLimit
	if v := strings.TrimSpace(q.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "每页条数须为 1 至 %d 之间的整数", MaxLimit)
		} else {
			f.Limit = n
		}
	}
	f.validate(&fe)
	if err := fe.Err(); err != nil {
		return Filter{}, err
	}
	return f, nil
}

// Validate checks every field and names the ones that are wrong.
func (f Filter) Validate() error {
	var fe errs.Fields
	f.validate(&fe)
	return fe.Err()
}

func (f Filter) validate(fe *errs.Fields) {
	if f.TradeKind != "" && f.TradeKind.Label() == "" {
		fe.Add("trade_kind", "交易类别须为 construction（工程建设）、procurement（政府采购）、land（土地使用权）或 property（国有产权）")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fe.Add("kind", "公告类型不存在")
	}
	if f.Region != "" {
		if err := centre.ValidateCode(f.Region); err != nil {
			fe.Add("region", "%s", errs.As(err).Message)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fe.Add("to", "结束日期不能早于开始日期")
	}
	if !utf8.ValidString(f.Query) {
		fe.Add("q", "检索词含有无效字符")
	} else if n := utf8.RuneCountInString(normalizeQuery(f.Query)); n > MaxQueryRunes {
		fe.Add("q", "检索词不能超过 %d 个字", MaxQueryRunes)
	} else if long, short := terms(f.Query); len(long)+len(short) > MaxTerms {
		fe.Add("q", "最多可用 %d 个以空格分隔的检索词", MaxTerms)
	} else {
		for _, t := range short {
			if utf8.RuneCountInString(t) < MinTermRunes {
				fe.Add("q", "检索词“%s”太短：每个检索词至少 %d 个字", t, MinTermRunes)
				break
			}
		}
	}
	if f.After != "" {
		if _, err := parseCursor(f.After); err != nil {
			fe.Add("after", "翻页标记无效，请从第一页重新查询")
		}
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		fe.Add("limit", "每页条数须为 1 至 %d 之间的整数", MaxLimit)
	}
}

// Values is the filter as a query string (without the cursor and limit),
// for links to the next page, the feed and the export.
func (f Filter) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("trade_kind", string(f.TradeKind))
	set("kind", string(f.Kind))
	set("region", f.Region)
	if !f.From.IsZero() {
		v.Set("from", f.From.In(clock.Shanghai).Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.In(clock.Shanghai).AddDate(0, 0, -1).Format("2006-01-02"))
	}
	set("q", normalizeQuery(f.Query))
	return v
}

// regionCondition is the SQL condition for a region filter: a province or
// prefecture matches by prefix, using the index on the prefecture prefix
// where it can.
func regionCondition(code string) (string, string) {
	p := centre.Prefix(code)
	switch len(p) {
	case 2:
		return "substr(n.region_code, 1, 2) = ?", p
	case 4:
		return "substr(n.region_code, 1, 4) = ?", p
	}
	return "n.region_code = ?", code
}

// cursor marks where a page ended. Lists go by (published_at, id); searches
// on SQLite go by the search key, which sorts the same way (00008_portal.sql).
type cursor struct {
	key       bool
	published int64
	id        int64
}

func (c cursor) String() string {
	if c.key {
		return "k" + strconv.FormatInt(c.published, 10)
	}
	return "t" + strconv.FormatInt(c.published, 10) + "." + strconv.FormatInt(c.id, 10)
}

func parseCursor(s string) (cursor, error) {
	bad := errs.E(errs.Invalid, "翻页标记无效")
	if len(s) < 2 || len(s) > 41 {
		return cursor{}, bad
	}
	num := func(v string) (int64, bool) {
		// One spelling per value: no sign, no leading zeros.
		if v == "" || v[0] < '0' || v[0] > '9' || (len(v) > 1 && v[0] == '0') {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0
	}
	switch s[0] {
	case 'k':
		n, ok := num(s[1:])
		if !ok {
			return cursor{}, bad
		}
		return cursor{key: true, published: n}, nil
	case 't':
		a, b, found := strings.Cut(s[1:], ".")
		p, ok1 := num(a)
		id, ok2 := num(b)
		if !found || !ok1 || !ok2 {
			return cursor{}, bad
		}
		return cursor{published: p, id: id}, nil
	}
	return cursor{}, bad
}
