package tender

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
)

// Submit hands a draft or returned project to the centre. The files must
// cover every required material of the guide's intake matter for the
// project's kind; the missing ones are refused by name. The due time runs
// from now under the guide's promise in working time (shorter on the green
// channel).
func (s *Service) Submit(ctx context.Context, a auth.Actor, id int64) (Project, error) {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, id); err != nil {
			return err
		}
		old, err := s.owned(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !CanMove(old.State, Submitted) {
			return errs.E(errs.Conflict, "项目当前状态为“%s”，不能提交", old.State.Label())
		}
		if len(old.Lots) == 0 {
			var f errs.Fields
			f.Add("lots", "至少须有一个标段（包）")
			return f.Err()
		}
		matter, err := guide.Intake(ctx, tx, string(old.TradeKind))
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.Conflict, "%s", errs.As(err).Message)
		} else if err != nil {
			return err
		}
		files, err := MaterialsOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if c := check(&matter, files); len(c.Missing) > 0 {
			var f errs.Fields
			for _, name := range c.Missing {
				f.Add("materials", "缺少必需材料：%s", name)
			}
			return f.Err()
		}
		now := s.Clock.Now()
		limit := matter.LimitFor(old.GreenChannel)
		due, err := DueAt(s.Calendar, s.Office, now, limit)
		if err != nil {
			return err
		}
		p = old
		p.State, p.SubmittedAt, p.DueAt, p.DecidedAt, p.DecidedBy = Submitted, now, due, time.Time{}, 0
		if err := setState(ctx, tx, p, old.State, now); err != nil {
			return err
		}
		if p, err = GetProject(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.submit", p, map[string]any{
			"code": p.Code, "from": string(old.State), "green_channel": p.GreenChannel, "limit": limit.String(),
			"due_at": p.DueAt.UTC().Format(time.RFC3339), "files": len(files), "guide_matter": matter.Code,
		})
	})
	return p, err
}

// Decide accepts or returns (with a reason) a submitted project. Only
// centre staff of the project's region or above, and administrators,
// decide; to anyone else the project does not exist.
func (s *Service) Decide(ctx context.Context, a auth.Actor, id int64, d Decision) (Project, error) {
	if err := a.Authorize(auth.DecideIntake); err != nil {
		return Project{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	var f errs.Fields
	if !d.Accept {
		f.Required("reason", "退回理由", d.Reason)
	}
	f.MaxLen("reason", "受理意见或退回理由", d.Reason, maxReasonLen)
	checkLongText(&f, "reason", "受理意见或退回理由", d.Reason)
	if err := f.Err(); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, id); err != nil {
			return err
		}
		old, err := GetProject(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Oversees(a, old) {
			return errs.E(errs.NotFound, "项目不存在")
		}
		if old.State != Submitted {
			return errs.E(errs.Conflict, "项目当前状态为“%s”，不是待受理项目", old.State.Label())
		}
		now := s.Clock.Now()
		p = old
		p.DecidedAt, p.DecidedBy = now, a.UserID
		action := "project.accept"
		if d.Accept {
			p.State = Accepted
		} else {
			p.State, p.ReturnReason, action = Returned, d.Reason, "project.return"
		}
		if err := setState(ctx, tx, p, Submitted, now); err != nil {
			return err
		}
		if p, err = GetProject(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, action, p, map[string]any{
			"code": p.Code, "reason": d.Reason, "due_at": p.DueAt.UTC().Format(time.RFC3339),
			"late": p.DecidedLate(), "green_channel": p.GreenChannel,
		})
	})
	return p, err
}

// Queue is the intake queue: submitted projects in the actor's
// jurisdiction, green channel first, then by due time — a priority queue
// in which overdue items are flagged. Supervisors see their industry ×
// region only, usually with OverdueOnly.
func (s *Service) Queue(ctx context.Context, a auth.Actor, f QueueFilter) ([]Entry, int, error) {
	if err := a.Authorize(auth.ListIntake); err != nil {
		return nil, 0, err
	}
	sc, ok := s.jurisdiction(a)
	if !ok {
		return []Entry{}, 0, nil
	}
	now := s.Clock.Now()
	sc.add("p.state = ?", Submitted)
	if f.OverdueOnly {
		sc.add("p.due_at <= ?", db.Micros(now))
	}
	limit, offset := bounds(f.Limit, f.Offset)
	return entries(ctx, s.DB, sc, "p.green_channel DESC, p.due_at, p.id", limit, offset, now)
}
