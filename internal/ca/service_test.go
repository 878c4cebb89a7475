package ca_test

import (
	"crypto/ecdsa"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
	"ggzy/internal/errs"
	"ggzy/internal/testenv"
)

// TestRoleActionTable walks every role through every use case on the
// fixture bidder's organisation: allowed roles succeed, the others are
// refused (the public asked to sign in) and change nothing.
func TestRoleActionTable(t *testing.T) {
	f := newFixture(t)
	actors := map[auth.Role]auth.Actor{auth.Anonymous: auth.Public("127.0.0.1")}
	for _, r := range auth.Roles {
		actors[r] = f.Actor(r)
	}
	all := append([]auth.Role{auth.Anonymous}, auth.Roles...)
	// Each use case prepares its input first, so what the call itself
	// changed can be measured.
	type useCase struct {
		name    string
		allowed []auth.Role
		prepare func() func(a auth.Actor) error
	}
	cases := []useCase{
		{"list", []auth.Role{auth.Bidder, auth.Staff, auth.Supervisor, auth.Admin}, func() func(auth.Actor) error {
			f.bound(f.bidder, f.org)
			return func(a auth.Actor) error {
				cs, _, err := f.CA.List(f.Ctx, a, ca.Filter{OrgID: f.org.ID})
				if err == nil && len(cs) == 0 {
					return errors.New("allowed but saw nothing")
				}
				return err
			}
		}},
		{"get", []auth.Role{auth.Bidder, auth.Staff, auth.Supervisor, auth.Admin}, func() func(auth.Actor) error {
			c, _ := f.bound(f.bidder, f.org)
			return func(a auth.Actor) error { _, err := f.CA.Get(f.Ctx, a, c.ID); return err }
		}},
		{"bind", []auth.Role{auth.Bidder}, func() func(auth.Actor) error {
			c, _ := f.builtin(f.org)
			return func(a auth.Actor) error { _, err := f.CA.Bind(f.Ctx, a, string(ca.EncodeCertPEM(c))); return err }
		}},
		{"revoke", []auth.Role{auth.Bidder, auth.Staff, auth.Admin}, func() func(auth.Actor) error {
			c, _ := f.bound(f.bidder, f.org)
			return func(a auth.Actor) error { _, err := f.CA.Revoke(f.Ctx, a, c.ID, "测试吊销"); return err }
		}},
		{"issue", []auth.Role{auth.Staff, auth.Admin}, func() func(auth.Actor) error {
			k, _ := ca.GenerateKey()
			return func(a auth.Actor) error {
				_, err := f.CA.Issue(f.Ctx, a, ca.NewCert{OrgID: f.org.ID, PublicKey: pubPEM(t, k)})
				return err
			}
		}},
		{"issue for", []auth.Role{auth.Staff, auth.Admin}, func() func(auth.Actor) error {
			k, _ := ca.GenerateKey()
			return func(a auth.Actor) error { _, err := f.CA.IssueFor(f.Ctx, a, f.org.ID, &k.PublicKey); return err }
		}},
		{"trusted roots", all, func() func(auth.Actor) error {
			return func(a auth.Actor) error {
				roots, err := f.CA.Trusted(a)
				if err == nil && len(roots) != 1 {
					return errors.New("want the built-in root")
				}
				return err
			}
		}},
	}
	for _, uc := range cases {
		for _, role := range all {
			name := string(role)
			if role == auth.Anonymous {
				name = "anonymous"
			}
			t.Run(uc.name+"/"+name, func(t *testing.T) {
				allowed := slices.Contains(uc.allowed, role)
				if allowed != auth.Can(role, actionOf[uc.name]) {
					t.Fatalf("table disagrees with the policy for %s", actionOf[uc.name])
				}
				call := uc.prepare()
				events, rows, revoked := f.events(""), f.count(), f.revoked()
				err := call(actors[role])
				switch {
				case allowed && err != nil:
					t.Fatalf("refused: %v", err)
				case allowed:
					return
				case role == auth.Anonymous:
					wantCode(t, err, errs.Unauthenticated)
				default:
					wantCode(t, err, errs.Forbidden)
				}
				if f.events("") != events || f.count() != rows || f.revoked() != revoked {
					t.Fatal("a refused call changed something")
				}
			})
		}
	}
}

