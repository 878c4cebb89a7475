package notice

import (
	"context"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/tender"
)

// DraftFailureTx drafts the failure notice (流标公告) of a lot whose
// opening did not proceed (RULES A12), inside the opening's transaction,
// with the reason filled in, on behalf of a (the opening's system actor).
// The centre reviews and publishes it as any other notice.
func (s *Service) DraftFailureTx(ctx context.Context, tx *db.Tx, a auth.Actor, p tender.Project, lotID int64, reason string) (int64, error) {
	now := s.now()
	n := Notice{ProjectID: p.ID, ProjectCode: p.Code, ProjectName: p.Name, Procedure: p.Procedure, Kind: KindFailure,
		TradeKind: p.TradeKind, RegionCode: p.RegionCode, State: Draft, CreatedAt: now, UpdatedAt: now}
	n, err := s.prepare(ctx, tx, n, p, Input{ProjectID: p.ID, LotID: lotID, Kind: KindFailure}, now)
	if err != nil {
		return 0, err
	}
	n.Body = strings.Replace(n.Body, placeholder+"流标原因，例如递交投标文件的投标人少于3个）", reason, 1)
	if n.ID, err = insertNotice(ctx, tx, n); err != nil {
		return 0, err
	}
	return n.ID, s.record(ctx, tx, a, "notice.draft", n, p, map[string]any{"title": n.Title, "reason": reason})
}
