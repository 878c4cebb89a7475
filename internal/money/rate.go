package money

import (
	"math/big"
	"strings"

	"ggzy/internal/errs"
)

// Rate is an exact decimal fraction (0.35% is 0.0035), held as an integer
// count of 10^-10. Ten places cover any rate a bank or a rule states
// ("0.35%", "0.05‰", "2%") with room to spare, and keep every product
// with an amount exact until the single, explicit rounding step.
type Rate struct{ n int64 }

// rateScale is the number of decimal places a Rate keeps.
const rateScale = 10

// rateUnit is 10^rateScale, the Rate value of 1 (100%).
var rateUnit = big.NewInt(1e10)

// BasisPoints makes a rate of bp ten-thousandths: BasisPoints(35) = 0.35%.
func BasisPoints(bp int64) Rate { return Rate{bp * 1e6} }

// ParseRate reads a rate as "0.35%", "3.5‰" or a plain fraction "0.0035".
// Rates are never negative here: a negative interest or cap rate is a data
// error.
func ParseRate(s string) (Rate, error) {
	orig := s
	s = normalize(s)
	scale := rateScale
	switch {
	case strings.HasSuffix(s, "%"), strings.HasSuffix(s, "％"):
		s = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％"), " ")
		scale -= 2 // "0.35" percent is 0.0035: two fewer places to fill
	case strings.HasSuffix(s, "‰"):
		s = strings.TrimRight(strings.TrimSuffix(s, "‰"), " ")
		scale -= 3
	}
	if strings.HasPrefix(s, "-") {
		return Rate{}, errs.E(errs.Invalid, "利率格式不正确：%q（不能为负数）", orig)
	}
	v, why := parseScaled(s, scale)
	if why != "" {
		return Rate{}, errs.E(errs.Invalid, "利率格式不正确：%q（%s）", orig, why)
	}
	return Rate{int64(v)}, nil
}

// MustRate is ParseRate for constants written in code and tests; it panics
// on a malformed literal.
func MustRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// String shows the rate as a percentage with trailing zeros dropped:
// "0.35%".
func (r Rate) String() string {
	s := format(r.n, rateScale-2, false)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + "%"
}

// IsZero reports whether r is 0.
func (r Rate) IsZero() bool { return r.n == 0 }

// Cmp compares two rates: -1, 0 or +1.
func (r Rate) Cmp(o Rate) int {
	switch {
	case r.n < o.n:
		return -1
	case r.n > o.n:
		return 1
	}
	return 0
}

// MulRate returns f×r rounded half-up (half away from zero) to the fen. It
// panics if the result does not fit in a Fen, which takes a rate far above
// 100% on an amount near the int64 limit: a programming error, not input.
func MulRate(f Fen, r Rate) Fen {
	num := new(big.Int).Mul(big.NewInt(int64(f)), big.NewInt(r.n))
	return toFen(divHalfUp(num, rateUnit))
}

// Percent returns the share pct of f rounded toward zero, for caps such as
// "deposit ≤ 2% of the estimated price" (RULES A6, D5): a cap rounded up
// would allow a deposit one fen above the legal limit.
func Percent(f Fen, pct Rate) Fen {
	num := new(big.Int).Mul(big.NewInt(int64(f)), big.NewInt(pct.n))
	return toFen(num.Quo(num, rateUnit)) // Quo truncates toward zero
}

// Interest is simple interest on principal at annualRate for days days,
// with a year of basis days (360 for actual/360), rounded half-up to the fen
// once, on the exact product: principal × rate × days ÷ basis (RULES F2;
// one call per deposit, 逐笔计息). Counting days (算头不算尾) is the
// caller's job, with calendar.DaysBetween. It panics when basis ≤ 0 or days
// < 0, which are programming errors, or when the result overflows.
func Interest(principal Fen, annualRate Rate, days, basis int) Fen {
	if basis <= 0 || days < 0 {
		panic("money.Interest: basis must be positive and days not negative")
	}
	num := new(big.Int).Mul(big.NewInt(int64(principal)), big.NewInt(annualRate.n))
	num.Mul(num, big.NewInt(int64(days)))
	den := new(big.Int).Mul(rateUnit, big.NewInt(int64(basis)))
	return toFen(divHalfUp(num, den))
}

// divHalfUp divides rounding halves away from zero; den must be positive.
func divHalfUp(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Compare 2|r| with den: at or past the half, move away from zero.
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func toFen(v *big.Int) Fen {
	if !v.IsInt64() {
		panic("money: result out of range")
	}
	return Fen(v.Int64())
}
