package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/guide"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

// project is a plan being lived: each step does one thing people do on the
// platform through its service, then queues the next step at the time it
// happens.
type project struct {
	l    *loader
	plan *plan
	id   int64
	code string
	lots []tender.Lot

	owner auth.Actor // the agent or tenderer who registers, drafts and books
	staff auth.Actor // the centre's staff who decide intake and review notices

	returned bool // intake returned once
	round    int  // trading rounds: a 流标 may be followed by another
	sched    noticeSchedule
	input    notice.Input // the current round's tender or listing notice
	draftID  int64        // the notice being drafted or reviewed
	opener   int64        // the current round's published tender or listing notice
	rejected bool

	deadline time.Time // bid deadline, auction start or listing end: when the round closes
	closed   int       // the last round closed
	ended    bool
	bookings []booking
	awardees []*org
	prices   []money.Fen

	invited []*org       // the current round's invitees (invited tenders)
	online  *onlineRound // the current round's sealed bids and online opening (bidding.go)
}

func (l *loader) newProject(pl *plan) *project {
	p := &project{l: l, plan: pl, owner: l.actors[pl.owner]}
	staff := l.staff[pl.region.code]
	name := staff[0]
	if l.g.chance(20) {
		name = "zt_staff2" // the city centre oversees the counties' intake too
	}
	p.staff = l.actors[name]
	if pl.procedure == tender.SingleSource && l.online.near(pl.start) {
		// A single source is not opened online (bidding.MinimumFor): recent
		// purchases negotiate (bidding.go).
		pl.procedure = tender.Negotiation
	}
	return p
}

// at queues step f of the project at t; a calendar error stops the load.
func (p *project) at(t time.Time, f func(context.Context) error) {
	p.l.tl.at(t, func(ctx context.Context) error {
		if err := f(ctx); err != nil {
			return fmt.Errorf("演示项目 %s（%s）: %w", p.code, p.plan.name, err)
		}
		return p.l.days.err
	})
}

// minutes is a random number of minutes in [a, b), or a on a fast plan.
func (p *project) minutes(a, b int) time.Duration {
	if p.plan.fast || b <= a {
		return time.Duration(a) * time.Minute
	}
	return time.Duration(a+p.l.g.r.IntN(b-a)) * time.Minute
}

// workdays is a random number of working days in [a, b], or a on a fast plan.
func (p *project) workdays(a, b int) int {
	if p.plan.fast || b <= a {
		return a
	}
	return a + p.l.g.r.IntN(b-a+1)
}

// register registers the project and uploads its materials.
func (p *project) register(ctx context.Context) error {
	l, pl := p.l, p.plan
	in := tender.ProjectInput{Name: pl.name, TradeKind: pl.kind, Industry: pl.industry, RegionCode: pl.region.code,
		Procedure: pl.procedure, ApprovalRef: pl.approval, GreenChannel: pl.green, GreenReason: pl.reason, Lots: pl.lots,
		StateFunded: pl.kind == tender.Procurement || (pl.kind == tender.Construction && l.g.chance(85))}
	if p.owner.Role == auth.Agent {
		in.TendererOrgID = pl.tenderer.id
	} else if pl.agent != nil {
		in.AgentOrgID = pl.agent.id
	}
	pr, err := l.svc.Tender.Register(ctx, p.owner, in)
	if err != nil {
		return fmt.Errorf("登记: %w", err)
	}
	p.id, p.code, p.lots = pr.ID, pr.Code, pr.Lots
	p.at(l.tl.now().Add(p.minutes(5, 25)), p.upload)
	return nil
}

// upload hands in the intake materials the guide asks for, and queues the
// submission.
func (p *project) upload(ctx context.Context) error {
	l, pl := p.l, p.plan
	var required, optional []guide.Material
	for _, m := range l.intake[pl.kind].Materials {
		if m.Required {
			required = append(required, m)
		} else {
			optional = append(optional, m)
		}
	}
	if pl.stop == stopDraft {
		required = required[:len(required)/2] // still gathering the papers
	} else if len(optional) > 0 && l.g.chance(30) {
		required = append(required, optional[0])
	}
	for i, m := range required {
		if _, err := l.svc.Tender.Upload(ctx, p.owner, p.id, m.ID, m.Name+".pdf", bytes.NewReader(demoFile(p.code, "intake material", i+1))); err != nil {
			return fmt.Errorf("上传%s: %w", m.Name, err)
		}
	}
	if pl.stop == stopDraft {
		return nil
	}
	t := at(pl.start, 14, 30)
	if !pl.fast {
		t = l.days.office(l.tl.now().Add(p.minutes(60, 300)))
		if l.g.chance(30) {
			t = at(l.days.workday(t, p.workdays(1, 2)), 9, 30).Add(p.minutes(0, 120))
		}
	}
	p.at(t, p.submit)
	return nil
}

