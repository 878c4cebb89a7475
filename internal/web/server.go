// Package web is ggzy's HTTP face: the public site, the signed-in
// workbenches and the JSON API under /api/v1. Handlers only translate HTTP
// to service calls and back; they hold no SQL and make no access decisions
// of their own beyond asking the services.
package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/guide"
	"ggzy/internal/notice"
	"ggzy/internal/portal"
	"ggzy/internal/supervision"
	"ggzy/internal/tender"
	"ggzy/internal/venue"
)

// Deps are the services the web layer calls; cmd/ggzy builds them.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Auth     *auth.Service
	Trail    *supervision.Trail
	Audit    *audit.Log
	Calendar *calendar.Calendar
	Guide    *guide.Service
	Tender   *tender.Service
	Notice   *notice.Service
	Venue    *venue.Service
	Portal   *portal.Service
	Expert   *expert.Service
	Bidding  *bidding.Service
	Draw     *draw.Service
	CA       *ca.Service
	Version  string
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// SecureCookies marks cookies Secure; set when serving TLS or behind
	// a TLS-terminating proxy.
	SecureCookies bool
}

// Server holds the parsed templates and the route table.
type Server struct {
	Deps
	pages   map[string]*template.Template
	routes  []route
	metrics *metrics
	openapi []byte
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, metrics: newMetrics()}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	var err error
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	if s.openapi, err = OpenAPI(); err != nil {
		return nil, err
	}
	s.routes = s.apiRoutes()
	return s, nil
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.identify(s.api(rt)))
	}
	s.pageRoutes(mux)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	// identify runs per route (not around the mux) so that the mux sets
	// r.Pattern on the request the logger holds.
	return s.requestID(s.logRequests(s.securityHeaders(s.recoverPanics(mux))))
}
