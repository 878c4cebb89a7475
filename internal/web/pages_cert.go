package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
	"ggzy/internal/errs"
)

// Pages of the certificate area: one page lists the certificates the
// caller may see, with the bind form for bidders, the issue form for
// centre staff and a revoke form per certificate. Forms re-render with
// field reasons on invalid input or a conflict.

// certForms carries what the user typed back into the page.
type certForms struct {
	Bind  string
	Issue ca.NewCert
}

func (s *Server) certsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderCerts(w, r, http.StatusOK, certForms{}, nil, "", "")
}

func (s *Server) renderCerts(w http.ResponseWriter, r *http.Request, code int, forms certForms, fields map[string]string, msg, form string) error {
	a := actorOf(r)
	f := ca.Filter{}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	cs, total, err := s.CA.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	roots, err := s.CA.Trusted(a)
	if err != nil {
		return err
	}
	next := -1
	if f.Offset+len(cs) < total {
		next = f.Offset + f.Limit
	}
	s.renderStatus(w, r, code, "certs", map[string]any{"Title": "数字证书", "Certs": cs, "Total": total, "Next": next,
		"Roots": roots, "Forms": forms, "Fields": fields, "Error": msg, "Form": form, "MaxDays": ca.MaxDays,
		"CanBind": auth.Can(a.Role, auth.BindCert), "CanIssue": auth.Can(a.Role, auth.IssueCert),
		"CanRevoke": auth.Can(a.Role, auth.RevokeCert)})
	return nil
}

// formFailed re-renders the page for input the user can correct.
func (s *Server) certFormFailed(w http.ResponseWriter, r *http.Request, err error, forms certForms, form string) error {
	if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict || c == errs.NotFound {
		fields, msg := fieldErrors(err)
		return s.renderCerts(w, r, status(c), forms, fields, msg, form)
	}
	return err
}

func (s *Server) certBind(w http.ResponseWriter, r *http.Request) error {
	// The form is multipart (a file or pasted text); its CSRF token
	// travels in the action URL, and a certificate is small.
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	text := r.PostFormValue("pem")
	if strings.TrimSpace(text) == "" {
		if fh, _, err := r.FormFile("file"); err == nil {
			defer fh.Close()
			b, _ := io.ReadAll(io.LimitReader(fh, 64<<10))
			text = string(b)
		}
	}
	c, err := s.CA.Bind(r.Context(), actorOf(r), text)
	if err != nil {
		return s.certFormFailed(w, r, err, certForms{Bind: text}, "bind")
	}
	redirectFlash(w, r, "/workbench/certificates", "已绑定证书，指纹 "+c.Fingerprint)
	return nil
}

func (s *Server) certIssue(w http.ResponseWriter, r *http.Request) error {
	n := ca.NewCert{CreditCode: strings.TrimSpace(r.PostFormValue("credit_code")), PublicKey: r.PostFormValue("public_key")}
	if d := strings.TrimSpace(r.PostFormValue("valid_days")); d != "" {
		days, err := strconv.Atoi(d)
		if err != nil {
			days = -1
		}
		n.Days = days
	}
	c, err := s.CA.Issue(r.Context(), actorOf(r), n)
	if err != nil {
		return s.certFormFailed(w, r, err, certForms{Issue: n}, "issue")
	}
	redirectFlash(w, r, "/workbench/certificates", "已为"+c.OrgName+"签发并绑定证书，指纹 "+c.Fingerprint)
	return nil
}

func (s *Server) certRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.CA.Revoke(r.Context(), actorOf(r), id, r.PostFormValue("reason")); err != nil {
		return s.certFormFailed(w, r, err, certForms{}, "revoke")
	}
	redirectFlash(w, r, "/workbench/certificates", "证书已吊销")
	return nil
}
