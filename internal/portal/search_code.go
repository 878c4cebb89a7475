package portal

import (
	"context"
	"time"

	"ggzy/internal/db"
)

// Project codes are searched through a B-tree rather than the trigram
// indexes. A code such as 530602-2026-0001 (internal/tender nextCode), or
// BX530303-2023-0000778 with a letter prefix, is made of trigrams like
// "530", "202" and "-20" that occur in nearly every notice, so a trigram
// index reads posting lists as long as the table to find a handful of
// notices — and pg_trgm returns them unordered, so a partial code shared by
// thousands of old notices is sorted in full.
//
// notice_codes (00013_portal_codes.sql) holds, for every published notice,
// each code key in its title and body: a key starts at six ASCII digits
// followed by a hyphen and runs to the end of that run of digits and
// hyphens; keys shorter than codeHeadLen are not kept. A code term is
// letters, then the part the index looks up (codePart): six digits, a
// hyphen and at least four more digits or hyphens. Wherever that part
// occurs in a text it starts a key (six digits then a hyphen is exactly
// where keys start, and a run of digits and hyphens cannot end inside it),
// so "the part occurs" is "some key begins with it": a range of the
// B-tree. The index finds every notice containing the part, in publication
// order; the whole term (with its letters) and any other terms are then
// tested on those notices the way the full-text search tests them, so the
// results are exactly those of the trigram search.

// codeHeadLen is the length of a key's head, its first eleven characters
// (530602-2026: region and year of a project code). The index is ordered
// by head, then publication: a search reads one head newest first.
const codeHeadLen = 11