// submit hands the project to the centre and queues the centre's answer
// within the promised time (or, now and then, after it).
func (p *project) submit(ctx context.Context) error {
	l, pl := p.l, p.plan
	pr, err := l.svc.Tender.Submit(ctx, p.owner, p.id)
	if err != nil {
		return fmt.Errorf("提交: %w", err)
	}
	if pl.stop == stopSubmitted {
		return nil
	}
	now, due := l.tl.now(), pr.DueAt
	late := pl.lateDecision && !p.returned // the first answer only
	var t time.Time
	switch {
	case pl.fast:
		t = l.days.office(now.Add(60 * time.Minute))
	case late:
		t = l.days.office(due).Add(p.minutes(30, 150)) // answered late: the queue flagged it
	case pl.green:
		t = l.days.office(now.Add(p.minutes(20, 80)))
	default:
		t = l.days.office(now.Add(p.minutes(30, 420)))
	}
	if !late && !t.Before(due) {
		t = later(now, due.Add(-time.Hour))
	}
	p.at(t, p.decide)
	return nil
}

// decide is the centre's answer: returned once for some, accepted for all
// but the withdrawn.
func (p *project) decide(ctx context.Context) error {
	l, pl := p.l, p.plan
	if pl.returnFirst && !p.returned {
		p.returned = true
		_, err := l.svc.Tender.Decide(ctx, p.staff, p.id, tender.Decision{Reason: l.g.pick(returnReasons)})
		if err != nil {
			return fmt.Errorf("退回: %w", err)
		}
		switch {
		case pl.stop == stopReturned:
		case pl.outcome == withdrawn:
			p.at(at(l.days.workday(l.tl.now(), p.workdays(1, 3)), 10, 0), p.withdraw)
		default:
			p.at(at(l.days.workday(l.tl.now(), p.workdays(1, 2)), 10, 0).Add(p.minutes(0, 90)), p.resubmit)
		}
		return nil
	}
	if _, err := l.svc.Tender.Decide(ctx, p.staff, p.id, tender.Decision{Accept: true, Reason: "材料齐全，予以受理。"}); err != nil {
		return fmt.Errorf("受理: %w", err)
	}
	if pl.stop == stopAccepted {
		return nil
	}
	t := l.days.office(l.tl.now().Add(30 * time.Minute))
	if !pl.fast && l.g.chance(40) {
		t = at(l.days.workday(t, p.workdays(1, 2)), 10, 0)
	}
	if pl.prequal {
		p.at(t, p.prequalify)
		return nil
	}
	p.at(t, p.prepare)
	return nil
}