var actionOf = map[string]auth.Action{"list": auth.ReadCerts, "get": auth.ReadCerts, "bind": auth.BindCert,
	"revoke": auth.RevokeCert, "issue": auth.IssueCert, "issue for": auth.IssueCert, "trusted roots": auth.ReadCARoots}

func (f *fixture) revoked() int {
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM org_certs WHERE revoked_at <> 0").Scan(&n))
	return n
}

func (f *fixture) count() int {
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM org_certs").Scan(&n))
	return n
}

// TestJurisdiction: bidders see and revoke only their own organisation's
// certificates; staff and supervisors see their region's; staff of another
// centre can neither see, revoke nor issue; what one may not see is "not
// found".
func TestJurisdiction(t *testing.T) {
	f := newFixture(t)
	mine, _ := f.bound(f.bidder, f.org)
	theirs, _ := f.bound(f.bidder2, f.org2)

	for _, tc := range []struct {
		name string
		a    auth.Actor
		want []int64
	}{
		{"bidder", f.bidder, []int64{mine.ID}},
		{"other bidder", f.bidder2, []int64{theirs.ID}},
		{"staff of 昭通", f.staff, []int64{theirs.ID, mine.ID}},
		{"supervisor of 昭通", f.supervisor, []int64{theirs.ID, mine.ID}},
		{"admin", f.admin, []int64{theirs.ID, mine.ID}},
		{"staff of 曲靖", f.otherStaff, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A bidder asking for another organisation still sees only its own.
			cs, total, err := f.CA.List(f.Ctx, tc.a, ca.Filter{OrgID: f.org2.ID * map[bool]int64{true: 1, false: 0}[tc.a.Role == auth.Bidder]})
			f.Must(err)
			var got []int64
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if tc.a.Role == auth.Bidder {
				if len(got) != 1 || got[0] != tc.want[0] || total != 1 {
					t.Fatalf("saw %v (total %d), want %v", got, total, tc.want)
				}
				return
			}
			if len(got) != len(tc.want) || total != len(tc.want) {
				t.Fatalf("saw %v (total %d), want %v", got, total, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("saw %v, want %v", got, tc.want)
				}
			}
		})
	}
	_, err := f.CA.Get(f.Ctx, f.bidder, theirs.ID)
	wantCode(t, err, errs.NotFound)
	_, err = f.CA.Get(f.Ctx, f.otherStaff, mine.ID)
	wantCode(t, err, errs.NotFound)
	_, err = f.CA.Revoke(f.Ctx, f.bidder, theirs.ID, "不是我的")
	wantCode(t, err, errs.NotFound)
	_, err = f.CA.Revoke(f.Ctx, f.otherStaff, mine.ID, "不是本辖区")
	wantCode(t, err, errs.NotFound)
	k, _ := ca.GenerateKey()
	_, err = f.CA.Issue(f.Ctx, f.otherStaff, ca.NewCert{OrgID: f.org.ID, PublicKey: pubPEM(t, k)})
	wantCode(t, err, errs.Forbidden)
	_, err = f.CA.Get(f.Ctx, f.staff, 999999)
	wantCode(t, err, errs.NotFound)
	if n := f.events("cert.revoke") + f.events("cert.issue"); n != 0 {
		t.Errorf("%d events for refused changes", n)
	}
}

