package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The notice area: its API routes, pages and workbench cards.

func (s *Server) noticeRoutes() []route { return nil }

func (s *Server) noticePages(mux *http.ServeMux) {}

func noticeCards(a auth.Actor) []card { return nil }
