// Package money holds amounts as whole fen (分) in an int64 and rates as an
// exact fixed-point decimal. Nothing here uses floating point: a deposit cap,
// a refund or a day of interest must come out the same on every machine and
// in every replay, to the fen (DESIGN "Money is exact").
package money

import (
	"math"
	"strconv"
	"strings"

	"ggzy/internal/errs"
)

// Fen is an amount of money in fen (分), 1 元 = 100 fen.
type Fen int64

// Scales of the units users type: 元 has 2 decimals of fen, 万元 has 6.
const (
	yuanScale = 2 // 1 元 = 10^2 fen
	wanScale  = 6 // 1 万元 = 10^6 fen
)

// Units, for writing amounts in code: 5 * OneWan is 5 万元.
const (
	OneYuan Fen = 100
	OneWan  Fen = 1000000
)

// ParseYuan reads an amount in 元 as users write it: "1234.56",
// "1,234.56", "-12.3", full-width digits "１２３". At most two decimals are
// allowed: a third decimal is a typo, not something to round away silently.
func ParseYuan(s string) (Fen, error) {
	f, why := parseScaled(s, yuanScale)
	if why != "" {
		return 0, amountError(s, why)
	}
	return f, nil
}

// ParseWan reads an amount in 万元 (budgets and estimated prices are often
// stated that way): "12.5" 万元 is 125000.00 元. Up to six decimals, which is
// exactly one fen.
func ParseWan(s string) (Fen, error) {
	f, why := parseScaled(s, wanScale)
	if why != "" {
		return 0, amountError(s, why)
	}
	return f, nil
}

func amountError(s string, why string) error {
	return errs.E(errs.Invalid, "金额格式不正确：%q（%s）", s, why)
}

// normalize maps the full-width characters a Chinese IME produces to ASCII
// and drops surrounding blanks, so "１，２３４．５" parses like "1,234.5".
func normalize(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			b.WriteByte(byte('0' + (r - '０')))
		case r == '，':
			b.WriteByte(',')
		case r == '．':
			b.WriteByte('.')
		case r == '－':
			b.WriteByte('-')
		case r == '＋':
			b.WriteByte('+')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseScaled reads a signed decimal and returns value×10^scale as Fen. The
// string result is the reason for a failure, in Chinese.
func parseScaled(s string, scale int) (Fen, string) {
	s = normalize(s)
	if s == "" {
		return 0, "不能为空"
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot && frac == "" {
		return 0, "小数点后缺少数字"
	}
	digits, why := stripGrouping(intPart)
	if why != "" {
		return 0, why
	}
	for _, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return 0, "包含非数字字符"
		}
	}
	if len(frac) > scale {
		return 0, "小数位数不能超过" + strconv.Itoa(scale) + "位"
	}
	// Accumulate the magnitude in uint64 so that math.MinInt64 fen, whose
	// magnitude is one more than MaxInt64, still parses.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var v uint64
	all := digits + frac + strings.Repeat("0", scale-len(frac))
	for _, c := range []byte(all) {
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, "金额超出范围"
		}
		v = v*10 + d
	}
	if neg {
		return Fen(-v), "" // two's complement: -(MaxInt64+1) wraps to MinInt64 exactly
	}
	return Fen(v), ""
}

// stripGrouping checks the integer part and removes thousands separators.
// Separators are optional, but when present they must group by three, so a
// slip like "1,23" is caught instead of read as 123.
func stripGrouping(s string) (string, string) {
	if s == "" {
		return "", "缺少整数部分"
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if g == "" {
			return "", "千分位逗号位置不正确"
		}
		for _, c := range []byte(g) {
			if c < '0' || c > '9' {
				return "", "包含非数字字符"
			}
		}
		if i > 0 && len(g) != 3 || i == 0 && len(groups) > 1 && len(g) > 3 {
			return "", "千分位逗号位置不正确"
		}
	}
	return strings.Join(groups, ""), ""
}

// Plain formats f in 元 with exactly two decimals and no separators,
// "1234.56"; ParseYuan reads it back to the same value.
func (f Fen) Plain() string { return format(int64(f), yuanScale, false) }

// Yuan formats f in 元 for people, with thousands separators: "1,234.56".
func (f Fen) Yuan() string { return format(int64(f), yuanScale, true) }

// Wan formats f in 万元 for display, rounded half-up (away from zero) to two
// decimals of 万, with thousands separators: 125000.00 元 → "12.50". It
// loses precision; store and compare Fen, never this string.
func (f Fen) Wan() string {
	const unit = 10000 // fen in 0.01 万元
	q, r := int64(f)/unit, int64(f)%unit
	// Half of the unit or more rounds away from zero. Working on the
	// quotient and remainder avoids overflowing near MaxInt64.
	if r >= unit/2 {
		q++
	} else if r <= -unit/2 {
		q--
	}
	return format(q, 2, true)
}

// String makes %v print the people's form.
func (f Fen) String() string { return f.Yuan() }

// format writes v/10^scale with exactly scale decimals.
func format(v int64, scale int, group bool) string {
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = -mag // two's complement also handles MinInt64
	}
	s := strconv.FormatUint(mag, 10)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	intPart, frac := s[:len(s)-scale], s[len(s)-scale:]
	if group {
		intPart = groupThousands(intPart)
	}
	out := intPart
	if scale > 0 {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