// TestBind: what a bidder may bind and the Chinese reasons for what not.
func TestBind(t *testing.T) {
	f := newFixture(t)
	c, _ := f.builtin(f.org)
	pemText := string(ca.EncodeCertPEM(c))
	got, err := f.CA.Bind(f.Ctx, f.bidder, "证书如下：\n"+pemText)
	f.Must(err)
	if got.OrgID != f.org.ID || got.Fingerprint != ca.Fingerprint(c) || got.Source != ca.Uploaded || got.State != ca.Valid ||
		got.BoundBy != f.bidder.UserID || got.PEM != pemText || got.CreditCode != f.org.CreditCode || got.Serial != ca.SerialHex(c) {
		t.Fatalf("bound %+v", got)
	}
	if n := f.events("cert.bind"); n != 1 {
		t.Fatalf("%d cert.bind events", n)
	}
	theirs, _ := f.builtin(f.org2)
	rootPEM := string(ca.EncodeCertPEM(f.CA.Authority.Cert))
	for _, tc := range []struct {
		name, pem string
		a         auth.Actor
		code      errs.Code
		words     string
	}{
		{"again", pemText, f.bidder, errs.Conflict, "已绑定到本单位"},
		{"by another bidder", pemText, f.bidder2, errs.Invalid, "统一社会信用代码"},
		{"another organisation's", string(ca.EncodeCertPEM(theirs)), f.bidder, errs.Invalid, "统一社会信用代码"},
		{"empty", " ", f.bidder, errs.Invalid, "请粘贴"},
		{"garbage", "not a certificate", f.bidder, errs.Invalid, "PEM"},
		{"a chain", pemText + rootPEM, f.bidder, errs.Invalid, "一张"},
		{"the root", rootPEM, f.bidder, errs.Invalid, "CA 证书"},
		{"not SM2", string(ca.EncodeCertPEM(p256Cert(t, f.org, f.Clock.Now()))), f.bidder, errs.Invalid, "SM2"},
		{"too long", strings.Repeat("A", 20000), f.bidder, errs.Invalid, "过长"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.count()
			_, err := f.CA.Bind(f.Ctx, tc.a, tc.pem)
			wantCode(t, err, tc.code)
			if msg := errs.As(err).Message; !strings.Contains(msg, tc.words) {
				t.Fatalf("message %q lacks %q", msg, tc.words)
			}
			if f.count() != before {
				t.Fatal("refused binding was saved")
			}
		})
	}
	// A revoked certificate cannot be bound again, by anyone.
	_, err = f.CA.Revoke(f.Ctx, f.bidder, got.ID, "泄露")
	f.Must(err)
	_, err = f.CA.Bind(f.Ctx, f.bidder, pemText)
	wantCode(t, err, errs.Conflict)
	if !strings.Contains(errs.As(err).Message, "吊销") {
		t.Fatalf("re-binding a revoked certificate: %v", err)
	}
}

// TestBindRace: many concurrent bindings of one certificate — one wins.
func TestBindRace(t *testing.T) {
	f := newFixture(t)
	c, _ := f.builtin(f.org)
	pemText := string(ca.EncodeCertPEM(c))
	var wg sync.WaitGroup
	errsOut := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.CA.Bind(f.Ctx, f.bidder, pemText)
			errsOut <- err
		}()
	}
	wg.Wait()
	close(errsOut)
	won := 0
	for err := range errsOut {
		switch {
		case err == nil:
			won++
		case errs.CodeOf(err) != errs.Conflict:
			t.Errorf("loser got %v, want conflict", err)
		}
	}
	if won != 1 || f.count() != 1 || f.events("cert.bind") != 1 {
		t.Fatalf("%d won, %d rows, %d events", won, f.count(), f.events("cert.bind"))
	}
}

// TestRevoke: reasons are required, revocation happens once, and is
// recorded.
func TestRevoke(t *testing.T) {
	f := newFixture(t)
	c, cert := f.bound(f.bidder, f.org)
	_, err := f.CA.Revoke(f.Ctx, f.bidder, c.ID, "  ")
	wantCode(t, err, errs.Invalid)
	_, err = f.CA.Revoke(f.Ctx, f.bidder, c.ID, strings.Repeat("因", 201))
	wantCode(t, err, errs.Invalid)
	_, err = f.CA.Revoke(f.Ctx, f.supervisor, c.ID, "监督部门不能吊销")
	wantCode(t, err, errs.Forbidden)
	got, err := f.CA.Revoke(f.Ctx, f.staff, c.ID, "投标人申请")
	f.Must(err)
	if got.State != ca.Revoked || got.RevokeReason != "投标人申请" || !got.RevokedAt.Equal(f.Clock.Now().Truncate(1000)) {
		t.Fatalf("revoked %+v", got)
	}
	_, err = f.CA.Revoke(f.Ctx, f.bidder, c.ID, "再来一次")
	wantCode(t, err, errs.Conflict)
	if n := f.events("cert.revoke"); n != 1 {
		t.Fatalf("%d cert.revoke events", n)
	}
	if err := f.CA.Check(f.Ctx, f.DB, f.org.ID, cert, f.Clock.Now()); !errors.Is(err, ca.ErrRevoked) {
		t.Fatalf("Check after revoke: %v", err)
	}
	_, err = f.CA.Revoke(f.Ctx, f.bidder, 424242, "无此证书")
	wantCode(t, err, errs.NotFound)
}

