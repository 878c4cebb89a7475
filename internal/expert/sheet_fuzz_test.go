package expert_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/errs"
	"ggzy/internal/expert"
)

// The import parsers take whatever file a user uploads: they must never
// panic, fail only with a Chinese invalid-input error for the whole file,
// and otherwise return rows numbered as the spreadsheet shows them, each
// problem tied to its row and a named column.

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func checkRead(t *testing.T, format expert.Format, data []byte) {
	rows, ignored, err := expert.ReadImport(format, data, 200)
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
			t.Fatalf("ReadImport(%s): %v", format, err)
		}
		return
	}
	last := 1
	for _, r := range rows {
		if r.Num <= last {
			t.Fatalf("row numbers not increasing: %d after %d", r.Num, last)
		}
		last = r.Num
		for _, e := range r.Errors {
			if e.Row != r.Num || e.Field == "" || !hasHan(e.Reason) {
				t.Fatalf("row %d: bad report line %+v", r.Num, e)
			}
		}
		for _, s := range r.Input.Specialties {
			if strings.TrimSpace(s) == "" {
				t.Fatalf("row %d: blank specialty", r.Num)
			}
		}
	}
	if len(rows) > 200 {
		t.Fatalf("%d rows accepted, limit 200", len(rows))
	}
	for _, h := range ignored {
		if h == "" {
			t.Fatal("blank ignored header")
		}
	}
}

var seedCSV = strings.Join(expert.Headers(), ",") + "\n" +
	"张三,53060219750312001X,13812345678,,某院,91350100M000100Y43,530600,A080104、A060101,高级工程师,15,1975-03-12," +
	"\"旧单位|91350100M000100Y43|2000-01-01|2010-12-31\",91350100M000100Y43|持股|某公司|2%,否,,\n" +
	"李四,5.30602E+17,1.38123E+10,a@b.cn,某院,x,530699,A0899,,abc,45123,坏|条目,x|朋友,也许,,\n"

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{seedCSV, "", "\xef\xbb\xbf姓名\n", "a;b;c\n1;2;3\n", "\"unterminated\n", "姓名\t身份证号\n\t\n",
		strings.Repeat(",", 60) + "\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, expert.CSV, data) })
}

func FuzzReadXLSX(f *testing.F) {
	x := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimSpace(seedCSV), "\n") {
		cells := []any{}
		for _, c := range strings.Split(line, ",") {
			cells = append(cells, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &cells); err != nil {
			f.Fatal(err)
		}
	}
	x.SetCellDefault("Sheet1", "B3", "5.30602197906010E+17")
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		f.Fatal(err)
	}
	x.Close()
	f.Add(b.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, expert.XLSX, data) })
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026/3/1", "2026.3.1", "20260301", "2026年3月1日", "2026-02-30", "", "-1-1-1", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := expert.ParseDate(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || !hasHan(errs.As(err).Message) {
				t.Fatalf("ParseDate(%q): %v", s, err)
			}
			return
		}
		if y := d.Year(); y < 1900 || y > 2100 || d.Hour() != 0 {
			t.Fatalf("ParseDate(%q) = %v", s, d)
		}
		back, err := expert.ParseDate(d.Format("2006-01-02"))
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v does not read back", s, d)
		}
	})
}
