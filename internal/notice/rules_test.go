package notice

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// bj is a Beijing wall-clock instant, "2006-01-02 15:04".
func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

var rules = Rules{Cal: calendar.Default(), Cfg: DefaultConfig}

// wantRule checks that err is nil (rule == "") or a violation of rule.
func wantRule(t *testing.T, err error, rule string) {
	t.Helper()
	switch {
	case rule == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case rule != "" && err == nil:
		t.Fatalf("want a violation of %s, got none", rule)
	case rule != "":
		e := errs.As(err)
		if e.Code != errs.Rule || e.RuleID != rule {
			t.Fatalf("want rule %s, got %v", rule, err)
		}
		// The user sees why: the source of the law and the rule id.
		if !strings.Contains(e.Message, "《") || !strings.Contains(e.Message, "规则 "+rule) {
			t.Fatalf("message does not cite its source: %s", e.Message)
		}
	}
}

func TestPeriodRules(t *testing.T) {
	cases := []struct {
		name       string
		check      func(a, b time.Time) error
		start, end string
		rule       string
	}{
		// A1 / D2: 20 days from the day documents are issued (C1: that day
		// not counted; C2: "不少于" includes the bound).
		{"A1 exactly 20 days", rules.A1, "2026-03-04 10:00", "2026-03-24 00:00", ""},
		{"A1 19 days 23:59", rules.A1, "2026-03-04 10:00", "2026-03-23 23:59", "A1"},
		{"A1 issue time of day does not matter", rules.A1, "2026-03-04 00:00", "2026-03-24 09:00", ""},
		// Day 20 is 2026-10-01 (国庆): the period ends on the first working
		// day after the holiday, 10-08, so a deadline inside the holiday is
		// too early even though 26 calendar days have passed.
		{"A1 day 20 in 国庆 2026", rules.A1, "2026-09-11 09:00", "2026-10-07 09:30", "A1"},
		{"A1 first working day after 国庆", rules.A1, "2026-09-11 09:00", "2026-10-08 09:00", ""},
		{"D2 exactly 20 days", rules.D2, "2026-03-04 10:00", "2026-03-24 00:00", ""},
		{"D2 one minute short", rules.D2, "2026-03-04 10:00", "2026-03-23 23:59", "D2"},
		// A2: documents obtainable ≥ 5 days.
		{"A2 exactly 5 days", rules.A2, "2026-03-04 09:00", "2026-03-09 00:00", ""},
		{"A2 4 days 23:59", rules.A2, "2026-03-04 09:00", "2026-03-08 23:59", "A2"},
		// D3: 5 working days across 春节 2026. From Thu 02-12: 02-13 (1),
		// Sat 02-14 make-up working day (2), holiday 02-15..23, 02-24 (3),
		// 02-25 (4), 02-26 (5).
		{"D3 5 working days over 春节", rules.D3, "2026-02-12 09:00", "2026-02-26 00:00", ""},
		{"D3 春节 one minute short", rules.D3, "2026-02-12 09:00", "2026-02-25 23:59", "D3"},
		// From Tue 02-24 the make-up Saturday 02-28 counts: 25, 26, 27,
		// 28 (Sat), 03-02 (Mon) — not 03-03 as weekends-only would say.
		{"D3 make-up Saturday counts", rules.D3, "2026-02-24 09:00", "2026-03-02 00:00", ""},
		{"D3 make-up Saturday, Sunday is short", rules.D3, "2026-02-24 09:00", "2026-03-01 23:59", "D3"},
		// A19: candidate publicity ≥ 3 days; day 3 falls on 10-02 (国庆).
		{"A19 ends inside 国庆", rules.A19, "2026-09-29 10:00", "2026-10-07 17:00", "A19"},
		{"A19 ends after 国庆", rules.A19, "2026-09-29 10:00", "2026-10-08 00:00", ""},
		// E4 result publicity ≥ 5 working days, over 春节 as D3.
		{"E4 result 5 working days", rules.E4Result, "2026-02-12 09:00", "2026-02-26 00:00", ""},
		{"E4 result short", rules.E4Result, "2026-02-12 09:00", "2026-02-25 18:00", "E4"},
		// E4 disclosure ≥ 20 working days from Mon 2026-09-21: 中秋
		// (09-25..27) and 国庆 (10-01..07) are skipped, Sat 10-10 is
		// worked; the 20th working day is Mon 10-26.
		{"E4 disclosure 20 working days", rules.E4Disclosure, "2026-09-21 09:00", "2026-10-26 00:00", ""},
		{"E4 disclosure short", rules.E4Disclosure, "2026-09-21 09:00", "2026-10-25 23:59", "E4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRule(t, c.check(bj(c.start), bj(c.end)), c.rule)
		})
	}
}

