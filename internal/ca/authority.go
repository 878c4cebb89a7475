// Package ca knows the bidders' SM2 certificates: the small built-in
// certificate authority that issues them for the demo and tests, the
// binding of certificate fingerprints to bidder organisations, their
// revocation, and the one check (Service.Check) the bidding service makes
// before it accepts a sealed bid or a decryption.
//
// A real deployment trusts an external CA's root (serve --ca-roots); the
// built-in root is trusted as well, so `ggzy cert issue` works anywhere.
package ca

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/gm"
)

// File names of the built-in CA inside the data directory's keys folder,
// next to the platform keys (gm.LoadOrCreateKeys).
const (
	CertFile = "ca.pem"     // the root certificate (public)
	KeyFile  = "ca-key.pem" // its SM2 private key, PKCS#8, 0600
)

// PEM block types.
const (
	pemCert = "CERTIFICATE"
	pemKey  = "PRIVATE KEY"
)

// DefaultValidity is how long an issued certificate is valid.
const DefaultValidity = 2 * 365 * 24 * time.Hour

// rootName is the built-in root's subject.
var rootName = pkix.Name{CommonName: "ggzy 公共资源交易平台内置证书颁发机构", Organization: []string{"ggzy"}, Country: []string{"CN"}}

// Authority is the built-in CA (SM2 root, self-signed, smx509).
type Authority struct {
	Cert *smx509.Certificate
	Key  *sm2.PrivateKey
}

// String keeps the key out of logs when an Authority is printed by mistake.
func (a *Authority) String() string {
	if a == nil || a.Cert == nil {
		return "ca.Authority(nil)"
	}
	return "ca.Authority{" + Fingerprint(a.Cert) + "}"
}

// GoString is String, for %#v.
func (a *Authority) GoString() string { return a.String() }

// LoadOrCreate reads the built-in CA from dir (the data directory's keys
// folder, e.g. DATA/keys), creating the folder (0700), the key (0600) and a
// self-signed root certificate on first start. The root is valid from ten
// years before now — so certificates issued on the demo's travelling clock
// still chain — until thirty years after.
//
// Several nodes starting at once on a shared folder agree on one CA: each
// file is published with a hard link that fails if another node was first,
// and then that node's file is used.
func LoadOrCreate(dir string, now time.Time) (*Authority, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("创建密钥目录: %w", err)
	}
	keyPEM, err := readOrCreate(filepath.Join(dir, KeyFile), 0o600, func() ([]byte, error) {
		k, err := GenerateKey()
		if err != nil {
			return nil, err
		}
		return EncodeKeyPEM(k)
	})
	if err != nil {
		return nil, err
	}
	key, err := ParseKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeyFile, err)
	}
	certPEM, err := readOrCreate(filepath.Join(dir, CertFile), 0o644, func() ([]byte, error) {
		c, err := selfSign(key, now)
		if err != nil {
			return nil, err
		}
		return EncodeCertPEM(c), nil
	})
	if err != nil {
		return nil, err
	}
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CertFile, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !key.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("%s 与 %s 不是一对：请从备份恢复两者，或同时删除后重建（已签发的证书将不再受信任）", CertFile, KeyFile)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%s 不是 CA 证书", CertFile)
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// selfSign makes the root certificate for key.
func selfSign(key *sm2.PrivateKey, now time.Time) (*smx509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	start := now.UTC().Truncate(time.Second).AddDate(-10, 0, 0)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               rootName,
		NotBefore:             start,
		NotAfter:              now.UTC().Truncate(time.Second).AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // the built-in CA signs end-entity certificates only
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("签发根证书: %w", err)
	}
	return smx509.ParseCertificate(der)
}

// GenerateKey makes a new SM2 key pair (for a bidder or the CA).
func GenerateKey() (*sm2.PrivateKey, error) { return gm.GenerateKey() }

// Subject names the organisation a certificate is issued to.
type Subject struct {
	OrgName    string // 单位名称: CN and O
	CreditCode string // 统一社会信用代码: SERIALNUMBER
}

