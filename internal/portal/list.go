package portal

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// listCountCap bounds the count of a plain list: beyond it a page says
// "more than 10000", which keeps counting cheaper than the page itself.
// Searches are not counted at all: counting every match of a common term
// would cost far more than finding one page of them.
const listCountCap = 10000

// summaryCols are the columns scanSummary reads, in order.
const summaryCols = `n.id, n.kind, n.trade_kind, n.title, n.region_code, n.project_id, n.published_at, n.ends_at, n.amount`

func scanSummary(row interface{ Scan(...any) error }, extra ...any) (Summary, error) {
	var s Summary
	var published, ends int64
	dest := append([]any{&s.ID, &s.Kind, &s.TradeKind, &s.Title, &s.RegionCode, &s.ProjectID, &published, &ends, &s.Amount}, extra...)
	err := row.Scan(dest...)
	s.PublishedAt, s.EndsAt = db.Time(published), db.Time(ends)
	return s, err
}

// conds gathers the AND-ed conditions of a query and their arguments.
type conds struct {
	sql  []string
	args []any
}

func (c *conds) add(cond string, args ...any) {
	c.sql = append(c.sql, cond)
	c.args = append(c.args, args...)
}

func (c *conds) where() string { return strings.Join(c.sql, " AND ") }

// visible is what every public query starts from: published notices whose
// publication time has come, narrowed by the filter.
func visible(now time.Time, f Filter) conds {
	var c conds
	c.add("n.state = 'published'") // a literal, so the partial indexes apply
	// One upper bound on published_at, the tighter of now and To: given two,
	// SQLite without statistics may start its newest-first scan at the
	// looser one and wade through everything in between.
	if !f.To.IsZero() && !f.To.After(now) {
		c.add("n.published_at < ?", db.Micros(f.To))
	} else {
		c.add("n.published_at <= ?", db.Micros(now))
	}
	if f.TradeKind != "" {
		c.add("n.trade_kind = ?", string(f.TradeKind))
	}
	if f.Kind != "" {
		c.add("n.kind = ?", string(f.Kind))
	}
	if f.Region != "" {
		cond, arg := regionCondition(f.Region)
		c.add(cond, arg)
	}
	if !f.From.IsZero() {
		c.add("n.published_at >= ?", db.Micros(f.From))
	}
	return c
}

// List returns one page of published notices matching f, newest first.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) (Page, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return Page{}, err
	}
	if err := f.Validate(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return s.list(ctx, f, true)
}

// list runs the query; counted asks for the total of a plain list.
func (s *Service) list(ctx context.Context, f Filter, counted bool) (Page, error) {
	now := s.Clock.Now()
	long, short := terms(f.Query)
	searching := len(long)+len(short) > 0
	var cur cursor
	if f.After != "" {
		var err error
		if cur, err = parseCursor(f.After); err != nil {
			return Page{}, err
		}
		// SQLite searches page by search key, everything else by time.
		if cur.key != (searching && s.DB.Dialect() == db.SQLite) {
			var fe errs.Fields
			fe.Add("after", "翻页标记与查询条件不符，请从第一页重新查询")
			return Page{}, fe.Err()
		}
	}
	var p Page
	var err error
	term, part, byCode := codeTerm(long)
	switch {
	case !searching:
		p, err = s.plainList(ctx, now, f, cur, counted)
	case byCode && codeIndex:
		p, err = s.searchCode(ctx, now, f, term, part, long, short, cur)
	case s.DB.Dialect() == db.SQLite:
		p, err = s.searchSQLite(ctx, now, f, long, short, cur)
	default:
		p, err = s.searchPostgres(ctx, now, f, long, short, cur)
	}
	if err != nil {
		return Page{}, err
	}
	names, err := s.regionNames(ctx)
	if err != nil {
		return Page{}, err
	}
	all := append(append([]string{}, long...), short...)
	for i := range p.Items {
		it := &p.Items[i]
		label(it, names)
		if searching {
			it.Snippet = snippetOf(it.body, all)
			it.body = ""
		}
	}
	return p, nil
}

// label fills in the names shown beside the codes.
func label(it *Summary, names map[string]string) {
	it.KindLabel = it.Kind.Label()
	it.TradeKindLabel = it.TradeKind.Label()
	it.RegionName = names[it.RegionCode]
	if it.RegionName == "" {
		it.RegionName = it.RegionCode
	}
}

// plainList reads a page in publication order straight from the list
// indexes (00008_portal.sql) and counts the matches up to listCountCap.
func (s *Service) plainList(ctx context.Context, now time.Time, f Filter, cur cursor, counted bool) (Page, error) {
	c := visible(now, f)
	var p Page
	if counted {
		var err error
		if p.Total, p.TotalCapped, err = s.count(ctx, "notices n WHERE "+c.where(), c.args, listCountCap); err != nil {
			return p, err
		}
	}
	return s.timePage(ctx, c, f.Limit, cur, false, p)
}

// timePage reads one page of the notices matching c ordered by
// (published_at, id), newest first, after cur; withBody also reads the
// body (for snippets).
func (s *Service) timePage(ctx context.Context, c conds, limit int, cur cursor, withBody bool, p Page) (Page, error) {
	if cur != (cursor{}) {
		c.add("(n.published_at, n.id) < (?, ?)", cur.published, cur.id)
	}
	cols := summaryCols
	if withBody {
		cols += ", n.body"
	}
	q := "SELECT " + cols + " FROM notices n WHERE " + c.where() + " ORDER BY n.published_at DESC, n.id DESC LIMIT ?"
	items, _, err := s.readSummaries(ctx, q, append(c.args, limit+1), withBody, false)
	if err != nil {
		return p, err
	}
	p.Items = items
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.Next = cursor{published: db.Micros(last.PublishedAt), id: last.ID}.String()
	}
	return p, nil
}

// readSummaries runs q and scans summaries, then the body and the search
// key when asked for (in that order, after summaryCols).
func (s *Service) readSummaries(ctx context.Context, q string, args []any, withBody, withKey bool) ([]Summary, []int64, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var items []Summary
	var keys []int64
	for rows.Next() {
		var body string
		var key int64
		var extra []any
		if withBody {
			extra = append(extra, &body)
		}
		if withKey {
			extra = append(extra, &key)
		}
		it, err := scanSummary(rows, extra...)
		if err != nil {
			return nil, nil, err
		}
		it.body = body
		items = append(items, it)
		keys = append(keys, key)
	}
	return items, keys, rows.Err()
}

// count counts the rows of "FROM <from>" up to limit.
func (s *Service) count(ctx context.Context, from string, args []any, limit int) (n int, capped bool, err error) {
	q := "SELECT count(*) FROM (SELECT 1 FROM " + from + " LIMIT ?) x"
	if err = s.DB.QueryRow(ctx, q, append(append([]any{}, args...), limit+1)...).Scan(&n); err != nil {
		return 0, false, err
	}
	if n > limit {
		return limit, true, nil
	}
	return n, false, nil
}

// regionNames maps region codes to the names of the centres' regions.
func (s *Service) regionNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, "SELECT region_code, region_name FROM centres")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		m[code] = name
	}
	return m, rows.Err()
}
