package ca_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/ca"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// TestCheck is the bidding service's gate: each refused certificate gets a
// Chinese reason and the matching sentinel; Check works inside the caller's
// transaction.
func TestCheck(t *testing.T) {
	f := newFixture(t)
	now := f.Clock.Now()

	good, goodCert := f.bound(f.bidder, f.org)
	_, otherCert := f.bound(f.bidder2, f.org2)
	unboundCert, _ := f.builtin(f.org)
	revoked, revokedCert := f.bound(f.bidder, f.org)
	f.Clock.Advance(time.Hour)
	_, err := f.CA.Revoke(f.Ctx, f.bidder, revoked.ID, "私钥所在电脑丢失")
	f.Must(err)
	revokedAt := f.Clock.Now()

	// A self-signed SM2 end-entity certificate naming the bidder.
	k, _ := ca.GenerateKey()
	selfT := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: f.org.Name, SerialNumber: f.org.CreditCode},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	selfSigned := create(t, selfT, selfT, &k.PublicKey, k)
	// A certificate of a CA the platform does not trust.
	stranger := newExternalCA(t, now)
	k2, _ := ca.GenerateKey()
	strangerCert := stranger.leaf(t, f.org, &k2.PublicKey, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	// A certificate without digital signature in its key usage.
	k3, _ := ca.GenerateKey()
	encT := &x509.Certificate{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: f.org.Name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageKeyEncipherment}
	encOnly := create(t, encT, f.CA.Authority.Cert.ToX509(), &k3.PublicKey, f.CA.Authority.Key)

	for _, tc := range []struct {
		name   string
		orgID  int64
		cert   *smx509.Certificate
		at     time.Time
		reason error  // nil = accepted
		words  string // in the message
	}{
		{"bound and valid", f.org.ID, goodCert, revokedAt, nil, ""},
		{"at its first second", f.org.ID, goodCert, good.NotBefore, nil, ""},
		{"at its last second", f.org.ID, goodCert, good.NotAfter, nil, ""},
		{"before it is valid", f.org.ID, goodCert, good.NotBefore.Add(-time.Second), ca.ErrNotYetValid, "尚未生效"},
		{"after it expired", f.org.ID, goodCert, good.NotAfter.Add(time.Second), ca.ErrExpired, "已过期"},
		{"revoked", f.org.ID, revokedCert, revokedAt, ca.ErrRevoked, "已吊销"},
		{"revoked later: valid before", f.org.ID, revokedCert, revokedAt.Add(-time.Minute), nil, ""},
		{"never bound", f.org.ID, unboundCert, revokedAt, ca.ErrUnbound, "未绑定"},
		{"another organisation's", f.org.ID, otherCert, revokedAt, ca.ErrUnbound, "未绑定到本单位"},
		{"self-signed", f.org.ID, selfSigned, revokedAt, ca.ErrUntrusted, "不受信任"},
		{"untrusted CA", f.org.ID, strangerCert, revokedAt, ca.ErrUntrusted, "不受信任"},
		{"ECDSA P-256, not SM2", f.org.ID, p256Cert(t, f.org, now), revokedAt, ca.ErrUntrusted, "SM2"},
		{"the root itself", f.org.ID, f.CA.Authority.Cert, revokedAt, ca.ErrUntrusted, "CA 证书"},
		{"no digital signature", f.org.ID, encOnly, revokedAt, ca.ErrUntrusted, "数字签名"},
		{"no certificate", f.org.ID, nil, revokedAt, ca.ErrUntrusted, "未提供"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.DB.Transact(f.Ctx, func(tx *db.Tx) error { return f.CA.Check(f.Ctx, tx, tc.orgID, tc.cert, tc.at) })
			if tc.reason == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want %v", err, tc.reason)
			}
			e := errs.As(err)
			if e.Code != errs.Invalid || !strings.Contains(e.Message, tc.words) {
				t.Fatalf("error %s %q, want invalid naming %q", e.Code, e.Message, tc.words)
			}
		})
	}
	// Outside a transaction too.
	if err := f.CA.Check(f.Ctx, f.DB, f.org.ID, goodCert, f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestExpiryFollowsTheClock: a certificate bound today is refused once the
// fake clock has moved past its two years, and cannot be bound then.
func TestExpiryFollowsTheClock(t *testing.T) {
	f := newFixture(t)
	c, cert := f.bound(f.bidder, f.org)
	if c.State != ca.Valid || c.StateLabel != "有效" {
		t.Fatalf("state %s", c.State)
	}
	spare, _ := f.builtin(f.org)
	f.Clock.Advance(ca.DefaultValidity + 24*time.Hour)
	err := f.CA.Check(f.Ctx, f.DB, f.org.ID, cert, f.Clock.Now())
	if !errors.Is(err, ca.ErrExpired) {
		t.Fatalf("expired certificate: %v", err)
	}
	got, err := f.CA.Get(f.Ctx, f.bidder, c.ID)
	f.Must(err)
	if got.State != ca.Expired || got.StateLabel != "已过期" {
		t.Errorf("state %s %s", got.State, got.StateLabel)
	}
	_, err = f.CA.Bind(f.Ctx, f.bidder, string(ca.EncodeCertPEM(spare)))
	if !errors.Is(err, ca.ErrExpired) || errs.As(err).Fields[0].Field != "pem" {
		t.Fatalf("bound an expired certificate: %v", err)
	}
}

// TestExternalCA: a deployment that trusts an external CA (root and
// intermediate from --ca-roots) accepts its bidders' certificates, and one
// that does not refuses them.
func TestExternalCA(t *testing.T) {
	f := newFixture(t)
	now := f.Clock.Now()
	x := newExternalCA(t, now)
	k, _ := ca.GenerateKey()
	leaf := x.leaf(t, f.org, &k.PublicKey, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	pemText := string(ca.EncodeCertPEM(leaf))

	_, err := f.CA.Bind(f.Ctx, f.bidder, pemText)
	if !errors.Is(err, ca.ErrUntrusted) {
		t.Fatalf("bound a certificate of an untrusted CA: %v", err)
	}
	svc := ca.New(f.Base, f.CA.Authority, []*smx509.Certificate{x.root, x.inter})
	c, err := svc.Bind(f.Ctx, f.bidder, pemText)
	f.Must(err)
	if c.Source != ca.Uploaded || c.Fingerprint != ca.Fingerprint(leaf) || !strings.Contains(c.Issuer, "外部测试中级 CA") {
		t.Errorf("bound %+v", c)
	}
	f.Must(svc.Check(f.Ctx, f.DB, f.org.ID, leaf, now))
	// Only the root, without the intermediate: no chain.
	rootOnly := ca.New(f.Base, f.CA.Authority, []*smx509.Certificate{x.root})
	if err := rootOnly.Check(f.Ctx, f.DB, f.org.ID, leaf, now); !errors.Is(err, ca.ErrUntrusted) {
		t.Fatalf("without the intermediate: %v", err)
	}
	// The trusted list shows the built-in root first, then the external ones.
	roots, err := svc.Trusted(f.bidder)
	f.Must(err)
	if len(roots) != 3 || !roots[0].Builtin || roots[1].Builtin || !roots[1].SelfSigned || roots[2].SelfSigned {
		t.Fatalf("trusted %+v", roots)
	}
}
