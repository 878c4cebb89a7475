package expert

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/errs"
)

// Reading and writing the library as a table (Excel .xlsx or CSV): the
// parsers turn a file into rows of cells with their row numbers, and the
// columns turn cells into Inputs. They know nothing of the database, so
// they are fuzzed on their own (sheet_fuzz_test.go).

// Format is a table file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// FormatOf picks the format from a file name or a format name, "" when
// neither is known.
func FormatOf(name string) Format {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case n == "csv" || strings.HasSuffix(n, ".csv"):
		return CSV
	case n == "xlsx" || strings.HasSuffix(n, ".xlsx"):
		return XLSX
	}
	return ""
}

// Sheet is a table read from a file: the header and the data rows.
type Sheet struct {
	Header []string
	Rows   []SheetRow
}

// SheetRow is a data row with its number as a spreadsheet shows it (the
// header is row 1).
type SheetRow struct {
	Num   int
	Cells []string
}

// Bounds on what a file may hold.
const (
	maxColumns   = 50
	maxCellRunes = 1000
)

func fileError(format string, args ...any) error { return errs.E(errs.Invalid, format, args...) }

// ParseCSV reads a UTF-8 CSV file (with or without a byte-order mark;
// comma, semicolon or tab separated). Blank rows are skipped; at most
// maxRows data rows are accepted.
func ParseCSV(data []byte, maxRows int) (Sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return Sheet{}, fileError("文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return Sheet{}, fileError("文件不是文本格式的 CSV")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.Comma = sniffComma(data)
	var sh Sheet
	for num := 1; ; num++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Sheet{}, fileError("CSV 第%d行格式有误，无法读取", num)
		}
		if err := sh.add(num, rec, maxRows); err != nil {
			return Sheet{}, err
		}
	}
	return sh, sh.done()
}

// sniffComma picks the separator the header line uses most.
func sniffComma(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if m := bytes.Count(line, []byte(string(c))); m > n {
			best, n = c, m
		}
	}
	return best
}

// add takes one record: the first non-blank one is the header.
func (sh *Sheet) add(num int, rec []string, maxRows int) error {
	if len(rec) > maxColumns {
		return fileError("第%d行有%d列，超过%d列的上限", num, len(rec), maxColumns)
	}
	blank := true
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
		if rec[i] != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	if sh.Header == nil {
		sh.Header = append([]string(nil), rec...)
		return nil
	}
	if len(sh.Rows) >= maxRows {
		return fileError("文件超过%d行数据，请分批导入", maxRows)
	}
	sh.Rows = append(sh.Rows, SheetRow{Num: num, Cells: append([]string(nil), rec...)})
	return nil
}

func (sh *Sheet) done() error {
	if sh.Header == nil {
		return fileError("文件是空的：第一行应为表头（姓名、身份证号……）")
	}
	return nil
}

// ParseXLSX reads the first worksheet of an Excel workbook, cell values
// raw (dates as serial numbers, numbers unformatted). Archive and sheet
// sizes are bounded; a damaged file is an Invalid error, never a panic.
func ParseXLSX(data []byte, maxRows int) (sh Sheet, err error) {
	defer func() {
		if p := recover(); p != nil {
			sh, err = Sheet{}, fileError("Excel 文件已损坏，无法读取")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return Sheet{}, fileError("不是有效的 Excel（.xlsx）文件")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Sheet{}, fileError("Excel 文件中没有工作表")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Sheet{}, fileError("Excel 工作表无法读取")
	}
	defer rows.Close()
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Sheet{}, fileError("Excel 第%d行无法读取", num)
		}
		if err := sh.add(num, cells, maxRows); err != nil {
			return Sheet{}, err
		}
	}
	if rows.Error() != nil {
		return Sheet{}, fileError("Excel 工作表无法读取")
	}
	return sh, sh.done()
}

// column is one column of the import/export table.
type column struct {
	key      string // Input field (errs field name)
	header   string
	required bool
	aliases  []string
}

