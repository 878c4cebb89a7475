package tender

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// MoveTx moves a project to state to inside the caller's transaction, for
// the capabilities that drive a project's life after intake (publishing a
// tender notice moves Accepted → Tendering, an opening Tendering →
// Evaluating, and so on). It refuses a move the life cycle does not allow
// (CanMove), guards against a concurrent move, lets the lots that were in
// the project's old state follow it, and appends the "project.move" audit
// event with the note. The caller has authorized the actor for its own use
// case; MoveTx does not decide who may move a project. Registration,
// submission and the intake decision have their own use cases (Submit,
// Decide) and should not be done through MoveTx.
func (s *Service) MoveTx(ctx context.Context, tx *db.Tx, actor auth.Actor, projectID int64, to State, note string) error {
	if to.Label() == "" {
		return errs.E(errs.Invalid, "目标状态无效：%q", to)
	}
	var f errs.Fields
	f.MaxLen("note", "说明", note, maxReasonLen)
	checkLongText(&f, "note", "说明", note)
	if err := f.Err(); err != nil {
		return err
	}
	if err := lockProject(ctx, tx, projectID); err != nil {
		return err
	}
	p, err := GetProject(ctx, tx, projectID)
	if err != nil {
		return err
	}
	from := p.State
	if !CanMove(from, to) {
		return errs.E(errs.Conflict, "项目当前状态为“%s”，不能变为“%s”", from.Label(), to.Label())
	}
	now := s.Clock.Now()
	p.State = to
	if err := setState(ctx, tx, p, from, now); err != nil {
		return err
	}
	return s.record(ctx, tx, actor, "project.move", p, map[string]any{
		"code": p.Code, "from": string(from), "to": string(to), "note": note,
	})
}
