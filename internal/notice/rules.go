package notice

import (
	"fmt"
	"strings"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// The legal checks run when a notice is approved and again when it is
// published. Each is a pure function of dates, amounts and the calendar;
// periods are computed only by package calendar (RULES C1–C3). A broken
// rule is an errs.Violation naming the rule id and its source; a calendar
// that does not cover a date is an ordinary error (never a silent pass).

// Sources cited in the messages.
const (
	srcA1  = "《招标投标法》第二十四条"
	srcA2  = "《招标投标法实施条例》第十六条"
	srcA4  = "《招标投标法》第二十三条、《招标投标法实施条例》第二十一条"
	srcA6  = "《招标投标法实施条例》第二十六条"
	srcA14 = "《招标投标法实施条例》第二十七条"
	srcA19 = "《招标投标法实施条例》第五十四条"
	srcA24 = "《招标投标法》第十七条"
	srcD2  = "《政府采购法》第三十五条"
	srcD3  = "《政府采购货物和服务招标投标管理办法》第十六条、第十八条"
	srcD4  = "《政府采购货物和服务招标投标管理办法》第二十七条"
	srcD5  = "《政府采购法实施条例》第三十三条"
	srcE1  = "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）"
	srcE4  = "《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）"
)

// Rules evaluates the checks with a calendar and a configuration.
type Rules struct {
	Cal *calendar.Calendar
	Cfg Config
}

// at formats an instant for messages, in Beijing time.
func at(t time.Time) string {
	if t.IsZero() {
		return "（未填写）"
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04")
}

// A1: from the day tender documents are first issued to the bid deadline,
// not less than TenderDays days (construction, 依法必须招标).
func (r Rules) A1(issued, deadline time.Time) error {
	return r.minDays("A1", srcA1, issued, deadline, r.Cfg.TenderDays, "自招标文件开始发出之日起至投标截止时间止")
}

// D2: the same for government procurement by 公开招标.
func (r Rules) D2(issued, deadline time.Time) error {
	return r.minDays("D2", srcD2, issued, deadline, r.Cfg.ProcTenderDays, "自招标文件开始发出之日起至投标截止之日止")
}

func (r Rules) minDays(id, src string, start, end time.Time, n int, what string) error {
	earliest, err := r.Cal.EarliestEnd(start, n)
	if err != nil {
		return err
	}
	if end.Before(earliest) {
		return errs.Violation(id, src, fmt.Sprintf("%s不得少于%d日：文件发出 %s，截止 %s，最早合法截止时间为 %s",
			what, n, at(start), at(end), at(earliest)))
	}
	return nil
}

// A2: tender or prequalification documents obtainable for not less than
// DocsDays days.
func (r Rules) A2(from, until time.Time) error {
	earliest, err := r.Cal.EarliestEnd(from, r.Cfg.DocsDays)
	if err != nil {
		return err
	}
	if until.Before(earliest) {
		return errs.Violation("A2", srcA2, fmt.Sprintf("招标（资格预审）文件的发售期不得少于%d日：%s 至 %s，获取截止最早为 %s",
			r.Cfg.DocsDays, at(from), at(until), at(earliest)))
	}
	return nil
}

// D3: procurement notice period and document availability, not less than
// ProcDocsWorkingDays working days (调休 make-up days count as working).
func (r Rules) D3(from, until time.Time) error {
	earliest, err := r.Cal.EarliestEndWorking(from, r.Cfg.ProcDocsWorkingDays)
	if err != nil {
		return err
	}
	if until.Before(earliest) {
		return errs.Violation("D3", srcD3, fmt.Sprintf("公告期限及招标文件提供期限不得少于%d个工作日：%s 至 %s，最早为 %s",
			r.Cfg.ProcDocsWorkingDays, at(from), at(until), at(earliest)))
	}
	return nil
}

// EarliestAmendedDeadline is the earliest bid deadline that an amendment
// published at pub may keep or set: the deadline must fall at least n
// days after the amendment (A4, D4), n being AmendDays, or
// PrequalAmendDays for a prequalification deadline.
func (r Rules) EarliestAmendedDeadline(trade tender.TradeKind, prequal bool, pub time.Time) (time.Time, error) {
	return r.Cal.EarliestEnd(pub, r.amendDays(trade, prequal))
}

func (r Rules) amendDays(trade tender.TradeKind, prequal bool) int {
	switch {
	case prequal:
		return r.Cfg.PrequalAmendDays
	case trade == tender.Procurement:
		return r.Cfg.ProcAmendDays
	}
	return r.Cfg.AmendDays
}

// A4 (construction) and D4 (procurement): an amendment that may affect
// bid preparation, published at pub, needs the deadline in force to be at
// least n days later; otherwise the deadline must move. The error offers
// the earliest lawful deadline, also as a field error on bid_deadline.
func (r Rules) A4(trade tender.TradeKind, prequal bool, pub, deadline time.Time) error {
	earliest, err := r.EarliestAmendedDeadline(trade, prequal, pub)
	if err != nil {
		return err
	}
	if !deadline.Before(earliest) {
		return nil
	}
	id, src, what := "A4", srcA4, "投标截止时间"
	if trade == tender.Procurement {
		id, src, what = "D4", srcD4, "投标截止时间"
	}
	if prequal {
		what = "资格预审申请文件提交截止时间"
	}
	n := r.amendDays(trade, prequal)
	e := errs.Violation(id, src, fmt.Sprintf("可能影响投标文件编制的澄清或修改，应当在%s至少%d日前发出；本公告发布于 %s，而截止时间为 %s，须顺延截止时间，最早合法的截止时间为 %s",
		what, n, at(pub), at(deadline), at(earliest)))
	e.Fields = []errs.FieldError{{Field: "bid_deadline", Message: "最早合法的截止时间为 " + at(earliest) + "（北京时间）"}}
	return e
}

// Deposit checks A6 (construction) and D5 (procurement): the deposit may
// not exceed DepositRate of the lot's estimated price (rounded down, so a
// deposit one fen above the legal share is caught) nor the kind's cap.
func (r Rules) Deposit(trade tender.TradeKind, lot tender.Lot) error {
	id, src := "A6", srcA6
	switch trade {
	case tender.Construction:
	case tender.Procurement:
		id, src = "D5", srcD5
	default:
		return nil // land and property deposits follow the listing terms
	}
	limit := money.Percent(lot.EstimatedPrice, r.Cfg.DepositRate)
	if lot.Deposit > limit {
		return errs.Violation(id, src, fmt.Sprintf("标段「%s」投标保证金 %s 元超过估算价 %s 元的 %s（上限 %s 元）",
			lot.Name, lot.Deposit.Yuan(), lot.EstimatedPrice.Yuan(), r.Cfg.DepositRate, limit.Yuan()))
	}
	if cap, ok := r.Cfg.DepositCaps[trade]; ok && lot.Deposit > cap {
		return errs.Violation(id, src+"及部门规章（上限可配置）", fmt.Sprintf("标段「%s」投标保证金 %s 元超过上限 %s 元",
			lot.Name, lot.Deposit.Yuan(), cap.Yuan()))
	}
	return nil
}

// A14: a maximum price, if the lot has one, must be published: the tender
// notice states it (as 1,234.56 or 1234.56 元). A bid above it is rejected
// at opening, which is the bidding package's check.
func (r Rules) A14(lot tender.Lot, body string) error {
	if lot.MaxPrice <= 0 {
		return nil
	}
	if strings.Contains(body, lot.MaxPrice.Yuan()) || strings.Contains(body, lot.MaxPrice.Plain()) {
		return nil
	}
	return errs.Violation("A14", srcA14, fmt.Sprintf("标段「%s」设有最高投标限价 %s 元，招标公告应当载明", lot.Name, lot.MaxPrice.Yuan()))
}

// A24: invited tendering invites at least MinInvitees bidders.
func (r Rules) A24(invitees int) error {
	if invitees >= r.Cfg.MinInvitees {
		return nil
	}
	return errs.Violation("A24", srcA24, fmt.Sprintf("邀请招标应当向%d个以上投标人发出投标邀请书，本公告仅列出%d个", r.Cfg.MinInvitees, invitees))
}

// A19: candidate publicity lasts not less than CandidateDays days.
func (r Rules) A19(pub, ends time.Time) error {
	earliest, err := r.Cal.EarliestEnd(pub, r.Cfg.CandidateDays)
	if err != nil {
		return err
	}
	if ends.Before(earliest) {
		return errs.Violation("A19", srcA19, fmt.Sprintf("中标候选人公示期不得少于%d日：%s 至 %s，最早可于 %s 结束",
			r.Cfg.CandidateDays, at(pub), at(ends), at(earliest)))
	}
	return nil
}

// E1: a land notice is published at least LandNoticeDays days before the
// listing or auction starts, and a listing (挂牌) runs at least
// LandListingDays days.
func (r Rules) E1(pub, starts, ends time.Time, listing bool) error {
	earliest, err := r.Cal.EarliestEnd(pub, r.Cfg.LandNoticeDays)
	if err != nil {
		return err
	}
	if starts.Before(earliest) {
		return errs.Violation("E1", srcE1, fmt.Sprintf("出让公告应当至少在挂牌（拍卖、招标）开始日前%d日发布：公告 %s，开始 %s，最早可于 %s 开始",
			r.Cfg.LandNoticeDays, at(pub), at(starts), at(earliest)))
	}
	if !listing {
		return nil
	}
	end, err := r.Cal.EarliestEnd(starts, r.Cfg.LandListingDays)
	if err != nil {
		return err
	}
	if ends.Before(end) {
		return errs.Violation("E1", srcE1, fmt.Sprintf("挂牌时间不得少于%d日：%s 至 %s，最早可于 %s 截止",
			r.Cfg.LandListingDays, at(starts), at(ends), at(end)))
	}
	return nil
}

// E4Disclosure: a state property transfer is disclosed for at least
// PropertyDisclosureWorkingDays working days.
func (r Rules) E4Disclosure(pub, ends time.Time) error {
	return r.workingDays(pub, ends, r.Cfg.PropertyDisclosureWorkingDays, "产权转让信息披露期不得少于%d个工作日")
}

// E4Result: a state property deal's result is publicised for at least
// PropertyResultWorkingDays working days.
func (r Rules) E4Result(pub, ends time.Time) error {
	return r.workingDays(pub, ends, r.Cfg.PropertyResultWorkingDays, "交易结果公示期不得少于%d个工作日")
}

func (r Rules) workingDays(pub, ends time.Time, n int, what string) error {
	earliest, err := r.Cal.EarliestEndWorking(pub, n)
	if err != nil {
		return err
	}
	if ends.Before(earliest) {
		return errs.Violation("E4", srcE4, fmt.Sprintf(what+"：%s 至 %s，最早可于 %s 结束", n, at(pub), at(ends), at(earliest)))
	}
	return nil
}
