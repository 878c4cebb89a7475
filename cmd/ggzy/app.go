package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/blob"
	"ggzy/internal/ca"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/guide"
	"ggzy/internal/notice"
	"ggzy/internal/platform"
	"ggzy/internal/portal"
	"ggzy/internal/supervision"
	"ggzy/internal/tender"
	"ggzy/internal/venue"
	"ggzy/internal/web"

	"github.com/emmansun/gmsm/smx509"
)

// app is the object graph; only this package builds it.
type app struct {
	db    *db.DB
	clock clock.Clock
	log   *slog.Logger
	keys  *gm.Keys
	audit *audit.Log
	auth  *auth.Service
	trail *supervision.Trail
	cal   *calendar.Calendar
	base  platform.Base

	guide  *guide.Service
	tender *tender.Service
	notice *notice.Service
	venue  *venue.Service
	portal *portal.Service
	expert *expert.Service

	trust certTrust   // the CA and the external roots bidders' certificates chain to
	ca    *ca.Service // set by open (withCA), not by build

	bidding *bidding.Service // needs the certificate service: set by withCA
	draw    *draw.Service    // expert draws; learns the lots' bidders in withCA
}

// open connects, migrates and loads the platform keys from the data dir.
func open(ctx context.Context, st storage, logger *slog.Logger) (*app, error) {
	if err := os.MkdirAll(st.data, 0o750); err != nil {
		return nil, fmt.Errorf("数据目录 %s: %w", st.data, err)
	}
	d, err := db.Open(ctx, st.db)
	if err != nil {
		return nil, err
	}
	if n, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	} else if n > 0 {
		logger.Info("database migrated", "applied", n)
	}
	keys, err := gm.LoadOrCreateKeys(filepath.Join(st.data))
	if err != nil {
		d.Close()
		return nil, err
	}
	blobs, err := blob.NewDisk(filepath.Join(st.data, "blobs"))
	if err != nil {
		d.Close()
		return nil, err
	}
	trust, err := loadTrust(st)
	if err != nil {
		d.Close()
		return nil, err
	}
	return build(d, clock.System{}, logger, keys, blobs).withCA(trust), nil
}

// certTrust is the built-in CA (DATA/keys/ca.pem) and the external CA
// certificates of --ca-roots / GGZY_CA_ROOTS.
type certTrust struct {
	authority *ca.Authority
	external  []*smx509.Certificate
}

func loadTrust(st storage) (certTrust, error) {
	authority, err := ca.LoadOrCreate(filepath.Join(st.data, "keys"), clock.System{}.Now())
	if err != nil {
		return certTrust{}, err
	}
	external, err := ca.LoadRoots(st.caRoots)
	if err != nil {
		return certTrust{}, err
	}
	return certTrust{authority: authority, external: external}, nil
}

// withCA adds the certificate service over a's clock; the demo calls it on
// its second build too (l.withCA(a.trust)).
func (a *app) withCA(t certTrust) *app {
	a.trust, a.ca = t, ca.New(a.base, t.authority, t.external)
	a.bidding = bidding.New(a.base, a.tender, a.ca, a.notice)
	a.bidding.RecordPDF = bidding.RenderRecord
	a.draw.SetParties(a.bidding)
	return a
}

// build wires the services over an open database; demo uses it again with
// a clock of its own.
func build(d *db.DB, clk clock.Clock, logger *slog.Logger, keys *gm.Keys, blobs blob.Store) *app {
	log := audit.New(clk, keys.NoteSigner, keys.VerifierKey)
	base := platform.Base{DB: d, Clock: clk, Audit: log, Calendar: calendar.Default(), Blobs: blobs, Keys: keys}
	a := &app{
		db: d, clock: clk, log: logger, keys: keys, audit: log, base: base,
		auth:  auth.NewService(d, clk, log, keys.PII, auth.DefaultConfig),
		trail: supervision.NewTrail(d, log),
		cal:   base.Calendar,
	}
	a.guide = guide.New(base)
	a.tender = tender.New(base)
	a.notice = notice.New(base, a.tender)
	a.venue = venue.New(base)
	a.portal = portal.New(base)
	a.expert = expert.New(base)
	a.draw = newDraw(base, a.expert, logger)
	return a
}

func (a *app) close() { a.db.Close() }

func (a *app) web(secure, trustProxy bool) (*web.Server, error) {
	return web.New(web.Deps{DB: a.db, Clock: a.clock, Log: a.log, Auth: a.auth, Trail: a.trail, Audit: a.audit,
		Calendar: a.cal, Guide: a.guide, Tender: a.tender, Notice: a.notice, Venue: a.venue, Portal: a.portal, Expert: a.expert,
		CA: a.ca, Bidding: a.bidding, Draw: a.draw,
		Version: version, SecureCookies: secure, TrustProxy: trustProxy})
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
