package money

import (
	"math"
	"strings"
	"testing"

	"ggzy/internal/errs"
)

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
	}{
		{"0", 0},
		{"1234.56", 123456},
		{"1,234.56", 123456},
		{"1,234,567.8", 123456780},
		{"12.3", 1230},
		{"-12.34", -1234},
		{"+5", 500},
		{"-0", 0},
		{"  7.05 ", 705},
		{"１２３", 12300},
		{"１，２３４．５", 123450},
		{"－１", -100},
		{"007", 700},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseYuanErrors(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "不能为空"},
		{"   ", "不能为空"},
		{"1.234", "小数位数不能超过2位"},
		{"1.", "小数点后缺少数字"},
		{".5", "缺少整数部分"},
		{"-", "缺少整数部分"},
		{"1,23", "千分位"},
		{"1234,567", "千分位"},
		{",123", "千分位"},
		{"1,,234", "千分位"},
		{"12a", "非数字"},
		{"1.2e3", "非数字"},
		{"--1", "非数字"},
		{"¥12", "非数字"},
		{"1.2.3", "非数字"},
		{"92233720368547758.08", "超出范围"},
		{"-92233720368547758.09", "超出范围"},
		{"99999999999999999999", "超出范围"},
	}
	for _, tt := range tests {
		_, err := ParseYuan(tt.in)
		if !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseYuan(%q) error = %v; want Invalid", tt.in, err)
			continue
		}
		msg := errs.As(err).Message
		if !strings.HasPrefix(msg, "金额格式不正确") || !strings.Contains(msg, tt.why) {
			t.Errorf("ParseYuan(%q) message = %q; want it to mention %q", tt.in, msg, tt.why)
		}
	}
}

