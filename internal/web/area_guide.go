package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The guide area: its API routes, pages and workbench cards.

func (s *Server) guideRoutes() []route { return nil }

func (s *Server) guidePages(mux *http.ServeMux) {}

func guideCards(a auth.Actor) []card { return nil }
