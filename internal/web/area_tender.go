package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The tender area: its API routes, pages and workbench cards.

func (s *Server) tenderRoutes() []route { return nil }

func (s *Server) tenderPages(mux *http.ServeMux) {}

func tenderCards(a auth.Actor) []card { return nil }
