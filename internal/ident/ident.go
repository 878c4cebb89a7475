// Package ident validates the identifiers parties give the platform: the
// 统一社会信用代码 of an organisation (RULES G1), the 居民身份证号 of a
// person (RULES G2) and mainland mobile numbers, and masks personal numbers
// for display. Every error is errs.Invalid with a Chinese message that says
// exactly what is wrong, so a user can fix a typo without guessing.
package ident

import (
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// creditAlphabet is the GB 32100-2015 character set; a character's value is
// its index. I, O, S, V and Z are left out because they look like digits.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^i mod 31 for positions 1–17 (RULES G1).
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode trims blanks and upper-cases s: the standard has only
// capitals, but people type lower case. Store the normalised form.
func NormalizeCreditCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CreditCodeCheck computes the 18th (check) character for the first 17
// characters of a 统一社会信用代码. The demo data generator uses it to make
// valid codes.
func CreditCodeCheck(first17 string) (byte, error) {
	first17 = NormalizeCreditCode(first17)
	if len(first17) != 17 {
		return 0, errs.E(errs.Invalid, "统一社会信用代码前17位长度不正确：应为17位")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, badCreditChar(first17, i)
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31], nil
}

func badCreditChar(s string, i int) error {
	return errs.E(errs.Invalid, "统一社会信用代码第%d位字符“%c”无效（只能是数字或除 I、O、S、V、Z 以外的大写字母）", i+1, rune(s[i]))
}

// CreditCode validates a 统一社会信用代码 (GB 32100-2015, RULES G1): 18
// characters from the standard alphabet with a correct check character.
// Blanks around it and lower case are accepted (see NormalizeCreditCode).
func CreditCode(s string) error {
	s = NormalizeCreditCode(s)
	if s == "" {
		return errs.E(errs.Invalid, "统一社会信用代码不能为空")
	}
	if n := len([]rune(s)); n != 18 || len(s) != 18 {
		return errs.E(errs.Invalid, "统一社会信用代码应为18位，实际为%d位", n)
	}
	if strings.IndexByte(creditAlphabet, s[17]) < 0 {
		return badCreditChar(s, 17)
	}
	want, err := CreditCodeCheck(s[:17])
	if err != nil {
		return err
	}
	if s[17] != want {
		return errs.E(errs.Invalid, "统一社会信用代码校验位错误，应为 %c", rune(want))
	}
	return nil
}

// idWeights are 2^(17-i) mod 11 for positions 1–17 (RULES G2).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// earliestBirth rejects years that are surely typos (e.g. 0949 for 1949).
const earliestBirthYear = 1900

// NormalizeID trims blanks and upper-cases a trailing x, the form to store.
func NormalizeID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// IDCheck computes the 18th (check) character from the first 17 digits of
// a 身份证号.
func IDCheck(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, errs.E(errs.Invalid, "身份证号前17位长度不正确：应为17位数字")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, errs.E(errs.Invalid, "身份证号第%d位应为数字", i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idChecks[sum%11], nil
}

// IDNumber validates an 18-digit 居民身份证号 (GB 11643-1999, RULES G2):
// region code, a real birth date not after today (in Beijing time, by the
// server's clock now), and the check character. A lower-case x is accepted.
// The old 15-digit numbers are no longer valid documents and are refused.
func IDNumber(s string, now time.Time) error {
	s = NormalizeID(s)
	if s == "" {
		return errs.E(errs.Invalid, "身份证号不能为空")
	}
	if n := len([]rune(s)); n != 18 || len(s) != 18 {
		return errs.E(errs.Invalid, "身份证号应为18位，实际为%d位", n)
	}
	if s[0] == '0' {
		return errs.E(errs.Invalid, "身份证号前6位地区码无效")
	}
	last := s[17]
	if (last < '0' || last > '9') && last != 'X' {
		return errs.E(errs.Invalid, "身份证号第18位只能是数字或X")
	}
	want, err := IDCheck(s[:17])
	if err != nil {
		return err
	}
	birth, err := BirthDate(s)
	if err != nil {
		return err
	}
	y, m, d := now.In(clock.Shanghai).Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, clock.Shanghai)) {
		return errs.E(errs.Invalid, "身份证号出生日期无效：%s 晚于今天", birth.Format("2006-01-02"))
	}
	if last != want {
		return errs.E(errs.Invalid, "身份证号校验位错误，应为 %c", rune(want))
	}
	return nil
}

// BirthDate reads the birth date in positions 7–14 of an 18-digit ID number
// and returns midnight of that day in Beijing time. It checks the date is
// real (no 19490230) and not before 1900, but not the check character:
// validate with IDNumber first.
func BirthDate(id string) (time.Time, error) {
	id = NormalizeID(id)
	if len(id) != 18 {
		return time.Time{}, errs.E(errs.Invalid, "身份证号应为18位")
	}
	n := 0
	for i := 6; i < 14; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return time.Time{}, errs.E(errs.Invalid, "身份证号出生日期无效：第7–14位应为数字")
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, time.Month(n/100%100), n%100
	t := time.Date(y, m, d, 0, 0, 0, 0, clock.Shanghai)
	// time.Date normalises 0230 to 0302; a round trip that changes the
	// fields means the date does not exist.
	if ty, tm, td := t.Date(); ty != y || tm != m || td != d || y < earliestBirthYear {
		return time.Time{}, errs.E(errs.Invalid, "身份证号出生日期无效：%s", id[6:14])
	}
	return t, nil
}

// Phone validates a mainland mobile number: 11 digits, "1" then 3–9.
func Phone(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errs.E(errs.Invalid, "手机号码不能为空")
	}
	if len(s) != 11 {
		return errs.E(errs.Invalid, "手机号码应为11位数字")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return errs.E(errs.Invalid, "手机号码应为11位数字")
		}
	}
	if s[0] != '1' || s[1] < '3' {
		return errs.E(errs.Invalid, "手机号码格式不正确：应以13–19开头")
	}
	return nil
}

// Mask hides the middle of an ID number for display, keeping what people
// use to recognise their own: the first 4 and last 4 characters,
// "1101**********002X". Anything too short to keep both ends is masked
// whole, so a malformed value never leaks.
func Mask(id string) string { return mask(NormalizeID(id), 4, 4) }

// MaskPhone shows "138****5678": first 3 and last 4 digits.
func MaskPhone(p string) string { return mask(strings.TrimSpace(p), 3, 4) }

func mask(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}
