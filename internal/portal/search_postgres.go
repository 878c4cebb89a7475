package portal

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"ggzy/internal/db"
)

// On PostgreSQL a search runs in two steps, because pg_trgm's GIN index
// hands back its matches in no particular order: a page of a common term
// would mean fetching and sorting every match (seconds for a term in a
// quarter of a million notices), and the planner cannot tell a common term
// from a rare one before it starts.
//
//  1. Scan the newest notices that pass the filters, in publication order
//     through the list indexes, and test the terms on each; a common term
//     fills its page within recentScanBudget notices (longScanBudget when
//     there are terms of three or more characters, which step 2 answers
//     well however common they are).
//  2. Otherwise: terms of three or more characters go to the trigram index
//     (searchBuckets); two-character terms alone collect their matches
//     through the index of title bigrams and sort them.
//
// Both steps write the conditions exactly as the indexes in 00008_portal.sql
// and 00013_portal_search.sql are defined, so the planner can use them.

// longScanBudget bounds step 1 for searches with a term of three or more
// characters.
const longScanBudget = 1000

func (s *Service) searchPostgres(ctx context.Context, now time.Time, f Filter, long, short []string, cur cursor) (Page, error) {
	// Step 1: the newest notices, each tested with LIKE / ILIKE.
	c := visible(now, f)
	if cur != (cursor{}) {
		c.add("(n.published_at, n.id) < (?, ?)", cur.published, cur.id)
	}
	var match conds
	for _, t := range long {
		// A plain LIKE on the part without letters rules out most rows
		// before the costlier ILIKE runs (conditions are tested in order).
		if core := caselessCore(t); core != t && len([]rune(core)) >= MinIndexedRunes {
			match.add(`(n.title || ' ' || n.body) LIKE ? ESCAPE '\'`, likePattern(core))
		}
		match.add(`(n.title || ' ' || n.body) `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
	for _, t := range short {
		match.add(`n.title `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
	q := "SELECT " + summaryCols + ", n.body FROM (SELECT " + summaryCols + ", n.body FROM notices n WHERE " + c.where() +
		" ORDER BY n.published_at DESC, n.id DESC LIMIT ?) n WHERE " + match.where() +
		" ORDER BY n.published_at DESC, n.id DESC LIMIT ?"
	budget := recentScanBudget
	if len(long) > 0 {
		budget = min(budget, longScanBudget)
	}
	args := append(append(append([]any{}, c.args...), budget), match.args...)
	items, _, err := s.readSummaries(ctx, q, append(args, f.Limit+1), true, false)
	if err != nil {
		return Page{}, err
	}
	if len(items) > f.Limit {
		return timed(items, f.Limit), nil
	}
	if len(long) > 0 {
		return s.searchBuckets(ctx, now, f, long, short, c, cur)
	}
	// Step 2, two-character terms only: the index of title bigrams.
	// MATERIALIZED keeps the planner from folding the match into an ordered
	// scan that would test every notice.
	var gin conds
	for _, t := range short {
		gin.add("portal_bigrams(n.title) @> ARRAY[lower(CAST(? AS text))]", t)
	}
	q = "WITH m AS MATERIALIZED (SELECT n.id FROM notices n WHERE n.state = 'published' AND " + gin.where() + ") " +
		"SELECT " + summaryCols + ", n.body FROM notices n JOIN m ON m.id = n.id WHERE " + c.where() +
		" ORDER BY n.published_at DESC, n.id DESC LIMIT ?"
	args = append(append(append([]any{}, gin.args...), c.args...), f.Limit+1)
	items, _, err = s.readSummaries(ctx, q, args, true, false)
	if err != nil {
		return Page{}, err
	}
	return timed(items, f.Limit), nil
}

// The trigram index (00013_portal_search.sql) is keyed by publication time
// as well as by trigram: one GIN index over a 30-day bucket, a day bucket
// and the text (btree_gin). "The term within bucket B" reads only B's part
// of the posting lists, and a bucket without the term costs a few index
// pages, so step 2 reads the buckets newest first and stops once the page
// is full: a term frequent among old notices but absent from recent ones
// is no longer found by fetching and sorting all its matches.
//
// One query walks the 30-day buckets (a LATERAL join over a series of
// bucket numbers, so the walk stops with the query's LIMIT: a page and one
// more row) and returns each bucket's matches, unordered. A bucket whose
// matches all came back is done; the bucket where the limit was reached
// may hold many more, and is walked the same way day by day; a day where
// the limit is reached again is read in publication order, which fills the
// page quickly there as the term is common that day. (GIN answers with a
// bitmap of all of a bucket's matches, hence small buckets.) The buckets
// are read newest first and each one completely or up to the page, so the
// matches gathered are the newest; they are sorted and the page is read by
// id.
//
// A rare term is walked the same way: the first query reads its buckets
// whole, newest first, until a page is full (all its matches, if it has
// fewer), which costs about what collecting them through the index at once
// does (a bucket without a match costs a few index pages, about 0.12 ms
// over a million notices), so there is no separate way for rare terms. (There was: a sample
// of days guessed whether the term was rare, and a rare one was collected
// in one index scan. The sample cost as much as the walk it was meant to
// save — 4–5 ms over a million notices — and a term frequent among old
// notices only, the slowest search, paid for both.)
const (
	monthMicros = 30 * 24 * 60 * 60 * 1000 * 1000 // the width of a coarse bucket
	dayMicros   = 24 * 60 * 60 * 1000 * 1000
	// The bucket expressions, exactly as the index defines them.
	monthBucket = "(n.published_at / 2592000000000)"
	dayBucket   = "(n.published_at / 86400000000)"
)

// bucketCap bounds how many matches one walk over buckets returns (less
// one): the most a bucket may have to be read unordered. Any number gives
// the same answers; a variable so tests can make it small.
var bucketCap = 200

// match is a notice found in a bucket.
type match struct{ published, id int64 }

func (s *Service) searchBuckets(ctx context.Context, now time.Time, f Filter, long, short []string, c conds, cur cursor) (Page, error) {
	for _, t := range long {
		c.add(`(n.title || ' ' || n.body) `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
	for _, t := range short {
		c.add(`n.title `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
	// From the newest bucket that may hold a match to the one of the oldest
	// published notice (or of the start of the range).
	hi := db.Micros(now)
	if !f.To.IsZero() && !f.To.After(now) {
		hi = db.Micros(f.To)
	}
	if cur != (cursor{}) {
		hi = min(hi, cur.published)
	}
	lo := db.Micros(f.From)
	if f.From.IsZero() {
		if err := s.DB.QueryRow(ctx, "SELECT COALESCE(MIN(n.published_at), 0) FROM notices n WHERE n.state = 'published'").Scan(&lo); err != nil {
			return Page{}, err
		}
	}
	w := walker{s: s, c: c, want: f.Limit + 1}
	if err := w.walk(ctx, monthBucket, hi/monthMicros, lo/monthMicros, hi); err != nil {
		return Page{}, err
	}
	if len(w.found) == 0 {
		return Page{}, nil
	}
	slices.SortFunc(w.found, func(a, b match) int {
		return cmp.Or(cmp.Compare(b.published, a.published), cmp.Compare(b.id, a.id))
	})
	found := w.found[:min(len(w.found), w.want)]
	ids := make([]any, len(found))
	for i, m := range found {
		ids[i] = m.id
	}
	q := "SELECT " + summaryCols + ", n.body FROM notices n WHERE n.id IN (" + db.Placeholders(len(ids)) + ")" +
		" ORDER BY n.published_at DESC, n.id DESC"
	items, _, err := s.readSummaries(ctx, q, ids, true, false)
	if err != nil {
		return Page{}, err
	}
	return timed(items, f.Limit), nil
}

// walker gathers the newest matches of conditions c, bucket by bucket.
type walker struct {
	s     *Service
	c     conds
	want  int
	found []match
}

// walk reads the buckets of the expression numbered from down to to,
// newest first, until it has w.want matches; hi is the newest time a match
// may have, which bounds the days of a 30-day bucket.
func (w *walker) walk(ctx context.Context, bucket string, from, to, hi int64) error {
	// A bucket is read unordered when it holds fewer matches than this; one
	// holding more than the page needs is read more finely instead, which
	// costs less than testing every match of a busy bucket.
	limit := min(bucketCap, w.want) + 1
	for b := from; b >= to && len(w.found) < w.want; {
		q := "SELECT b.v, x.published_at, x.id FROM generate_series(CAST(? AS bigint), CAST(? AS bigint), -1) AS b(v) " +
			"CROSS JOIN LATERAL (SELECT n.published_at, n.id FROM notices n WHERE " + bucket + " = b.v AND " + w.c.where() +
			" LIMIT ?) x LIMIT ?"
		args := append(append([]any{b, to}, w.c.args...), limit, limit)
		rows, err := w.s.DB.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		var got []match
		var bs []int64
		for rows.Next() {
			var v int64
			var m match
			if err := rows.Scan(&v, &m.published, &m.id); err != nil {
				rows.Close()
				return err
			}
			if len(bs) > 0 && v > bs[len(bs)-1] {
				// The walk relies on the nested loop returning the buckets
				// in the series' order; a plan that does not must not give
				// a wrong page.
				rows.Close()
				return fmt.Errorf("portal: buckets returned out of order (%d after %d)", v, bs[len(bs)-1])
			}
			got, bs = append(got, m), append(bs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(got) < limit {
			// Every bucket down to the last was read whole.
			w.found = append(w.found, got...)
			return nil
		}
		// The limit was reached in the last bucket returned: the ones
		// before it are whole, that one is read more finely.
		last := bs[len(bs)-1]
		for i, v := range bs {
			if v == last {
				w.found = append(w.found, got[:i]...)
				break
			}
		}
		if len(w.found) >= w.want {
			return nil
		}
		if bucket == monthBucket {
			if err := w.walk(ctx, dayBucket, min(hi, (last+1)*monthMicros-1)/dayMicros, last*monthMicros/dayMicros, hi); err != nil {
				return err
			}
		} else if err := w.busyDay(ctx, last); err != nil {
			return err
		}
		b = last - 1
	}
	return nil
}

// busyDay reads the newest matches of one day in publication order (the
// bounds on published_at let the list indexes read just that day).
func (w *walker) busyDay(ctx context.Context, day int64) error {
	q := "SELECT n.published_at, n.id FROM notices n WHERE " + dayBucket + " = ? AND n.published_at >= ? AND n.published_at < ? AND " +
		w.c.where() + " ORDER BY n.published_at DESC, n.id DESC LIMIT ?"
	args := append(append([]any{day, day * dayMicros, (day + 1) * dayMicros}, w.c.args...), w.want-len(w.found))
	ms, err := w.s.matches(ctx, q, args...)
	w.found = append(w.found, ms...)
	return err
}

// matches runs a query of (published_at, id) rows.
func (s *Service) matches(ctx context.Context, q string, args ...any) ([]match, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []match
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.published, &m.id); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// timed cuts the rows to a page and sets the cursor from the last one.
func timed(items []Summary, limit int) Page {
	p := Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.Next = cursor{published: db.Micros(last.PublishedAt), id: last.ID}.String()
	}
	return p
}

// likeOp is ILIKE for a term with letters that have case, LIKE otherwise:
// the same matches, but ILIKE folds the case of every row's whole text
// first, which costs more than the match itself on long Chinese bodies.
// pg_trgm's index answers both.
func likeOp(t string) string {
	if strings.ToLower(t) == t && strings.ToUpper(t) == t {
		return "LIKE"
	}
	return "ILIKE"
}

// caselessCore is the longest run of t without letters that have case:
// "BX530303-2023-0000778" → "530303-2023-0000778".
func caselessCore(t string) string {
	best, run := "", []rune{}
	for _, r := range t + "A" { // the sentinel ends the last run
		if unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) {
			if len(run) > len([]rune(best)) {
				best = string(run)
			}
			run = run[:0]
			continue
		}
		run = append(run, r)
	}
	return best
}
