package testenv

import (
	"path/filepath"
	"testing"

	"ggzy/internal/demo"
)

// NewDemo builds the platform on an empty database and loads the Zhaotong
// demo with the given number of projects through the same services, up to
// the present Start (the fake clock ends there). Demo accounts have the
// password demo.Password; the keys of demo bidders with bids still to
// decrypt are in DataDir/demo-keys.
func NewDemo(t testing.TB, projects int) (*Env, demo.Result) {
	t.Helper()
	e := bare(t)
	res, err := demo.Load(e.Ctx, e.DB, demo.Services{Auth: e.Auth, Guide: e.Guide, Tender: e.Tender,
		Notice: e.Notice, Venue: e.Venue, Expert: e.Expert, CA: e.CA, Bidding: e.Bidding, Clock: e.Clock},
		demo.Options{Now: Start, Projects: projects, KeysDir: filepath.Join(e.DataDir, "demo-keys")})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return e, res
}