// codePart is the part of a search term the code index looks up, and
// whether the term is shaped like a project code: optional ASCII letters,
// then six ASCII digits, a hyphen and at least four more digits or hyphens.
func codePart(t string) (string, bool) {
	i := 0
	for i < len(t) && (t[i] >= 'A' && t[i] <= 'Z' || t[i] >= 'a' && t[i] <= 'z') {
		i++
	}
	p := t[i:]
	if len(p) < codeHeadLen || p[6] != '-' {
		return "", false
	}
	for j := 0; j < len(p); j++ {
		c := p[j]
		if j < 6 && !isDigit(c) || j > 6 && !isDigit(c) && c != '-' {
			return "", false
		}
	}
	return p, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// codeTerm picks the term the code index answers: of the code-shaped
// terms, the one with the longest part (the fewest matches).
func codeTerm(long []string) (term, part string, ok bool) {
	for _, t := range long {
		if p, is := codePart(t); is && len(p) > len(part) {
			term, part, ok = t, p, true
		}
	}
	return term, part, ok
}

// foldLikeFTS is the text as SQLite's LIKE must see it to match an ASCII
// term exactly when FTS5's trigram index does: LIKE folds ASCII letters
// only, and FTS5 also folds the only two other characters whose lower case
// is an ASCII letter, the Kelvin sign and the long s (TestFoldLikeFTS).
const foldLikeFTS = "replace(replace(n.title || ' ' || n.body, '\u212a', 'k'), '\u017f', 's')"

// codeIndex turns the code index on; tests turn it off to compare its
// results with the full-text search's.
var codeIndex = true

// codeBatch is how many index rows the code search reads first beyond the
// page; each further batch doubles, up to maxCodeBatch. Index rows can
// outnumber notices (a notice holding two matching keys has two) and
// notices can fail the filters or the other terms.
const (
	codeBatch    = 20
	maxCodeBatch = 2000
)

// searchCode reads one page of a search with a code-shaped term through
// notice_codes, newest first. Its sort key is the search key on SQLite
// and published_at on PostgreSQL, so the pages and cursors are those of
// the dialect's full-text search.
//
// It reads the index a batch at a time, then the batch's notices by
// primary key, and tests the filters and terms on those: one query joining
// the two would let PostgreSQL's planner answer the terms through the
// trigram index instead — the very cost this index avoids.
func (s *Service) searchCode(ctx context.Context, now time.Time, f Filter, term, part string, long, short []string, cur cursor) (Page, error) {
	sqlite := s.DB.Dialect() == db.SQLite
	// The index: one head, within the bounds of the publication time (on
	// SQLite the search key may sit a little above it).
	var ix conds
	ix.add("c.head = ?", part[:codeHeadLen])
	if len(part) > codeHeadLen {
		ix.add("c.code LIKE ?", part+"%") // digits and hyphens: no wildcard to escape
	}
	hi, hiOp := db.Micros(now), "<="
	if !f.To.IsZero() && !f.To.After(now) {
		hi, hiOp = db.Micros(f.To), "<"
	}
	if sqlite {
		hi, hiOp = hi+keySlack.Microseconds(), "<="
	}
	ix.add("c.sort_key "+hiOp+" ?", hi)
	if !f.From.IsZero() {
		ix.add("c.sort_key >= ?", db.Micros(f.From))
	}
	// The notices: visible, in the filter, and holding every term as the
	// full-text search tests it.
	c := visible(now, f)
	var check conds
	var others []string // SQLite: the other long terms, for FTS5
	for _, t := range long {
		switch {
		case !sqlite:
			check.add(`(n.title || ' ' || n.body) `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
		case t == term:
			check.add(foldLikeFTS+` LIKE ? ESCAPE '\'`, likePattern(t))
		default:
			others = append(others, t)
		}
	}
	for _, t := range short {
		check.add(`n.title `+likeOp(t)+` ? ESCAPE '\'`, likePattern(t))
	}
	// After the previous page: SQLite's cursor is a search key, PostgreSQL's
	// a publication time and id, both the index's order.
	var after *match
	switch {
	case cur.key:
		after = &match{published: cur.published, id: -1}
	case cur != (cursor{}):
		after = &match{published: cur.published, id: cur.id}
	}
	var items []Summary
	var keys []int64
	seen := map[int64]bool{}
	for batch := f.Limit + 1 + codeBatch; ; batch = min(2*batch, maxCodeBatch) {
		q, args := "SELECT c.sort_key, c.notice_id FROM notice_codes c WHERE "+ix.where(), append([]any{}, ix.args...)
		switch {
		case after != nil && sqlite:
			q += " AND c.sort_key < ?"
			args = append(args, after.published)
		case after != nil:
			q += " AND (c.sort_key, c.notice_id) < (?, ?)"
			args = append(args, after.published, after.id)
		}
		q += " ORDER BY c.sort_key DESC, c.notice_id DESC LIMIT ?"
		rows, err := s.matches(ctx, q, append(args, batch)...)
		if err != nil {
			return Page{}, err
		}
		var in map[int64]bool
		if len(others) > 0 && len(rows) > 0 {
			// FTS5 over the batch's range of search keys: row by row it
			// would cost a lookup in every trigram's posting list.
			if in, err = s.ftsKeys(ctx, ftsQuery(others), rows[len(rows)-1].published, rows[0].published); err != nil {
				return Page{}, err
			}
		}
		var ids []any
		for _, r := range rows {
			if !seen[r.id] && (in == nil || in[r.published]) {
				seen[r.id] = true
				ids = append(ids, r.id)
			}
		}
		if len(ids) > 0 {
			// The LIMIT keeps the terms out of the inner query, so they are
			// tested on these rows only, never looked up in an index.
			q := "SELECT " + summaryCols + ", n.body FROM (SELECT " + summaryCols + ", n.body FROM notices n WHERE n.id IN (" +
				db.Placeholders(len(ids)) + ") AND " + c.where() + " LIMIT ?) n"
			args := append(append(ids, c.args...), len(ids))
			if len(check.sql) > 0 {
				q += " WHERE " + check.where()
				args = append(args, check.args...)
			}
			found, _, err := s.readSummaries(ctx, q, args, true, false)
			if err != nil {
				return Page{}, err
			}
			byID := make(map[int64]Summary, len(found))
			for _, it := range found {
				byID[it.ID] = it
			}
			for _, r := range rows {
				if it, ok := byID[r.id]; ok && len(items) <= f.Limit {
					delete(byID, r.id)
					items, keys = append(items, it), append(keys, r.published)
				}
			}
		}
		if len(items) > f.Limit || len(rows) < batch {
			break
		}
		last := rows[len(rows)-1]
		after = &last
	}
	if sqlite {
		return keyed(items, keys, f.Limit), nil
	}
	return timed(items, f.Limit), nil
}

// ftsKeys lists the search keys from lo to hi that match the FTS5
// expression.
func (s *Service) ftsKeys(ctx context.Context, match string, lo, hi int64) (map[int64]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT rowid FROM notice_search WHERE notice_search MATCH ? AND rowid >= ? AND rowid <= ?", match, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[int64]bool{}
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys[k] = true
	}
	return keys, rows.Err()
}
