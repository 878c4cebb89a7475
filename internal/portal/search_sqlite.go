package portal

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/db"
)

// On SQLite a search reads the FTS5 trigram index (00008_portal.sql),
// whose rowid is the search key: the publication time, nudged to be
// unique. FTS5 returns matches in key order, newest first, so a search
// stops after one page however common its terms are; the filters are
// checked on each match. Pages continue from the last key.

// recentScanBudget is how many of the newest notices a search tests term
// by term before it turns to an index: a common term fills a page within
// them, a rare one is cheaper to look up. (SQLite: searches with only
// two-character terms; PostgreSQL: every search.) A variable so tests can
// make it small.
var recentScanBudget = 3000

// maxExpansion bounds the trigrams a two-character term may expand to
// before an index lookup costs more than a scan.
const maxExpansion = 400

// keySlack lets the key bound admit notices whose key sits just above their
// publication time; the exact check is on n.published_at.
const keySlack = time.Minute

// The joins below are CROSS JOINs: in SQLite that fixes the join order
// (index first, then each match's notice by primary key) whatever the
// planner's statistics say — or fail to say, in a database nobody has run
// ANALYZE on, where it would otherwise walk a million notices and probe
// the index for each.
const searchJoin = " FROM notice_search CROSS JOIN notice_search_keys k ON k.key = notice_search.rowid" +
	" CROSS JOIN notices n ON n.id = k.notice_id WHERE "

func (s *Service) searchSQLite(ctx context.Context, now time.Time, f Filter, long, short []string, cur cursor) (Page, error) {
	c := visible(now, f)
	for _, t := range short {
		c.add(`n.title LIKE ? ESCAPE '\'`, likePattern(t))
	}
	if len(long) > 0 {
		return s.matchPage(ctx, now, ftsQuery(long), c, f.Limit, cur)
	}
	// Only short terms, which the trigram index cannot look up directly.
	p, full, err := s.keyScanPage(ctx, now, c, f.Limit, cur, recentScanBudget)
	if err != nil || full {
		return p, err
	}
	match, ok, err := s.expandShort(ctx, short)
	if err != nil {
		return Page{}, err
	}
	if !ok {
		p, _, err = s.keyScanPage(ctx, now, c, f.Limit, cur, 0)
		return p, err
	}
	if match == "" {
		return Page{}, nil // some term occurs in no title at all
	}
	return s.matchPage(ctx, now, match, c, f.Limit, cur)
}

// matchCap is how many matches a term may have for matchPage to collect
// them all and sort them, rather than read the index newest first. A
// variable so tests can take either way.
var matchCap = 1000

// matchPage reads one page of the notices that match the FTS5 expression
// and the conditions, in key order after cur. FTS5 reads its index fastest
// in ascending rowid order, and a rare term has few matches: those are
// collected in one pass and sorted. Only a term with more than matchCap
// matches is read newest first, where the page fills early.
func (s *Service) matchPage(ctx context.Context, now time.Time, match string, c conds, limit int, cur cursor) (Page, error) {
	top := db.Micros(now.Add(keySlack))
	keys, err := s.matchKeys(ctx, match, top)
	if err != nil {
		return Page{}, err
	}
	if len(keys) <= matchCap {
		return s.keysPage(ctx, keys, c, limit, cur)
	}
	bounds := "notice_search MATCH ? AND notice_search.rowid <= ?"
	args := []any{match, top}
	if cur.key {
		bounds += " AND notice_search.rowid < ?"
		args = append(args, cur.published)
	}
	q := "SELECT " + summaryCols + ", n.body, notice_search.rowid" + searchJoin + bounds + " AND " + c.where() +
		" ORDER BY notice_search.rowid DESC LIMIT ?"
	args = append(append(args, c.args...), limit+1)
	items, ks, err := s.readSummaries(ctx, q, args, true, true)
	return keyed(items, ks, limit), err
}

