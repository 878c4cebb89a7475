package portal

import (
	"context"
	"sort"
	"strconv"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// StatsFilter narrows the statistics. Zero fields mean "all".
type StatsFilter struct {
	Region    string           `json:"region,omitempty"` // a GB/T 2260 code; covers the regions inside it
	Year      int              `json:"year,omitempty"`   // year of award, Beijing time
	TradeKind tender.TradeKind `json:"trade_kind,omitempty"`
}

// ParseStatsFilter reads region, year and trade_kind from a query string.
func ParseStatsFilter(get func(string) string) (StatsFilter, error) {
	var f StatsFilter
	var fe errs.Fields
	f.Region = get("region")
	f.TradeKind = tender.TradeKind(get("trade_kind"))
	if v := get("year"); v != "" {
		if y, err := strconv.Atoi(v); err != nil {
			fe.Add("year", "年度须为四位数字，如 2026")
		} else {
			f.Year = y
		}
	}
	f.validate(&fe)
	return f, fe.Err()
}

// Validate checks the filter's fields.
func (f StatsFilter) Validate() error {
	var fe errs.Fields
	f.validate(&fe)
	return fe.Err()
}

func (f StatsFilter) validate(fe *errs.Fields) {
	if f.Region != "" {
		if err := centre.ValidateCode(f.Region); err != nil {
			fe.Add("region", "%s", errs.As(err).Message)
		}
	}
	if f.Year != 0 && (f.Year < 2000 || f.Year > 2100) {
		fe.Add("year", "年度须在 2000 至 2100 之间")
	}
	if f.TradeKind != "" && f.TradeKind.Label() == "" {
		fe.Add("trade_kind", "交易类别须为 construction、procurement、land 或 property")
	}
}

// StatsRow is one group: a year, a trading kind and a region, any of which
// may be blank in a roll-up.
type StatsRow struct {
	Year           int              `json:"year,omitempty"`
	TradeKind      tender.TradeKind `json:"trade_kind,omitempty"`
	TradeKindLabel string           `json:"trade_kind_label,omitempty"`
	RegionCode     string           `json:"region_code,omitempty"`
	RegionName     string           `json:"region_name,omitempty"`
	Figures
	SavingsRate string `json:"savings_rate,omitempty"`
	PremiumRate string `json:"premium_rate,omitempty"`
}

// Stats are the statistics for a filter: the detailed groups and their
// roll-ups, every number computed from projects and lots when asked.
type Stats struct {
	Filter StatsFilter `json:"filter"`
	// RegionLevel is the level regions are grouped at: one below the
	// filter's region (prefectures for the province, counties for a
	// prefecture).
	RegionLevel centre.Level `json:"region_level"`
	Rows        []StatsRow   `json:"rows"`      // by year, kind and region
	ByKind      []StatsRow   `json:"by_kind"`   // by kind
	ByYear      []StatsRow   `json:"by_year"`   // by year
	ByRegion    []StatsRow   `json:"by_region"` // by region
	Total       StatsRow     `json:"total"`
	At          time.Time    `json:"computed_at"`
}

// awardTime is when a lot counts as awarded; a lot awarded before the
// platform recorded award times counts at its project's last change.
const awardTime = "(CASE WHEN l.awarded_at > 0 THEN l.awarded_at ELSE p.updated_at END)"

// yearExpr is the Beijing-time year of awardTime in each dialect.
func yearExpr(d db.Dialect) string {
	if d == db.Postgres {
		return "CAST(EXTRACT(YEAR FROM to_timestamp(" + awardTime + " / 1000000 + 28800) AT TIME ZONE 'UTC') AS INTEGER)"
	}
	return "CAST(strftime('%Y', " + awardTime + " / 1000000 + 28800, 'unixepoch') AS INTEGER)"
}

// figureCols sum LotFigures (rules.go) over the awarded lots of a group.
const figureCols = `COUNT(DISTINCT p.id), COUNT(*), CAST(SUM(l.award_price) AS BIGINT),
	CAST(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement')
		THEN (CASE WHEN l.max_price > 0 THEN l.max_price ELSE l.estimated_price END) ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement')
		THEN (CASE WHEN l.max_price > 0 THEN l.max_price ELSE l.estimated_price END) - l.award_price ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement') THEN 0 ELSE l.estimated_price END) AS BIGINT),
	CAST(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement') THEN 0 ELSE l.award_price - l.estimated_price END) AS BIGINT)`

// Stats computes the statistics for f.
func (s *Service) Stats(ctx context.Context, a auth.Actor, f StatsFilter) (Stats, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return Stats{}, err
	}
	if err := f.Validate(); err != nil {
		return Stats{}, err
	}
	return s.stats(ctx, f, false)
}

