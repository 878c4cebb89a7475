package expert_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/auth"
	"ggzy/internal/expert"
	"ggzy/internal/ident"
	"ggzy/internal/testenv"
)

// csvFile writes rows under the import header.
func csvFile(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(expert.Headers())
	for _, r := range rows {
		full := make([]string, len(expert.Headers()))
		copy(full, r)
		w.Write(full)
	}
	w.Flush()
	return b.Bytes()
}

// person is an import row: name, ID, phone, e-mail, employer, its code,
// centre, specialties, title, years, birth, past employers, relations,
// 失信, note, account.
func person(name, id, centre, specialties string) []string {
	return []string{name, id, "13912345678", "", "昭通市建筑设计研究院", testenv.CreditCode("530600"), centre, specialties,
		"高级工程师", "18", "", "", "", "否", "", ""}
}

func TestImportReportsEachRow(t *testing.T) {
	f := newFixture(t)
	existing := f.create(f.staff, input("已在库", ""))
	born := time.Date(1972, 8, 1, 0, 0, 0, 0, time.UTC)
	id2, id8, id11 := idNumber(born), idNumber(born), idNumber(born)
	bad := idNumber(born)
	bad = bad[:17] + map[bool]string{true: "0", false: "1"}[bad[17] != '0']
	want, _ := ident.IDCheck(bad[:17])

	row6 := person("孔六", idNumber(born), "530600", "A080104")
	row6[10] = "1972-13-01"
	row11 := person("严十一", id11, "530600", "A080802；A060111")
	row11[11] = "云南某水利公司|" + testenv.CreditCode("530602") + "|2001-07-01|2015-06-30"
	row11[12] = testenv.CreditCode("530621") + "|持股|某水电公司|持股2%"
	row11[13], row11[14] = "是", "列入失信被执行人名单"
	row12 := person("华十二", "5.30602197208E+17", "530600", "A080104")
	row13 := person("金十三", idNumber(born), "530600", "A080104")
	row13[9] = "abc"
	row14 := person("已在库", existing.IDNumber, "530600", "A080104")

	file := csvFile(t, [][]string{
		person("赵二", id2, "530600", "A080104、A060101"),    // 2: good
		person("钱三", bad, "530600", "A080104"),            // 3: bad check digit
		person("孙四", idNumber(born), "530600", "A089999"), // 4: unknown specialty
		person("赵二", id2, "530600", "A080104"),            // 5: same person as row 2
		row6, // 6: bad date
		person("吴七", idNumber(born), "530699", "A080104"), // 7: unknown centre
		person("郑八", id8, "", "A0801"),                    // 8: good, the staff's own centre
		person("王九", idNumber(born), "530300", "A080104"), // 9: another centre's expert
		{},    // 10: blank, skipped
		row11, // 11: good, with employers, relations, 失信
		row12, // 12: ID stored as a number by Excel
		row13, // 13: years not a number
		row14, // 14: already in the library
	})
	before := f.counts()
	rep, err := f.Expert.Import(f.Ctx, f.staff, expert.CSV, file)
	f.Must(err)
	wantErrors := []expert.RowError{
		{Row: 3, Field: "身份证号", Reason: "身份证号校验位错误，应为 " + string(want)},
		{Row: 4, Field: "专业代码", Reason: "未知的专业代码 A089999"},
		{Row: 5, Field: "身份证号", Reason: "与第2行是同一人（身份证号重复）"},
		{Row: 6, Field: "出生日期", Reason: "出生日期“1972-13-01”不是有效日期（应为 2006-01-02）"},
		{Row: 7, Field: "所属交易中心", Reason: "没有行政区划代码为 530699 的交易中心"},
		{Row: 9, Field: "所属交易中心", Reason: "只能导入本交易中心的专家"},
		{Row: 12, Field: "身份证号", Reason: "身份证号被 Excel 当作数字保存，末尾数字已丢失：请把该列设置为“文本”后重新填写"},
		{Row: 13, Field: "从业年限", Reason: "从业年限“abc”应为整数"},
		{Row: 14, Field: "身份证号", Reason: "专家库中已有此人（身份证号重复），未重复导入"},
	}
	if !reflect.DeepEqual(rep.Errors, wantErrors) {
		t.Fatalf("errors:\n%+v\nwant\n%+v", rep.Errors, wantErrors)
	}
	if rep.Rows != 12 || rep.Created != 3 || rep.Duplicates != 1 || rep.Failed != 8 || len(rep.CreatedIDs) != 3 || rep.OK() {
		t.Fatalf("report %+v", rep)
	}
	after := f.counts()
	if after["experts"] != before["experts"]+3 || after["audit_events"] != before["audit_events"]+4 {
		t.Fatalf("saved %d experts, %d events", after["experts"]-before["experts"], after["audit_events"]-before["audit_events"])
	}
	if a, _ := f.lastEvent(); a != "expert.import" {
		t.Fatal(a)
	}
	got, err := f.Expert.Get(f.Ctx, f.staff, rep.CreatedIDs[2])
	f.Must(err)
	if got.Name != "严十一" || !got.Dishonest || got.DishonestNote != "列入失信被执行人名单" || len(got.PastEmployers) != 1 ||
		got.PastEmployers[0].From != "2001-07-01" || len(got.Relations) != 1 || got.Relations[0].Kind != expert.Shareholding ||
		len(got.Specialties) != 2 || got.CentreCode != "530600" || got.BirthDate != "1972-08-01" {
		t.Fatalf("imported %+v", got)
	}
	second, err := f.Expert.Get(f.Ctx, f.staff, rep.CreatedIDs[1])
	f.Must(err)
	if second.Name != "郑八" || second.CentreCode != "530600" || second.Specialties[0].Code != "A0801" {
		t.Fatalf("row 8 %+v", second)
	}

	// Importing the same file again adds nobody: the saved rows are now
	// duplicates, the bad rows are bad again.
	again, err := f.Expert.Import(f.Ctx, f.staff, expert.CSV, file)
	f.Must(err)
	f.poolInStep(t)
	if again.Created != 0 || again.Duplicates != 4 || again.Failed != 8 || f.counts()["experts"] != after["experts"] {
		t.Fatalf("re-import %+v", again)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	f := newFixture(t)
	for name, c := range map[string]struct {
		format expert.Format
		data   []byte
		want   string
	}{
		"missing column": {expert.CSV, []byte("姓名,身份证号\n张三,530602197508010011\n"), "表头缺少必填列：手机号码、工作单位"},
		"gbk":            {expert.CSV, []byte{0xd5, 0xc5, 0xc8, 0xfd, ',', 'x', '\n'}, "不是 UTF-8"},
		"empty":          {expert.CSV, []byte("\n\n"), "文件是空的"},
		"not xlsx":       {expert.XLSX, []byte("PK\x03\x04 not really"), "不是有效的 Excel"},
		"pdf":            {"pdf", []byte("%PDF"), "只能导入"},
		"duplicate head": {expert.CSV, []byte(strings.Join(append(expert.Headers(), "姓名"), ",") + "\n"), "出现了两次"},
	} {
		t.Run(name, func(t *testing.T) {
			before := f.counts()
			_, err := f.Expert.Import(f.Ctx, f.staff, c.format, c.data)
			if msg := wantField(t, err, "file"); !strings.Contains(msg, c.want) {
				t.Fatalf("%q, want %q", msg, c.want)
			}
			f.unchanged(t, before, "refused file")
		})
	}
	// More rows than allowed.
	f.Must(f.Expert.Configure(expert.Config{MinYears: 8, MaxImportRows: 2}))
	rows := [][]string{person("甲", "1", "", "A08"), person("乙", "2", "", "A08"), person("丙", "3", "", "A08")}
	_, err := f.Expert.Import(f.Ctx, f.staff, expert.CSV, csvFile(t, rows))
	if msg := wantField(t, err, "file"); !strings.Contains(msg, "超过2行") {
		t.Fatal(msg)
	}
}

func TestImportAcceptsWhatPeopleType(t *testing.T) {
	f := newFixture(t)
	born := time.Date(1980, 1, 15, 0, 0, 0, 0, time.UTC)
	id := idNumber(born)
	// Headers in another order, with markers and hints; a semicolon file;
	// a lower-case x, an apostrophe before numbers, an Excel date serial.
	head := "身份证号码*;姓名;手机号;工作单位名称;统一社会信用代码;交易中心;评标专业;职称;从业年限（年）;出生日期;备注\n"
	line := strings.ToLower(id) + ";欧阳·明;'13912345678;某院;" + testenv.CreditCode("530600") + ";昭通市（530600）;A080104 A080201;高级工程师;15年;29235;随便\n"
	rep, err := f.Expert.Import(f.Ctx, f.staff, expert.CSV, []byte("\xef\xbb\xbf"+head+line))
	f.Must(err)
	if rep.Created != 1 || len(rep.Errors) != 0 || !reflect.DeepEqual(rep.Ignored, []string{"备注"}) {
		t.Fatalf("%+v", rep)
	}
	e, err := f.Expert.Get(f.Ctx, f.staff, rep.CreatedIDs[0])
	f.Must(err)
	if e.Name != "欧阳·明" || e.IDNumber != id || e.Phone != "13912345678" || e.Years != 15 || e.BirthDate != "1980-01-15" ||
		len(e.Specialties) != 2 {
		t.Fatalf("%+v", e)
	}
}

// TestExportAndReimport: an export is the import format; the staff of the
// centre get their own experts in clear, everyone else masked, each within
// their jurisdiction; an export of one's own centre imports into an empty
// library unchanged; a cell that looks like a formula is neutralised.
func TestExportAndReimport(t *testing.T) {
	f := newFixture(t)
	in := input("冯建国", "", "A080104", "A060101")
	in.EmployerName = "=HYPERLINK(\"http://x\")有限公司"
	in.PastEmployers = []expert.Employment{{OrgName: "旧单位", CreditCode: testenv.CreditCode("530602"), From: "2000-01-01", To: "2010-12-31"}}
	in.Relations = []expert.Relation{{CreditCode: testenv.CreditCode("530600"), Kind: expert.Relative, OrgName: "某代理", Note: "配偶"}}
	city := f.create(f.staff, in)
	county := f.create(f.zyStaff, input("卫县里", ""))
	qj := f.create(f.qjStaff, input("蒋曲靖", ""))

	read := func(a auth.Actor, format expert.Format) [][]string {
		t.Helper()
		var b bytes.Buffer
		n, err := f.Expert.Export(f.Ctx, a, format, expert.ExportOptions{}, &b)
		f.Must(err)
		var rows [][]string
		if format == expert.CSV {
			if !bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbf")) {
				t.Fatal("no BOM")
			}
			rows, err = csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
			f.Must(err)
		} else {
			x, err := excelize.OpenReader(&b)
			f.Must(err)
			rows, err = x.GetRows(expert.SheetName)
			f.Must(err)
		}
		if len(rows)-1 != n {
			t.Fatalf("export says %d, file holds %d", n, len(rows)-1)
		}
		return rows
	}
	ids := func(rows [][]string) []string {
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0]+":"+r[1])
		}
		return out
	}
	cityStaff := read(f.staff, expert.CSV)
	if got := ids(cityStaff); !reflect.DeepEqual(got, []string{"冯建国:" + city.IDNumber, "卫县里:" + ident.Mask(county.IDNumber)}) {
		t.Fatalf("city staff export %v", got)
	}
	if cityStaff[1][4] != "'"+in.EmployerName {
		t.Fatalf("formula cell %q", cityStaff[1][4])
	}
	if got := ids(read(f.qjStaff, expert.XLSX)); !reflect.DeepEqual(got, []string{"蒋曲靖:" + qj.IDNumber}) {
		t.Fatalf("qujing export %v", got)
	}
	if got := ids(read(f.supervisor, expert.CSV)); len(got) != 2 || !strings.Contains(got[0], "*") || !strings.Contains(got[1], "*") {
		t.Fatalf("supervisor export %v", got)
	}
	if got := read(f.admin, expert.XLSX); len(got) != 4 || !strings.Contains(got[1][1], "*") {
		t.Fatalf("admin export %v", got)
	}
	if a, _ := f.lastEvent(); a != "expert.export" {
		t.Fatal(a)
	}

	// Round trip: the city staff's XLSX into another platform.
	var b bytes.Buffer
	_, err := f.Expert.Export(f.Ctx, f.staff, expert.XLSX, expert.ExportOptions{Filter: expert.Filter{CentreCode: "530600"}}, &b)
	f.Must(err)
	g := newFixture(t)
	rep, err := g.Expert.Import(g.Ctx, g.staff, expert.XLSX, b.Bytes())
	f.Must(err)
	if rep.Created != 1 || rep.Failed != 0 {
		t.Fatalf("round trip %+v", rep)
	}
	back, err := g.Expert.Get(g.Ctx, g.staff, rep.CreatedIDs[0])
	f.Must(err)
	orig, err := f.Expert.Get(f.Ctx, f.staff, city.ID)
	f.Must(err)
	for _, x := range []*expert.Expert{&back, &orig} {
		x.ID, x.CreatedAt, x.UpdatedAt, x.CentreID, x.EmployerOrgID = 0, time.Time{}, time.Time{}, 0, 0
	}
	if !reflect.DeepEqual(back, orig) {
		t.Fatalf("round trip changed the expert:\n%+v\n%+v", back, orig)
	}

	// The template is the header only.
	var tb bytes.Buffer
	n, err := f.Expert.Export(f.Ctx, f.staff, expert.CSV, expert.ExportOptions{Template: true}, &tb)
	f.Must(err)
	if n != 0 || strings.TrimSpace(tb.String()[3:]) != strings.Join(expert.Headers(), ",") {
		t.Fatalf("template %q", tb.String())
	}
}

