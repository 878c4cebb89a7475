// Package platform bundles what every capability's service needs from the
// platform itself — the database, the clock, the audit log, the calendar,
// file storage and the platform keys — so services are wired the same way
// everywhere (only cmd/ggzy and testenv build it).
package platform

import (
	"ggzy/internal/audit"
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
