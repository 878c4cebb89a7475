package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
)

// page is a handler that may fail; errors render as an error page.
type page func(w http.ResponseWriter, r *http.Request) error

func (s *Server) page(p page) http.Handler {
	return s.identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p(w, r); err != nil {
			s.fail(w, r, err)
		}
	}))
}

func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.page(s.homePage))
	mux.Handle("GET /login", s.page(s.loginPage))
	mux.Handle("POST /login", s.page(s.loginSubmit))
	mux.Handle("POST /logout", s.page(s.logoutSubmit))
	mux.Handle("GET /register", s.page(s.registerPage))
	mux.Handle("POST /register", s.page(s.registerSubmit))
	mux.Handle("GET /workbench", s.page(s.workbenchPage))
	mux.Handle("GET /workbench/organisations", s.page(s.orgsPage))
	mux.Handle("GET /workbench/organisations/{id}", s.page(s.orgPage))
	mux.Handle("POST /workbench/organisations/{id}/decision", s.page(s.orgDecide))
	mux.Handle("POST /workbench/users", s.page(s.userCreate))
	mux.Handle("GET /workbench/tokens", s.page(s.tokensPage))
	mux.Handle("POST /workbench/tokens", s.page(s.tokenCreate))
	mux.Handle("POST /workbench/tokens/{id}/revoke", s.page(s.tokenRevoke))
	mux.Handle("GET /workbench/audit", s.page(s.auditPage))
	mux.Handle("GET /workbench/audit/{seq}", s.page(s.auditEventPage))
	s.guidePages(mux)
	s.tenderPages(mux)
	s.noticePages(mux)
	s.venuePages(mux)
	s.portalPages(mux)
	s.certPages(mux)
	s.biddingPages(mux)
	s.drawPages(mux)
	s.expertPages(mux)
}

// requireSignIn sends anonymous visitors to the sign-in page.
func requireSignIn(r *http.Request) error {
	if !actorOf(r).SignedIn() {
		return errs.E(errs.Unauthenticated, "请先登录")
	}
	return nil
}

// fieldErrors indexes an invalid-input error by field for the form.
func fieldErrors(err error) (map[string]string, string) {
	e := errs.As(err)
	m := map[string]string{}
	for _, f := range e.Fields {
		if _, dup := m[f.Field]; !dup {
			m[f.Field] = f.Message
		}
	}
	return m, e.Message
}

func redirectFlash(w http.ResponseWriter, r *http.Request, to, msg string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"flash="+url.QueryEscape(msg), http.StatusSeeOther)
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/workbench"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "login", map[string]any{"Title": "登录", "Next": safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	username, next := r.PostFormValue("username"), safeNext(r.PostFormValue("next"))
	sess, _, err := s.Auth.Login(r.Context(), s.clientIP(r), username, r.PostFormValue("password"))
	if err != nil {
		fields, msg := fieldErrors(err)
		s.renderStatus(w, r, status(errs.CodeOf(err)), "login", map[string]any{"Title": "登录",
			"Error": msg, "Fields": fields, "Username": username, "Next": next})
		return nil
	}
	s.setSession(w, sess.Token, sess.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) error {
	if tok, ok := r.Context().Value(keySession).(string); ok {
		if err := s.Auth.Logout(r.Context(), actorOf(r), tok); err != nil {
			return err
		}
	}
	s.clearSession(w)
	redirectFlash(w, r, "/", "已退出登录")
	return nil
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRegister(w, r, http.StatusOK, auth.Registration{Kind: auth.KindBidder}, nil, "")
}

func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, code int, reg auth.Registration, fields map[string]string, msg string) error {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	reg.Password = ""
	s.renderStatus(w, r, code, "register", map[string]any{"Title": "单位注册", "Centres": cs, "Form": reg,
		"Fields": fields, "Error": msg, "Kinds": []auth.OrgKind{auth.KindBidder, auth.KindTenderer, auth.KindAgent}})
	return nil
}

func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) error {
	reg := auth.Registration{
		OrgName: r.PostFormValue("org_name"), Kind: auth.OrgKind(r.PostFormValue("kind")),
		CreditCode: r.PostFormValue("credit_code"), CentreCode: r.PostFormValue("centre_code"),
		LegalRep: r.PostFormValue("legal_rep"), ContactName: r.PostFormValue("contact_name"),
		ContactPhone: r.PostFormValue("contact_phone"), Username: r.PostFormValue("username"),
		DisplayName: r.PostFormValue("display_name"), IDNumber: r.PostFormValue("id_number"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password"),
	}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return s.renderRegister(w, r, http.StatusUnprocessableEntity, reg,
			map[string]string{"password2": "两次输入的密码不一致"}, "输入有误：两次输入的密码不一致")
	}
	if _, _, err := s.Auth.Register(r.Context(), actorOf(r), reg); err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
			return err
		}
		fields, msg := fieldErrors(err)
		return s.renderRegister(w, r, status(errs.CodeOf(err)), reg, fields, msg)
	}
	redirectFlash(w, r, "/login", "注册已提交，交易中心审核通过后即可登录")
	return nil
}

// card is one thing a role can do on its workbench.
type card struct {
	Title, Text, Href string
}

// workbenchCards lists, per role, the capabilities that exist today; each
// later capability adds its own cards here.
func workbenchCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.DecideOrg) {
		cs = append(cs, card{"单位注册审核", "审核本中心辖区内投标人、招标人、代理机构的注册申请", "/workbench/organisations?status=pending"})
	}
	if auth.Can(a.Role, auth.ListOrgs) {
		cs = append(cs, card{"单位查询", "查看辖区内各类单位及其用户", "/workbench/organisations"})
	}
	if auth.Can(a.Role, auth.ReadAudit) {
		cs = append(cs, card{"审计追溯", "按对象、行为、时间查看辖区内的全程留痕记录，并可获取包含证明", "/workbench/audit"})
	}
	if auth.Can(a.Role, auth.ManageTokens) {
		cs = append(cs, card{"API 令牌", "为本单位的投标工具、对接系统签发和吊销 API 令牌", "/workbench/tokens"})
	}
	cs = append(cs, guideCards(a)...)
	cs = append(cs, tenderCards(a)...)
	cs = append(cs, noticeCards(a)...)
	cs = append(cs, venueCards(a)...)
	cs = append(cs, certCards(a)...)
	cs = append(cs, biddingCards(a)...)
	cs = append(cs, drawCards(a)...)
	cs = append(cs, expertCards(a)...)
	cs = append(cs, card{"本单位信息", "查看本单位登记信息与审核状态", "/workbench/organisations/" + strconv.FormatInt(a.OrgID, 10)})
	return cs
}

func (s *Server) workbenchPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.ViewWorkbench); err != nil {
		return err
	}
	u, org, err := s.Auth.Me(r.Context(), a)
	if err != nil {
		return err
	}
	s.render(w, r, "workbench", map[string]any{"Title": "工作台", "Cards": workbenchCards(a), "User": u, "Org": org})
	return nil
}