// TestImportXLSXCells: Excel stores IDs typed as numbers as floats and
// dates as serial numbers; the import says so or reads them.
func TestImportXLSXCells(t *testing.T) {
	f := newFixture(t)
	x := excelize.NewFile()
	defer x.Close()
	f.Must(x.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "手机号码", "工作单位", "工作单位统一社会信用代码",
		"所属交易中心", "专业代码", "职称", "从业年限", "出生日期"}))
	id := idNumber(time.Date(1979, 6, 1, 0, 0, 0, 0, time.UTC))
	code := testenv.CreditCode("530600")
	f.Must(x.SetSheetRow("Sheet1", "A2", &[]any{"数字号", nil, 13912345678, "某院", code, 530600, "A080104", "高级工程师", 12, nil}))
	f.Must(x.SetCellDefault("Sheet1", "B2", "5.30602197906010E+17")) // what Excel keeps of an 18-digit number
	f.Must(x.SetSheetRow("Sheet1", "A3", &[]any{"文本号", id, "13912345678", "某院", code, "530600", "A080104", "高级工程师", 12, 29007}))
	var b bytes.Buffer
	f.Must(x.Write(&b))
	rep, err := f.Expert.Import(f.Ctx, f.staff, expert.XLSX, b.Bytes())
	f.Must(err)
	if rep.Created != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 2 || !strings.Contains(rep.Errors[0].Reason, "当作数字") {
		t.Fatalf("%+v", rep)
	}
	e, err := f.Expert.Get(f.Ctx, f.staff, rep.CreatedIDs[0])
	f.Must(err)
	if e.BirthDate != "1979-06-01" || e.IDNumber != id || e.CentreCode != "530600" {
		t.Fatalf("birth %s", e.BirthDate)
	}
}
