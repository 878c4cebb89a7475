// Package notice drafts, reviews, checks against the law, signs and
// publishes notices (公告公示), and serves tender documents whose download
// records stay secret until the bid deadline (RULES B3).
//
// Life of a notice: draft (the tenderer, its agent or centre staff; title
// and body generated from the project) → review (submitted) → scheduled
// (approved by staff of the project's region with a publication time) →
// published (signed with the platform key, frozen for ever), or rejected
// with a note and editable again. The legal checks (rules.go) run at
// approval and again at publication. See docs/notices.md.
package notice

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/platform"
	"ggzy/internal/tender"
)

// Service runs the notice use cases.
type Service struct {
	platform.Base
	tender *tender.Service

	mu  sync.RWMutex
	cfg Config
}

// New wires the service with DefaultConfig.
func New(b platform.Base, t *tender.Service) *Service {
	return &Service{Base: b, tender: t, cfg: DefaultConfig}
}

// SetConfig replaces the figures of the legal checks (see Config).
func (s *Service) SetConfig(c Config) {
	s.mu.Lock()
	s.cfg = c
	s.mu.Unlock()
}

// Config returns the configuration in force.
func (s *Service) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

func (s *Service) rules() Rules { return Rules{Cal: s.Calendar, Cfg: s.Config()} }

// now is the server's time at the microsecond precision the database
// keeps, so what is signed equals what is stored.
func (s *Service) now() time.Time { return db.Time(db.Micros(s.Clock.Now())) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// record appends the use case's one audit event for notice n.
func (s *Service) record(ctx context.Context, tx *db.Tx, a auth.Actor, action string, n Notice, p tender.Project, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["project_id"] = p.ID
	details["kind"] = string(n.Kind)
	return s.Record(ctx, tx, a, action, "notice", itoa(n.ID), p.RegionCode, p.Industry, details)
}

// loadFor reads a notice and its project.
func loadFor(ctx context.Context, q db.Querier, id int64) (Notice, tender.Project, error) {
	n, err := getNotice(ctx, q, id)
	if err != nil {
		return n, tender.Project{}, err
	}
	p, err := tender.GetProject(ctx, q, n.ProjectID)
	return n, p, err
}

var (
	errNoNotice  = errs.E(errs.NotFound, "公告不存在")
	errNoProject = errs.E(errs.NotFound, "项目不存在")
)

// Draft creates a notice from the project's data.
func (s *Service) Draft(ctx context.Context, a auth.Actor, in Input) (Notice, error) {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return Notice{}, err
	}
	var f errs.Fields
	if in.ProjectID <= 0 {
		f.Add("project_id", "请选择项目")
	}
	if !in.Kind.Valid() {
		f.Add("kind", "公告类型不正确")
	}
	if err := f.Err(); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		p, err := tender.GetProject(ctx, tx, in.ProjectID)
		if err != nil {
			return err
		}
		if !mayDraft(a, p) {
			return errNoProject
		}
		now := s.now()
		n := Notice{ProjectID: p.ID, ProjectCode: p.Code, ProjectName: p.Name, Procedure: p.Procedure, Kind: in.Kind,
			AmendsID: in.AmendsID, TradeKind: p.TradeKind, RegionCode: p.RegionCode, State: Draft,
			CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
		if n, err = s.prepare(ctx, tx, n, p, in, now); err != nil {
			return err
		}
		if n.ID, err = insertNotice(ctx, tx, n); err != nil {
			return err
		}
		n.Attachments = []Attachment{}
		out = n
		return s.record(ctx, tx, a, "notice.draft", n, p, map[string]any{"title": n.Title})
	})
	return out, err
}

// Update changes a draft (or a rejected notice). An empty body is
// generated again from the project's data.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in Input) (Notice, error) {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		n, p, err := s.editable(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		in.ProjectID, in.Kind, in.AmendsID = n.ProjectID, n.Kind, n.AmendsID // fixed at drafting
		// A body the drafter never touched follows the new dates and amounts.
		if strings.TrimSpace(in.Body) == n.Body {
			var orig *Notice
			if n.AmendsID != 0 {
				o, err := getNotice(ctx, tx, n.AmendsID)
				if err != nil {
					return err
				}
				orig = &o
			}
			gen, err := compose(ctx, tx, n, p, coveredLots(p, n.LotID), orig)
			if err != nil {
				return err
			}
			if gen == n.Body {
				in.Body = ""
			}
		}
		n.UpdatedAt = now
		if n, err = s.prepare(ctx, tx, n, p, in, now); err != nil {
			return err
		}
		if err := updateDraft(ctx, tx, n); err != nil {
			return err
		}
		out = n
		return s.record(ctx, tx, a, "notice.update", n, p, nil)
	})
	return out, err
}

// editable loads a notice its drafter may still change.
func (s *Service) editable(ctx context.Context, q db.Querier, a auth.Actor, id int64) (Notice, tender.Project, error) {
	n, p, err := loadFor(ctx, q, id)
	if err != nil {
		return n, p, err
	}
	if !mayDraft(a, p) {
		if n.State == Published || mayOversee(a, p) {
			return n, p, errs.Forbid()
		}
		return n, p, errNoNotice
	}
	switch n.State {
	case Published:
		return n, p, errs.E(errs.Conflict, "公告已发布，发布后不得修改；如需更正，请发布澄清（变更）公告")
	case Review, Scheduled:
		return n, p, errs.E(errs.Conflict, "公告已提交审核，不能修改")
	}
	return n, p, nil
}

