package notice

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

// scheduler is the actor of publications that happen when their time
// comes rather than at approval.
var scheduler = auth.Actor{Role: auth.Admin, Username: "system", Name: "系统（定时发布）"}

// maxSchedule bounds how far ahead a notice may be scheduled.
const maxSchedule = 366 * 24 * time.Hour

// Decide approves a submitted notice for publication at d.PublishAt (now
// when zero or past), or rejects it with a note. Approval runs the legal
// checks against the publication time: a broken rule refuses the approval
// and changes nothing. A notice due now is published in the same
// transaction.
func (s *Service) Decide(ctx context.Context, a auth.Actor, id int64, d Decision) (Notice, error) {
	if err := a.Authorize(auth.ReviewNotice); err != nil {
		return Notice{}, err
	}
	d.Note = strings.TrimSpace(d.Note)
	var f errs.Fields
	if !d.Approve {
		f.Required("note", "退回理由", d.Note)
	}
	f.MaxLen("note", "审核意见", d.Note, 500)
	if err := f.Err(); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		n, p, err := loadFor(ctx, tx, id)
		if err != nil {
			return err
		}
		if !mayReview(a, p) {
			if n.State == Published || mayOversee(a, p) {
				return errs.Forbid()
			}
			return errNoNotice
		}
		if n.State != Review {
			return errs.E(errs.Conflict, "公告当前状态为「%s」，不在待审核状态", n.State.Label())
		}
		if n.CreatedBy == a.UserID {
			return errs.E(errs.Conflict, "不能审核自己起草的公告（须由他人复核）")
		}
		now := s.now()
		if !d.Approve {
			err := setState(ctx, tx, n.ID, []State{Review}, Rejected, "reviewed_by = ?, reviewed_at = ?, review_note = ?",
				a.UserID, db.Micros(now), d.Note)
			if err != nil {
				return err
			}
			n.State, n.ReviewedBy, n.ReviewedAt, n.ReviewNote = Rejected, a.UserID, now, d.Note
			out = n
			return s.record(ctx, tx, a, "notice.reject", n, p, map[string]any{"note": d.Note})
		}
		pub := db.Time(db.Micros(d.PublishAt))
		if pub.Before(now) {
			pub = now
		}
		if pub.Sub(now) > maxSchedule {
			f.Add("publish_at", "发布时间不能晚于一年以后")
			return f.Err()
		}
		if err := s.lawful(ctx, tx, n, p, pub); err != nil {
			return err
		}
		err = setState(ctx, tx, n.ID, []State{Review}, Scheduled, "publish_at = ?, reviewed_by = ?, reviewed_at = ?, review_note = ?",
			db.Micros(pub), a.UserID, db.Micros(now), d.Note)
		if err != nil {
			return err
		}
		n.State, n.PublishAt, n.ReviewedBy, n.ReviewedAt, n.ReviewNote = Scheduled, pub, a.UserID, now, d.Note
		if pub.After(now) {
			out = n
			return s.record(ctx, tx, a, "notice.approve", n, p, map[string]any{"publish_at": pub.Format(time.RFC3339)})
		}
		// Due now: approval and publication are one use case, one event.
		out, err = s.publishTx(ctx, tx, a, n, p, now, map[string]any{"approved": true, "note": d.Note})
		return err
	})
	return out, err
}

// lawful runs the legal checks for publication at pub and checks that the
// project may still take the state the notice leads to.
func (s *Service) lawful(ctx context.Context, q db.Querier, n Notice, p tender.Project, pub time.Time) error {
	if !projectAllows(n.Kind, p) {
		return errs.E(errs.Conflict, "项目当前状态为「%s」，不能发布%s", p.State.Label(), n.Kind.Label())
	}
	facts, err := s.facts(ctx, q, n, p, pub)
	if err != nil {
		return err
	}
	rep, err := s.rules().Evaluate(facts)
	if err != nil {
		return err
	}
	return rep.Err()
}

// PublishDue publishes every scheduled notice whose time has come; the
// server runs it periodically, and reads run it too, so a notice is
// public from its publish_at whatever the timer does. A notice that
// fails the legal checks at that moment (for example because the server
// was down past a deadline) goes back to its drafter as rejected, with
// the reason. It returns how many notices were published.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	rows, err := s.DB.Query(ctx, "SELECT id FROM notices WHERE state = ? AND publish_at <= ? ORDER BY publish_at, id LIMIT 100",
		Scheduled, db.Micros(s.Clock.Now()))
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	published := 0
	for _, id := range ids {
		ok, err := s.publishScheduled(ctx, id)
		if err != nil {
			return published, err
		}
		if ok {
			published++
		}
	}
	return published, nil
}

// publishIfDue publishes one notice if it is scheduled and due.
func (s *Service) publishIfDue(ctx context.Context, id int64) error {
	var state string
	var at int64
	err := s.DB.QueryRow(ctx, "SELECT state, publish_at FROM notices WHERE id = ?", id).Scan(&state, &at)
	if errs.Is(err, errs.NotFound) {
		return nil // the caller reports it
	}
	if err != nil || State(state) != Scheduled || db.Time(at).After(s.Clock.Now()) {
		return err
	}
	_, err = s.publishScheduled(ctx, id)
	return err
}

// noticeLock is the advisory lock key of one notice ("NOTI" + id), taken
// before a scheduled notice is read for publication so that concurrent
// readers and server nodes publish it once (a no-op on SQLite, whose
// transactions already write one at a time).
func noticeLock(id int64) int64 { return 0x4e4f5449<<32 | id&0xffffffff }

