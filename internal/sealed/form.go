package sealed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"ggzy/internal/errs"
	"ggzy/internal/money"
)

// Form limits.
const (
	MaxPrice        = 100_000_000 * money.OneWan // 1 万亿元: above any single lot
	MaxDurationDays = 36500                      // 100 years
	MaxExtra        = 100                        // entries in Form.Extra
	maxExtraKey     = 64
	maxExtraValue   = 2000
)

// Validate checks the form field by field and reports every problem at
// once, in Chinese. Seal refuses an invalid form, and Open refuses a
// container whose form is invalid (a bidder-caused failure).
func (f Form) Validate() error {
	var fe errs.Fields
	if f.LotID <= 0 {
		fe.Add("lot_id", "标段编号须为正整数")
	}
	switch {
	case f.Price <= 0:
		fe.Add("price", "投标报价须大于零（单位：分）")
	case f.Price > MaxPrice:
		fe.Add("price", "投标报价不能超过%s元，请核对单位是否为分", MaxPrice.Yuan())
	}
	switch {
	case f.DurationDays <= 0:
		fe.Add("duration_days", "工期（交货期）须为正整数日历天")
	case f.DurationDays > MaxDurationDays:
		fe.Add("duration_days", "工期（交货期）不能超过%d日历天", MaxDurationDays)
	}
	text(&fe, "quality", "质量承诺", f.Quality, 200, true)
	text(&fe, "manager", "项目负责人", f.Manager, 50, true)
	text(&fe, "manager_cert", "注册证书编号", f.ManagerCert, 64, false)
	if len(f.Extra) > MaxExtra {
		fe.Add("extra", "其他投标内容不能超过%d项", MaxExtra)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Extra)) {
		if strings.TrimSpace(k) == "" || !utf8.ValidString(k) || utf8.RuneCountInString(k) > maxExtraKey || hasControl(k, false) {
			fe.Add("extra", "其他投标内容的名称 %q 无效（不能为空，最多%d个字符）", k, maxExtraKey)
			continue
		}
		text(&fe, "extra."+k, k, f.Extra[k], maxExtraValue, false)
	}
	return fe.Err()
}

// text checks one free-text field: valid UTF-8, no control characters other
// than line breaks and tabs, at most n characters, and present if required.
func text(fe *errs.Fields, field, label, v string, n int, required bool) {
	if required && !fe.Required(field, label, v) {
		return
	}
	if !utf8.ValidString(v) || hasControl(v, true) {
		fe.Add(field, "%s含有无效字符", label)
		return
	}
	fe.MaxLen(field, label, v, n)
}

// hasControl reports control characters; lines allows \t \n \r.
func hasControl(s string, lines bool) bool {
	for _, r := range s {
		if lines && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// ParseForm reads a bid form from JSON strictly: unknown fields (a typo such
// as "prise") and trailing data are errors, so what the bidder meant is what
// is sealed. It does not call Validate.
func ParseForm(data []byte) (Form, error) {
	var f Form
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Form{}, errs.Wrap(errs.Invalid, err, "投标函（JSON）格式有误："+jsonProblem(err))
	}
	if dec.More() {
		return Form{}, errs.E(errs.Invalid, "投标函（JSON）格式有误：结尾有多余内容")
	}
	return f, nil
}

// jsonProblem turns a decoder error into a short Chinese reason.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return "应为一个 JSON 对象"
	case errors.As(err, &te):
		return fmt.Sprintf("字段 %s 的类型不对（应为 %s）", te.Field, te.Type.Kind())
	case errors.As(err, &se):
		return fmt.Sprintf("第 %d 字节处语法错误", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "未知字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "无法解析"
	}
}
