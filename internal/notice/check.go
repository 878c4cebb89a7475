package notice

import (
	"fmt"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// Facts are what the checks look at: the notice's dates and text, the
// project's kind and procedure, the lots the notice covers and, for
// amendments, the deadline in force. Evaluate is pure over them.
type Facts struct {
	Kind      Kind
	Trade     tender.TradeKind
	Procedure tender.Procedure
	Pub       time.Time // when the notice is (to be) published

	DocsFrom, DocsUntil, BidDeadline, StartsAt, EndsAt time.Time

	Lots     []tender.Lot
	Body     string
	Invitees int

	// Amendments only.
	OriginalKind    Kind      // kind of the amended notice
	CurrentDeadline time.Time // deadline in force before this amendment
	AffectsBids     bool
}

// later returns the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Evaluate runs every check that applies to f. Broken rules are collected
// in the report; an error is returned only when a check could not be
// computed (for example a date in a year the calendar does not cover).
func (r Rules) Evaluate(f Facts) (CheckReport, error) {
	rep := CheckReport{At: f.Pub, Violations: []Violation{}}
	var broken []*errs.Error
	add := func(err error) error {
		if err == nil {
			return nil
		}
		if errs.Is(err, errs.Rule) {
			e := errs.As(err)
			broken = append(broken, e)
			rep.Violations = append(rep.Violations, Violation{Rule: e.RuleID, Message: e.Message})
			return nil
		}
		return err
	}
	var err error
	switch f.Kind {
	case KindTender, KindPrequal:
		err = r.tenderChecks(f, add)
	case KindListing:
		switch f.Trade {
		case tender.Land:
			err = add(r.E1(f.Pub, f.StartsAt, f.EndsAt, f.Procedure == tender.Listing))
		case tender.Property:
			err = add(r.E4Disclosure(f.Pub, f.EndsAt))
		}
	case KindAmendment:
		err = r.amendmentChecks(f, &rep, add)
	case KindCandidates:
		if f.Trade == tender.Construction {
			err = add(r.A19(f.Pub, f.EndsAt))
		}
	case KindResult:
		if f.Trade == tender.Property {
			err = add(r.E4Result(f.Pub, f.EndsAt))
		}
	}
	if err != nil {
		return rep, err
	}
	rep.OK = len(broken) == 0
	rep.first = firstViolation(broken)
	return rep, nil
}

func (r Rules) tenderChecks(f Facts, add func(error) error) error {
	// Documents cannot be issued before the notice is out.
	issued := later(f.DocsFrom, f.Pub)
	isTender := f.Kind == KindTender
	switch f.Trade {
	case tender.Construction:
		if isTender {
			if err := add(r.A1(issued, f.BidDeadline)); err != nil {
				return err
			}
		}
		if err := add(r.A2(issued, f.DocsUntil)); err != nil {
			return err
		}
		if isTender && f.Procedure == tender.Invited {
			add(r.A24(f.Invitees))
		}
	case tender.Procurement:
		if isTender && f.Procedure == tender.Open {
			if err := add(r.D2(issued, f.BidDeadline)); err != nil {
				return err
			}
		}
		if f.Procedure == tender.Open || f.Procedure == tender.Invited {
			if err := add(r.D3(issued, f.DocsUntil)); err != nil {
				return err
			}
		}
	}
	if isTender {
		for _, l := range f.Lots {
			add(r.Deposit(f.Trade, l))
			if f.Trade == tender.Construction {
				add(r.A14(l, f.Body))
			}
		}
	}
	return nil
}

func (r Rules) amendmentChecks(f Facts, rep *CheckReport, add func(error) error) error {
	if f.Trade != tender.Construction && f.Trade != tender.Procurement {
		return nil
	}
	if f.OriginalKind != KindTender && f.OriginalKind != KindPrequal {
		return nil
	}
	prequal := f.OriginalKind == KindPrequal
	deadline := f.CurrentDeadline
	if !f.BidDeadline.IsZero() {
		deadline = f.BidDeadline
	}
	earliest, err := r.EarliestAmendedDeadline(f.Trade, prequal, f.Pub)
	if err != nil {
		return err
	}
	rep.EarliestBidDeadline = earliest
	rep.SuggestedBidDeadline = sameClock(earliest, f.CurrentDeadline)
	if !f.AffectsBids {
		return nil
	}
	return add(r.A4(f.Trade, prequal, f.Pub, deadline))
}

// sameClock is day's date at ref's Beijing time of day (a deadline at
// 09:30 stays at 09:30 when moved), or day itself when ref is zero.
func sameClock(day, ref time.Time) time.Time {
	if ref.IsZero() {
		return day
	}
	d, r := day.In(clock.Shanghai), ref.In(clock.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), r.Hour(), r.Minute(), 0, 0, clock.Shanghai).UTC()
}

// firstViolation is the error a refused approval returns: the first
// broken rule, saying how many more there are.
func firstViolation(broken []*errs.Error) *errs.Error {
	if len(broken) == 0 {
		return nil
	}
	e := *broken[0]
	if n := len(broken) - 1; n > 0 {
		e.Message += fmt.Sprintf("（另有%d项规则未满足，请查看合规检查结果）", n)
	}
	return &e
}

// Err is the first violation as an error, nil when the report is clean.
func (c CheckReport) Err() error {
	if c.first == nil {
		return nil
	}
	return c.first
}