// prequalify publishes the 资格预审公告 with its prequalification
// documents, through the same drafting, review and legal checks as every
// notice (A2 or D3: documents obtainable at least 5 days and 5 working
// days), and the application deadline at least 5 days after the documents
// close (条例 17). Publishing it starts the trading (Accepted → Tendering);
// the applications are reviewed in a few working days after the deadline,
// and the tender round follows (for invited purchases, the tender invites
// suppliers that passed).
func (p *project) prequalify(ctx context.Context) error {
	l, pl := p.l, p.plan
	now := l.tl.now()
	// The review may publish it on the next working day: count from there.
	base := at(l.days.workday(now, 1), 9, 0)
	until := at(later(l.days.earliestEnd(base, 5), l.days.earliestEndWorking(base, 5)), 17, 30)
	deadline := at(l.days.workday(l.days.earliestEnd(until, 5), p.workdays(0, 2)), 9, 30)
	in := notice.Input{ProjectID: p.id, Kind: notice.KindPrequal, DocsFrom: now, DocsUntil: until, BidDeadline: deadline}
	n, err := l.svc.Notice.Draft(ctx, p.owner, in)
	if err != nil {
		return fmt.Errorf("起草%s: %w", in.Kind.Label(), err)
	}
	docs := "资格预审文件.pdf"
	if pl.kind == tender.Procurement {
		docs = "资格预审文件（供应商资格条件）.pdf"
	}
	if _, err := l.svc.Notice.AddAttachment(ctx, p.owner, n.ID, docs, true, bytes.NewReader(demoFile(p.code, "prequalification documents", 1))); err != nil {
		return fmt.Errorf("上传%s: %w", docs, err)
	}
	if _, err := l.svc.Notice.Submit(ctx, p.owner, n.ID); err != nil {
		return fmt.Errorf("提交%s: %w", in.Kind.Label(), err)
	}
	p.at(l.days.office(now.Add(p.minutes(30, 150))), func(ctx context.Context) error {
		if _, err := l.svc.Notice.Decide(ctx, p.staff, n.ID, notice.Decision{Approve: true}); err != nil {
			return fmt.Errorf("审核%s: %w", in.Kind.Label(), err)
		}
		// Applications reviewed, the qualified applicants told; then the
		// tender round.
		p.at(at(l.days.workday(deadline, p.workdays(2, 5)), 10, 0), p.prepare)
		return nil
	})
	return nil
}

// resubmit corrects what the centre asked for and hands the project in again.
func (p *project) resubmit(ctx context.Context) error {
	l := p.l
	m := l.intake[p.plan.kind].Materials[0]
	if _, err := l.svc.Tender.Upload(ctx, p.owner, p.id, m.ID, m.Name+"（补正）.pdf", bytes.NewReader(demoFile(p.code, "corrected material", 1))); err != nil {
		return fmt.Errorf("补正材料: %w", err)
	}
	return p.submit(ctx)
}

func (p *project) withdraw(ctx context.Context) error {
	_, err := p.l.svc.Tender.Withdraw(ctx, p.owner, p.id, "项目实施方案调整，申请撤回本次进场登记。")
	p.ended = true
	return err
}

// noticeSchedule is when a round's tender or listing notice is drafted,
// reviewed (rejected once for some), approved and published.
type noticeSchedule struct {
	draft, review, resubmit, approve, publish time.Time
	reject                                    bool
}

func (p *project) schedule() noticeSchedule {
	l, pl := p.l, p.plan
	now := l.tl.now()
	d1 := l.days.workday(now, p.workdays(1, 3))
	s := noticeSchedule{draft: at(d1, 9, 30).Add(p.minutes(0, 90)), reject: pl.rejectFirst && p.round == 1}
	if s.reject {
		s.review = at(d1, 15, 0)
		d2 := l.days.workday(d1, 1)
		s.resubmit, s.approve = at(d2, 10, 0), at(d2, 15, 0)
	} else {
		s.approve = at(d1, 15, 30)
		if !pl.fast && l.g.chance(50) {
			s.approve = at(l.days.workday(d1, 1), 10, 30)
		}
		s.review = s.approve
	}
	switch {
	case !pl.publishAt.IsZero() && p.round == 1:
		s.publish = pl.publishAt
	case !pl.fast && l.g.chance(35):
		s.publish = s.approve // published on approval
	default:
		s.publish = at(l.days.workday(s.approve, 1), 9, 0)
	}
	return s
}