var columns = []column{
	{"name", "姓名", true, nil},
	{"id_number", "身份证号", true, []string{"身份证号码", "公民身份号码", "证件号码"}},
	{"phone", "手机号码", true, []string{"手机号", "手机", "联系电话", "移动电话"}},
	{"email", "电子邮箱", false, []string{"邮箱", "电子邮件", "email"}},
	{"employer_name", "工作单位", true, []string{"工作单位名称", "单位名称", "单位"}},
	{"employer_code", "工作单位统一社会信用代码", true, []string{"统一社会信用代码", "单位统一社会信用代码", "工作单位信用代码", "信用代码"}},
	{"centre_code", "所属交易中心", true, []string{"交易中心", "所属中心", "交易中心代码", "所属交易中心代码"}},
	{"specialties", "专业代码", true, []string{"专业", "评标专业", "评标专业代码"}},
	{"title", "职称", true, []string{"技术职称", "专业技术职称"}},
	{"years", "从业年限", true, []string{"工作年限", "从业年数"}},
	{"birth_date", "出生日期", false, []string{"出生年月日"}},
	{"past_employers", "曾任职单位", false, []string{"曾任职单位（名称|信用代码|起|止）", "工作经历"}},
	{"relations", "申报关系", false, []string{"利害关系申报", "关联关系"}},
	{"dishonest", "失信被执行人", false, []string{"失信", "是否失信被执行人"}},
	{"dishonest_note", "失信说明", false, nil},
	{"username", "关联账户", false, []string{"用户名", "登录账户", "账户"}},
}

// exportOnly are columns an export adds that an import reads past.
var exportOnly = []string{"专业名称", "状态", "专家编号"}

// Headers are the import table's column titles in order.
func Headers() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.header
	}
	return out
}

// headerKey tidies a header cell: blanks, required-markers (*) and a
// parenthesised hint go.
func headerKey(h string) string {
	h = strings.ReplaceAll(strings.TrimSpace(h), " ", "")
	h = strings.Trim(h, "*＊")
	if i := strings.IndexAny(h, "(（"); i > 0 {
		h = h[:i]
	}
	return strings.ToLower(strings.Trim(h, "*＊"))
}

func headerLabel(key string) string {
	for _, c := range columns {
		if c.key == key {
			return c.header
		}
	}
	switch key {
	case "user_id":
		return "关联账户"
	case "centre":
		return "所属交易中心"
	case "file":
		return "文件"
	}
	return key
}

// ImportRow is one data row read into an Input, with the problems found
// reading its cells.
type ImportRow struct {
	Num    int
	Input  Input
	Errors []RowError
}

