package portal

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/tender"
)

// homeLatest is how many notices the home page shows per trading kind.
const homeLatest = 8

// KindNotices are the latest notices of one trading kind.
type KindNotices struct {
	TradeKind tender.TradeKind `json:"trade_kind"`
	Label     string           `json:"label"`
	Notices   []Summary        `json:"notices"`
}

// Home is what the home page shows: the latest notices per trading kind in
// the chosen region, the regions to choose from, and headline figures for
// this year and for all years.
type Home struct {
	Region   string        `json:"region,omitempty"`
	Regions  []Region      `json:"regions"`
	Latest   []KindNotices `json:"latest"`
	Year     int           `json:"year"`
	ThisYear StatsRow      `json:"this_year"`
	AllYears StatsRow      `json:"all_years"`
}

// Home gathers the home page for region ("" = everywhere).
func (s *Service) Home(ctx context.Context, a auth.Actor, region string) (Home, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return Home{}, err
	}
	if err := (Filter{Region: region}).Validate(); err != nil {
		return Home{}, err
	}
	h := Home{Region: region, Year: s.Clock.Now().In(clock.Shanghai).Year()}
	var err error
	if h.Regions, err = s.regions(ctx); err != nil {
		return h, err
	}
	for _, k := range tender.TradeKinds {
		p, err := s.list(ctx, Filter{TradeKind: k, Region: region, Limit: homeLatest}, false)
		if err != nil {
			return h, err
		}
		h.Latest = append(h.Latest, KindNotices{TradeKind: k, Label: k.Label(), Notices: p.Items})
	}
	year, err := s.stats(ctx, StatsFilter{Region: region, Year: h.Year}, true)
	if err != nil {
		return h, err
	}
	all, err := s.stats(ctx, StatsFilter{Region: region}, true)
	if err != nil {
		return h, err
	}
	h.ThisYear, h.AllYears = year.Total, all.Total
	return h, nil
}

// Regions are the regions of the trading centres, for the region selector:
// province, prefectures and counties in code order.
func (s *Service) Regions(ctx context.Context, a auth.Actor) ([]Region, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return nil, err
	}
	return s.regions(ctx)
}

func (s *Service) regions(ctx context.Context) ([]Region, error) {
	cs, err := centre.List(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	out := make([]Region, 0, len(cs))
	for _, c := range cs {
		out = append(out, Region{Code: c.RegionCode, Name: c.RegionName, Level: c.Level.Label()})
	}
	return out, nil
}
