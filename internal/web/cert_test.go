package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
	"ggzy/internal/gm"
	"ggzy/internal/testenv"
)

// builtinCert issues (without binding) a certificate of the platform CA for
// the fixture bidder's organisation.
func builtinCert(t *testing.T, e *testenv.Env) string {
	t.Helper()
	org, err := e.Auth.GetOrg(e.Ctx, auth.System, e.Orgs[auth.KindBidder])
	e.Must(err)
	k, err := ca.GenerateKey()
	e.Must(err)
	now := e.Clock.Now()
	c, err := e.CA.Authority.Issue(ca.Subject{OrgName: org.Name, CreditCode: org.CreditCode}, &k.PublicKey, now, now.Add(ca.DefaultValidity))
	e.Must(err)
	return string(ca.EncodeCertPEM(c))
}

// TestCertAPI walks the certificate API: a bidder binds, lists, reads and
// revokes; staff issue from the platform CA for a public key; anyone reads
// the trusted roots.
func TestCertAPI(t *testing.T) {
	e := testenv.New(t)
	bidder, staff, public := e.Client(auth.Bidder), e.Client(auth.Staff), e.Client(auth.Anonymous)

	var bound ca.Cert
	if st := bidder.JSON("POST", "/api/v1/certificates", map[string]string{"pem": builtinCert(t, e)}, &bound); st != http.StatusCreated {
		t.Fatalf("bind: %d", st)
	}
	if bound.ID == 0 || bound.State != ca.Valid || bound.OrgID != e.Orgs[auth.KindBidder] {
		t.Fatalf("bound %+v", bound)
	}
	resp, b := bidder.Do("POST", "/api/v1/certificates", strings.NewReader(`{"pem":"garbage"}`), "application/json")
	if p := readProblem(t, resp, b); resp.StatusCode != http.StatusUnprocessableEntity || p.Fields[0].Field != "pem" {
		t.Fatalf("garbage: %d %+v", resp.StatusCode, p)
	}

	var l struct {
		Items []ca.Cert `json:"items"`
		Total int       `json:"total"`
	}
	if st := bidder.JSON("GET", "/api/v1/certificates", nil, &l); st != http.StatusOK || l.Total != 1 || l.Items[0].ID != bound.ID {
		t.Fatalf("list: %d %+v", st, l)
	}
	path := "/api/v1/certificates/" + strconv.FormatInt(bound.ID, 10)
	var got ca.Cert
	if st := staff.JSON("GET", path, nil, &got); st != http.StatusOK || got.Fingerprint != bound.Fingerprint {
		t.Fatalf("staff get: %d %+v", st, got)
	}
	if st := e.Client(auth.Supervisor).JSON("GET", "/api/v1/certificates?org="+strconv.FormatInt(bound.OrgID, 10), nil, &l); st != http.StatusOK || l.Total != 1 {
		t.Fatalf("supervisor list: %d %+v", st, l)
	}

	// Staff issue for the bidder from a public key the bidder made.
	k, _ := ca.GenerateKey()
	pub, _ := gm.MarshalPublicKeyPEM(&k.PublicKey)
	var issued ca.Cert
	issuePath := "/api/v1/organisations/" + strconv.FormatInt(e.Orgs[auth.KindBidder], 10) + "/certificates"
	if st := staff.JSON("POST", issuePath, map[string]any{"public_key": string(pub), "valid_days": 365}, &issued); st != http.StatusCreated {
		t.Fatalf("issue: %d", st)
	}
	if issued.Source != ca.Issued || issued.NotAfter.Sub(issued.NotBefore).Hours() != 365*24 {
		t.Fatalf("issued %+v", issued)
	}
	resp, b = staff.Do("POST", "/api/v1/organisations/"+strconv.FormatInt(e.Orgs[auth.KindTenderer], 10)+"/certificates",
		strings.NewReader(`{"public_key":`+strconvQuote(string(pub))+`}`), "application/json")
	if p := readProblem(t, resp, b); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "投标人") {
		t.Fatalf("issue for a tenderer: %d %+v", resp.StatusCode, p)
	}

	// Revoke needs a reason.
	resp, b = bidder.Do("POST", path+"/revoke", strings.NewReader(`{}`), "application/json")
	if p := readProblem(t, resp, b); resp.StatusCode != http.StatusUnprocessableEntity || p.Fields[0].Field != "reason" {
		t.Fatalf("revoke without reason: %d %+v", resp.StatusCode, p)
	}
	if st := bidder.JSON("POST", path+"/revoke", map[string]string{"reason": "私钥泄露"}, &got); st != http.StatusOK || got.State != ca.Revoked {
		t.Fatalf("revoke: %d %+v", st, got)
	}
	resp, b = bidder.Do("POST", path+"/revoke", strings.NewReader(`{"reason":"再次"}`), "application/json")
	if readProblem(t, resp, b); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second revoke: %d", resp.StatusCode)
	}

	var roots struct {
		Items []ca.Root `json:"items"`
	}
	if st := public.JSON("GET", "/api/v1/ca/roots", nil, &roots); st != http.StatusOK || len(roots.Items) != 1 || !roots.Items[0].Builtin {
		t.Fatalf("roots: %d %+v", st, roots)
	}
	if _, err := ca.ParseCertPEM([]byte(roots.Items[0].PEM)); err != nil {
		t.Fatalf("root PEM: %v", err)
	}
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// TestCertPages: the workbench page shows each role what it may do, and its
// forms bind (multipart, token in the URL), issue and revoke.
func TestCertPages(t *testing.T) {
	e := testenv.New(t)
	for _, tc := range []struct {
		role              auth.Role
		status            int
		bind, issue, card bool
	}{
		{auth.Anonymous, http.StatusSeeOther, false, false, false},
		{auth.Tenderer, http.StatusForbidden, false, false, false},
		{auth.Expert, http.StatusForbidden, false, false, false},
		{auth.Bidder, http.StatusOK, true, false, true},
		{auth.Staff, http.StatusOK, false, true, true},
		{auth.Supervisor, http.StatusOK, false, false, true},
		{auth.Admin, http.StatusOK, false, true, true},
	} {
		t.Run(roleName(tc.role), func(t *testing.T) {
			c := e.Client(tc.role)
			resp, b := c.Do("GET", "/workbench/certificates", nil, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusOK {
				return
			}
			page := string(b)
			if got := strings.Contains(page, `id="cert-bind"`); got != tc.bind {
				t.Errorf("bind form shown=%v", got)
			}
			if got := strings.Contains(page, `id="cert-issue"`); got != tc.issue {
				t.Errorf("issue form shown=%v", got)
			}
			if !strings.Contains(page, "平台内置") {
				t.Error("trusted roots not listed")
			}
			_, wb := c.Do("GET", "/workbench", nil, "")
			if got := strings.Contains(cardsOf(t, wb), `href="/workbench/certificates"`); got != tc.card {
				t.Errorf("workbench card shown=%v", got)
			}
		})
	}

	// Bind through the multipart form with the page's token in the URL.
	bidder := e.Client(auth.Bidder)
	_, page := bidder.Do("GET", "/workbench/certificates", nil, "")
	token := formToken(t, page)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "cert.pem")
	fw.Write([]byte(builtinCert(t, e)))
	mw.WriteField("pem", "")
	mw.Close()
	noHeader := *bidder
	noHeader.CSRF = ""
	resp, b := noHeader.Do("POST", "/workbench/certificates?csrf_token="+url.QueryEscape(token), &body, mw.FormDataContentType())
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=") {
		t.Fatalf("bind form: %d %s", resp.StatusCode, b)
	}
	// Bad input re-renders the form with the reason.
	body.Reset()
	mw = multipart.NewWriter(&body)
	mw.WriteField("pem", "不是证书")
	mw.Close()
	resp, b = noHeader.Do("POST", "/workbench/certificates?csrf_token="+url.QueryEscape(token), &body, mw.FormDataContentType())
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "不是 PEM 格式的证书") || !strings.Contains(string(b), "不是证书") {
		t.Fatalf("bad bind form: %d", resp.StatusCode)
	}

	// Staff issue through the form, naming the bidder by credit code.
	org, err := e.Auth.GetOrg(e.Ctx, auth.System, e.Orgs[auth.KindBidder])
	e.Must(err)
	k, _ := ca.GenerateKey()
	pub, _ := gm.MarshalPublicKeyPEM(&k.PublicKey)
	staff := e.Client(auth.Staff)
	form := url.Values{"credit_code": {org.CreditCode}, "public_key": {string(pub)}, "valid_days": {"30"}}
	resp, b = staff.Do("POST", "/workbench/certificates/issue", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue form: %d %s", resp.StatusCode, b)
	}
	form.Set("valid_days", "abc")
	resp, b = staff.Do("POST", "/workbench/certificates/issue", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "有效期须为") {
		t.Fatalf("bad issue form: %d", resp.StatusCode)
	}

	// Both certificates are listed; the bidder revokes one through its form.
	cs, total, err := e.CA.List(e.Ctx, auth.System, ca.Filter{})
	e.Must(err)
	if total != 2 {
		t.Fatalf("%d certificates after the forms, want 2", total)
	}
	revoke := "/workbench/certificates/" + strconv.FormatInt(cs[0].ID, 10) + "/revoke"
	resp, _ = bidder.Do("POST", revoke, strings.NewReader(url.Values{"reason": {""}}.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("revoke without reason: %d", resp.StatusCode)
	}
	resp, _ = bidder.Do("POST", revoke, strings.NewReader(url.Values{"reason": {"更换证书"}}.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke form: %d", resp.StatusCode)
	}
	_, page = bidder.Do("GET", "/workbench/certificates", nil, "")
	if !strings.Contains(string(page), "已吊销") || !strings.Contains(string(page), "更换证书") {
		t.Error("revoked certificate not shown as such")
	}
}