// prepare starts a round: it plans the notice, books the rooms for the
// deadline it will announce (or the auction), and queues the drafting.
func (p *project) prepare(ctx context.Context) error {
	l, pl := p.l, p.plan
	p.round++
	p.rejected, p.online = false, nil
	p.sched = p.schedule()
	pub := p.sched.publish
	p.input = notice.Input{ProjectID: p.id}
	switch pl.kind {
	case tender.Construction, tender.Procurement:
		opening := pl.procedure == tender.Open || pl.procedure == tender.Invited
		evaluation := pl.procedure != tender.SingleSource
		earliest := p.earliestDeadline(pub)
		if !pl.fast {
			earliest = earliest.AddDate(0, 0, l.g.r.IntN(8))
		}
		switch {
		case pl.stop == stopDecrypting:
			p.deadline = decryptingDeadline(l.opt.Now) // online, no hall; see bidding.go
		case opening || evaluation:
			s, ok := p.sitting(earliest, opening, evaluation)
			if !ok {
				return fmt.Errorf("%s 之后找不到空闲的开评标场地", earliest.Format(time.DateOnly))
			}
			for _, sp := range s.spans {
				if err := p.book(ctx, sp, 0); err != nil {
					return err
				}
			}
			p.deadline = s.deadline
		default:
			p.deadline = p.plainDeadline(earliest)
		}
		p.input.Kind, p.input.DocsFrom, p.input.BidDeadline = notice.KindTender, pub, p.deadline
		p.input.DocsUntil = p.docsUntil(pub)
		if pl.procedure == tender.Invited {
			p.input.Invitees = p.invitees()
		}
	case tender.Land:
		p.input.Kind = notice.KindListing
		starts := l.days.earliestEnd(pub, 20) // RULES E1: notice ≥ 20 days before the start
		if !pl.fast {
			starts = starts.AddDate(0, 0, l.g.r.IntN(6))
		}
		switch pl.procedure {
		case tender.Auction:
			s, ok := p.findSitting(starts, true, false)
			if !ok {
				return fmt.Errorf("%s 之后找不到空闲的拍卖场地", starts.Format(time.DateOnly))
			}
			if err := p.book(ctx, s.spans[0], 0); err != nil {
				return err
			}
			p.input.StartsAt, p.deadline = s.deadline, s.deadline
		case tender.Listing:
			p.input.StartsAt = at(l.days.workday(starts, 0), 9, 0)
			ends := l.days.earliestEnd(p.input.StartsAt, 10) // E1: listing ≥ 10 days
			p.input.EndsAt = at(l.days.workday(ends, p.workdays(0, 3)), 10, 0)
			p.deadline = p.input.EndsAt
		default: // 招标出让: bids open at the start
			p.input.StartsAt = at(l.days.workday(starts, 0), 9, 30)
			p.deadline = p.input.StartsAt
		}
	case tender.Property:
		p.input.Kind, p.input.StartsAt = notice.KindListing, pub
		ends := l.days.earliestEndWorking(pub, 20) // E4: disclosure ≥ 20 working days
		p.input.EndsAt = at(l.days.workday(ends, p.workdays(0, 3)), 17, 0)
		p.deadline = p.input.EndsAt
	}
	p.at(p.sched.draft, p.draftOpener)
	return nil
}

// earliestDeadline is the first lawful bid deadline for documents issued
// at pub: RULES A1 and D2 (20 days) for construction and procurement by
// tender, D3 (5 working days) for invited procurement, and the usual
// periods of the other procurement methods.
func (p *project) earliestDeadline(pub time.Time) time.Time {
	d := p.l.days
	switch p.plan.procedure {
	case tender.Consultation:
		return d.earliestEnd(pub, 10)
	case tender.Negotiation, tender.Inquiry:
		return d.earliestEndWorking(pub, 3)
	case tender.SingleSource:
		return d.earliestEndWorking(pub, 5)
	case tender.Invited:
		if p.plan.kind == tender.Procurement {
			return d.earliestEndWorking(pub, 5)
		}
	}
	return d.earliestEnd(pub, 20)
}

// docsUntil: documents obtainable at least 5 days and 5 working days
// (A2, D3), never after the deadline.
func (p *project) docsUntil(pub time.Time) time.Time {
	d := p.l.days
	u := at(later(d.earliestEnd(pub, 5), d.earliestEndWorking(pub, 5)), 17, 30)
	if u.After(p.deadline) {
		u = p.deadline
	}
	return u
}

// invitees are the bidders an invited tender asks (RULES A24: at least 3).
func (p *project) invitees() []int64 {
	var ids []int64
	p.invited = p.l.pickBidders(p.plan.classes[0], 3+p.l.g.r.IntN(3))
	for _, o := range p.invited {
		ids = append(ids, o.id)
	}
	return ids
}

