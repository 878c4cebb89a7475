package portal

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search works on substrings, not words: Chinese has no spaces between
// words, so a term matches wherever its characters occur in that order.
// Terms of three or more characters use the full-text index (FTS5 trigram
// on SQLite, pg_trgm on PostgreSQL) over title and body. A trigram index
// cannot look up two characters, so two-character terms fall back to
// titles only: a LIKE over the newest titles, then an index lookup (the
// FTS5 vocabulary on SQLite, a GIN index of title bigrams on PostgreSQL)
// when the pair is rare. Single characters are refused.

// MinIndexedRunes is the shortest term the trigram indexes can look up.
const MinIndexedRunes = 3

// MinTermRunes is the shortest term accepted: one character matches too
// much to be worth a search, and no index can look it up.
const MinTermRunes = 2

// MaxTerms bounds the number of terms in one search.
const MaxTerms = 5

// normalizeQuery turns any run of white space (including the full-width
// space a Chinese IME types) into one ASCII space and trims the ends.
func normalizeQuery(q string) string { return strings.Join(strings.Fields(q), " ") }

// terms splits a search text into distinct terms: those the index can look
// up and the short ones.
func terms(q string) (long, short []string) {
	seen := map[string]bool{}
	for _, t := range strings.Fields(q) {
		t = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		if utf8.RuneCountInString(t) >= MinIndexedRunes {
			long = append(long, t)
		} else {
			short = append(short, t)
		}
	}
	return long, short
}

// ftsQuery is the FTS5 MATCH expression for the terms: each one a quoted
// phrase (a double quote inside is doubled, so no term can inject FTS5
// syntax), all of them required.
func ftsQuery(long []string) string {
	parts := make([]string, len(long))
	for i, t := range long {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(parts, " AND ")
}

// likePattern is a LIKE pattern matching t anywhere, with LIKE's own
// wildcards in t escaped (ESCAPE '\').
func likePattern(t string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(t) + "%"
}

// Snippet sizes in characters around the first match.
const (
	snippetBefore = 30
	snippetAfter  = 80
)

// snippetOf cuts the text around the first occurrence of any term (ASCII
// letters compared without case, as the indexes do). When no term occurs
// in the text — it matched the title — the snippet is the text's start.
func snippetOf(text string, ts []string) *Snippet {
	rs := []rune(strings.Join(strings.Fields(text), " "))
	at, n := -1, 0
	for _, t := range ts {
		tr := []rune(t)
		if i := indexFold(rs, tr); i >= 0 && (at < 0 || i < at) {
			at, n = i, len(tr)
		}
	}
	if at < 0 {
		end := min(len(rs), snippetBefore+snippetAfter)
		s := &Snippet{Before: string(rs[:end])}
		if end < len(rs) {
			s.Before += "…"
		}
		return s
	}
	from := max(0, at-snippetBefore)
	to := min(len(rs), at+n+snippetAfter)
	s := &Snippet{Before: string(rs[from:at]), Match: string(rs[at : at+n]), After: string(rs[at+n : to])}
	if from > 0 {
		s.Before = "…" + s.Before
	}
	if to < len(rs) {
		s.After += "…"
	}
	return s
}

// indexFold finds t in s, comparing letters without case.
func indexFold(s, t []rune) int {
	if len(t) == 0 || len(t) > len(s) {
		return -1
	}
outer:
	for i := 0; i+len(t) <= len(s); i++ {
		for j, r := range t {
			if !equalFold(s[i+j], r) {
				continue outer
			}
		}
		return i
	}
	return -1
}

func equalFold(a, b rune) bool { return unicode.ToLower(a) == unicode.ToLower(b) }
