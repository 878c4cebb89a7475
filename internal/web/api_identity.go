package web

import (
	"net/http"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
)

func (s *Server) apiTime(w http.ResponseWriter, r *http.Request) error {
	now := s.Clock.Now()
	writeJSON(w, http.StatusOK, map[string]any{"utc": now.Format(time.RFC3339Nano),
		"beijing": now.In(shanghai()).Format("2006-01-02 15:04:05"), "unix_ms": now.UnixMilli()})
	return nil
}

func (s *Server) apiCentres(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[centre.Centre]{Items: cs, Total: len(cs)})
	return nil
}

func (s *Server) apiCreateCentre(w http.ResponseWriter, r *http.Request) error {
	var n auth.NewCentre
	if err := decode(w, r, &n); err != nil {
		return err
	}
	c, org, err := s.Auth.CreateCentre(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"centre": c, "organisation": org})
	return nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var reg auth.Registration
	if err := decode(w, r, &reg); err != nil {
		return err
	}
	org, user, err := s.Auth.Register(r.Context(), actorOf(r), reg)
	if err != nil {
		return err
	}
	user.IDNumber, user.Phone = "", ""
	org.ContactPhone = ""
	writeJSON(w, http.StatusCreated, map[string]any{"organisation": org, "user": user,
		"message": "注册已提交，请等待交易中心审核；审核通过后即可登录"})
	return nil
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sess, a, err := s.Auth.Login(r.Context(), s.clientIP(r), req.Username, req.Password)
	if err != nil {
		return err
	}
	s.setSession(w, sess.Token, sess.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"csrf_token": sess.CSRF, "expires_at": sess.ExpiresAt,
		"user": map[string]any{"id": a.UserID, "username": a.Username, "name": a.Name, "role": a.Role,
			"organisation": a.OrgName}})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if tok, ok := r.Context().Value(keySession).(string); ok && a.SignedIn() {
		if err := s.Auth.Logout(r.Context(), a, tok); err != nil {
			return err
		}
	}
	s.clearSession(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	u, org, err := s.Auth.Me(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "organisation": org,
		"role_label": u.Role.Label(), "csrf_token": csrfOf(r)})
	return nil
}

func (s *Server) apiOrgs(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := auth.OrgFilter{Status: auth.Status(q.Get("status")), Kind: auth.OrgKind(q.Get("kind")),
		Query: q.Get("q"), Limit: limit, Offset: offset}
	orgs, total, err := s.Auth.ListOrgs(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[auth.Organisation]{Items: orgs, Total: total, Limit: limit, Offset: offset})
	return nil
}

func (s *Server) apiCreateOrg(w http.ResponseWriter, r *http.Request) error {
	var n auth.NewOrg
	if err := decode(w, r, &n); err != nil {
		return err
	}
	org, err := s.Auth.CreateOrg(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, org)
	return nil
}

func (s *Server) apiOrg(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Auth.GetOrg)
}

func (s *Server) apiDecideOrg(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Auth.DecideOrg)
}

func (s *Server) apiOrgUsers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	users, err := s.Auth.ListUsers(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[auth.User]{Items: users, Total: len(users)})
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var n auth.NewUser
	if err := decode(w, r, &n); err != nil {
		return err
	}
	u, err := s.Auth.CreateUser(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	u.IDNumber, u.Phone = "", ""
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Auth.ListTokens(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[auth.Token]{Items: ts, Total: len(ts)})
	return nil
}

type tokenRequest struct {
	Name string `json:"name"`
	Days int    `json:"days"`
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	secret, t, err := s.Auth.CreateToken(r.Context(), actorOf(r), req.Name, req.Days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "info": t,
		"message": "令牌只显示这一次，请妥善保存"})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
