package portal

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/money"
)

// The statistics workbook: one sheet of groups (year × kind × region) with
// a total row, one per roll-up, and one that explains the figures. Amounts
// are written as exact decimals (fen / 100 for 元, fen / 10^6 for 万元), not
// computed through floating point.

// Sheet names, for readers of the workbook (and its test).
const (
	SheetDetail = "交易统计"
	SheetByKind = "按交易类别"
	SheetByYear = "按年度"
	SheetRegion = "按地区"
	SheetNotes  = "说明"
)

// StatsHeaders are the columns of the statistics sheets, after the group
// columns (年度, 交易类别, 地区).
var StatsHeaders = []string{
	"成交项目数（个，全流程网上完成）", "成交标段数（个）", "交易金额（元）", "交易金额（万元）",
	"最高限价或预算合计（元）", "节约资金（元）", "节约资金（万元）", "节约率",
	"挂牌（底）价合计（元）", "溢价（元）", "溢价（万元）", "溢价率",
}

// ExportStats writes the statistics for f as an Excel workbook.
func (s *Service) ExportStats(ctx context.Context, a auth.Actor, f StatsFilter, w io.Writer) error {
	st, err := s.Stats(ctx, a, f)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	amount, err := x.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	wan, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("#,##0.000000")})
	if err != nil {
		return err
	}
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	sheets := []struct {
		name string
		rows []StatsRow
	}{
		{SheetDetail, st.Rows}, {SheetByKind, st.ByKind}, {SheetByYear, st.ByYear}, {SheetRegion, st.ByRegion},
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(sh.name); err != nil {
			return err
		}
		rows := append(sh.rows, st.Total)
		if err := writeStatsSheet(x, sh.name, rows, len(rows)-1, styles{amount, wan, head}); err != nil {
			return err
		}
	}
	if _, err := x.NewSheet(SheetNotes); err != nil {
		return err
	}
	for i, line := range statsNotes(st) {
		if err := x.SetCellStr(SheetNotes, "A"+strconv.Itoa(i+1), line); err != nil {
			return err
		}
	}
	if err := x.SetColWidth(SheetNotes, "A", "A", 120); err != nil {
		return err
	}
	return x.Write(w)
}

type styles struct{ amount, wan, head int }

func ptr[T any](v T) *T { return &v }

// writeStatsSheet writes the header and the rows; the row at totalAt is
// the total.
func writeStatsSheet(x *excelize.File, sheet string, rows []StatsRow, totalAt int, st styles) error {
	headers := append([]string{"年度", "交易类别", "地区"}, StatsHeaders...)
	for c, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := x.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), 1)
	if err := x.SetCellStyle(sheet, "A1", last, st.head); err != nil {
		return err
	}
	for i, r := range rows {
		n := i + 2
		set := func(col int, v string, style int) error {
			cell, _ := excelize.CoordinatesToCellName(col, n)
			if err := x.SetCellDefault(sheet, cell, v); err != nil {
				return err
			}
			if style != 0 {
				return x.SetCellStyle(sheet, cell, cell, style)
			}
			return nil
		}
		year, kind, region := "全部", "全部", "全部"
		if i == totalAt {
			year = "合计"
		} else {
			if r.Year != 0 {
				year = strconv.Itoa(r.Year)
			}
			if r.TradeKind != "" {
				kind = r.TradeKindLabel
			}
			if r.RegionCode != "" {
				region = r.RegionName
			}
		}
		f := r.Figures
		cells := []struct {
			v     string
			style int
		}{
			{year, 0}, {kind, 0}, {region, 0},
			{strconv.Itoa(f.Projects), 0}, {strconv.Itoa(f.Lots), 0},
			{f.Amount.Plain(), st.amount}, {wanPlain(f.Amount), st.wan},
			{f.SavingsBase.Plain(), st.amount}, {f.Savings.Plain(), st.amount}, {wanPlain(f.Savings), st.wan}, {f.SavingsRate(), 0},
			{f.ReserveBase.Plain(), st.amount}, {f.Premium.Plain(), st.amount}, {wanPlain(f.Premium), st.wan}, {f.PremiumRate(), 0},
		}
		for c, cell := range cells {
			if err := set(c+1, cell.v, cell.style); err != nil {
				return err
			}
		}
	}
	if err := x.SetColWidth(sheet, "A", "C", 12); err != nil {
		return err
	}
	return x.SetColWidth(sheet, "D", "O", 20)
}

// wanPlain is an amount in 万元 with all six decimals (exact to the fen),
// as a plain number for a spreadsheet cell.
func wanPlain(f money.Fen) string {
	v := int64(f)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%06d", sign, v/1000000, v%1000000)
}

// statsNotes explains the workbook.
func statsNotes(st Stats) []string {
	scope := "全部地区"
	if st.Filter.Region != "" {
		scope = "行政区划 " + st.Filter.Region + " 及其下辖地区"
	}
	if st.Filter.Year != 0 {
		scope += "，" + strconv.Itoa(st.Filter.Year) + " 年"
	}
	if st.Filter.TradeKind != "" {
		scope += "，" + st.Filter.TradeKind.Label()
	}
	return []string{
		"公共资源交易统计（由平台按交易数据实时计算，非人工填报）",
		"统计范围：" + scope + "；计算时间：" + clock.Format(st.At) + "（北京时间）",
		"成交项目数：至少一个标段在本平台成交的项目数，即受理、公告、投标、开标、评标、定标全流程在网上完成的项目；同一项目在多个年度成交的标段分别计入各年度，合计中只计一次。",
		"交易金额：各成交标段中标（成交）价之和。",
		"节约资金（工程建设、政府采购）：最高投标限价（无最高限价的，按估算价或采购预算）减中标（成交）价；节约率 = 节约资金 ÷ 最高限价或预算合计。",
		"溢价（土地使用权、国有产权）：成交价减挂牌价（底价）；溢价率 = 溢价 ÷ 挂牌（底）价合计。",
		"年度按标段成交时间（北京时间）计；地区按项目所在行政区划，州市级统计到县区。",
		"金额单位：元（保留两位小数）与万元（保留六位小数，即精确到分）。",
	}
}