func TestAmendmentRule(t *testing.T) {
	cases := []struct {
		name      string
		trade     tender.TradeKind
		prequal   bool
		pub, dl   string
		rule      string
		earliest  string
		suggested string
	}{
		// Day 15 after 09-14 is Tue 09-29: a deadline on 09-29 is lawful.
		{"A4 exactly 15 days", tender.Construction, false, "2026-09-14 10:00", "2026-09-29 09:00", "", "2026-09-29 00:00", "2026-09-29 09:00"},
		{"A4 14 days", tender.Construction, false, "2026-09-15 10:00", "2026-09-29 09:00", "A4", "2026-09-30 00:00", "2026-09-30 09:00"},
		// Day 15 after Sun 09-20 (a make-up working day) is 10-05, in
		// 国庆: the earliest lawful deadline is 10-08.
		{"A4 earliest lands after 国庆", tender.Construction, false, "2026-09-20 10:00", "2026-10-06 09:30", "A4", "2026-10-08 00:00", "2026-10-08 09:30"},
		{"A4 prequalification 3 days", tender.Construction, true, "2026-03-02 10:00", "2026-03-05 09:00", "", "2026-03-05 00:00", "2026-03-05 09:00"},
		{"A4 prequalification 2 days", tender.Construction, true, "2026-03-03 10:00", "2026-03-05 09:00", "A4", "2026-03-06 00:00", "2026-03-06 09:00"},
		{"D4 procurement 15 days", tender.Procurement, false, "2026-09-15 10:00", "2026-09-29 09:00", "D4", "2026-09-30 00:00", "2026-09-30 09:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := rules.A4(c.trade, c.prequal, bj(c.pub), bj(c.dl))
			wantRule(t, err, c.rule)
			if err != nil {
				// The earliest lawful deadline is offered, also as a field error.
				e := errs.As(err)
				if !strings.Contains(e.Message, c.earliest) || len(e.Fields) != 1 || e.Fields[0].Field != "bid_deadline" {
					t.Fatalf("earliest %s not offered: %+v", c.earliest, e)
				}
			}
			rep, err := rules.Evaluate(Facts{Kind: KindAmendment, Trade: c.trade, OriginalKind: map[bool]Kind{true: KindPrequal, false: KindTender}[c.prequal],
				Pub: bj(c.pub), CurrentDeadline: bj(c.dl), AffectsBids: true})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.EarliestBidDeadline.Equal(bj(c.earliest)) || !rep.SuggestedBidDeadline.Equal(bj(c.suggested)) {
				t.Fatalf("earliest %s suggested %s, want %s / %s", clock.Format(rep.EarliestBidDeadline),
					clock.Format(rep.SuggestedBidDeadline), c.earliest, c.suggested)
			}
			if rep.OK != (c.rule == "") {
				t.Fatalf("report OK=%v: %+v", rep.OK, rep.Violations)
			}
			// Moving the deadline to the suggestion always makes it lawful.
			rep, _ = rules.Evaluate(Facts{Kind: KindAmendment, Trade: c.trade, OriginalKind: map[bool]Kind{true: KindPrequal, false: KindTender}[c.prequal],
				Pub: bj(c.pub), CurrentDeadline: bj(c.dl), BidDeadline: rep.SuggestedBidDeadline, AffectsBids: true})
			if !rep.OK {
				t.Fatalf("suggested deadline refused: %+v", rep.Violations)
			}
		})
	}
	// An amendment that does not affect bid preparation may come late.
	rep, err := rules.Evaluate(Facts{Kind: KindAmendment, Trade: tender.Construction, OriginalKind: KindTender,
		Pub: bj("2026-09-28 10:00"), CurrentDeadline: bj("2026-09-29 09:00")})
	if err != nil || !rep.OK {
		t.Fatalf("editorial amendment refused: %v %+v", err, rep.Violations)
	}
}