func (s *Service) publishScheduled(ctx context.Context, id int64) (bool, error) {
	published := false
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		published = false
		if err := tx.Lock(ctx, noticeLock(id)); err != nil {
			return err
		}
		n, p, err := loadFor(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if n.State != Scheduled || n.PublishAt.After(now) {
			return nil // someone else got there first
		}
		if err := s.lawful(ctx, tx, n, p, now); err != nil {
			if c := errs.CodeOf(err); c != errs.Rule && c != errs.Conflict {
				return err
			}
			note := "发布时检查未通过：" + errs.As(err).Message
			if err := setState(ctx, tx, n.ID, []State{Scheduled}, Rejected, "review_note = ?", note); err != nil {
				return err
			}
			return s.record(ctx, tx, scheduler, "notice.publish_refused", n, p, map[string]any{"note": note})
		}
		_, err = s.publishTx(ctx, tx, scheduler, n, p, now, nil)
		published = err == nil
		return err
	})
	return published, err
}

// publishTx publishes a scheduled notice inside tx: it freezes the state,
// applies the notice's effects on the project and its lots, signs the
// canonical content with the platform key and writes one audit event
// carrying the content hash (RULES B8).
func (s *Service) publishTx(ctx context.Context, tx *db.Tx, a auth.Actor, n Notice, p tender.Project, now time.Time, extra map[string]any) (Notice, error) {
	if err := setState(ctx, tx, n.ID, []State{Scheduled}, Published, "published_at = ?", db.Micros(now)); err != nil {
		return n, err
	}
	n.State, n.PublishedAt = Published, now
	var err error
	if n.Attachments, err = attachmentsOf(ctx, tx, n.ID); err != nil {
		return n, err
	}
	moved, err := s.applyEffects(ctx, tx, a, n, p, now)
	if err != nil {
		return n, err
	}
	hash := ContentHash(n)
	sig, err := gm.Sign(s.Keys.Platform, hash[:])
	if err != nil {
		return n, err
	}
	n.ContentHash, n.Signature = hash[:], sig
	if _, err := tx.Exec(ctx, "UPDATE notices SET content_hash = ?, signature = ? WHERE id = ?", hash[:], sig, n.ID); err != nil {
		return n, err
	}
	if err := s.addDecoys(ctx, tx, n, p, now); err != nil {
		return n, err
	}
	details := map[string]any{"content_hash": Hex(hash[:]).String(), "title": n.Title}
	for k, v := range moved {
		details[k] = v
	}
	for k, v := range extra {
		details[k] = v
	}
	return n, s.record(ctx, tx, a, "notice.publish", n, p, details)
}

// applyEffects carries a published notice into the project: a tender or
// listing notice sets the lots' deadlines and starts trading, an amendment
// may move the deadline, candidates start the publicity, a result records
// the award on the lot, failure and termination end the lots. The project
// follows when the notice covers it as a whole (see moveProject).
func (s *Service) applyEffects(ctx context.Context, tx *db.Tx, a auth.Actor, n Notice, p tender.Project, now time.Time) (map[string]any, error) {
	lots := coveredLots(p, n.LotID)
	ids := make([]any, 0, len(lots))
	for _, l := range lots {
		ids = append(ids, l.ID)
	}
	in := " WHERE id IN (" + db.Placeholders(len(ids)) + ")"
	exec := func(sets string, args ...any) error {
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "UPDATE lots SET "+sets+in, append(args, ids...)...)
		return err
	}
	to := stateFor(n.Kind)
	var err error
	switch n.Kind {
	case KindTender:
		err = exec("bid_deadline = ?, opening_at = ?, state = ?", db.Micros(n.BidDeadline), db.Micros(n.OpeningAt), to)
	case KindListing:
		// Who obtained the bidding documents stays secret until bidding
		// closes: the listing's end, or the auction's start (B3).
		closes := n.EndsAt
		if closes.IsZero() {
			closes = n.StartsAt
		}
		err = exec("bid_deadline = ?, state = ?", db.Micros(closes), to)
	case KindAmendment:
		orig, gerr := getNotice(ctx, tx, n.AmendsID)
		if gerr != nil {
			return nil, gerr
		}
		switch {
		case orig.Kind == KindTender && !n.BidDeadline.IsZero():
			err = exec("bid_deadline = ?, opening_at = ?", db.Micros(n.BidDeadline), db.Micros(n.OpeningAt))
		case orig.Kind == KindListing && !n.EndsAt.IsZero():
			err = exec("bid_deadline = ?", db.Micros(n.EndsAt))
		}
	case KindResult:
		err = exec("award_price = ?, awardee_org_id = ?, awarded_at = ?, state = ?", n.Amount, n.AwardeeID, db.Micros(now), to)
	case KindPrequal, KindCandidates, KindFailure, KindTermination:
		err = exec("state = ?", to)
	}
	if err != nil || to == "" {
		return nil, err
	}
	// Trading and publicity concern the project as soon as one lot is in
	// them; an award, 流标 or termination only once every lot has it.
	if to == tender.Awarded || to == tender.Failed || to == tender.Terminated {
		all, err := tender.LotsOf(ctx, tx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range all {
			if l.State != to {
				return nil, nil
			}
		}
	}
	if p.State == to {
		return nil, nil
	}
	if err := s.moveProject(ctx, tx, a, p, to, n.Kind.Label()+"发布：《"+n.Title+"》"); err != nil {
		return nil, err
	}
	return map[string]any{"project_state_from": string(p.State), "project_state_to": string(to)}, nil
}
