package web

import (
	_ "embed"
	"net/http"
)

// openapi is the hand-written API description; TestOpenAPIMatchesRoutes
// keeps it in step with the route table.
//
//go:embed openapi.json
var openapi []byte

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openapi)
	return nil
}
