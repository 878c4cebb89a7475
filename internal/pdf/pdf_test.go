package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ggzy/internal/gm"
)

// ci reports whether missing tools must fail the test rather than skip it.
func ci() bool { return os.Getenv("CI") == "true" }

// renderer returns a Renderer with the system fonts, skipping the test
// when there are none (failing under CI=true).
func renderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer(Options{})
	if errors.Is(err, ErrNoFont) || errors.Is(err, ErrNoLatinFont) {
		if ci() {
			t.Fatalf("CI=true but no fonts: %v", err)
		}
		t.Skipf("no fonts (%v)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// extract runs pdftotext on b and returns the text, pages separated by
// form feeds. It skips without pdftotext unless CI=true.
func extract(t *testing.T, name string, b []byte) string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		if ci() {
			t.Fatal("CI=true but pdftotext is missing (Debian package poppler-utils)")
		}
		t.Skip("pdftotext missing (Debian package poppler-utils)")
	}
	dir := t.TempDir()
	if out := os.Getenv("GGZY_PDF_OUT"); out != "" { // keep the files to look at
		dir = out
	}
	in := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// pages splits pdftotext output into pages.
func pages(text string) []string {
	p := strings.Split(text, "\f")
	if len(p) > 0 && strings.TrimSpace(p[len(p)-1]) == "" {
		p = p[:len(p)-1]
	}
	return p
}

func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("extracted text lacks %q", s)
		}
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}
}

var when = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai

// openingRecord builds an opening record with n bidders, as the opening
// service would.
func openingRecord(n int) Doc {
	rows := make([][]string, n)
	for i := range rows {
		dec, dep := "解密成功", "已缴纳"
		if i%7 == 3 {
			dec = "解密失败（投标人未在规定时间内解密）"
		}
		if i%5 == 4 {
			dep = "电子保函"
		}
		rows[i] = []string{
			fmt.Sprint(i + 1),
			fmt.Sprintf("云南第%s建设工程有限公司", []string{"一", "二", "三", "四", "五", "六"}[i%6]) + strings.Repeat("（昭通分公司）", i%3),
			fmt.Sprintf("¥%d,%03d,%03d.%02d", 1+i%9, (i*37)%1000, (i*911)%1000, i%100),
			fmt.Sprintf("%d 日历天", 180+i),
			"合格",
			dec,
			dep,
		}
	}
	return Doc{
		Title:    "昭通市公共资源交易中心 开标记录表",
		Subtitle: "（不见面开标）",
		Meta: [][2]string{
			{"项目名称", "昭阳区 2026 年农村公路提质改造工程"},
			{"项目编号", "BX530602-2026-0001"},
			{"标段", "第 1 标段（施工）"},
			{"开标时间", "2026-11-25 10:00（北京时间）"},
			{"开标地点", "昭通市公共资源交易中心 第一开标厅（线上）"},
		},
		Blocks: []Block{
			Table{
				Headers: []string{"序号", "投标人", "投标报价（元）", "工期", "质量", "解密情况", "保证金"},
				Widths:  []float64{0.6, 3, 1.8, 1.2, 0.8, 1.6, 1},
				Align:   []Align{Center, Left, Right, Center, Center, Left, Center},
				Rows:    rows,
			},
			Para{Text: "以上开标结果经投标人代表在线确认，无异议。投标人对开标有异议的，应当在开标现场提出。", Small: true},
			Signatures{Labels: []string{"招标人代表", "监标人", "唱标人", "记录人"}},
		},
		Footer:  "昭通市公共资源交易中心 · 生成于 2026-11-25 10:00",
		Verify:  "文件编号 KB-530602-2026-0001-01 · 可登录平台“文件核验”输入文件编号核验本记录",
		Created: when,
		Author:  "昭通市公共资源交易中心",
	}
}

