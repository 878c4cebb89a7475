// Package supervision is the administrative supervision platform (行政监督
// 平台): what supervisory departments see of the projects in their
// jurisdiction. This file serves the audit trail (全程可溯).
package supervision

import (
	"context"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Trail lets supervisors and administrators read and prove audit events.
type Trail struct {
	db  *db.DB
	log *audit.Log
}

// NewTrail wires the trail reader.
func NewTrail(d *db.DB, log *audit.Log) *Trail { return &Trail{db: d, log: log} }

// scope narrows f to what a can see: administrators see everything; a
// supervisor sees events of its region, and of its own industry or of no
// particular industry (organisations, users).
// ok is false when the filter asks only for what the actor cannot see.
func scope(a auth.Actor, f audit.Filter) (_ audit.Filter, ok bool) {
	if a.Role == auth.Admin {
		return f, true
	}
	own := centre.Prefix(a.Region)
	if len(f.RegionPrefix) < len(own) || f.RegionPrefix[:len(own)] != own {
		f.RegionPrefix = own
	}
	if f.Industry != "" && f.Industry != string(a.Industry) {
		return f, false
	}
	f.Industries = []string{"", string(a.Industry)}
	return f, true
}

func visible(a auth.Actor, e audit.Event) bool {
	if a.Role == auth.Admin {
		return true
	}
	return centre.Within(e.Region, a.Region) && (e.Industry == "" || e.Industry == string(a.Industry))
}

// Events lists events, newest first, within the actor's jurisdiction.
func (t *Trail) Events(ctx context.Context, a auth.Actor, f audit.Filter) ([]audit.Event, error) {
	if err := a.Authorize(auth.ReadAudit); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f, ok := scope(a, f)
	if !ok {
		return nil, nil
	}
	return audit.List(ctx, t.db, f)
}

// Event returns one event the actor may see.
func (t *Trail) Event(ctx context.Context, a auth.Actor, seq int64) (audit.Event, error) {
	if err := a.Authorize(auth.ReadAudit); err != nil {
		return audit.Event{}, err
	}
	e, err := audit.Get(ctx, t.db, seq)
	if err != nil || !visible(a, e) {
		return audit.Event{}, errs.E(errs.NotFound, "审计事件 #%d 不存在或不在您的监管范围内", seq)
	}
	return e, nil
}

// Prove gives an inclusion proof for an event the actor may see, against
// the latest signed checkpoint.
func (t *Trail) Prove(ctx context.Context, a auth.Actor, seq int64) (audit.Proof, error) {
	if err := a.Authorize(auth.ProveAudit); err != nil {
		return audit.Proof{}, err
	}
	e, err := audit.Get(ctx, t.db, seq)
	if err != nil || (a.Role != auth.Staff && !visible(a, e)) ||
		(a.Role == auth.Staff && !centre.Within(e.Region, a.Region)) {
		return audit.Proof{}, errs.E(errs.NotFound, "审计事件 #%d 不存在或不在您的范围内", seq)
	}
	return t.log.Prove(ctx, t.db, seq)
}