func TestParseWan(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
	}{
		{"12.5", 12500000}, // 12.5 万元 = 125000.00 元
		{"1", 1000000},
		{"0.000001", 1}, // the sixth decimal of 万 is one fen
		{"1,000", 1000000000},
		{"-3.25", -3250000},
	}
	for _, tt := range tests {
		got, err := ParseWan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseWan(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseWan("0.0000001"); !errs.Is(err, errs.Invalid) {
		t.Errorf("ParseWan with 7 decimals: err = %v; want Invalid", err)
	}
	if _, err := ParseWan("9223372036854.775808"); !errs.Is(err, errs.Invalid) {
		t.Errorf("ParseWan overflow: err = %v; want Invalid", err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		f                Fen
		plain, yuan, wan string
	}{
		{0, "0.00", "0.00", "0.00"},
		{5, "0.05", "0.05", "0.00"},
		{123456, "1234.56", "1,234.56", "0.12"},
		{12500000, "125000.00", "125,000.00", "12.50"},
		{-123456789, "-1234567.89", "-1,234,567.89", "-123.46"},
		{100000000000, "1000000000.00", "1,000,000,000.00", "100,000.00"},
		// 万 display rounds half-up: 0.005 万元 is 50.00 元 = 5000 fen.
		{5000, "50.00", "50.00", "0.01"},
		{4999, "49.99", "49.99", "0.00"},
		{-5000, "-50.00", "-50.00", "-0.01"},
		{-4999, "-49.99", "-49.99", "0.00"}, // no "-0.00"
		{math.MaxInt64, "92233720368547758.07", "92,233,720,368,547,758.07", "9,223,372,036,854.78"},
		{math.MinInt64, "-92233720368547758.08", "-92,233,720,368,547,758.08", "-9,223,372,036,854.78"},
	}
	for _, tt := range tests {
		if got := tt.f.Plain(); got != tt.plain {
			t.Errorf("Fen(%d).Plain() = %q; want %q", tt.f, got, tt.plain)
		}
		if got := tt.f.Yuan(); got != tt.yuan {
			t.Errorf("Fen(%d).Yuan() = %q; want %q", tt.f, got, tt.yuan)
		}
		if got := tt.f.Wan(); got != tt.wan {
			t.Errorf("Fen(%d).Wan() = %q; want %q", tt.f, got, tt.wan)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want Rate
		str  string
	}{
		{"0.35%", BasisPoints(35), "0.35%"},
		{"0.0035", BasisPoints(35), "0.35%"},
		{"3.5‰", BasisPoints(35), "0.35%"},
		{"2%", BasisPoints(200), "2%"},
		{"２％", BasisPoints(200), "2%"},
		{"0.35 %", BasisPoints(35), "0.35%"},
		{"1", BasisPoints(10000), "100%"},
		{"0.00000001%", Rate{1}, "0.00000001%"},
		{"0%", Rate{}, "0%"},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.str {
			t.Errorf("ParseRate(%q).String() = %q; want %q", tt.in, got.String(), tt.str)
		}
	}
	for _, bad := range []string{"", "%", "-0.35%", "0.000000001%", "abc", "1,5%"} {
		if _, err := ParseRate(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseRate(%q) err = %v; want Invalid", bad, err)
		}
	}
}

func TestMulRate(t *testing.T) {
	tests := []struct {
		f    Fen
		r    string
		want Fen
	}{
		{10000, "0.35%", 35},
		{150, "1%", 2},    // 1.5 fen rounds half-up to 2
		{149, "1%", 1},    // 1.49 fen rounds down
		{-150, "1%", -2},  // halves go away from zero
		{333, "50%", 167}, // 166.5
		{0, "3%", 0},
	}
	for _, tt := range tests {
		if got := MulRate(tt.f, MustRate(tt.r)); got != tt.want {
			t.Errorf("MulRate(%d, %s) = %d; want %d", tt.f, tt.r, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		f    Fen
		pct  string
		want Fen
	}{
		// RULES A6: deposit ≤ 2% of the estimated price.
		{100000000, "2%", 2000000}, // 100万 → 2万
		{12345678, "2%", 246913},   // 246913.56 fen: a cap rounds down
		{99, "2%", 1},              // 1.98 fen → 1, never 2
		{-99, "2%", -1},            // toward zero
		{math.MaxInt64, "100%", math.MaxInt64},
	}
	for _, tt := range tests {
		if got := Percent(tt.f, MustRate(tt.pct)); got != tt.want {
			t.Errorf("Percent(%d, %s) = %d; want %d", tt.f, tt.pct, got, tt.want)
		}
	}
}

func TestInterest(t *testing.T) {
	tests := []struct {
		name      string
		principal Fen
		rate      string
		days      int
		basis     int
		want      Fen
	}{
		// 50万元 at 0.35% for 30 days, actual/360: 500000 × 0.0035 × 30 / 360
		// = 145.8333… 元 → 145.83 元.
		{"typical deposit", 50000000, "0.35%", 30, 360, 14583},
		// 10万元 at 0.35% for 18 days = 17.50 元 exactly.
		{"exact", 10000000, "0.35%", 18, 360, 1750},
		// 1000元 at 0.3% for 3 days = 0.025 元 = 2.5 fen → 3 fen (half-up).
		{"half rounds up", 100000, "0.3%", 3, 360, 3},
		// 1000元 at 0.3% for 1 day = 0.8333 fen → 1 fen.
		{"one day", 100000, "0.3%", 1, 360, 1},
		// Same, actual/365: 0.8219 fen → 1 fen.
		{"basis 365", 100000, "0.3%", 1, 365, 1},
		{"zero days", 100000, "0.35%", 0, 360, 0},
		{"zero rate", 100000, "0%", 100, 360, 0},
	}
	for _, tt := range tests {
		if got := Interest(tt.principal, MustRate(tt.rate), tt.days, tt.basis); got != tt.want {
			t.Errorf("%s: Interest(%d, %s, %d, %d) = %d; want %d",
				tt.name, tt.principal, tt.rate, tt.days, tt.basis, got, tt.want)
		}
	}
}

func TestInterestPanics(t *testing.T) {
	for _, tt := range []struct{ days, basis int }{{1, 0}, {-1, 360}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Interest(days=%d, basis=%d) did not panic", tt.days, tt.basis)
				}
			}()
			Interest(100, MustRate("1%"), tt.days, tt.basis)
		}()
	}
}

// FuzzParseYuan checks that any amount ParseYuan accepts prints back, via
// Plain, to a string that parses to the same amount, and that Yuan (with
// separators) also parses back.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"0", "1,234.56", "-12.3", "１２３", "92233720368547758.07", "-92233720368547758.08", "1.234", "1,23"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseYuan(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseYuan(%q) error code = %v", s, errs.CodeOf(err))
			}
			return
		}
		for _, out := range []string{v.Plain(), v.Yuan()} {
			back, err := ParseYuan(out)
			if err != nil || back != v {
				t.Fatalf("ParseYuan(%q) = %d; re-parse of %q = %d, %v", s, v, out, back, err)
			}
		}
	})
}

// FuzzParseWan: an amount accepted in 万元 prints back in 元 and re-parses
// to the same fen.
func FuzzParseWan(f *testing.F) {
	for _, s := range []string{"12.5", "0.000001", "1,000", "-3.25", "9223372036854.775807", "1.0000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseWan(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseWan(%q) error code = %v", s, errs.CodeOf(err))
			}
			return
		}
		back, err := ParseYuan(v.Plain())
		if err != nil || back != v {
			t.Fatalf("ParseWan(%q) = %d; ParseYuan(%q) = %d, %v", s, v, v.Plain(), back, err)
		}
		_ = v.Wan() // must not panic anywhere in range
	})
}

// FuzzPlainRoundTrip covers every int64, including the extremes the string
// fuzzers rarely reach.
func FuzzPlainRoundTrip(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 99, -100, math.MaxInt64, math.MinInt64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		v := Fen(n)
		back, err := ParseYuan(v.Plain())
		if err != nil || back != v {
			t.Fatalf("ParseYuan(%q) = %d, %v; want %d", v.Plain(), back, err, v)
		}
	})
}

// FuzzParseRate: accepted rates print back to an equal rate.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0.35%", "3.5‰", "0.0035", "2%", "-1%", "1.00000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		back, err := ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRate(%q) = %v; re-parse = %v, %v", s, r, back, err)
		}
	})
}
