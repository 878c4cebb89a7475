package tender

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Archiving (归档) closes a project's file once its trading has ended:
// awarded, failed and not re-tendered, or terminated. RULES.md says nothing
// on archiving or retention, so the condition is the platform's own: the
// public record of the ending must be complete — every lot's result, 流标
// or termination notice published after the lot's last tender, prequalification
// or listing notice — and no notice of the project may still be on its way
// to publication. A project that never published anything (withdrawn before
// or at intake) has no public record to complete. Archiving changes nothing
// else: the lots keep their outcome (award price, awardee) for the
// statistics, and the notices stay public.

// ArchiveInput is what the centre's staff enter when archiving.
type ArchiveInput struct {
	Note string `json:"note"` // 归档说明, e.g. the archive number; optional
}

// Notice kinds and states as package notice stores them (package notice
// imports this one, so the names are repeated here).
const (
	noticePublished = "published"
	noticeReview    = "review"
	noticeScheduled = "scheduled"
)

// closingKind is the notice that publishes each ending of a lot.
var closingKind = map[State]string{Awarded: "result", Failed: "failure", Terminated: "termination"}

var closingLabel = map[string]string{"result": "中标（成交）结果公告", "failure": "流标公告", "termination": "终止公告"}

// opensTrading are the notice kinds that start a round of trading.
func opensTrading(kind string) bool {
	return kind == "tender" || kind == "prequalification" || kind == "listing"
}

// noticeFact is what archiving reads of one notice of the project.
type noticeFact struct {
	Kind, State, Title string
	LotID              int64 // 0 = every lot
	PublishedAt        time.Time
}

func (n noticeFact) covers(lotID int64) bool { return n.LotID == 0 || n.LotID == lotID }

// archiveBlock says why project p, with its lots and notices, may not be
// archived now (nil if it may).
func archiveBlock(p Project, lots []Lot, ns []noticeFact) error {
	if !CanMove(p.State, Archived) {
		return errs.E(errs.Conflict, "项目当前状态为“%s”，不能归档：只有已成交、流标（不再重新招标）或已终止的项目可以归档", p.State.Label())
	}
	public := false
	for _, n := range ns {
		switch {
		case n.State == noticePublished:
			public = true
		case n.State == noticeReview || n.State == noticeScheduled:
			return errs.E(errs.Conflict, "公告《%s》尚在%s，须发布或退回后才能归档",
				n.Title, map[string]string{noticeReview: "审核中", noticeScheduled: "待发布"}[n.State])
		case p.State == Failed && opensTrading(n.Kind):
			// A re-tender is being prepared: the project is not over.
			return errs.E(errs.Conflict, "项目流标后正在准备重新招标（公告《%s》未发布），不能归档", n.Title)
		}
	}
	if !public {
		return nil // never went public: nothing to close
	}
	for _, l := range lots {
		kind, ok := closingKind[l.State]
		if !ok {
			return errs.E(errs.Conflict, "标段（包）“%s”当前状态为“%s”，交易尚未结束，不能归档", l.Name, l.State.Label())
		}
		// The lot's last round: its latest published opening notice.
		var round time.Time
		for _, n := range ns {
			if n.State == noticePublished && opensTrading(n.Kind) && n.covers(l.ID) && n.PublishedAt.After(round) {
				round = n.PublishedAt
			}
		}
		closed := false
		for _, n := range ns {
			if n.State == noticePublished && n.Kind == kind && n.covers(l.ID) && !n.PublishedAt.Before(round) {
				closed = true
				break
			}
		}
		if !closed {
			return errs.E(errs.Conflict, "标段（包）“%s”的%s尚未发布，交易记录不完整，不能归档", l.Name, closingLabel[kind])
		}
	}
	return nil
}

// Archive files a finished project (已成交, 流标 or 已终止 → 已归档). Only
// centre staff of the project's region or above, and administrators,
// archive (auth.ArchiveProject); to anyone else the project does not
// exist. The move is audited as "project.archive" with the note.
func (s *Service) Archive(ctx context.Context, a auth.Actor, id int64, in ArchiveInput) (Project, error) {
	if err := a.Authorize(auth.ArchiveProject); err != nil {
		return Project{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	var f errs.Fields
	f.MaxLen("note", "归档说明", in.Note, maxReasonLen)
	checkLongText(&f, "note", "归档说明", in.Note)
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
		ns, err := noticeFacts(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := archiveBlock(old, old.Lots, ns); err != nil {
			return err
		}
		now := s.Clock.Now()
		// Only the project moves: the lots keep their outcome.
		res, err := tx.Exec(ctx, "UPDATE projects SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
			Archived, db.Micros(now), id, old.State)
		if err := expectOne(res, err); err != nil {
			return err
		}
		if p, err = GetProject(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.archive", p, map[string]any{
			"code": p.Code, "from": string(old.State), "to": string(Archived), "note": in.Note,
		})
	})
	return p, err
}

// Archivable reports whether the actor may archive the project now, and if
// not, why (for the staff page: the button, or the reason it is missing).
func (s *Service) Archivable(ctx context.Context, a auth.Actor, p Project) (bool, string, error) {
	if !auth.Can(a.Role, auth.ArchiveProject) || !Oversees(a, p) || !CanMove(p.State, Archived) {
		return false, "", nil
	}
	ns, err := noticeFacts(ctx, s.DB, p.ID)
	if err != nil {
		return false, "", err
	}
	if err := archiveBlock(p, p.Lots, ns); err != nil {
		return false, errs.As(err).Message, nil
	}
	return true, "", nil
}

// noticeFacts reads the project's notices, oldest first.
func noticeFacts(ctx context.Context, q db.Querier, projectID int64) ([]noticeFact, error) {
	rows, err := q.Query(ctx, `SELECT kind, state, title, COALESCE(lot_id, 0), published_at FROM notices
		WHERE project_id = ? ORDER BY id`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []noticeFact
	for rows.Next() {
		var n noticeFact
		var pub int64
		if err := rows.Scan(&n.Kind, &n.State, &n.Title, &n.LotID, &pub); err != nil {
			return nil, err
		}
		n.PublishedAt = db.Time(pub)
		out = append(out, n)
	}
	return out, rows.Err()
}