func expertList() Doc {
	return Doc{
		Title:    "密封专家名单",
		Subtitle: "评标专家抽取结果（评标开始前不得拆封）",
		Meta: [][2]string{
			{"项目名称", "昭阳区 2026 年农村公路提质改造工程"},
			{"项目编号", "BX530602-2026-0001"},
			{"评标时间", "2026-11-26 09:00"},
		},
		Blocks: []Block{
			Stamp{Text: "密  封", Note: "本名单由监督见证人打印并密封，送评标室当场拆封"},
			Fields{Items: [][2]string{{"打印人", "张见证（监督见证人）"}, {"打印时间", "2026-11-26 08:30:15"}}},
			PageBreak{},
			Heading{Text: "一、抽取的评标专家"},
			Table{
				Headers: []string{"序号", "姓名", "专业", "联系电话", "工作单位"},
				Rows: [][]string{
					{"1", "李明", "公路工程施工", "138 0870 0001", "云南省交通规划设计研究院有限公司"},
					{"2", "王芳", "工程造价", "139 0870 0002", "昭通市建设工程造价管理站"},
					{"3", "赵强", "桥梁与隧道工程", "137 0870 0003", "云南交投集团公路建设有限公司"},
					{"4", "陈静", "工程造价", "136 0870 0004", "曲靖市公共资源交易中心专家库（外聘）"},
					{"5", "刘洋", "公路工程施工", "135 0870 0005", "昆明理工大学 交通工程学院"},
				},
			},
			Para{Text: "专家应当在评标开始前签到，并签署回避承诺书。", Small: true},
			Signatures{Labels: []string{"监督见证人", "拆封人"}},
		},
		Footer:    "昭通市公共资源交易中心 · 打印于 2026-11-26 08:30",
		Watermark: "密封",
		Created:   when,
	}
}

func TestMixedTextIsExtractable(t *testing.T) {
	r := renderer(t)
	const mix = "昭通市公共资源交易中心 开标记录表 ¥1,234,567.89 BX530602-2026-0001"
	b, err := r.Render(Doc{
		Title: "开标记录表",
		Blocks: []Block{
			Para{Text: mix},
			Table{Headers: []string{"编号", "金额"}, Rows: [][]string{{"BX530602-2026-0001", "¥1,234,567.89"}}},
		},
		Footer: "昭通市公共资源交易中心 · 生成于 2026-11-25 10:00",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("/ToUnicode")) || !bytes.Contains(b, []byte("/FontFile2")) {
		t.Fatal("not a PDF with an embedded TrueType font and a ToUnicode map")
	}
	if !bytes.Contains(b, []byte("/BaseFont /GGZYAA+")) {
		t.Fatal("font not named as a subset")
	}
	text := extract(t, "mixed", b)
	mustContain(t, text, mix, "BX530602-2026-0001", "¥1,234,567.89",
		"昭通市公共资源交易中心 · 生成于 2026-11-25 10:00", "第 1 页 / 共 1 页")
}

func TestOpeningRecord(t *testing.T) {
	r := renderer(t)
	d := openingRecord(30)
	b, err := r.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "opening-record", b)
	ps := pages(text)
	if len(ps) < 2 {
		t.Fatalf("30 bidders on %d page(s), want several", len(ps))
	}
	for i, p := range ps {
		// Every page: the header row, the footer, its own page number, the
		// verification line.
		mustContain(t, p, "投标人", "投标报价（元）", "解密情况", "保证金",
			fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, len(ps)),
			"生成于 2026-11-25 10:00", "文件编号 KB-530602-2026-0001-01")
	}
	mustContain(t, ps[0], "昭通市公共资源交易中心 开标记录表", "BX530602-2026-0001", "2026-11-25 10:00（北京时间）")
	mustContain(t, text, "招标人代表", "监标人", "无异议")
	for i := range 30 {
		row := d.Blocks[0].(Table).Rows[i]
		mustContain(t, text, row[2]) // every price, whole
	}
	// Continuation pages carry the title as a running header.
	mustContain(t, ps[1], "昭通市公共资源交易中心 开标记录表")
	// Each bidder once, in order.
	last := -1
	for i := range 30 {
		p := d.Blocks[0].(Table).Rows[i][2]
		at := strings.Index(text, p)
		if at <= last {
			t.Fatalf("row %d out of order", i+1)
		}
		last = at
	}
}