// draftOpener drafts the round's tender or listing notice with its
// documents and submits it for review.
func (p *project) draftOpener(ctx context.Context) error {
	l, pl := p.l, p.plan
	n, err := l.svc.Notice.Draft(ctx, p.owner, p.input)
	if err != nil {
		return fmt.Errorf("起草%s: %w", p.input.Kind.Label(), err)
	}
	p.draftID = n.ID
	docs := "招标文件.pdf"
	switch {
	case pl.kind == tender.Procurement:
		docs = "采购文件.pdf"
	case pl.kind == tender.Land:
		docs = "出让文件（竞买须知）.pdf"
	case pl.kind == tender.Property:
		docs = "产权转让文件.pdf"
	}
	if _, err := l.svc.Notice.AddAttachment(ctx, p.owner, n.ID, docs, true, bytes.NewReader(demoFile(p.code, "tender documents", p.round))); err != nil {
		return fmt.Errorf("上传%s: %w", docs, err)
	}
	if pl.stop != stopNoticeDraft {
		p.at(l.tl.now().Add(p.minutes(5, 30)), p.submitOpener)
	}
	return nil
}

func (p *project) submitOpener(ctx context.Context) error {
	if _, err := p.l.svc.Notice.Submit(ctx, p.owner, p.draftID); err != nil {
		return fmt.Errorf("提交审核: %w", err)
	}
	if p.plan.stop != stopNoticeReview {
		p.at(p.sched.review, p.reviewOpener)
	}
	return nil
}

// reviewOpener is the centre's review: rejected once for some, then
// approved for publication at the planned time.
func (p *project) reviewOpener(ctx context.Context) error {
	l, pl := p.l, p.plan
	if p.sched.reject && !p.rejected {
		p.rejected = true
		if _, err := l.svc.Notice.Decide(ctx, p.staff, p.draftID, notice.Decision{Note: l.g.pick(rejectNotes)}); err != nil {
			return fmt.Errorf("退回公告: %w", err)
		}
		if pl.stop == stopNoticeRejected {
			return nil
		}
		p.at(p.sched.resubmit, p.resubmitOpener)
		return nil
	}
	n, err := l.svc.Notice.Decide(ctx, p.staff, p.draftID, notice.Decision{Approve: true, PublishAt: p.sched.publish})
	if err != nil {
		return fmt.Errorf("审核%s: %w", p.input.Kind.Label(), err)
	}
	if n.State == notice.Published {
		return p.opened(ctx)
	}
	if pl.stop == stopNoticeScheduled {
		return nil
	}
	p.at(p.sched.publish, p.publishDue)
	return nil
}

func (p *project) resubmitOpener(ctx context.Context) error {
	l := p.l
	if _, err := l.svc.Notice.Update(ctx, p.owner, p.draftID, p.input); err != nil {
		return fmt.Errorf("修改公告: %w", err)
	}
	if _, err := l.svc.Notice.Submit(ctx, p.owner, p.draftID); err != nil {
		return fmt.Errorf("重新提交公告: %w", err)
	}
	p.at(p.sched.approve, p.reviewOpener)
	return nil
}

// publishDue is the server's minute job publishing what is due.
func (p *project) publishDue(ctx context.Context) error {
	l := p.l
	if _, err := l.svc.Notice.PublishDue(ctx); err != nil {
		return fmt.Errorf("定时发布: %w", err)
	}
	n, err := l.svc.Notice.Get(ctx, p.owner, p.draftID)
	if err != nil {
		return err
	}
	if n.State != notice.Published {
		return fmt.Errorf("公告未能按时发布（%s）：%s", n.State.Label(), n.ReviewNote)
	}
	return p.opened(ctx)
}

// opened: the round's notice is out; queue what follows it.
func (p *project) opened(ctx context.Context) error {
	l, pl := p.l, p.plan
	p.opener = p.draftID
	now := l.tl.now()
	if p.round == 1 && pl.amend != noAmendment {
		t := at(l.days.workday(now, p.workdays(2, 5)), 10, 0)
		if t.Before(p.deadline.Add(-48 * time.Hour)) {
			p.at(t, p.amendOpener)
		}
	}
	if p.round == 1 && pl.outcome == terminated {
		t := at(l.days.workday(now, p.workdays(3, 6)), 10, 30)
		if !t.Before(p.deadline) {
			t = now.Add(2 * time.Hour)
		}
		p.at(t, p.terminate)
	}
	p.at(p.deadline, p.close)
	return p.planOnline(ctx)
}

