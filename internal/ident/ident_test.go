package ident

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// now is a fixed "today" so the tests never depend on the real clock.
var now = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing

func wantInvalid(t *testing.T, what string, err error, msgPart string) {
	t.Helper()
	if !errs.Is(err, errs.Invalid) {
		t.Errorf("%s: err = %v; want Invalid", what, err)
		return
	}
	if msg := errs.As(err).Message; !strings.Contains(msg, msgPart) {
		t.Errorf("%s: message %q does not contain %q", what, msg, msgPart)
	}
}

func TestCreditCode(t *testing.T) {
	for _, ok := range []string{
		"91350100M000100Y43", // RULES G1 example
		" 91350100m000100y43 ",
	} {
		if err := CreditCode(ok); err != nil {
			t.Errorf("CreditCode(%q) = %v; want nil", ok, err)
		}
	}
	tests := []struct{ in, msg string }{
		{"", "不能为空"},
		{"91350100M000100Y4", "应为18位，实际为17位"},
		{"91350100M000100Y433", "应为18位，实际为19位"},
		{"91350100M000100Y44", "校验位错误，应为 3"},
		{"91350100M000100Y4I", "第18位字符“I”无效"},
		{"91350100O000100Y43", "第9位字符“O”无效"},
		{"9135010０M000100Y4", "应为18位"}, // a full-width digit is not a code character
	}
	for _, tt := range tests {
		wantInvalid(t, "CreditCode("+tt.in+")", CreditCode(tt.in), tt.msg)
	}
}

func TestCreditCodeCheck(t *testing.T) {
	c, err := CreditCodeCheck("91350100M000100Y4")
	if err != nil || c != '3' {
		t.Errorf("CreditCodeCheck = %q, %v; want '3'", c, err)
	}
	_, err = CreditCodeCheck("91350100M000100Y")
	wantInvalid(t, "short", err, "应为17位")
	_, err = CreditCodeCheck("91350100M000100S4")
	wantInvalid(t, "bad char", err, "第16位字符“S”无效")
}

func TestIDNumber(t *testing.T) {
	for _, ok := range []string{
		"11010519491231002X", // RULES G2 example
		"11010519491231002x", // lower-case x is normalised
		" 11010519491231002X",
	} {
		if err := IDNumber(ok, now); err != nil {
			t.Errorf("IDNumber(%q) = %v; want nil", ok, err)
		}
	}
	// Born today (Beijing date 2026-03-01) is valid; tomorrow is not.
	today := withCheck(t, "11010520260301001")
	if err := IDNumber(today, now); err != nil {
		t.Errorf("born today: %v", err)
	}
	tomorrow := withCheck(t, "11010520260302001")
	wantInvalid(t, "born tomorrow", IDNumber(tomorrow, now), "出生日期无效")
	// 2026-02-29 16:30 UTC is already 2026-03-01 in Beijing.
	lateUTC := time.Date(2026, 2, 28, 16, 30, 0, 0, time.UTC)
	if err := IDNumber(today, lateUTC); err != nil {
		t.Errorf("born today by Beijing date, checked before UTC midnight: %v", err)
	}

	tests := []struct{ name, in, msg string }{
		{"empty", "", "不能为空"},
		{"15 digits", "110105491231002", "应为18位，实际为15位"},
		{"check", "110105194912310021", "校验位错误，应为 X"},
		{"letter inside", "1101051949123100AX", "第17位应为数字"},
		{"bad last", "11010519491231002Y", "第18位只能是数字或X"},
		{"Feb 30", withCheck(t, "11010519490230002"), "出生日期无效：19490230"},
		{"month 13", withCheck(t, "11010519491301002"), "出生日期无效"},
		{"year 1899", withCheck(t, "11010518991231002"), "出生日期无效"},
		{"region 0", withCheck(t, "01010519491231002"), "地区码无效"},
	}
	for _, tt := range tests {
		wantInvalid(t, tt.name, IDNumber(tt.in, now), tt.msg)
	}
}

func withCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := IDCheck(first17)
	if err != nil {
		t.Fatalf("IDCheck(%q): %v", first17, err)
	}
	return first17 + string(c)
}

func TestBirthDate(t *testing.T) {
	got, err := BirthDate("11010519491231002X")
	want := time.Date(1949, 12, 31, 0, 0, 0, 0, clock.Shanghai)
	if err != nil || !got.Equal(want) {
		t.Errorf("BirthDate = %v, %v; want %v", got, err, want)
	}
	leap := withCheck(t, "11010520000229001")
	if _, err := BirthDate(leap); err != nil {
		t.Errorf("2000-02-29 is real: %v", err)
	}
	_, err = BirthDate(withCheck(t, "11010519000229001")) // 1900 was not a leap year
	wantInvalid(t, "1900-02-29", err, "出生日期无效")
}

func TestPhone(t *testing.T) {
	for _, ok := range []string{"13812345678", "19912345678", " 15000000000 "} {
		if err := Phone(ok); err != nil {
			t.Errorf("Phone(%q) = %v", ok, err)
		}
	}
	tests := []struct{ in, msg string }{
		{"", "不能为空"},
		{"1381234567", "11位"},
		{"138123456789", "11位"},
		{"1381234567a", "11位"},
		{"12812345678", "13–19开头"},
		{"23812345678", "13–19开头"},
		{"+8613812345", "11位"},
	}
	for _, tt := range tests {
		wantInvalid(t, "Phone("+tt.in+")", Phone(tt.in), tt.msg)
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ got, want string }{
		{Mask("11010519491231002X"), "1101**********002X"},
		{Mask("11010519491231002x"), "1101**********002X"},
		{Mask("12345678"), "********"},
		{Mask(""), ""},
		{MaskPhone("13812345678"), "138****5678"},
		{MaskPhone("1381234"), "*******"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
}

// FuzzCreditCode: never panics, only Invalid errors, and any 17 valid
// characters completed with CreditCodeCheck validate.
func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100M000100Y44", "", "ＡＢＣ", "91350100M000100Y4I"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CreditCode(s); err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("CreditCode(%q) code %v", s, errs.CodeOf(err))
		}
		// Map arbitrary bytes onto the alphabet to build a body.
		if len(s) < 17 {
			return
		}
		body := make([]byte, 17)
		for i := range body {
			body[i] = creditAlphabet[int(s[i])%len(creditAlphabet)]
		}
		c, err := CreditCodeCheck(string(body))
		if err != nil {
			t.Fatalf("CreditCodeCheck(%q): %v", body, err)
		}
		if err := CreditCode(string(body) + string(c)); err != nil {
			t.Fatalf("built code %q%c rejected: %v", body, c, err)
		}
	})
}

// FuzzIDNumber: never panics, only Invalid errors, and a number with a real
// past birth date completed with IDCheck validates.
func FuzzIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105194902300021", "", "１１０"} {
		f.Add(s, uint16(0))
	}
	f.Fuzz(func(t *testing.T, s string, dayOffset uint16) {
		if err := IDNumber(s, now); err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("IDNumber(%q) code %v", s, errs.CodeOf(err))
		}
		_ = Mask(s)
		_ = MaskPhone(s)
		_ = Phone(s)
		// Build a number: region from the input, a birth date dayOffset
		// days before now, sequence digits from the input.
		digits := make([]byte, 0, 9)
		for i := 0; i < len(s) && len(digits) < 9; i++ {
			digits = append(digits, '0'+s[i]%10)
		}
		for len(digits) < 9 {
			digits = append(digits, '1')
		}
		if digits[0] == '0' {
			digits[0] = '1'
		}
		birth := now.In(clock.Shanghai).AddDate(0, 0, -int(dayOffset))
		first17 := string(digits[:6]) + birth.Format("20060102") + string(digits[6:9])
		c, err := IDCheck(first17)
		if err != nil {
			t.Fatalf("IDCheck(%q): %v", first17, err)
		}
		if err := IDNumber(first17+string(c), now); err != nil {
			t.Fatalf("built ID %s%c rejected: %v", first17, c, err)
		}
	})
}
