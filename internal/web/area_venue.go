package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The venue area: its API routes, pages and workbench cards.

func (s *Server) venueRoutes() []route { return nil }

func (s *Server) venuePages(mux *http.ServeMux) {}

func venueCards(a auth.Actor) []card { return nil }
