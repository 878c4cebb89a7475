package portal

import (
	"context"
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
//     fills its page within recentScanBudget notices.
//  2. Otherwise the term is rare among recent notices: collect its matches
//     through the GIN indexes — the trigram index over title and body for
//     terms of three or more characters, the index of title bigrams for
//     two-character terms — and sort only those.
//
// Both steps write the conditions exactly as the indexes in 00008_portal.sql
// are defined, so the planner can use them.
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
	args := append(append(append([]any{}, c.args...), recentScanBudget), match.args...)
	items, _, err := s.readSummaries(ctx, q, append(args, f.Limit+1), true, false)
	if err != nil {
		return Page{}, err
	}
	if len(items) > f.Limit {
		return timed(items, f.Limit), nil
	}
	// Step 2: the index. MATERIALIZED keeps the planner from folding the
	// match into an ordered scan that would test every notice.
	var gin conds
	for _, t := range long {
		gin.add(`(n.title || ' ' || n.body) `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
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