// publishNow drafts a notice (filling in what the generated body leaves
// to the drafter) and submits it; the centre approves it for immediate
// publication a little later — the short path of results, amendments and
// the like — and then continues.
func (p *project) publishNow(ctx context.Context, in notice.Input, texts []string, then func(context.Context) error) error {
	l := p.l
	n, err := l.svc.Notice.Draft(ctx, p.owner, in)
	if err != nil {
		return fmt.Errorf("起草%s: %w", in.Kind.Label(), err)
	}
	if len(texts) > 0 {
		in.Body = fillIn(n.Body, texts...)
		if n, err = l.svc.Notice.Update(ctx, p.owner, n.ID, in); err != nil {
			return fmt.Errorf("填写%s: %w", in.Kind.Label(), err)
		}
	}
	if _, err := l.svc.Notice.Submit(ctx, p.owner, n.ID); err != nil {
		return fmt.Errorf("提交%s: %w", in.Kind.Label(), err)
	}
	p.at(l.days.office(l.tl.now().Add(p.minutes(20, 90))), func(ctx context.Context) error {
		if _, err := l.svc.Notice.Decide(ctx, p.staff, n.ID, notice.Decision{Approve: true}); err != nil {
			return fmt.Errorf("审核%s: %w", in.Kind.Label(), err)
		}
		return then(ctx)
	})
	return nil
}

// amendOpener publishes a clarification (澄清) or a change that moves the
// deadline later (变更), rebooking the rooms for the new deadline.
func (p *project) amendOpener(ctx context.Context) error {
	l, pl := p.l, p.plan
	if p.ended {
		return nil
	}
	now := l.tl.now()
	in := notice.Input{ProjectID: p.id, Kind: notice.KindAmendment, AmendsID: p.opener}
	text := l.g.pick(clarifications)
	old := append([]booking(nil), p.bookings...)
	newDeadline := p.deadline
	switch pl.kind {
	case tender.Construction, tender.Procurement:
		rules := notice.Rules{Cal: l.svc.Notice.Calendar, Cfg: l.svc.Notice.Config()}
		earliest, err := rules.EarliestAmendedDeadline(pl.kind, false, now) // RULES A4, D4
		if err != nil {
			return err
		}
		if pl.amend == extend {
			s, ok := p.sitting(later(earliest, p.deadline.AddDate(0, 0, 7)), true, true)
			if !ok {
				return fmt.Errorf("顺延后找不到空闲场地")
			}
			for _, sp := range s.spans {
				if err := p.book(ctx, sp, 0); err != nil {
					return err
				}
			}
			newDeadline = s.deadline
			in.AffectsBids, in.BidDeadline = true, newDeadline
			text = "因招标文件技术要求调整，投标人需相应修改投标文件，投标截止时间顺延。"
		} else {
			// A clarification affects the bids only while 15 days remain.
			in.AffectsBids = !p.deadline.Before(earliest) && l.g.chance(50)
		}
	default:
		if pl.amend == extend {
			newDeadline = p.deadline.Add(7 * 24 * time.Hour)
			newDeadline = at(l.days.workday(newDeadline, 0), 10, 0)
			in.EndsAt = newDeadline
			text = "应意向竞买人申请，经出让（转让）方同意，挂牌截止时间延长。"
		} else {
			text = "对竞买须知中竞买保证金的缴纳方式作出澄清：竞买保证金须在挂牌截止前到账，以到账时间为准。"
		}
	}
	return p.publishNow(ctx, in, []string{text}, func(ctx context.Context) error {
		if newDeadline.Equal(p.deadline) {
			return nil
		}
		p.deadline = newDeadline
		var cancel []booking
		for _, b := range old {
			if b.start.After(l.tl.now()) {
				cancel = append(cancel, b)
			}
		}
		if err := p.cancel(ctx, cancel, "投标截止时间顺延，原开评标场地预约取消。"); err != nil {
			return err
		}
		p.at(p.deadline, p.close)
		return p.planOnline(ctx) // a deadline moved into the online period
	})
}

