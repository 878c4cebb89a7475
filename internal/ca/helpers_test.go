package ca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/testenv"
)

// fixture is a platform with a second bidder and staff of another centre.
type fixture struct {
	*testenv.Env
	bidder, bidder2, staff, otherStaff, supervisor, admin auth.Actor
	org, org2                                             orgInfo
}

type orgInfo struct {
	ID               int64
	Name, CreditCode string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := testenv.New(t)
	f := &fixture{Env: e}
	f.bidder, f.staff, f.supervisor, f.admin = e.Actor(auth.Bidder), e.Actor(auth.Staff), e.Actor(auth.Supervisor), e.Actor(auth.Admin)
	e.RegisterApproved(auth.KindBidder, "bidder2", "另一投标公司")
	f.bidder2 = login(t, e, "bidder2")
	qj, err := centre.ByCode(e.Ctx, e.DB, "530300")
	e.Must(err)
	qjOrg, err := e.Auth.CentreOrg(e.Ctx, qj.ID)
	e.Must(err)
	_, err = e.Auth.CreateUser(e.Ctx, auth.System, auth.NewUser{OrgID: qjOrg, Username: "qjstaff", DisplayName: "曲靖工作人员",
		Role: auth.Staff, IDNumber: testenv.IDNumber(), Phone: "13700000001", Password: testenv.Password})
	e.Must(err)
	f.otherStaff = login(t, e, "qjstaff")
	f.org, f.org2 = f.orgOf(f.bidder.OrgID), f.orgOf(f.bidder2.OrgID)
	return f
}

func login(t *testing.T, e *testenv.Env, username string) auth.Actor {
	t.Helper()
	_, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", username, testenv.Password)
	e.Must(err)
	return a
}

func (f *fixture) orgOf(id int64) orgInfo {
	o, err := f.Auth.GetOrg(f.Ctx, auth.System, id)
	f.Must(err)
	return orgInfo{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode}
}

// builtin issues (without binding) a certificate of the platform's own CA
// for org, valid two years from now.
func (f *fixture) builtin(org orgInfo) (*smx509.Certificate, *sm2.PrivateKey) {
	f.T.Helper()
	k, err := ca.GenerateKey()
	f.Must(err)
	now := f.Clock.Now()
	c, err := f.CA.Authority.Issue(ca.Subject{OrgName: org.Name, CreditCode: org.CreditCode}, &k.PublicKey, now, now.Add(ca.DefaultValidity))
	f.Must(err)
	return c, k
}

// bound issues a built-in certificate for the bidder's organisation and
// binds it as the bidder.
func (f *fixture) bound(a auth.Actor, org orgInfo) (ca.Cert, *smx509.Certificate) {
	f.T.Helper()
	c, _ := f.builtin(org)
	got, err := f.CA.Bind(f.Ctx, a, string(ca.EncodeCertPEM(c)))
	f.Must(err)
	return got, c
}

func pubPEM(t *testing.T, k *sm2.PrivateKey) string {
	t.Helper()
	b, err := gm.MarshalPublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// externalCA is another SM2 CA: a root and an intermediate under it, as a
// commercial CA would have.
type externalCA struct {
	root, inter       *smx509.Certificate
	rootKey, interKey *sm2.PrivateKey
}

func newExternalCA(t *testing.T, now time.Time) externalCA {
	t.Helper()
	var x externalCA
	x.rootKey, _ = ca.GenerateKey()
	x.interKey, _ = ca.GenerateKey()
	rootT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "外部测试根 CA"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	x.root = create(t, rootT, rootT, &x.rootKey.PublicKey, x.rootKey)
	interT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "外部测试中级 CA"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	x.inter = create(t, interT, x.root.ToX509(), &x.interKey.PublicKey, x.rootKey)
	return x
}

// leaf issues an end-entity certificate under the intermediate whose
// subject carries the credit code in OU, as some CAs do.
func (x externalCA) leaf(t *testing.T, org orgInfo, pub *ecdsa.PublicKey, from, to time.Time) *smx509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:   pkix.Name{CommonName: org.Name, OrganizationalUnit: []string{org.CreditCode}},
		NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	return create(t, tmpl, x.inter.ToX509(), pub, x.interKey)
}

func create(t *testing.T, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *sm2.PrivateKey) *smx509.Certificate {
	t.Helper()
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// p256Cert is a self-signed ECDSA P-256 certificate made with crypto/x509:
// not SM2.
func p256Cert(t *testing.T, org orgInfo, now time.Time) *smx509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: org.Name, SerialNumber: org.CreditCode},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// events counts audit events of action ("" = all).
func (f *fixture) events(action string) int {
	f.T.Helper()
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM audit_events WHERE action = ? OR ? = ''", action, action).Scan(&n))
	return n
}