// Submit sends a draft to the centre for review.
func (s *Service) Submit(ctx context.Context, a auth.Actor, id int64) (Notice, error) {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		n, p, err := s.editable(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		// The project and the dates may have moved on since drafting.
		if _, err := s.prepare(ctx, tx, n, p, inputOf(n), now); err != nil {
			return err
		}
		if containsPlaceholder(n.Body) {
			var f errs.Fields
			f.Add("body", "请先填写正文中标注「%s…）」的内容", placeholder)
			return f.Err()
		}
		if err := setState(ctx, tx, n.ID, []State{Draft, Rejected}, Review, "submitted_at = ?", db.Micros(now)); err != nil {
			return err
		}
		n.State, n.SubmittedAt = Review, now
		out = n
		return s.record(ctx, tx, a, "notice.submit", n, p, nil)
	})
	return out, err
}

// Get shows a notice: published ones to everybody, the others to those
// who oversee the project. A scheduled notice whose time has come is
// published first, so nobody reads a stale state.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Notice, error) {
	if err := a.Authorize(auth.ReadNotice); err != nil {
		return Notice{}, err
	}
	if err := s.publishIfDue(ctx, id); err != nil {
		return Notice{}, err
	}
	n, err := getNotice(ctx, s.DB, id)
	if err != nil {
		return n, err
	}
	if n.State != Published && !mayOversee(a, n.owner) {
		return Notice{}, errNoNotice
	}
	return redact(a, n), nil
}

// redact hides what only the project's side may see: the invited
// bidders of an invitation (potential bidders are secret, 法 22).
func redact(a auth.Actor, n Notice) Notice {
	if !mayOversee(a, n.owner) {
		n.Invitees = nil
	}
	return n
}

// List shows the notices a may see, newest first (the review queue,
// State Review, oldest submission first).
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Notice, int, error) {
	if err := a.Authorize(auth.ReadNotice); err != nil {
		return nil, 0, err
	}
	var fe errs.Fields
	if f.State != "" && f.State.Label() == "" {
		fe.Add("state", "公告状态不正确")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fe.Add("kind", "公告类型不正确")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	if _, err := s.PublishDue(ctx); err != nil {
		return nil, 0, err
	}
	items, total, err := listNotices(ctx, s.DB, a, f)
	for i := range items {
		items[i] = redact(a, items[i])
	}
	return items, total, err
}

// Check runs the legal checks on a notice as if it were published at at
// (now when zero or past). Drafters see what the reviewer will see, and
// the amendment form offers the earliest lawful deadline from it.
func (s *Service) Check(ctx context.Context, a auth.Actor, id int64, at time.Time) (CheckReport, error) {
	if err := a.Authorize(auth.ReadNotice); err != nil {
		return CheckReport{}, err
	}
	n, p, err := loadFor(ctx, s.DB, id)
	if err != nil {
		return CheckReport{}, err
	}
	if n.State != Published && !mayOversee(a, p) {
		return CheckReport{}, errNoNotice
	}
	if now := s.now(); at.IsZero() || at.Before(now) {
		at = now
	}
	if n.State == Published {
		at = n.PublishedAt
	}
	facts, err := s.facts(ctx, s.DB, n, p, at)
	if err != nil {
		return CheckReport{}, err
	}
	return s.rules().Evaluate(facts)
}

// facts gathers what the rules look at.
func (s *Service) facts(ctx context.Context, q db.Querier, n Notice, p tender.Project, pub time.Time) (Facts, error) {
	f := Facts{Kind: n.Kind, Trade: p.TradeKind, Procedure: p.Procedure, Pub: pub,
		DocsFrom: n.DocsFrom, DocsUntil: n.DocsUntil, BidDeadline: n.BidDeadline, StartsAt: n.StartsAt, EndsAt: n.EndsAt,
		Lots: coveredLots(p, n.LotID), Body: n.Body, Invitees: len(n.Invitees), AffectsBids: n.AffectsBids}
	if n.Kind == KindAmendment {
		orig, err := getNotice(ctx, q, n.AmendsID)
		if err != nil {
			return f, err
		}
		f.OriginalKind = orig.Kind
		if f.CurrentDeadline, err = deadlineInForce(ctx, q, orig); err != nil {
			return f, err
		}
	}
	return f, nil
}

// coveredLots are the lots a notice is about: one, or all of them.
func coveredLots(p tender.Project, lotID int64) []tender.Lot {
	if lotID == 0 {
		return p.Lots
	}
	for _, l := range p.Lots {
		if l.ID == lotID {
			return []tender.Lot{l}
		}
	}
	return nil
}

func inputOf(n Notice) Input {
	return Input{ProjectID: n.ProjectID, LotID: n.LotID, Kind: n.Kind, AmendsID: n.AmendsID, Body: n.Body,
		DocsFrom: n.DocsFrom, DocsUntil: n.DocsUntil, BidDeadline: n.BidDeadline, StartsAt: n.StartsAt, EndsAt: n.EndsAt,
		Amount: n.Amount, AwardeeID: n.AwardeeID, AffectsBids: n.AffectsBids, Invitees: n.Invitees}
}