// RowError is one problem of one row: the row number as the spreadsheet
// shows it, the column's title and the reason in Chinese.
type RowError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ReadSheet maps a sheet's columns to Inputs. A missing required column
// fails the whole file; unknown columns are returned so the report can
// name them.
func ReadSheet(sh Sheet) (rows []ImportRow, ignored []string, err error) {
	at := map[string]int{}
	for i, h := range sh.Header {
		k := headerKey(h)
		found := false
		for _, c := range columns {
			if k == headerKey(c.header) || containsKey(c.aliases, k) {
				if _, dup := at[c.key]; dup {
					return nil, nil, fileError("表头中“%s”出现了两次", c.header)
				}
				at[c.key], found = i, true
				break
			}
		}
		if !found && k != "" && !containsKey(exportOnly, k) {
			ignored = append(ignored, clip(h, 20))
		}
	}
	var missing []string
	for _, c := range columns {
		if _, ok := at[c.key]; c.required && !ok {
			missing = append(missing, c.header)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fileError("表头缺少必填列：%s（第一行应为表头，可下载导入模板对照）", strings.Join(missing, "、"))
	}
	for _, r := range sh.Rows {
		rows = append(rows, readRow(r, at))
	}
	return rows, ignored, nil
}

func containsKey(list []string, k string) bool {
	for _, x := range list {
		if headerKey(x) == k {
			return true
		}
	}
	return false
}

// readRow turns one row's cells into an Input.
func readRow(r SheetRow, at map[string]int) ImportRow {
	out := ImportRow{Num: r.Num}
	bad := func(key, format string, args ...any) {
		out.Errors = append(out.Errors, RowError{Row: r.Num, Field: headerLabel(key), Reason: fmt.Sprintf(format, args...)})
	}
	cell := func(key string) string {
		i, ok := at[key]
		if !ok || i >= len(r.Cells) {
			return ""
		}
		v := strings.TrimSpace(r.Cells[i])
		// A leading apostrophe keeps Excel from reading a cell as a
		// number or formula; it is not part of the value.
		v = strings.TrimPrefix(v, "'")
		if utf8.RuneCountInString(v) > maxCellRunes {
			bad(key, "内容过长（超过%d个字符）", maxCellRunes)
			return ""
		}
		return v
	}
	in := &out.Input
	in.Name = cell("name")
	in.IDNumber = cell("id_number")
	if looksNumeric(in.IDNumber) {
		bad("id_number", "身份证号被 Excel 当作数字保存，末尾数字已丢失：请把该列设置为“文本”后重新填写")
		in.IDNumber = ""
	}
	in.Phone = strings.TrimSuffix(cell("phone"), ".0")
	if looksNumeric(in.Phone) {
		bad("phone", "手机号码被 Excel 当作数字保存：请把该列设置为“文本”后重新填写")
		in.Phone = ""
	}
	in.Email = cell("email")
	in.EmployerName = cell("employer_name")
	in.EmployerCode = cell("employer_code")
	in.CentreCode = centreCodeOf(cell("centre_code"))
	in.Specialties = splitList(cell("specialties"))
	in.Title = cell("title")
	if y := strings.TrimSuffix(cell("years"), "年"); y != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(y, ".0"))
		if err != nil {
			bad("years", "从业年限“%s”应为整数", clip(y, 10))
		} else {
			in.Years = n
		}
	} else {
		bad("years", "从业年限不能为空")
	}
	if b := cell("birth_date"); b != "" {
		in.BirthDate = excelDate(b)
	}
	for i, item := range splitEntries(cell("past_employers")) {
		p := splitFields(item)
		if len(p) != 4 {
			bad("past_employers", "第%d项应为“单位名称|统一社会信用代码|起始日期|结束日期”", i+1)
			continue
		}
		in.PastEmployers = append(in.PastEmployers, Employment{OrgName: p[0], CreditCode: p[1], From: p[2], To: p[3]})
	}
	for i, item := range splitEntries(cell("relations")) {
		p := splitFields(item)
		if len(p) < 2 || len(p) > 4 {
			bad("relations", "第%d项应为“统一社会信用代码|类型|单位名称|说明”（类型：近亲属任职、持股、董事监事、其他利害关系）", i+1)
			continue
		}
		rel := Relation{CreditCode: p[0], Kind: RelationKindOf(p[1])}
		if rel.Kind == "" {
			bad("relations", "第%d项的类型“%s”应为近亲属任职、持股、董事监事或其他利害关系", i+1, clip(p[1], 10))
			continue
		}
		if len(p) > 2 {
			rel.OrgName = p[2]
		}
		if len(p) > 3 {
			rel.Note = p[3]
		}
		in.Relations = append(in.Relations, rel)
	}
	switch v := strings.ToLower(cell("dishonest")); v {
	case "", "否", "n", "no", "false", "0", "无":
	case "是", "y", "yes", "true", "1", "有":
		in.Dishonest = true
	default:
		bad("dishonest", "失信被执行人应填“是”或“否”")
	}
	in.DishonestNote = cell("dishonest_note")
	in.Username = cell("username")
	return out
}

// looksNumeric spots a long number Excel stored as a float: 5.30602E+17.
func looksNumeric(s string) bool {
	return strings.ContainsAny(s, "eE") && strings.Contains(s, "+") && !strings.ContainsAny(s, "xX")
}

// centreCodeOf takes the region code from "530621", "530621 鲁甸县" or
// "鲁甸县（530621）".
func centreCodeOf(s string) string {
	digits := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits = append(digits, s[i])
		} else if len(digits) > 0 {
			break
		}
	}
	if len(digits) == 6 {
		return string(digits)
	}
	return s
}