// stats runs the queries; totalsOnly skips the groups (the home page
// needs only the totals).
func (s *Service) stats(ctx context.Context, f StatsFilter, totalsOnly bool) (Stats, error) {
	st := Stats{Filter: f, At: s.Clock.Now()}
	var c conds
	c.add("l.award_price > 0")
	if f.Region != "" {
		c.add("p.region_code LIKE ?", centre.Prefix(f.Region)+"%")
	}
	if f.TradeKind != "" {
		c.add("p.trade_kind = ?", string(f.TradeKind))
	}
	if f.Year != 0 {
		from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, clock.Shanghai)
		c.add(awardTime+" >= ?", db.Micros(from))
		c.add(awardTime+" < ?", db.Micros(from.AddDate(1, 0, 0)))
	}
	// Regions are grouped one level below the filter: the province's
	// prefectures, a prefecture's counties.
	region := "substr(p.region_code, 1, 4) || '00'"
	st.RegionLevel = centre.Prefecture
	if f.Region != "" && centre.LevelOf(f.Region) != centre.Province {
		region, st.RegionLevel = "p.region_code", centre.County
	}
	year := yearExpr(s.DB.Dialect())
	names, err := s.regionNames(ctx)
	if err != nil {
		return st, err
	}
	from := " FROM lots l JOIN projects p ON p.id = l.project_id WHERE " + c.where()
	for _, g := range []struct {
		dst   *[]StatsRow
		keys  []string // year, kind, region: "" = not grouped by it
		order string
	}{
		{&st.Rows, []string{year, "p.trade_kind", region}, "1 DESC, 2, 3"},
		{&st.ByKind, []string{"", "p.trade_kind", ""}, "2"},
		{&st.ByYear, []string{year, "", ""}, "1 DESC"},
		{&st.ByRegion, []string{"", "", region}, "3"},
		{nil, []string{"", "", ""}, ""},
	} {
		if totalsOnly && g.dst != nil {
			continue
		}
		sel, group := "", ""
		for i, k := range g.keys {
			if k == "" {
				k = []string{"0", "''", "''"}[i]
			} else {
				if group != "" {
					group += ", "
				}
				group += k
			}
			sel += k + ", "
		}
		q := "SELECT " + sel + figureCols + from
		if group != "" {
			q += " GROUP BY " + group + " ORDER BY " + g.order
		}
		rows, err := s.statRows(ctx, q, c.args, names)
		if err != nil {
			return st, err
		}
		if g.dst != nil {
			*g.dst = rows
		} else if len(rows) == 1 {
			st.Total = rows[0]
		}
	}
	if st.Total.Lots == 0 {
		st.Total = StatsRow{}
	}
	sort.SliceStable(st.ByKind, func(i, j int) bool { return kindOrder(st.ByKind[i].TradeKind) < kindOrder(st.ByKind[j].TradeKind) })
	sort.SliceStable(st.Rows, func(i, j int) bool {
		a, b := st.Rows[i], st.Rows[j]
		if a.Year != b.Year {
			return a.Year > b.Year
		}
		if a.TradeKind != b.TradeKind {
			return kindOrder(a.TradeKind) < kindOrder(b.TradeKind)
		}
		return a.RegionCode < b.RegionCode
	})
	return st, nil
}

func kindOrder(k tender.TradeKind) int {
	for i, x := range tender.TradeKinds {
		if x == k {
			return i
		}
	}
	return len(tender.TradeKinds)
}

func (s *Service) statRows(ctx context.Context, q string, args []any, names map[string]string) ([]StatsRow, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatsRow
	for rows.Next() {
		var r StatsRow
		var amount, sb, sv, rb, pr *int64
		if err := rows.Scan(&r.Year, &r.TradeKind, &r.RegionCode, &r.Projects, &r.Lots, &amount, &sb, &sv, &rb, &pr); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			src *int64
			dst *money.Fen
		}{{amount, &r.Amount}, {sb, &r.SavingsBase}, {sv, &r.Savings}, {rb, &r.ReserveBase}, {pr, &r.Premium}} {
			if p.src != nil { // SUM over no rows is NULL
				*p.dst = money.Fen(*p.src)
			}
		}
		r.TradeKindLabel = r.TradeKind.Label()
		if r.RegionCode != "" {
			r.RegionName = names[r.RegionCode]
			if r.RegionName == "" {
				r.RegionName = r.RegionCode
			}
		}
		r.SavingsRate, r.PremiumRate = r.Figures.SavingsRate(), r.Figures.PremiumRate()
		out = append(out, r)
	}
	return out, rows.Err()
}