// matchKeys lists the search keys matching the expression, up to one more
// than matchCap, in the index's own order.
func (s *Service) matchKeys(ctx context.Context, match string, top int64) ([]any, error) {
	rows, err := s.DB.Query(ctx, "SELECT rowid FROM notice_search WHERE notice_search MATCH ? AND rowid <= ? LIMIT ?",
		match, top, matchCap+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []any
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// keysPage reads one page of the notices with the given search keys that
// meet the conditions, newest first, after cur.
func (s *Service) keysPage(ctx context.Context, keys []any, c conds, limit int, cur cursor) (Page, error) {
	if len(keys) == 0 {
		return Page{}, nil
	}
	c.add("k.key IN ("+db.Placeholders(len(keys))+")", keys...)
	if cur.key {
		c.add("k.key < ?", cur.published)
	}
	q := "SELECT " + summaryCols + ", n.body, k.key FROM notice_search_keys k CROSS JOIN notices n ON n.id = k.notice_id WHERE " +
		c.where() + " ORDER BY k.key DESC LIMIT ?"
	items, ks, err := s.readSummaries(ctx, q, append(c.args, limit+1), true, true)
	return keyed(items, ks, limit), err
}

// keyScanPage reads notices in key order and checks the conditions (the
// short terms' LIKE among them) on each. With budget > 0 it looks at no
// more than that many keys and reports whether the page filled; a page
// that did not fill may be missing older matches.
func (s *Service) keyScanPage(ctx context.Context, now time.Time, c conds, limit int, cur cursor, budget int) (Page, bool, error) {
	keys := "SELECT key, notice_id FROM notice_search_keys WHERE key <= ?"
	args := []any{db.Micros(now.Add(keySlack))}
	if cur.key {
		keys += " AND key < ?"
		args = append(args, cur.published)
	}
	keys += " ORDER BY key DESC"
	if budget > 0 {
		keys += " LIMIT ?"
		args = append(args, budget)
	}
	q := "SELECT " + summaryCols + ", n.body, k.key FROM (" + keys + ") k CROSS JOIN notices n ON n.id = k.notice_id WHERE " +
		c.where() + " ORDER BY k.key DESC LIMIT ?"
	args = append(append(args, c.args...), limit+1)
	items, ks, err := s.readSummaries(ctx, q, args, true, true)
	if err != nil {
		return Page{}, false, err
	}
	return keyed(items, ks, limit), len(items) > limit || budget == 0, nil
}

// keyed cuts the rows to a page and sets the cursor from the last key.
func keyed(items []Summary, keys []int64, limit int) Page {
	p := Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = cursor{key: true, published: keys[limit-1]}.String()
	}
	return p
}

// expandShort turns two-character terms into an FTS5 expression over
// titles: a title contains "工程" exactly when its trigrams include one that
// starts with 工程 (the triggers index each title with a trailing space, so
// even a pair at the very end of a title begins a trigram). The index's own
// vocabulary lists those trigrams. ok is false when a term would expand to
// too many of them; match is "" when a term begins none.
func (s *Service) expandShort(ctx context.Context, short []string) (match string, ok bool, err error) {
	var parts []string
	for _, t := range short {
		t = foldASCII(t) // the trigram tokenizer indexes ASCII letters in lower case
		rows, err := s.DB.Query(ctx, `SELECT term FROM notice_search_terms WHERE col = 'title' AND term >= ? AND term < ?
			LIMIT ?`, t, t+"\U0010FFFF", maxExpansion+1)
		if err != nil {
			return "", false, err
		}
		var grams []string
		for rows.Next() {
			var g string
			if err := rows.Scan(&g); err != nil {
				rows.Close()
				return "", false, err
			}
			grams = append(grams, `"`+strings.ReplaceAll(g, `"`, `""`)+`"`)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", false, err
		}
		if len(grams) > maxExpansion {
			return "", false, nil
		}
		if len(grams) == 0 {
			return "", true, nil
		}
		parts = append(parts, "title : ("+strings.Join(grams, " OR ")+")")
	}
	return strings.Join(parts, " AND "), true, nil
}

// foldASCII lower-cases ASCII letters only.
func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
