package web

import (
	"net/http"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/errs"
)

// parseDay reads a yyyy-mm-dd date (Beijing time) for filters.
func parseDay(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, shanghai())
	if err != nil {
		var f errs.Fields
		f.Add(name, "日期格式应为 2006-01-02")
		return t, f.Err()
	}
	return t, nil
}

// auditFilter reads the trail filter from the query string.
func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	limit, offset, err := paging(r)
	if err != nil {
		return audit.Filter{}, err
	}
	from, err := parseDay(r, "from")
	if err != nil {
		return audit.Filter{}, err
	}
	to, err := parseDay(r, "to")
	if err != nil {
		return audit.Filter{}, err
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the whole last day
	}
	return audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Action: q.Get("action"),
		RegionPrefix: q.Get("region"), Industry: q.Get("industry"), From: from, To: to,
		Limit: limit, Offset: offset}, nil
}

func (s *Server) apiAuditEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	events, err := s.Trail.Events(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[audit.Event]{Items: events, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func (s *Server) apiAuditEvent(w http.ResponseWriter, r *http.Request) error {
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	e, err := s.Trail.Event(r.Context(), actorOf(r), seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) apiAuditProof(w http.ResponseWriter, r *http.Request) error {
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	p, err := s.Trail.Prove(r.Context(), actorOf(r), seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"proof": p, "verifier_key": s.Audit.VerifierKey(),
		"how_to_verify": "用 verifier_key 验证 checkpoint 的 SM2 签名，再按 RFC 6962 用 hashes 从 record_hash 推出 root_hash"})
	return nil
}
