package ca

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emmansun/gmsm/smx509"
)

// LoadRoots reads the external CA certificates a deployment trusts from the
// PEM files (*.pem, *.crt, *.cer) directly inside dir: the roots of the CAs
// that issue bidders' certificates and any intermediate CA certificates
// between them and the bidders. "" means none. Every certificate must be a
// CA certificate.
func LoadRoots(dir string) ([]*smx509.Certificate, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("信任的 CA 证书目录: %w", err)
	}
	var out []*smx509.Certificate
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !slices.Contains([]string{".pem", ".crt", ".cer"}, ext) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		cs, err := ParseCertsPEM(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, c := range cs {
			if !c.IsCA {
				return nil, fmt.Errorf("%s: %q 不是 CA 证书", path, c.Subject.String())
			}
		}
		out = append(out, cs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("目录 %s 中没有 .pem/.crt/.cer 证书文件", dir)
	}
	return out, nil
}

// selfSigned reports whether c is a root: issued by itself under its own key.
func selfSigned(c *smx509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}
