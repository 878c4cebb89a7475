package bidding

import (
	"fmt"

	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// AboveMax reports whether a price exceeds the lot's published maximum
// price (最高投标限价); such a bid is rejected (RULES A14). max 0 = none.
func AboveMax(price, max money.Fen) bool { return max > 0 && price > max }

// Minimum is the fewest bids with which an opening goes on, and the rule
// that sets it ("" where the rules set none).
type Minimum struct {
	Bids   int
	Rule   string
	Source string
}

const (
	srcD8 = "《政府采购货物和服务招标投标管理办法》第四十一条至第四十四条"
	// srcSingle: a single-source purchase is negotiated with its one
	// supplier (政府采购法 39), not opened.
	srcSingle = "《政府采购法》第三十九条"
)

// MinimumFor is the minimum number of bids of an online opening by trading
// kind and procedure (RULES.md):
//
//   - construction by open or invited tender (招标投标法): 3, RULES A12
//     (法 28, 条例 44);
//   - government procurement by open or invited tender: 3, RULES D8
//     (87号令 41–44);
//   - competitive negotiation, consultation and inquiry: the rules set no
//     minimum for the responses, so one is enough (with none there is
//     nothing to open);
//   - single source has one supplier by definition: it is not opened online
//     at all, and the error says so, as it does for the kinds and
//     procedures that take no sealed bids (listings, auctions).
func MinimumFor(k tender.TradeKind, p tender.Procedure) (Minimum, error) {
	switch {
	case k == tender.Construction && (p == tender.Open || p == tender.Invited):
		return Minimum{Bids: 3, Rule: "A12", Source: srcA12}, nil
	case k == tender.Procurement && (p == tender.Open || p == tender.Invited):
		return Minimum{Bids: 3, Rule: "D8", Source: srcD8}, nil
	case k == tender.Procurement && (p == tender.Negotiation || p == tender.Consultation || p == tender.Inquiry):
		return Minimum{Bids: 1}, nil
	case k == tender.Procurement && p == tender.SingleSource:
		return Minimum{}, errs.E(errs.Conflict, "单一来源采购只有一家供应商，依%s与其协商确定，不适用不见面开标："+
			"不见面开标须至少三家投标（规则 D8，%s）", srcSingle, srcD8)
	}
	return Minimum{}, errs.E(errs.Conflict, "%s项目采用%s方式，不通过加密投标和不见面开标进行", k.Label(), p.Label())
}

// enough reports whether received bids let the opening go on, and if not
// why (RULES A12, D8).
func (m Minimum) enough(received int) (bool, string) {
	if received >= m.Bids {
		return true, ""
	}
	if m.Rule == "" {
		return false, "响应文件递交截止时未收到任何响应文件，不予开启"
	}
	return false, fmt.Sprintf("投标截止时共收到 %d 份投标文件，不足 %d 家，不予开标（%s，规则 %s）", received, m.Bids, m.Source, m.Rule)
}
