package notice

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/tender"
)

// moveProject moves the project to the state a published notice leads to,
// inside the publishing transaction. The life cycle belongs to package
// tender: MoveTx refuses a move it does not allow (tender.CanMove), guards
// against a concurrent move, lets the lots in the old state follow and
// appends its own "project.move" audit event.
func (s *Service) moveProject(ctx context.Context, tx *db.Tx, a auth.Actor, p tender.Project, to tender.State, note string) error {
	return s.tender.MoveTx(ctx, tx, a, p.ID, to, note)
}
