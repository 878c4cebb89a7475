package demo

import (
	"ggzy/internal/tender"
)

// special is a project placed so that the present shows a given state:
// started a number of working days before it and run at the earliest pace
// (plan.fast), it is held at its stop. With them even a small demo has a
// draft, a submission waiting and one overdue, a returned project, notices
// in draft, review, rejected and scheduled, a project in evaluation and
// one in publicity, green-channel bookings, amendments, a 流标, a
// termination, a prequalification and listings — and online openings in every state.
type special struct {
	kind        tender.TradeKind
	procedure   tender.Procedure
	region      string
	role        string // "" = drawn
	workdays    int    // started this many working days before the present
	stop        stop
	outcome     outcome
	owner       string // "tenderer": the region's tenderer with a user; "agent": the first agent
	green       bool
	returnFirst bool
	rejectFirst bool
	amend       amendment
	prequal     bool // a 资格预审公告 before the tender
}

var specialList = []special{
	{kind: tender.Construction, procedure: tender.Open, region: "530602", role: roleEducation, workdays: 1, stop: stopDraft, owner: "tenderer"},
	{kind: tender.Procurement, procedure: tender.Open, region: "530627", workdays: 1, stop: stopSubmitted, owner: "agent"},
	{kind: tender.Construction, procedure: tender.Open, region: "530621", workdays: 6, stop: stopSubmitted},              // overdue
	{kind: tender.Construction, procedure: tender.Open, region: "530628", workdays: 1, stop: stopSubmitted, green: true}, // overdue on the green channel
	{kind: tender.Procurement, procedure: tender.Consultation, region: "530600", workdays: 3, stop: stopReturned, returnFirst: true},
	{kind: tender.Construction, procedure: tender.Open, region: "530625", workdays: 10, outcome: withdrawn, returnFirst: true},
	{kind: tender.Land, procedure: tender.Listing, region: "530602", workdays: 2, stop: stopAccepted, owner: "agent"},
	{kind: tender.Construction, procedure: tender.Open, region: "530602", role: roleEducation, workdays: 3, stop: stopNoticeDraft, owner: "tenderer"},
	{kind: tender.Procurement, procedure: tender.Open, region: "530602", role: roleEducation, workdays: 3, stop: stopNoticeReview, owner: "tenderer"},
	{kind: tender.Construction, procedure: tender.Open, region: "530622", workdays: 4, stop: stopNoticeRejected, rejectFirst: true},
	{kind: tender.Construction, procedure: tender.Open, region: "530600", workdays: 3, stop: stopNoticeScheduled, owner: "agent"},
	{kind: tender.Procurement, procedure: tender.Open, region: "530623", workdays: 8},  // tendering
	{kind: tender.Property, procedure: tender.Listing, region: "530600", workdays: 12}, // in disclosure
	{kind: tender.Construction, procedure: tender.Open, region: "530627", workdays: 35, stop: stopEvaluating, owner: "agent"},
	{kind: tender.Construction, procedure: tender.Open, region: "530600", workdays: 38, stop: stopPublicity, owner: "agent"},
	{kind: tender.Construction, procedure: tender.Open, region: "530602", role: roleEducation, workdays: 60, owner: "tenderer", green: true},
	{kind: tender.Construction, procedure: tender.Open, region: "530621", workdays: 65, amend: clarify},
	{kind: tender.Construction, procedure: tender.Open, region: "530629", workdays: 75, amend: extend},
	{kind: tender.Construction, procedure: tender.Invited, region: "530624", workdays: 55, outcome: failedFinal},
	{kind: tender.Procurement, procedure: tender.Open, region: "530681", workdays: 45, outcome: terminated},
	{kind: tender.Land, procedure: tender.Listing, region: "530627", workdays: 70},
	{kind: tender.Land, procedure: tender.Auction, region: "530600", workdays: 60},
	{kind: tender.Property, procedure: tender.Listing, region: "530628", workdays: 80},
	// 流标 online, then re-tendered and opened online again in its second
	// round (轮次, bidding.go).
	{kind: tender.Construction, procedure: tender.Open, region: "530626", workdays: 55, outcome: failedThenAwarded, prequal: true},
	// Online openings (bidding.go): one in its decryption window at the
	// present, one failed for want of three bids (A12).
	{kind: tender.Construction, procedure: tender.Open, region: "530602", role: roleEducation, workdays: 26, stop: stopDecrypting, owner: "tenderer"},
	{kind: tender.Procurement, procedure: tender.Open, region: "530627", workdays: 28, outcome: failedFinal},
}

func (l *loader) specials() []*plan {
	var out []*plan
	for _, s := range specialList {
		day := l.days.before(l.opt.Now, s.workdays)
		pl := l.newPlan(s.kind, regionByCode(s.region), s.role, at(day, 9, 30))
		pl.procedure, pl.stop, pl.outcome, pl.fast = s.procedure, s.stop, s.outcome, true
		pl.green, pl.reason = s.green, ""
		if s.green {
			pl.reason = greenReasons[0]
		}
		pl.returnFirst, pl.rejectFirst, pl.lateDecision, pl.amend = s.returnFirst, s.rejectFirst, false, s.amend
		pl.prequal = s.prequal
		switch s.owner {
		case "tenderer":
			pl.owner, pl.agent = pl.tenderer.user, nil
		case "agent":
			pl.agent = l.agents[0]
			pl.owner = pl.agent.user
		}
		if s.stop == stopNoticeScheduled {
			// Approved before the present for publication after it.
			pl.publishAt = at(l.days.workday(l.opt.Now, 1), 9, 0)
		}
		out = append(out, pl)
	}
	return out
}
