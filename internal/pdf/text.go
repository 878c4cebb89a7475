package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// replacement is drawn for a character no font has.
const replacement = '□'

// normalize makes s safe to draw: invalid UTF-8 becomes U+FFFD, "\r\n" and
// "\r" become "\n", tabs become spaces, other control and format characters
// (zero-width joiners, direction marks …) are dropped, and characters outside
// the Basic Multilingual Plane become replacement (the embedded fonts'
// ToUnicode maps are 16-bit). keepNewlines false turns "\n" into a space.
func normalize(s string, keepNewlines bool) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue // "\r\n": the "\n" follows
			}
			r = '\n'
		case r == '\t':
			r = ' '
		}
		switch {
		case r == '\n':
			if !keepNewlines {
				r = ' '
			}
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cs, r):
			continue
		case r > 0xFFFF:
			r = replacement
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wide reports whether r is set like a CJK ideograph: a line may break
// before or after it.
func wide(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || // CJK radicals, punctuation, kana, ideographs
		r >= 0xAC00 && r <= 0xD7AF || // Hangul
		r >= 0xF900 && r <= 0xFAFF || // compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F || // vertical forms
		r >= 0xFF00 && r <= 0xFFEF || // full-width forms
		r == replacement
}

// closing characters may not start a line; opening ones may not end it.
const (
	closing = "，。、；：！？）》」』】〉〕”’…—%‰,.;:!?)]}"
	opening = "（《「『【〈〔“‘([{¥$"
)

// breakAllowed reports whether a line may break between prev and cur.
// Spaces stay at the end of a line; Latin words, numbers and codes such as
// "BX530602-2026-0001" or "¥1,234,567.89" are kept whole where possible.
func breakAllowed(prev, cur rune) bool {
	switch {
	case cur == ' ':
		return false
	case prev == ' ':
		return true
	case strings.ContainsRune(closing, cur), strings.ContainsRune(opening, prev):
		return false
	case wide(prev), wide(cur):
		return true
	}
	return false
}
