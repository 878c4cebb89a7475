package web

import (
	"net/http"

	"ggzy/internal/errs"
	"ggzy/internal/guide"
)

func (s *Server) apiGuide(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	inactive := false
	switch q.Get("inactive") {
	case "", "false", "0":
	case "true", "1":
		inactive = true
	default:
		var f errs.Fields
		f.Add("inactive", "须为 true 或 false")
		return f.Err()
	}
	ms, err := s.Guide.List(r.Context(), actorOf(r), q.Get("kind"), inactive)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []guide.Matter{}
	}
	writeJSON(w, http.StatusOK, list[guide.Matter]{Items: ms, Total: len(ms)})
	return nil
}

func (s *Server) apiMatter(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "matter", http.StatusOK, s.Guide.Get)
}

func (s *Server) apiCreateMatter(w http.ResponseWriter, r *http.Request) error {
	var in guide.NewMatter
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.Guide.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) apiUpdateMatter(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "matter", http.StatusOK, s.Guide.Update)
}
