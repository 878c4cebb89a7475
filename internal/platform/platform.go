// Package platform bundles what every capability's service needs from the
// platform itself — the database, the clock, the audit log, the calendar,
// file storage and the platform keys — so services are wired the same way
// everywhere (only cmd/ggzy and testenv build it).
package platform

import (
	"context"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/blob"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/gm"
)

// Base is embedded by capability services.
type Base struct {
	DB       *db.DB
	Clock    clock.Clock
	Audit    *audit.Log
	Calendar *calendar.Calendar
	Blobs    blob.Store
	Keys     *gm.Keys
}

// Record appends the audit event for a state change that a made, inside the
// use case's transaction tx (DESIGN principle 2). region and industry place
// the event in a supervisor's jurisdiction.
func (b Base) Record(ctx context.Context, tx *db.Tx, a auth.Actor, action, objectType, objectID, region, industry string, details map[string]any) error {
	_, err := b.Audit.Append(ctx, tx, audit.Event{
		ActorID: a.UserID, ActorName: ActorName(a), OrgID: a.OrgID, IP: a.IP,
		Action: action, ObjectType: objectType, ObjectID: objectID,
		Region: region, Industry: industry, Details: details,
	})
	return err
}

// ActorName is how an actor appears in the trail: "姓名(用户名)", or 公众.
func ActorName(a auth.Actor) string {
	switch {
	case a.Username == "":
		return "公众"
	case a.Name != "":
		return a.Name + "(" + a.Username + ")"
	}
	return a.Username
}
