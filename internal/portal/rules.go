package portal

import (
	"math/big"

	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// The statistics' definitions, as pure functions; stats.go computes the
// same sums in SQL and the tests hold the two together.
//
//   - 交易金额 (transaction amount): the award (deal) price of every lot
//     awarded on the platform.
//   - 节约资金 (savings from tendering), construction and procurement only:
//     the lot's maximum price (最高投标限价) — or, when it has none, its
//     estimated price or budget — minus the award price.
//   - 溢价 (premium), land-use rights and state property only: the deal
//     price minus the listing or reserve price (挂牌底价, held as the lot's
//     estimated price).
//   - 全流程网上完成的项目 (projects run fully online): projects with at
//     least one lot awarded on the platform — intake, notices, bidding,
//     opening, evaluation and award all happen here, so an awarded lot is
//     proof that its project ran online from end to end.

// tendered reports whether a kind's savings are measured against a ceiling
// (tendering and procurement) rather than its premium over a floor.
func tendered(k tender.TradeKind) bool { return k == tender.Construction || k == tender.Procurement }

// LotFigures is what one awarded lot adds to the statistics.
func LotFigures(k tender.TradeKind, estimated, maxPrice, award money.Fen) Figures {
	f := Figures{Lots: 1, Amount: award}
	if tendered(k) {
		base := maxPrice
		if base <= 0 {
			base = estimated
		}
		f.SavingsBase, f.Savings = base, base-award
	} else {
		f.ReserveBase, f.Premium = estimated, award-estimated
	}
	return f
}

// Figures are the statistics of one group of awarded lots.
type Figures struct {
	Projects    int       `json:"projects"`
	Lots        int       `json:"lots"`
	Amount      money.Fen `json:"amount"`
	SavingsBase money.Fen `json:"savings_base"` // sum of the ceilings the savings are measured from
	Savings     money.Fen `json:"savings"`
	ReserveBase money.Fen `json:"reserve_base"` // sum of the listing / reserve prices
	Premium     money.Fen `json:"premium"`
}

// Add sums two groups' figures (Projects too: callers add disjoint groups).
func (f Figures) Add(g Figures) Figures {
	return Figures{Projects: f.Projects + g.Projects, Lots: f.Lots + g.Lots, Amount: f.Amount + g.Amount,
		SavingsBase: f.SavingsBase + g.SavingsBase, Savings: f.Savings + g.Savings,
		ReserveBase: f.ReserveBase + g.ReserveBase, Premium: f.Premium + g.Premium}
}

// SavingsRate is savings over their base, e.g. "8.25%"; "" without a base.
func (f Figures) SavingsRate() string { return percent(f.Savings, f.SavingsBase) }

// PremiumRate is the premium over the reserve prices; "" without them.
func (f Figures) PremiumRate() string { return percent(f.Premium, f.ReserveBase) }

// percent is part/whole as a percentage with two decimals, rounded half
// away from zero, in exact integer arithmetic.
func percent(part, whole money.Fen) string {
	if whole <= 0 {
		return ""
	}
	num := new(big.Int).Mul(big.NewInt(int64(part)), big.NewInt(10000)) // in hundredths of a percent
	den := big.NewInt(int64(whole))
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 && new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	neg := q.Sign() < 0
	q.Abs(q)
	h := new(big.Int)
	whole100, frac := q.QuoRem(q, big.NewInt(100), h)
	s := whole100.String() + "." + pad2(frac.Int64()) + "%"
	if neg {
		s = "-" + s
	}
	return s
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + string(rune('0'+n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
