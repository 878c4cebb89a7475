package web

import "net/http"

// The portal area (public information website): its API routes and pages.

func (s *Server) portalRoutes() []route { return nil }

func (s *Server) portalPages(mux *http.ServeMux) {}
