package portal

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"ggzy/internal/money"
	"ggzy/internal/portal/fixture"
	"ggzy/internal/tender"
)

func TestLotFigures(t *testing.T) {
	for _, tc := range []struct {
		kind                     tender.TradeKind
		estimated, maxP, award   money.Fen
		savingsBase, savings     money.Fen
		reserve, premium, amount money.Fen
	}{
		// Construction with a maximum price: savings from the maximum price.
		{tender.Construction, 100000000, 95000000, 90000000, 95000000, 5000000, 0, 0, 90000000},
		// Procurement without one: savings from the budget.
		{tender.Procurement, 20000000, 0, 19999999, 20000000, 1, 0, 0, 19999999},
		// Awarded above the estimate: negative savings, not hidden.
		{tender.Procurement, 1000, 0, 1200, 1000, -200, 0, 0, 1200},
		// Land: premium over the reserve price.
		{tender.Land, 300000000, 0, 360000000, 0, 0, 300000000, 60000000, 360000000},
		// Property sold at the listing price: no premium.
		{tender.Property, 10000000, 0, 10000000, 0, 0, 10000000, 0, 10000000},
	} {
		f := LotFigures(tc.kind, tc.estimated, tc.maxP, tc.award)
		want := Figures{Lots: 1, Amount: tc.amount, SavingsBase: tc.savingsBase, Savings: tc.savings,
			ReserveBase: tc.reserve, Premium: tc.premium}
		if f != want {
			t.Errorf("%s %d/%d/%d: %+v, want %+v", tc.kind, tc.estimated, tc.maxP, tc.award, f, want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		part, whole money.Fen
		want        string
	}{
		{1, 3, "33.33%"}, {2, 3, "66.67%"}, {-1, 3, "-33.33%"}, {-2, 3, "-66.67%"}, {1, 8, "12.50%"},
		{1, 20000, "0.01%"}, {1, 20001, "0.00%"}, {5, 0, ""}, {0, 7, "0.00%"}, {3, 3, "100.00%"},
		{7001501, 165014000, "4.24%"}, {60000000, 310000000, "19.35%"},
	} {
		if got := percent(tc.part, tc.whole); got != tc.want {
			t.Errorf("percent(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}

// statsExample writes the worked example of docs/portal.md: seven awarded
// lots in six projects, one lot not awarded, two awards either side of
// midnight on New Year's Eve in Beijing.
func statsExample(t *testing.T, e *env) {
	t.Helper()
	yuan := func(s string) int64 {
		f, err := money.ParseYuan(s)
		if err != nil {
			t.Fatal(err)
		}
		return int64(f)
	}
	for _, p := range []struct {
		kind, region string
		lots         []fixture.Lot
	}{
		{"construction", "530602", []fixture.Lot{
			{Estimated: yuan("1000000"), Max: yuan("950000"), Award: yuan("900000"), AwardedAt: beijing(2025, 6, 1, 10, 0, 0)},
			{Seq: 2, Estimated: yuan("500000"), Award: yuan("480000"), AwardedAt: beijing(2025, 7, 1, 10, 0, 0)},
		}},
		{"procurement", "530621", []fixture.Lot{{Estimated: yuan("200000"), Award: yuan("199999.99"), AwardedAt: beijing(2026, 3, 1, 10, 0, 0)}}},
		{"land", "530602", []fixture.Lot{{Estimated: yuan("3000000"), Award: yuan("3600000"), AwardedAt: beijing(2026, 5, 1, 10, 0, 0)}}},
		{"property", "530302", []fixture.Lot{{Estimated: yuan("100000"), Award: yuan("100000"), AwardedAt: beijing(2026, 2, 1, 10, 0, 0)}}},
		{"construction", "530602", []fixture.Lot{{Estimated: yuan("800000"), Max: yuan("780000")}}}, // not awarded
		{"construction", "530681", []fixture.Lot{{Estimated: yuan("100"), Max: yuan("90"), Award: yuan("80"), AwardedAt: beijing(2025, 12, 31, 23, 30, 0)}}},
		{"procurement", "530681", []fixture.Lot{{Estimated: yuan("50"), Award: yuan("45"), AwardedAt: beijing(2026, 1, 1, 0, 10, 0)}}},
	} {
		id, err := e.set.AddProject(e.ctx, fixture.Project{TradeKind: p.kind, Region: p.region})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.lots {
			l.ProjectID = id
			if _, err := e.set.AddLot(e.ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestStatsWorkedExample checks every figure of the worked example to the
// fen, by year, kind and region, and the roll-ups.
func TestStatsWorkedExample(t *testing.T) {
	e := newEnv(t)
	statsExample(t, e)
	st, err := e.svc.Stats(e.ctx, public, StatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	total := Figures{Projects: 6, Lots: 7, Amount: 528012499, SavingsBase: 165014000, Savings: 7001501,
		ReserveBase: 310000000, Premium: 60000000}
	if st.Total.Figures != total || st.Total.SavingsRate != "4.24%" || st.Total.PremiumRate != "19.35%" {
		t.Errorf("total %+v", st.Total)
	}
	byYear := map[int]Figures{
		2025: {Projects: 2, Lots: 3, Amount: 138008000, SavingsBase: 145009000, Savings: 7001000},
		2026: {Projects: 4, Lots: 4, Amount: 390004499, SavingsBase: 20005000, Savings: 501, ReserveBase: 310000000, Premium: 60000000},
	}
	if len(st.ByYear) != 2 {
		t.Fatalf("by year %+v", st.ByYear)
	}
	for _, r := range st.ByYear {
		if r.Figures != byYear[r.Year] {
			t.Errorf("%d: %+v, want %+v", r.Year, r.Figures, byYear[r.Year])
		}
	}
	if st.ByYear[0].Year != 2026 {
		t.Errorf("years newest first: %d", st.ByYear[0].Year)
	}
	byKind := map[tender.TradeKind]Figures{
		tender.Construction: {Projects: 2, Lots: 3, Amount: 138008000, SavingsBase: 145009000, Savings: 7001000},
		tender.Procurement:  {Projects: 2, Lots: 2, Amount: 20004499, SavingsBase: 20005000, Savings: 501},
		tender.Land:         {Projects: 1, Lots: 1, Amount: 360000000, ReserveBase: 300000000, Premium: 60000000},
		tender.Property:     {Projects: 1, Lots: 1, Amount: 10000000, ReserveBase: 10000000},
	}
	for i, r := range st.ByKind {
		if r.TradeKind != tender.TradeKinds[i] || r.Figures != byKind[r.TradeKind] || r.TradeKindLabel == "" {
			t.Errorf("kind %d: %+v", i, r)
		}
	}
	// The province's figures group by prefecture.
	if st.RegionLevel != "prefecture" || len(st.ByRegion) != 2 || st.ByRegion[0].RegionCode != "530300" ||
		st.ByRegion[0].Amount != 10000000 || st.ByRegion[1].RegionCode != "530600" || st.ByRegion[1].RegionName != "昭通市" ||
		st.ByRegion[1].Amount != 518012499 {
		t.Errorf("by region %+v", st.ByRegion)
	}
	if len(st.Rows) == 0 || st.Rows[0].Year != 2026 {
		t.Errorf("rows %+v", st.Rows)
	}

	// A prefecture groups by county; a year and a kind narrow it.
	zt, err := e.svc.Stats(e.ctx, public, StatsFilter{Region: "530600", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if zt.RegionLevel != "county" || zt.Total.Projects != 3 || zt.Total.Amount != 380004499 || zt.Total.Premium != 60000000 {
		t.Errorf("昭通市 2026 total %+v", zt.Total)
	}
	counties := map[string]money.Fen{}
	for _, r := range zt.ByRegion {
		counties[r.RegionCode] = r.Amount
	}
	if len(counties) != 3 || counties["530602"] != 360000000 || counties["530621"] != 19999999 || counties["530681"] != 4500 {
		t.Errorf("昭通市 2026 by county %v", counties)
	}
	eve, err := e.svc.Stats(e.ctx, public, StatsFilter{Region: "530681", Year: 2025, TradeKind: tender.Construction})
	if err != nil {
		t.Fatal(err)
	}
	if eve.Total.Lots != 1 || eve.Total.Savings != 1000 {
		t.Errorf("award at 23:30 on 31 December counts in that year: %+v", eve.Total)
	}
	empty, err := e.svc.Stats(e.ctx, public, StatsFilter{Year: 2024})
	if err != nil || empty.Total.Figures != (Figures{}) || len(empty.Rows) != 0 {
		t.Errorf("2024: %+v, %v", empty, err)
	}
}

// TestStatsWorkbook opens the exported workbook and reads its cells.
func TestStatsWorkbook(t *testing.T) {
	e := newEnv(t)
	statsExample(t, e)
	var buf bytes.Buffer
	if err := e.svc.ExportStats(e.ctx, public, StatsFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	want := []string{SheetDetail, SheetByKind, SheetByYear, SheetRegion, SheetNotes}
	if got := x.GetSheetList(); len(got) != len(want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	raw := excelize.Options{RawCellValue: true}
	cell := func(sheet, ref string) string {
		t.Helper()
		v, err := x.GetCellValue(sheet, ref, raw)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, v := range map[string]string{"A1": "年度", "B1": "交易类别", "C1": "地区", "D1": "成交项目数（个，全流程网上完成）",
		"F1": "交易金额（元）", "G1": "交易金额（万元）", "I1": "节约资金（元）", "K1": "节约率", "M1": "溢价（元）", "O1": "溢价率"} {
		if got := cell(SheetByKind, ref); got != v {
			t.Errorf("header %s = %q, want %q", ref, got, v)
		}
	}
	// 按交易类别: four kinds, then the total.
	rows := map[int][]string{
		2: {"全部", "工程建设", "全部", "2", "3", "1380080.00", "138.008000", "1450090.00", "70010.00", "7.001000", "4.83%", "0.00", "0.00", "0.000000", ""},
		5: {"全部", "国有产权", "全部", "1", "1", "100000.00", "10.000000", "0.00", "0.00", "0.000000", "", "100000.00", "0.00", "0.000000", "0.00%"},
		6: {"合计", "全部", "全部", "6", "7", "5280124.99", "528.012499", "1650140.00", "70015.01", "7.001501", "4.24%", "3100000.00", "600000.00", "60.000000", "19.35%"},
	}
	for row, want := range rows {
		for c, v := range want {
			ref, _ := excelize.CoordinatesToCellName(c+1, row)
			if got := cell(SheetByKind, ref); got != v {
				t.Errorf("%s!%s = %q, want %q", SheetByKind, ref, got, v)
			}
		}
	}
	if got, _ := x.GetCellType(SheetByKind, "F6"); got != excelize.CellTypeUnset && got != excelize.CellTypeNumber {
		t.Errorf("amount cell type %v, want a number", got)
	}
	// Shown with thousands separators.
	if v, _ := x.GetCellValue(SheetByKind, "F6"); v != "5,280,124.99" {
		t.Errorf("formatted amount %q", v)
	}
	if v := cell(SheetNotes, "A1"); v == "" {
		t.Error("notes sheet empty")
	}
	if v := cell(SheetRegion, "C3"); v != "昭通市" {
		t.Errorf("by region C3 = %q", v)
	}
}