func TestDepositRule(t *testing.T) {
	wan := money.OneWan
	cases := []struct {
		name      string
		trade     tender.TradeKind
		estimated money.Fen
		deposit   money.Fen
		rule      string
	}{
		// 2% of 1000万元 is 20万元 exactly.
		{"A6 exactly 2%", tender.Construction, 1000 * wan, 20 * wan, ""},
		{"A6 2% plus 1 fen", tender.Construction, 1000 * wan, 20*wan + 1, "A6"},
		// 2% of 123.45 元 is 2.469 元: the cap rounds down to 2.46.
		{"A6 rounds the cap down", tender.Construction, 12345, 246, ""},
		{"A6 fraction of a fen over", tender.Construction, 12345, 247, "A6"},
		// 2% of 5000万元 is 100万元, but the cap is 80万元.
		{"A6 at the 80万 cap", tender.Construction, 5000 * wan, 80 * wan, ""},
		{"A6 cap plus 1 fen", tender.Construction, 5000 * wan, 80*wan + 1, "A6"},
		// Procurement has no cap by default, only 2% (D5).
		{"D5 2% above 80万", tender.Procurement, 5000 * wan, 100 * wan, ""},
		{"D5 2% plus 1 fen", tender.Procurement, 5000 * wan, 100*wan + 1, "D5"},
		{"land deposits follow the listing", tender.Land, 100 * wan, 50 * wan, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRule(t, rules.Deposit(c.trade, tender.Lot{Name: "一标段", EstimatedPrice: c.estimated, Deposit: c.deposit}), c.rule)
		})
	}
	// The cap is configurable per kind.
	r := rules
	r.Cfg.DepositCaps = map[tender.TradeKind]money.Fen{tender.Procurement: 50 * wan}
	wantRule(t, r.Deposit(tender.Procurement, tender.Lot{EstimatedPrice: 5000 * wan, Deposit: 50*wan + 1}), "D5")
	wantRule(t, r.Deposit(tender.Construction, tender.Lot{EstimatedPrice: 5000 * wan, Deposit: 100 * wan}), "")
}

func TestMaxPriceAndInvitees(t *testing.T) {
	lot := tender.Lot{Name: "一标段", MaxPrice: 123456789}
	wantRule(t, rules.A14(lot, "最高投标限价：1,234,567.89 元"), "")
	wantRule(t, rules.A14(lot, "最高投标限价 1234567.89 元"), "")
	wantRule(t, rules.A14(lot, "最高投标限价另行通知"), "A14")
	wantRule(t, rules.A14(tender.Lot{Name: "无限价"}, ""), "")
	wantRule(t, rules.A24(2), "A24")
	wantRule(t, rules.A24(3), "")
}

func TestLandRule(t *testing.T) {
	// Day 20 after Mon 03-02 is Sun 03-22: the listing may start on the
	// next working day, Mon 03-23, at the earliest.
	wantRule(t, rules.E1(bj("2026-03-02 10:00"), bj("2026-03-22 10:00"), bj("2026-04-10 17:00"), true), "E1")
	wantRule(t, rules.E1(bj("2026-03-02 10:00"), bj("2026-03-23 09:00"), bj("2026-04-02 17:00"), true), "")
	// The listing itself runs ≥ 10 days: 03-23 + 10 = 04-02.
	wantRule(t, rules.E1(bj("2026-03-02 10:00"), bj("2026-03-23 09:00"), bj("2026-04-01 17:00"), true), "E1")
	// An auction has no listing period.
	wantRule(t, rules.E1(bj("2026-03-02 10:00"), bj("2026-03-23 09:00"), time.Time{}, false), "")
	// Configurable (?) figures.
	r := rules
	r.Cfg.LandListingDays = 5
	wantRule(t, r.E1(bj("2026-03-02 10:00"), bj("2026-03-23 09:00"), bj("2026-03-30 17:00"), true), "")
}

func TestEvaluateTender(t *testing.T) {
	lots := []tender.Lot{{Name: "一标段", EstimatedPrice: 1000 * money.OneWan, Deposit: 20*money.OneWan + 1, MaxPrice: 900 * money.OneWan}}
	f := Facts{Kind: KindTender, Trade: tender.Construction, Procedure: tender.Invited, Pub: bj("2026-03-04 10:00"),
		DocsFrom: bj("2026-03-04 10:00"), DocsUntil: bj("2026-03-09 17:00"), BidDeadline: bj("2026-03-24 09:30"),
		Lots: lots, Body: "最高投标限价 9,000,000.00 元", Invitees: 2}
	rep, err := rules.Evaluate(f)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, v := range rep.Violations {
		got = append(got, v.Rule)
	}
	if strings.Join(got, ",") != "A24,A6" || rep.OK {
		t.Fatalf("violations %v", got)
	}
	e := errs.As(rep.Err())
	if e.RuleID != "A24" || !strings.Contains(e.Message, "另有1项") {
		t.Fatalf("first violation %v", rep.Err())
	}

	// Documents cannot be issued before publication: a notice approved
	// late is measured from its publication, not the drafted docs_from.
	f.Invitees, f.Lots[0].Deposit = 3, 20*money.OneWan
	f.Pub = bj("2026-03-05 10:00")
	rep, _ = rules.Evaluate(f)
	if rep.OK || rep.Violations[0].Rule != "A1" {
		t.Fatalf("late publication not caught: %+v", rep.Violations)
	}

	// A year without holiday data is an error, never a silent pass.
	f.Pub, f.DocsFrom = bj("2031-03-04 10:00"), time.Time{}
	f.BidDeadline = bj("2031-03-30 10:00")
	if _, err := rules.Evaluate(f); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("uncovered year: %v", err)
	}
}
