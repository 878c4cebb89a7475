package web

import (
	"net/http"

	"ggzy/internal/ca"
)

// JSON API of the certificate area. The services authorize.

func (s *Server) apiCerts(w http.ResponseWriter, r *http.Request) error {
	f := ca.Filter{}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	if f.OrgID, err = venueQueryID(r, "org"); err != nil {
		return err
	}
	cs, total, err := s.CA.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []ca.Cert{}
	}
	writeJSON(w, http.StatusOK, list[ca.Cert]{Items: cs, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

type bindRequest struct {
	PEM string `json:"pem"`
}

func (s *Server) apiBindCert(w http.ResponseWriter, r *http.Request) error {
	var req bindRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.CA.Bind(r.Context(), actorOf(r), req.PEM)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiCert(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.CA.Get)
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiRevokeCert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req revokeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.CA.Revoke(r.Context(), actorOf(r), id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type issueRequest struct {
	PublicKey string `json:"public_key"`
	Days      int    `json:"valid_days"`
}

func (s *Server) apiIssueCert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req issueRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.CA.Issue(r.Context(), actorOf(r), ca.NewCert{OrgID: id, PublicKey: req.PublicKey, Days: req.Days})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiCARoots(w http.ResponseWriter, r *http.Request) error {
	roots, err := s.CA.Trusted(actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[ca.Root]{Items: roots, Total: len(roots)})
	return nil
}
