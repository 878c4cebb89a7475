package ca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

var t0 = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	a, err := LoadOrCreate(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	// The key file is private, the folder too.
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, KeyFile): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	if !a.Cert.IsCA || !a.Cert.BasicConstraintsValid || !selfSigned(a.Cert) {
		t.Fatalf("root is not a self-signed CA: IsCA=%v", a.Cert.IsCA)
	}
	if a.Cert.SignatureAlgorithm != smx509.SM2WithSM3 {
		t.Errorf("root signature %v, want SM2-SM3", a.Cert.SignatureAlgorithm)
	}
	if !a.Cert.NotBefore.Before(t0.AddDate(-9, 0, 0)) || !a.Cert.NotAfter.After(t0.AddDate(29, 0, 0)) {
		t.Errorf("root validity %v – %v does not cover the demo's past and decades ahead", a.Cert.NotBefore, a.Cert.NotAfter)
	}
	// A second start — later, even — loads the same CA.
	b, err := LoadOrCreate(dir, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !b.Cert.Equal(a.Cert) || !b.Key.Equal(a.Key) {
		t.Fatal("reloading made a new CA")
	}
	if s := a.String() + a.GoString(); strings.Contains(s, a.Key.D.Text(16)) || !strings.Contains(s, Fingerprint(a.Cert)) {
		t.Errorf("String() = %q", s)
	}
}

func TestLoadOrCreateRefusesMismatchedPair(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	if _, err := LoadOrCreate(dir1, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir2, t0); err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(dir2, CertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir1, CertFile), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir1, t0); err == nil || !strings.Contains(err.Error(), "不是一对") {
		t.Fatalf("mismatched certificate and key: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir1, KeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir1, t0); err == nil || !strings.Contains(err.Error(), KeyFile) {
		t.Fatalf("garbage key: %v", err)
	}
}

