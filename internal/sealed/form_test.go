package sealed

import (
	"strings"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/money"
)

func TestFormValidate(t *testing.T) {
	ok := testForm(1)
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	noCert := ok
	noCert.ManagerCert, noCert.Extra = "", nil
	if err := noCert.Validate(); err != nil {
		t.Fatalf("manager_cert and extra are optional: %v", err)
	}
	cases := []struct {
		name   string
		change func(*Form)
		field  string
		msg    string
	}{
		{"no lot", func(f *Form) { f.LotID = 0 }, "lot_id", "标段编号须为正整数"},
		{"zero price", func(f *Form) { f.Price = 0 }, "price", "投标报价须大于零（单位：分）"},
		{"negative price", func(f *Form) { f.Price = -1 }, "price", "投标报价须大于零（单位：分）"},
		{"price in the wrong unit", func(f *Form) { f.Price = MaxPrice + 1 }, "price", "投标报价不能超过1,000,000,000,000.00元，请核对单位是否为分"},
		{"no duration", func(f *Form) { f.DurationDays = 0 }, "duration_days", "工期（交货期）须为正整数日历天"},
		{"long duration", func(f *Form) { f.DurationDays = 36501 }, "duration_days", "工期（交货期）不能超过36500日历天"},
		{"no quality", func(f *Form) { f.Quality = "  " }, "quality", "质量承诺不能为空"},
		{"long quality", func(f *Form) { f.Quality = strings.Repeat("优", 201) }, "quality", "质量承诺不能超过200个字符"},
		{"control character", func(f *Form) { f.Quality = "合格\x07" }, "quality", "质量承诺含有无效字符"},
		{"bad UTF-8", func(f *Form) { f.Manager = "\xff" }, "manager", "项目负责人含有无效字符"},
		{"no manager", func(f *Form) { f.Manager = "" }, "manager", "项目负责人不能为空"},
		{"long certificate number", func(f *Form) { f.ManagerCert = strings.Repeat("1", 65) }, "manager_cert", "注册证书编号不能超过64个字符"},
		{"empty extra name", func(f *Form) { f.Extra = map[string]string{" ": "x"} }, "extra", "其他投标内容的名称 \" \" 无效（不能为空，最多64个字符）"},
		{"long extra value", func(f *Form) { f.Extra = map[string]string{"让利": strings.Repeat("x", 2001)} }, "extra.让利", "让利不能超过2000个字符"},
		{"too many extras", func(f *Form) {
			f.Extra = map[string]string{}
			for i := range MaxExtra + 1 {
				f.Extra[strings.Repeat("k", i%60+1)+string(rune('一'+i))] = "v"
			}
		}, "extra", "其他投标内容不能超过100项"},
	}
	for _, tc := range cases {
		f := testForm(1)
		tc.change(&f)
		e := errs.As(f.Validate())
		if e.Code != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Message != tc.msg {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
	// Every problem at once.
	e := errs.As(Form{}.Validate())
	if len(e.Fields) != 5 {
		t.Fatalf("empty form: %+v", e.Fields)
	}
	if money.Fen(MaxPrice).Yuan() != "1,000,000,000,000.00" {
		t.Fatal(MaxPrice)
	}
}

func TestParseForm(t *testing.T) {
	f, err := ParseForm([]byte(`{"lot_id": 3, "price": 1234500, "duration_days": 90, "quality": "合格",
		"manager": "王五", "manager_cert": "云A123", "extra": {"项目班子": "见附件"}}`))
	if err != nil || f.LotID != 3 || f.Price != 1234500 || f.Extra["项目班子"] != "见附件" {
		t.Fatalf("%+v %v", f, err)
	}
	for in, msg := range map[string]string{
		`{"prise": 1}`:             `未知字段 "prise"`,
		`{"price": "12.5"}`:        "字段 price 的类型不对（应为 int64）",
		`{"price": 12.5}`:          "字段 price 的类型不对（应为 int64）",
		`{"lot_id": 1} {}`:         "结尾有多余内容",
		`{"lot_id": 1`:             "无法解析",
		`{"lot_id": 1,}`:           "语法错误",
		`[]`:                       "应为一个 JSON 对象",
		`{"duration_days": 1e400}`: "类型不对",
	} {
		_, err := ParseForm([]byte(in))
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message, msg) {
			t.Errorf("ParseForm(%s) = %v, want %q", in, err, msg)
		}
	}
}