// terminate ends the project while tendering (终止公告).
func (p *project) terminate(ctx context.Context) error {
	l := p.l
	if p.ended || !l.tl.now().Before(p.deadline) {
		return nil
	}
	p.ended = true
	return p.publishNow(ctx, notice.Input{ProjectID: p.id, Kind: notice.KindTermination}, []string{l.g.pick(terminationReasons[p.plan.kind])},
		func(ctx context.Context) error {
			if err := p.cancelFuture(ctx, "项目终止，取消场地预约。"); err != nil {
				return err
			}
			p.archiveLater()
			return nil
		})
}

// archiveLater: the centre files a finished project (归档) some months
// after its result, 流标 or termination notice — once the contract is
// signed, the deposits are refunded and the papers are gathered — most of
// them; a few stay in the backlog. An archive falling after the present
// has not happened yet, so recent endings are still awarded, failed or
// terminated. The placed projects (trading_specials.go) are left as they
// are: they hold the present's states.
func (p *project) archiveLater() {
	l := p.l
	if p.plan.fast || !l.g.chance(90) {
		return
	}
	t := at(l.days.workday(l.tl.now(), p.workdays(25, 130)), 14, 30).Add(p.minutes(0, 150))
	p.at(t, func(ctx context.Context) error {
		note := "交易资料已整理齐全，予以归档。档案号：DA-" + p.code
		if _, err := l.svc.Tender.Archive(ctx, p.staff, p.id, tender.ArchiveInput{Note: note}); err != nil {
			return fmt.Errorf("归档: %w", err)
		}
		return nil
	})
}

// close is the deadline: bids are opened (construction goes into
// evaluation), a listing or auction ends — or nobody came and the round
// fails.
func (p *project) close(ctx context.Context) error {
	l, pl := p.l, p.plan
	now := l.tl.now()
	if p.ended || now.Before(p.deadline) || p.closed == p.round {
		return nil // ended, moved later by an amendment, or closed already
	}
	p.closed = p.round
	if p.online != nil {
		return p.openOnline(ctx)
	}
	failing := pl.outcome == failedFinal || (pl.outcome == failedThenAwarded && p.round == 1)
	next := at(l.days.workday(now, p.workdays(1, 2)), 10, 0)
	if failing {
		t := now.Add(40 * time.Minute)
		if pl.kind == tender.Land || pl.kind == tender.Property {
			t = next
		}
		p.at(t, p.fail)
		return nil
	}
	switch pl.kind {
	case tender.Construction:
		// 开标: the centre's staff open the bids online at the deadline.
		err := l.q.Transact(ctx, func(tx *db.Tx) error {
			return l.svc.Tender.MoveTx(ctx, tx, p.staff, p.id, tender.Evaluating, "开标：投标截止时间已到，网上开标完成，进入评标")
		})
		if err != nil {
			return fmt.Errorf("开标: %w", err)
		}
		if pl.stop == stopEvaluating {
			return nil
		}
		evalEnd := now
		for _, b := range p.bookings {
			evalEnd = later(evalEnd, b.end)
		}
		p.at(at(l.days.workday(evalEnd, p.workdays(1, 2)), 10, 0), p.candidates)
	default:
		p.at(next, p.results)
	}
	return nil
}

// fail publishes the 流标 (流拍) notice; some projects start again.
func (p *project) fail(ctx context.Context) error {
	return p.publishNow(ctx, notice.Input{ProjectID: p.id, Kind: notice.KindFailure}, []string{failureReason(p.plan.kind)}, p.failed)
}

// failed: the 流标 notice is out; the rooms are released and some
// projects start again.
func (p *project) failed(ctx context.Context) error {
	l, pl := p.l, p.plan
	if err := p.cancelFuture(ctx, "流标，取消评标场地预约。"); err != nil {
		return err
	}
	if pl.outcome == failedThenAwarded && p.round == 1 {
		p.at(at(l.days.workday(l.tl.now(), p.workdays(3, 8)), 10, 0), p.prepare)
		return nil
	}
	p.ended = true
	p.archiveLater()
	return nil
}