// Issue signs a certificate for pub, an SM2 public key, valid from
// notBefore until notAfter (cut to the root's own end). Subject CN and O are
// the organisation's name and SERIALNUMBER its credit code; key usage is
// digital signature (bids are signed) and key encipherment (the sealed
// container wraps its content key to this certificate).
func (a *Authority) Issue(sub Subject, pub *ecdsa.PublicKey, notBefore, notAfter time.Time) (*smx509.Certificate, error) {
	if pub == nil || !sm2.IsSM2PublicKey(pub) {
		return nil, errors.New("ca: 公钥不是 SM2 公钥")
	}
	if sub.OrgName == "" || sub.CreditCode == "" {
		return nil, errors.New("ca: 证书主题须有单位名称和统一社会信用代码")
	}
	notBefore, notAfter = notBefore.UTC().Truncate(time.Second), notAfter.UTC().Truncate(time.Second)
	if notAfter.After(a.Cert.NotAfter) {
		notAfter = a.Cert.NotAfter
	}
	if notBefore.Before(a.Cert.NotBefore) {
		return nil, fmt.Errorf("ca: 生效时间早于根证书的生效时间 %s", a.Cert.NotBefore.Format(time.RFC3339))
	}
	if !notAfter.After(notBefore) {
		return nil, errors.New("ca: 证书的截止时间须晚于生效时间")
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: sub.OrgName, Organization: []string{sub.OrgName}, SerialNumber: sub.CreditCode,
			Country: []string{"CN"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, a.Cert.ToX509(), pub, a.Key)
	if err != nil {
		return nil, fmt.Errorf("ca: 签发证书: %w", err)
	}
	return smx509.ParseCertificate(der)
}

// randomSerial is a positive 127-bit serial number.
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// EncodeCertPEM encodes c as a "CERTIFICATE" PEM block.
func EncodeCertPEM(c *smx509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemCert, Bytes: c.Raw})
}

// EncodeKeyPEM encodes k as a PKCS#8 "PRIVATE KEY" PEM block. The result is
// secret: write it only to a 0600 file.
func EncodeKeyPEM(k *sm2.PrivateKey) ([]byte, error) {
	der, err := smx509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemKey, Bytes: der}), nil
}

// ParseCertPEM decodes the first PEM block of b, which must be one
// "CERTIFICATE". Text before the block (a label, a blank line) is ignored.
func ParseCertPEM(b []byte) (*smx509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != pemCert {
		return nil, errors.New("ca: 不是 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）")
	}
	c, err := smx509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errors.New("ca: 无法解析证书")
	}
	return c, nil
}

// ParseCertsPEM decodes every "CERTIFICATE" block of b (a trust folder's
// file may hold several); other blocks are refused.
func ParseCertsPEM(b []byte) ([]*smx509.Certificate, error) {
	var out []*smx509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != pemCert {
			return nil, fmt.Errorf("ca: PEM 块 %q 不是证书", block.Type)
		}
		c, err := smx509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, errors.New("ca: 无法解析证书")
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("ca: 没有 PEM 格式的证书")
	}
	return out, nil
}

// ParseKeyPEM decodes a PKCS#8 "PRIVATE KEY" PEM block holding an SM2 key.
// Errors never contain key bytes.
func ParseKeyPEM(b []byte) (*sm2.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != pemKey {
		return nil, errors.New("ca: 不是 PKCS#8 私钥 PEM")
	}
	k, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("ca: 无法解析私钥")
	}
	key, ok := k.(*sm2.PrivateKey)
	if !ok {
		return nil, errors.New("ca: 私钥不是 SM2 密钥")
	}
	return key, nil
}

// Fingerprint is the SM3 digest of the certificate's DER, lower-case hex:
// what a binding and a revocation name.
func Fingerprint(c *smx509.Certificate) string {
	sum := gm.SM3(c.Raw)
	return hex.EncodeToString(sum[:])
}

// SerialHex is the certificate's serial number in lower-case hex.
func SerialHex(c *smx509.Certificate) string {
	if c.SerialNumber == nil {
		return ""
	}
	return c.SerialNumber.Text(16)
}

// readOrCreate returns the contents of path, first writing generate()'s
// output there (mode perm) if the file does not exist. The file is written
// whole under a temporary name and hard-linked into place, so nobody reads
// half a file and of two processes racing the first one's file wins.
func readOrCreate(path string, perm os.FileMode, generate func() ([]byte, error)) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("读取 %s: %w", path, err)
	}
	if data, err = generate(); err != nil {
		return nil, err
	}
	if err := writeNew(path, data, perm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path) // another process was first: use its file
		}
		return nil, err
	}
	return data, nil
}

// writeNew writes data to path, which must not exist yet (fs.ErrExist
// otherwise), with mode perm, atomically.
func writeNew(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-ca-*")
	if err != nil {
		return fmt.Errorf("写 %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("写 %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("写 %s: %w", path, err)
	}
	return nil
}

// WriteFiles writes a certificate and its private key as cert.pem (0644)
// and key.pem (0600) into dir (created 0700), refusing to overwrite either.
// It returns the two paths.
func WriteFiles(dir string, c *smx509.Certificate, k *sm2.PrivateKey) (certPath, keyPath string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, p := range []string{certPath, keyPath} {
		if _, err := os.Stat(p); err == nil {
			return "", "", fmt.Errorf("%s 已存在，不覆盖；请换一个 --out 目录", p)
		}
	}
	keyPEM, err := EncodeKeyPEM(k)
	if err != nil {
		return "", "", err
	}
	if err := writeNew(keyPath, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	if err := writeNew(certPath, EncodeCertPEM(c), 0o644); err != nil {
		return "", "", err
	}
	return certPath, keyPath, nil
}