func TestIssue(t *testing.T) {
	a, err := LoadOrCreate(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sub := Subject{OrgName: "昭通测试建筑有限公司", CreditCode: "91530602MA6K000001"}
	c, err := a.Issue(sub, &k.PublicKey, t0, t0.Add(DefaultValidity))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject.CommonName != sub.OrgName || c.Subject.SerialNumber != sub.CreditCode {
		t.Errorf("subject %q", c.Subject.String())
	}
	if c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment || c.IsCA {
		t.Errorf("key usage %v, IsCA %v", c.KeyUsage, c.IsCA)
	}
	if !c.NotBefore.Equal(t0) || !c.NotAfter.Equal(t0.Add(DefaultValidity)) {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	if err := c.CheckSignatureFrom(a.Cert); err != nil {
		t.Fatalf("not signed by the root: %v", err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(a.Cert)
	if _, err := c.Verify(smx509.VerifyOptions{Roots: roots, CurrentTime: t0.Add(time.Hour),
		KeyUsages: []smx509.ExtKeyUsage{smx509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("does not verify: %v", err)
	}
	// Two issues for the same key differ (random serial).
	c2, err := a.Issue(sub, &k.PublicKey, t0, t0.Add(DefaultValidity))
	if err != nil {
		t.Fatal(err)
	}
	if c2.SerialNumber.Cmp(c.SerialNumber) == 0 || Fingerprint(c2) == Fingerprint(c) {
		t.Error("serial numbers repeat")
	}
	// The end is cut to the root's; bad input is refused.
	long, err := a.Issue(sub, &k.PublicKey, t0, t0.AddDate(100, 0, 0))
	if err != nil || !long.NotAfter.Equal(a.Cert.NotAfter) {
		t.Errorf("validity beyond the root: %v, %v", long.NotAfter, err)
	}
	for name, call := range map[string]func() error{
		"no key": func() error { _, err := a.Issue(sub, nil, t0, t0.Add(time.Hour)); return err },
		"no name": func() error {
			_, err := a.Issue(Subject{CreditCode: "x"}, &k.PublicKey, t0, t0.Add(time.Hour))
			return err
		},
		"end <= start":  func() error { _, err := a.Issue(sub, &k.PublicKey, t0, t0); return err },
		"before root":   func() error { _, err := a.Issue(sub, &k.PublicKey, t0.AddDate(-20, 0, 0), t0); return err },
		"non-SM2 curve": func() error { _, err := a.Issue(sub, &p256Key(t).PublicKey, t0, t0.Add(time.Hour)); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
}

func TestPEMRoundTrip(t *testing.T) {
	a, err := LoadOrCreate(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := GenerateKey()
	c, err := a.Issue(Subject{OrgName: "单位", CreditCode: "91530602MA6K000001"}, &k.PublicKey, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p := EncodeCertPEM(c)
	if !bytes.HasPrefix(p, []byte("-----BEGIN CERTIFICATE-----\n")) {
		t.Fatalf("PEM %q", p[:40])
	}
	back, err := ParseCertPEM(append([]byte("label line\n"), p...))
	if err != nil || !back.Equal(c) || Fingerprint(back) != Fingerprint(c) {
		t.Fatalf("certificate round trip: %v", err)
	}
	kp, err := EncodeKeyPEM(k)
	if err != nil || !bytes.HasPrefix(kp, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("key PEM: %v", err)
	}
	kb, err := ParseKeyPEM(kp)
	if err != nil || !kb.Equal(k) {
		t.Fatalf("key round trip: %v", err)
	}
	// Each parser refuses the other's block and garbage, without echoing it.
	if _, err := ParseCertPEM(kp); err == nil {
		t.Error("key parsed as certificate")
	}
	if _, err := ParseKeyPEM(p); err == nil {
		t.Error("certificate parsed as key")
	}
	if _, err := ParseKeyPEM([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")); err == nil ||
		strings.Contains(err.Error(), "AAAA") {
		t.Errorf("bad key: %v", err)
	}
	// Several certificates in one file.
	all, err := ParseCertsPEM(append(append([]byte{}, p...), EncodeCertPEM(a.Cert)...))
	if err != nil || len(all) != 2 || !all[1].Equal(a.Cert) {
		t.Fatalf("ParseCertsPEM: %d, %v", len(all), err)
	}
	if _, err := ParseCertsPEM(append(append([]byte{}, p...), kp...)); err == nil {
		t.Error("a key among certificates accepted")
	}
	// Fingerprint is SM3 over the DER: 64 lower-case hex digits.
	if fp := Fingerprint(c); len(fp) != 64 || strings.ToLower(fp) != fp {
		t.Errorf("fingerprint %q", fp)
	}
}

func TestWriteFiles(t *testing.T) {
	a, err := LoadOrCreate(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := GenerateKey()
	c, _ := a.Issue(Subject{OrgName: "单位", CreditCode: "91530602MA6K000001"}, &k.PublicKey, t0, t0.Add(time.Hour))
	dir := filepath.Join(t.TempDir(), "out")
	cp, kp, err := WriteFiles(dir, c, k)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(kp)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(cp)
	if back, err := ParseCertPEM(b); err != nil || !back.Equal(c) {
		t.Fatalf("cert file: %v", err)
	}
	b, _ = os.ReadFile(kp)
	if back, err := ParseKeyPEM(b); err != nil || !back.Equal(k) {
		t.Fatalf("key file: %v", err)
	}
	if _, _, err := WriteFiles(dir, c, k); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("overwrote: %v", err)
	}
}

func FuzzParseCertPEM(f *testing.F) {
	a, err := LoadOrCreate(f.TempDir(), t0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeCertPEM(a.Cert))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCertPEM(b)
		if err != nil {
			if c != nil || !strings.HasPrefix(err.Error(), "ca: ") {
				t.Fatalf("ParseCertPEM: %v", err)
			}
			return
		}
		// What parses re-encodes to a PEM that parses to the same certificate.
		back, err := ParseCertPEM(EncodeCertPEM(c))
		if err != nil || !back.Equal(c) || Fingerprint(back) != Fingerprint(c) {
			t.Fatalf("round trip: %v", err)
		}
		cs, err := ParseCertsPEM(b)
		if err == nil && !cs[0].Equal(c) {
			t.Fatal("ParseCertsPEM disagrees on the first certificate")
		}
	})
}

func FuzzParseKeyPEM(f *testing.F) {
	k, _ := GenerateKey()
	kp, _ := EncodeKeyPEM(k)
	f.Add(kp)
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		key, err := ParseKeyPEM(b)
		if err != nil {
			if key != nil || !strings.HasPrefix(err.Error(), "ca: ") {
				t.Fatalf("ParseKeyPEM: %v", err)
			}
			return
		}
		again, err := EncodeKeyPEM(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKeyPEM(again)
		if err != nil || !back.Equal(key) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func p256Key(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoadRoots(t *testing.T) {
	if cs, err := LoadRoots(""); cs != nil || err != nil {
		t.Fatalf("no folder: %v %v", cs, err)
	}
	a, err := LoadOrCreate(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	ik, _ := GenerateKey()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "中级 CA"}, NotBefore: t0,
		NotAfter: t0.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, a.Cert.ToX509(), &ik.PublicKey, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	inter, _ := smx509.ParseCertificate(der)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "root.pem"), EncodeCertPEM(a.Cert), 0o644)
	os.WriteFile(filepath.Join(dir, "inter.CRT"), EncodeCertPEM(inter), 0o644)
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a certificate"), 0o644)
	cs, err := LoadRoots(dir)
	if err != nil || len(cs) != 2 {
		t.Fatalf("LoadRoots: %d, %v", len(cs), err)
	}
	if selfSigned(inter) || !selfSigned(a.Cert) {
		t.Error("selfSigned is wrong")
	}
	// A leaf in the trust folder, a broken file, an empty folder: refused.
	k, _ := GenerateKey()
	leaf, _ := a.Issue(Subject{OrgName: "单位", CreditCode: "91530602MA6K000001"}, &k.PublicKey, t0, t0.Add(time.Hour))
	for name, content := range map[string][]byte{"leaf.pem": EncodeCertPEM(leaf), "broken.pem": []byte("garbage")} {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, name), content, 0o644)
		if _, err := LoadRoots(bad); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadRoots(t.TempDir()); err == nil {
		t.Error("empty folder accepted")
	}
	if _, err := LoadRoots(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing folder accepted")
	}
}
