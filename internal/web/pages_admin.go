package web

import (
	"net/http"
	"strconv"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
)

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := auth.OrgFilter{Status: auth.Status(q.Get("status")), Kind: auth.OrgKind(q.Get("kind")), Query: q.Get("q"),
		Limit: 50, Offset: offset}
	orgs, total, err := s.Auth.ListOrgs(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	next := -1
	if offset+len(orgs) < total {
		next = offset + 50
	}
	s.render(w, r, "orgs", map[string]any{"Title": "单位", "Orgs": orgs, "Total": total, "Filter": f, "Next": next,
		"Statuses": []auth.Status{auth.Pending, auth.Approved, auth.Rejected}})
	return nil
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderOrg(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	org, err := s.Auth.GetOrg(r.Context(), a, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": org.Name, "Org": org, "Fields": fields, "Error": msg, "Roles": auth.Roles}
	if auth.Can(a.Role, auth.ListUsers) {
		users, err := s.Auth.ListUsers(r.Context(), a, id)
		if err != nil {
			return err
		}
		data["Users"] = users
	}
	s.renderStatus(w, r, code, "org", data)
	return nil
}

func (s *Server) orgDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d := auth.Decision{Approve: r.PostFormValue("approve") == "1", Reason: r.PostFormValue("reason")}
	org, err := s.Auth.DecideOrg(r.Context(), actorOf(r), id, d)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderOrg(w, r, status(c), fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/organisations/"+strconv.FormatInt(id, 10), org.Name+"："+org.Status.Label())
	return nil
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	n := auth.NewUser{OrgID: orgID, Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Role: auth.Role(r.PostFormValue("role")), IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"),
		Password: r.PostFormValue("password")}
	u, err := s.Auth.CreateUser(r.Context(), actorOf(r), n)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			r.SetPathValue("id", strconv.FormatInt(orgID, 10))
			return s.renderOrg(w, r, status(c), fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/organisations/"+strconv.FormatInt(orgID, 10), "已添加用户 "+u.Username)
	return nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, map[string]any{})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, code int, data map[string]any) error {
	ts, err := s.Auth.ListTokens(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	data["Title"], data["Tokens"] = "API 令牌", ts
	s.renderStatus(w, r, code, "tokens", data)
	return nil
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil {
		days = 0
	}
	secret, _, err := s.Auth.CreateToken(r.Context(), actorOf(r), r.PostFormValue("name"), days)
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			fields, msg := fieldErrors(err)
			return s.renderTokens(w, r, status(errs.Invalid), map[string]any{"Fields": fields, "Error": msg})
		}
		return err
	}
	// The secret is shown once, in this response, and never stored.
	return s.renderTokens(w, r, http.StatusOK, map[string]any{"Secret": secret})
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, "/workbench/tokens", "令牌已吊销")
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	events, err := s.Trail.Events(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	next := -1
	if len(events) == f.Limit {
		next = f.Offset + f.Limit
	}
	s.render(w, r, "audit", map[string]any{"Title": "审计追溯", "Events": events, "Q": r.URL.Query(), "Next": next})
	return nil
}

func (s *Server) auditEventPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	seq, err := pathID(r, "seq")
	if err != nil {
		return err
	}
	e, err := s.Trail.Event(r.Context(), actorOf(r), seq)
	if err != nil {
		return err
	}
	s.render(w, r, "audit_event", map[string]any{"Title": "审计事件 #" + strconv.FormatInt(seq, 10), "Event": e})
	return nil
}