func TestExpertList(t *testing.T) {
	r := renderer(t)
	b, err := r.Render(expertList())
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "expert-list", b)
	ps := pages(text)
	if len(ps) != 2 {
		t.Fatalf("%d pages, want a cover sheet and the list", len(ps))
	}
	if !strings.Contains(strings.ReplaceAll(ps[0], " ", ""), "密封\n") {
		t.Error("no 密封 marking on the cover sheet")
	}
	mustContain(t, ps[0], "密封专家名单", "本名单由监督见证人打印并密封", "张见证（监督见证人）", "2026-11-26 08:30:15", "第 1 页 / 共 2 页")
	if strings.Contains(ps[0], "李明") {
		t.Error("the cover sheet shows the names")
	}
	mustContain(t, ps[1], "一、抽取的评标专家", "李明", "公路工程施工", "138 0870 0001", "昭通市建设工程造价管理站",
		"刘洋", "监督见证人", "拆封人", "第 2 页 / 共 2 页")
	if !bytes.Contains(b, []byte("/CreationDate(D:20261125100000+08'00')")) {
		t.Error("creation date missing or not in Beijing time")
	}
}

// lineOf returns the extracted line (trimmed) holding s.
func linesWith(text, s string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

func TestWrapInsideCell(t *testing.T) {
	r := renderer(t)
	long := strings.Repeat("很长的投标人名称", 12) // far wider than its column
	b, err := r.Render(Doc{
		Title: "换行",
		Blocks: []Block{Table{
			Headers: []string{"序号", "单位", "报价"},
			Widths:  []float64{1, 3, 2},
			Rows:    [][]string{{"1", long, "¥1,234,567.89"}, {"2", "短名称", "¥2.00"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "wrap", b)
	// The name comes out over several lines, in order, all of it; the next
	// row comes after it rather than over it.
	var parts []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && strings.Trim(l, "很长的投标人名称") == "" {
			parts = append(parts, l)
		}
	}
	if len(parts) < 3 || strings.Join(parts, "") != long {
		t.Fatalf("name in %d lines %q, want it all, wrapped:\n%s", len(parts), parts, text)
	}
	if strings.Index(text, "短名称") < strings.LastIndex(text, parts[len(parts)-1]) {
		t.Fatal("next row drawn over the wrapped one")
	}
	mustContain(t, text, "¥1,234,567.89", "¥2.00")
}

func TestWrapRules(t *testing.T) {
	r := renderer(t)
	w := newTestWriter(t, r)
	size := 10.0
	for _, tc := range []struct {
		in    string
		width float64 // in characters of 10 pt
		want  []string
	}{
		{"昭通市公共资源交易中心", 4, []string{"昭通市公", "共资源交", "易中心"}},
		{"甲乙丙，丁", 3, []string{"甲乙", "丙，丁"}},                                     // "，" never starts a line
		{"金额 BX530602-2026-0001 元", 13, []string{"金额", "BX530602-2026-0001 元"}}, // the code is kept whole
		{"金额 BX530602-2026-0001", 7, []string{"金额", "BX530602-", "2026-0001"}},  // unless it cannot be
		{"BX530602", 3, []string{"BX53", "0602"}},
		{"a b c", 0.1, []string{"a", "b", "c"}},
		{"第一行\n第二行", 100, []string{"第一行", "第二行"}},
		{"", 5, []string{""}},
	} {
		got := w.wrap(w.clean(tc.in, true), size, tc.width*size)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %v) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
	if u := units("投标 BX-1 ¥1,234.00元"); strings.Join(u, "|") != "投|标|BX-1|¥1,234.00|元" {
		t.Errorf("units = %q", u)
	}
}

// newTestWriter gives a writer for unit tests of the text functions.
func newTestWriter(t *testing.T, r *Renderer) *writer {
	t.Helper()
	w, err := r.newWriter(&Doc{})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestEmptyTableAndEmptyDoc(t *testing.T) {
	r := renderer(t)
	b, err := r.Render(Doc{
		Title: "开标记录表",
		Blocks: []Block{
			Table{Headers: []string{"序号", "投标人", "投标报价"}},
			Table{Headers: []string{"序号", "投标人"}, Empty: "本标段无投标人，流标"},
			Table{},                      // nothing at all: skipped
			&Table{Rows: [][]string{{}}}, // one empty row without headers
			(*Para)(nil),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "empty", b)
	mustContain(t, text, "（无）", "本标段无投标人，流标", "第 1 页 / 共 1 页")

	b, err = r.Render(Doc{})
	if err != nil {
		t.Fatal(err)
	}
	// Alone on its line, the page number loses its spaces in pdftotext.
	mustContain(t, strings.ReplaceAll(extract(t, "nothing", b), " ", ""), "第1页/共1页")
}

func TestVeryLongTitle(t *testing.T) {
	r := renderer(t)
	title := strings.Repeat("昭通市昭阳区农村公路提质改造工程", 8) + "开标记录表"
	b, err := r.Render(Doc{Title: title, Blocks: []Block{Para{Text: "正文"}}, Footer: title})
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "long-title", b)
	if !strings.Contains(strings.Join(strings.Fields(text), ""), title) {
		t.Fatalf("the title is not all there:\n%s", text)
	}
	mustContain(t, text, "正文", "…") // the footer is cut to one line
}

func TestRowTallerThanAPage(t *testing.T) {
	r := renderer(t)
	var sb strings.Builder
	for i := range 120 {
		fmt.Fprintf(&sb, "第%03d行\n", i)
	}
	b, err := r.Render(Doc{
		Title:  "超长单元格",
		Blocks: []Block{Table{Headers: []string{"序号", "说明"}, Rows: [][]string{{"1", sb.String()}, {"2", "下一行"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := extract(t, "tall-row", b)
	ps := pages(text)
	if len(ps) < 3 {
		t.Fatalf("%d pages", len(ps))
	}
	for i, p := range ps {
		mustContain(t, p, "说明", fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, len(ps)))
	}
	last := -1
	for i := range 120 {
		at := strings.Index(text, fmt.Sprintf("第%03d行", i))
		if at <= last {
			t.Fatalf("line %d missing or out of order", i)
		}
		last = at
	}
	mustContain(t, text, "下一行")
}

func TestDeterministic(t *testing.T) {
	r := renderer(t)
	for _, d := range []Doc{openingRecord(30), expertList()} {
		a, err := r.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(d) // a fresh Renderer: same fonts, same bytes
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two renderings of one document differ")
		}
		if !bytes.Equal(Digest(a), Digest(b)) || len(Digest(a)) != 32 {
			t.Fatal("digest")
		}
		d.Meta[0][1] += "。"
		c, err := r.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, c) {
			t.Fatal("a changed document renders the same")
		}
	}
	// No creation date: none in the file.
	d := expertList()
	d.Created = time.Time{}
	b, err := r.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("CreationDate")) {
		t.Fatal("creation date without Doc.Created")
	}
	// Nothing in the file depends on the clock or on chance.
	if regexp.MustCompile(`/ID\s*\[<`).Match(b) {
		t.Fatal("random file identifier")
	}
}

func TestSignedDocument(t *testing.T) {
	r := renderer(t)
	b, err := r.Render(expertList())
	if err != nil {
		t.Fatal(err)
	}
	k, err := gm.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := gm.Sign(k, b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Render(expertList())
	if err != nil {
		t.Fatal(err)
	}
	if !gm.Verify(&k.PublicKey, again, sig) {
		t.Fatal("signature does not verify over a re-rendering")
	}
	again[len(again)/2] ^= 1
	if gm.Verify(&k.PublicKey, again, sig) {
		t.Fatal("signature verifies over changed bytes")
	}
	want := gm.SM3(b)
	if !bytes.Equal(Digest(b), want[:]) {
		t.Fatal("Digest is not SM3")
	}
}

func TestFontErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "x.ttc")
	os.WriteFile(bad, append([]byte("ttcf"), make([]byte, 64)...), 0o644)
	otf := filepath.Join(dir, "x.otf")
	os.WriteFile(otf, append([]byte("OTTO"), make([]byte, 64)...), 0o644)
	junk := filepath.Join(dir, "x.ttf")
	os.WriteFile(junk, []byte("not a font at all"), 0o644)
	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.ttf"), "无法读取"},
		{bad, ".ttc"},
		{otf, "CFF"},
		{junk, "不是 TrueType 字体"},
	} {
		_, err := NewRenderer(Options{FontPath: tc.path})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	// The environment is used when Options is empty.
	t.Setenv(EnvFont, filepath.Join(dir, "missing.ttf"))
	if _, err := Render(Doc{}); err == nil || !strings.Contains(err.Error(), "missing.ttf") {
		t.Errorf("GGZY_PDF_FONT ignored: %v", err)
	}
	// No font anywhere: the Chinese message.
	t.Setenv(EnvFont, "")
	saved := FontPaths
	FontPaths = []string{filepath.Join(dir, "none.ttf")}
	defer func() { FontPaths = saved }()
	_, err := Render(Doc{})
	if !errors.Is(err, ErrNoFont) || !strings.Contains(err.Error(), "未找到中文字体：请安装 fonts-droid-fallback 或设置 GGZY_PDF_FONT") {
		t.Fatalf("no font: %v", err)
	}
	// A Latin-only font is not a Chinese font.
	if latin := firstExisting(LatinFontPaths); latin != "" {
		_, err := NewRenderer(Options{FontPath: latin})
		if err == nil || !strings.Contains(err.Error(), "不含中文字形") {
			t.Fatalf("Latin font as Chinese font: %v", err)
		}
	}
}

func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"a\tb":          "a b",
		"a\r\nb\rc":     "a\nb\nc",
		"x\x00y\u200bz": "xyz",
		"emoji😀":        "emoji□",
		"bad\xffutf8":   "bad\uFFFDutf8",
		"中文 ABC ¥1.00":  "中文 ABC ¥1.00",
	} {
		if got := normalize(in, true); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := normalize("a\nb", false); got != "a b" {
		t.Errorf("newline kept: %q", got)
	}
}

// BenchmarkOpeningRecord renders a 30-bidder opening record with a kept
// Renderer (fonts read once).
func BenchmarkOpeningRecord(b *testing.B) {
	r := renderer(b)
	d := openingRecord(30)
	for b.Loop() {
		if _, err := r.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderFresh is Render: finding and reading the fonts every time.
func BenchmarkRenderFresh(b *testing.B) {
	renderer(b)
	d := expertList()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLandscapeAndConcurrentUse(t *testing.T) {
	r := renderer(t)
	d := openingRecord(5)
	d.Landscape = true
	errc := make(chan error, 2)
	outs := make([][]byte, 2)
	for i := range 2 {
		go func() {
			var err error
			outs[i], err = r.Render(d)
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("concurrent renderings differ")
	}
	if !regexp.MustCompile(`/MediaBox \[\s*0 0 842(\.0+)? 595(\.0+)?\s*\]`).Match(outs[0]) {
		t.Fatal("not A4 landscape")
	}
	mustContain(t, extract(t, "landscape", outs[0]), "BX530602-2026-0001", "第 1 页 / 共 1 页")
}