// TestIssue: staff issue for approved bidders only; the certificate names
// the organisation, verifies, is bound and passes Check; the private key
// never reaches the platform.
func TestIssue(t *testing.T) {
	f := newFixture(t)
	k, _ := ca.GenerateKey()
	c, err := f.CA.Issue(f.Ctx, f.staff, ca.NewCert{CreditCode: strings.ToLower(f.org.CreditCode), PublicKey: pubPEM(t, k), Days: 30})
	f.Must(err)
	if c.Source != ca.Issued || c.OrgID != f.org.ID || c.NotAfter.Sub(c.NotBefore) != 30*24*3600e9 || c.BoundBy != f.staff.UserID {
		t.Fatalf("issued %+v", c)
	}
	cert, err := ca.ParseCertPEM([]byte(c.PEM))
	f.Must(err)
	if cert.Subject.CommonName != f.org.Name || cert.Subject.SerialNumber != f.org.CreditCode {
		t.Errorf("subject %s", cert.Subject.String())
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&k.PublicKey) {
		t.Errorf("certificate is not for the submitted key")
	}
	f.Must(f.CA.Check(f.Ctx, f.DB, f.org.ID, cert, f.Clock.Now()))
	if f.events("cert.issue") != 1 {
		t.Fatal("no cert.issue event")
	}
	// IssueFor: default validity, returns the certificate.
	k2, _ := ca.GenerateKey()
	c2, err := f.CA.IssueFor(f.Ctx, f.admin, f.org2.ID, &k2.PublicKey)
	f.Must(err)
	if c2.NotAfter.Sub(c2.NotBefore) != ca.DefaultValidity {
		t.Errorf("validity %v", c2.NotAfter.Sub(c2.NotBefore))
	}
	f.Must(f.CA.Check(f.Ctx, f.DB, f.org2.ID, c2, f.Clock.Now()))

	pending, _, err := f.Auth.Register(f.Ctx, auth.Public("127.0.0.1"), auth.Registration{OrgName: "待审投标公司", Kind: auth.KindBidder,
		CreditCode: testenv.CreditCode("530602"), CentreCode: "530602", LegalRep: "法人", ContactName: "联系人", ContactPhone: "13600000000",
		Username: "pendingbidder", DisplayName: "待审", IDNumber: testenv.IDNumber(), Phone: "13500000000", Password: "Test-pass-2026"})
	f.Must(err)
	for _, tc := range []struct {
		name  string
		n     ca.NewCert
		code  errs.Code
		words string
	}{
		{"a tenderer", ca.NewCert{OrgID: f.Orgs[auth.KindTenderer], PublicKey: pubPEM(t, k)}, errs.Invalid, "只能为投标人"},
		{"a pending bidder", ca.NewCert{OrgID: pending.ID, PublicKey: pubPEM(t, k)}, errs.Invalid, "尚未审核通过"},
		{"no organisation", ca.NewCert{PublicKey: pubPEM(t, k)}, errs.Invalid, "请指定"},
		{"unknown credit code", ca.NewCert{CreditCode: "91530602MA6K00000X", PublicKey: pubPEM(t, k)}, errs.NotFound, "没有统一社会信用代码"},
		{"unknown org", ca.NewCert{OrgID: 999999, PublicKey: pubPEM(t, k)}, errs.NotFound, "单位不存在"},
		{"no key", ca.NewCert{OrgID: f.org.ID}, errs.Invalid, "公钥"},
		{"a private key", ca.NewCert{OrgID: f.org.ID, PublicKey: keyPEM(t, k)}, errs.Invalid, "SM2 公钥"},
		{"too long", ca.NewCert{OrgID: f.org.ID, PublicKey: pubPEM(t, k), Days: ca.MaxDays + 1}, errs.Invalid, "有效期"},
		{"same key again", ca.NewCert{OrgID: f.org.ID, PublicKey: pubPEM(t, k)}, "", ""}, // a new certificate, a new fingerprint
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.count()
			_, err := f.CA.Issue(f.Ctx, f.staff, tc.n)
			if tc.code == "" {
				f.Must(err)
				return
			}
			wantCode(t, err, tc.code)
			if msg := errs.As(err).Message; !strings.Contains(msg, tc.words) {
				t.Fatalf("message %q lacks %q", msg, tc.words)
			}
			if f.count() != before {
				t.Fatal("refused issue was saved")
			}
		})
	}
	_, err = f.CA.IssueFor(f.Ctx, f.staff, f.org.ID, nil)
	wantCode(t, err, errs.Invalid)
}

func keyPEM(t *testing.T, k *sm2.PrivateKey) string {
	t.Helper()
	b, err := ca.EncodeKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