// candidates publishes the candidates after evaluation (construction,
// RULES A19: at least 3 days).
func (p *project) candidates(ctx context.Context) error {
	l, pl := p.l, p.plan
	p.chooseWinners()
	// RULES A19: publicity of at least 3 days, to the afternoon of the last.
	ends := at(l.days.earliestEnd(l.tl.now(), 3+p.workdays(0, 2)), 17, 30)
	var texts []string
	for i := range p.lots {
		texts = append(texts, p.candidateLine(i))
	}
	in := notice.Input{ProjectID: p.id, Kind: notice.KindCandidates, EndsAt: ends}
	return p.publishNow(ctx, in, texts, func(ctx context.Context) error {
		if pl.stop != stopPublicity {
			p.at(at(l.days.workday(ends, p.workdays(0, 2)), 10, 0).Add(p.minutes(0, 240)), p.results)
		}
		return nil
	})
}

// results publishes the result of every lot (中标/成交结果公告), one
// after the other.
func (p *project) results(ctx context.Context) error {
	if p.awardees == nil {
		p.chooseWinners()
	}
	return p.result(ctx, 0)
}

func (p *project) result(ctx context.Context, i int) error {
	l, pl := p.l, p.plan
	if i == len(p.lots) {
		p.ended = true
		p.archiveLater()
		return nil
	}
	in := notice.Input{ProjectID: p.id, Kind: notice.KindResult, AwardeeID: p.awardees[i].id, Amount: p.prices[i]}
	if len(p.lots) > 1 {
		in.LotID = p.lots[i].ID
	}
	if pl.kind == tender.Property {
		in.EndsAt = at(l.days.earliestEndWorking(l.tl.now(), 5+p.workdays(0, 2)), 17, 30) // RULES E4: ≥ 5 working days
	}
	return p.publishNow(ctx, in, nil, func(ctx context.Context) error { return p.result(ctx, i+1) })
}

// chooseWinners picks each lot's winner and price: under the maximum
// price (or the estimate) for tenders, at or above the starting price for
// land and property.
func (p *project) chooseWinners() {
	l, pl := p.l, p.plan
	p.awardees, p.prices = nil, nil
	for i, lot := range p.lots {
		if o, price, ok := p.onlineWinner(i); ok {
			p.awardees, p.prices = append(p.awardees, o), append(p.prices, price)
			continue
		}
		p.awardees = append(p.awardees, l.pickBidders(pl.classes[i], 1)[0])
		base := lot.EstimatedPrice
		if lot.MaxPrice > 0 {
			base = lot.MaxPrice
		}
		unit := int64(1)
		if pl.kind == tender.Land {
			unit = 10000
		}
		p.prices = append(p.prices, yuan(float64(base/money.OneYuan)*pl.ratios[i], unit))
	}
}

// candidateLine is the three ranked candidates of lot i, the winner first.
func (p *project) candidateLine(i int) string {
	l := p.l
	if line, ok := p.onlineCandidates(i); ok {
		return line
	}
	others := l.pickBidders(p.plan.classes[i], 3)
	line := fmt.Sprintf("第一名 %s，投标报价 %s 元", p.awardees[i].name, p.prices[i].Yuan())
	rank := 1
	for _, o := range others {
		if o.id == p.awardees[i].id || rank == 3 {
			continue
		}
		rank++
		price := yuan(float64(p.prices[i]/money.OneYuan)*l.g.between(1.003, 1.03), 1)
		line += fmt.Sprintf("；第%s名 %s，投标报价 %s 元", cnNumbers[rank-1], o.name, price.Yuan())
	}
	return line
}

// pickBidders picks n distinct firms of a class (topped up with builders
// when the class is small).
func (l *loader) pickBidders(class string, n int) []*org {
	pool := append([]*org(nil), l.bidders[class]...)
	if len(pool) < n {
		pool = append(pool, l.bidders[bidBuilding]...)
	}
	l.g.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	return pool[:n]
}

// cancel cancels the given bookings of the project.
func (p *project) cancel(ctx context.Context, bs []booking, reason string) error {
	l := p.l
	drop := map[int64]bool{}
	for _, b := range bs {
		if _, err := l.svc.Venue.Cancel(ctx, p.owner, b.id, reason); err != nil {
			return fmt.Errorf("取消预约: %w", err)
		}
		l.venues.hold(b.span, false)
		drop[b.id] = true
	}
	kept := p.bookings[:0]
	for _, b := range p.bookings {
		if !drop[b.id] {
			kept = append(kept, b)
		}
	}
	p.bookings = kept
	return nil
}