// excelDate turns an Excel date serial (45123) into 2006-01-02; anything
// else is returned for ParseDate to judge.
func excelDate(s string) string {
	v := strings.TrimSuffix(s, ".0")
	if len(v) < 3 || len(v) > 5 || !isDigits(v) {
		return s
	}
	n, _ := strconv.Atoi(v)
	t, err := excelize.ExcelDateToTime(float64(n), false)
	if err != nil || n < 1 {
		return s
	}
	return t.Format("2006-01-02")
}

// RelationKindOf reads a relation kind as people write it: the code, the
// Chinese name, or a common word for it; "" when none fits.
func RelationKindOf(s string) RelationKind {
	s = strings.TrimSpace(s)
	for _, k := range RelationKinds {
		if s == string(k) || s == k.Label() {
			return k
		}
	}
	switch s {
	case "近亲属", "亲属", "配偶":
		return Relative
	case "股东", "股权":
		return Shareholding
	case "董事", "监事", "董事、监事":
		return Director
	case "其他", "利害关系":
		return Interest
	}
	return ""
}

// splitList splits a cell of codes on commas, semicolons, 、 and blanks.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || r == ' ' || r == '\n' || r == '\t' || r == '　'
	})
}

// splitEntries splits a cell of entries on semicolons and line breaks.
func splitEntries(s string) []string {
	var out []string
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func splitFields(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '｜' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// ReadImport parses a file of format into rows (the fuzzed entry point).
func ReadImport(format Format, data []byte, maxRows int) ([]ImportRow, []string, error) {
	var sh Sheet
	var err error
	switch format {
	case CSV:
		sh, err = ParseCSV(data, maxRows)
	case XLSX:
		sh, err = ParseXLSX(data, maxRows)
	default:
		return nil, nil, fileError("只能导入 .xlsx 或 .csv 文件")
	}
	if err != nil {
		return nil, nil, err
	}
	return ReadSheet(sh)
}

// exportHeaders are the export's columns: the import's, then the
// export-only ones.
func exportHeaders() []string { return append(Headers(), exportOnly...) }

// exportRow is an expert as a table row, in exportHeaders order.
func exportRow(e Expert) []string {
	var codes, names []string
	for _, s := range e.Specialties {
		codes, names = append(codes, s.Code), append(names, s.Name)
	}
	var jobs, rels []string
	for _, j := range e.PastEmployers {
		jobs = append(jobs, strings.Join([]string{j.OrgName, j.CreditCode, j.From, j.To}, "|"))
	}
	for _, r := range e.Relations {
		rels = append(rels, strings.Join([]string{r.CreditCode, r.Kind.Label(), r.OrgName, r.Note}, "|"))
	}
	dishonest := "否"
	if e.Dishonest {
		dishonest = "是"
	}
	return []string{e.Name, e.IDNumber, e.Phone, e.Email, e.EmployerName, e.EmployerCode, e.CentreCode,
		strings.Join(codes, "、"), e.Title, strconv.Itoa(e.Years), e.BirthDate, strings.Join(jobs, "；"),
		strings.Join(rels, "；"), dishonest, e.DishonestNote, e.Username, strings.Join(names, "、"), e.StatusLabel, itoa(e.ID)}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): such cells get a leading apostrophe, which import drops.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// writeCSV writes the rows as UTF-8 CSV with a byte-order mark, which
// Excel needs to show Chinese.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, v := range r {
			safe[i] = csvSafe(v)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SheetName is the worksheet an export writes.
const SheetName = "专家库"

// writeXLSX writes the rows as a workbook, every cell as text so ID and
// phone numbers stay intact.
func writeXLSX(w io.Writer, header []string, rows [][]string) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(SheetName)
	if err != nil {
		return err
	}
	for i := range header {
		width := 14.0
		switch header[i] {
		case "身份证号", "工作单位统一社会信用代码":
			width = 22
		case "工作单位", "曾任职单位", "申报关系", "专业名称":
			width = 30
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for n, r := range rows {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = excelize.Cell{StyleID: text, Value: v}
		}
		ref, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}
