package sealed

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// fixedKeyPEM is a constant SM2 key, so that fuzz inputs saved by one run
// still decrypt in the next (FuzzOpen unwraps each input's key with it).
const fixedKeyPEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgz3ZrcH57LiXcSOSk
XSqsR3zewQD5RHW2o8ev9XRzIJ2hRANCAAQzRDrdhHYfu6iv4N5Yl8BiFEI5v6Mi
shCfiWWh2fK8B8jMOqnmV6ix87zgzO9x/t+PrbhTRDd5AxtKfFwyggRv
-----END PRIVATE KEY-----
`

var testTime = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// newSigner makes a key pair and a self-signed SM2 certificate for it.
func newSigner(t testing.TB, org string) Signer {
	t.Helper()
	k, err := gm.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return signerFor(t, k, org)
}

func fixedSigner(t testing.TB) Signer {
	t.Helper()
	k, err := gm.ParsePrivateKeyPEM([]byte(fixedKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return signerFor(t, k, "固定测试投标人")
}

func signerFor(t testing.TB, k *sm2.PrivateKey, org string) Signer {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: org + " 投标专用", Organization: []string{org}},
		NotBefore:    testTime.Add(-24 * time.Hour),
		NotAfter:     testTime.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return Signer{Cert: cert, Key: k}
}

func testForm(lot int64) Form {
	return Form{LotID: lot, Price: 123456789, DurationDays: 180, Quality: "合格", Manager: "张三",
		ManagerCert: "云153202012345", Extra: map[string]string{"安全文明施工费": "按规定计取"}}
}

var testOpts = Options{ChunkSize: MinChunkSize, Fingerprint: strings.Repeat("ab", 32), Now: testTime}

// writeTree creates files (name → content) under a new temporary folder.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// memSource is a document held in memory.
func memSource(name string, data []byte) source {
	return source{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// sealed seals files from memory and returns the container and its key.
func sealFiles(t testing.TB, s Signer, form Form, opt Options, files ...source) ([]byte, []byte) {
	t.Helper()
	k := make([]byte, KeySize)
	rand.Read(k)
	var buf bytes.Buffer
	if _, err := sealWith(&buf, s, form, files, opt, k); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), k
}

// pattern returns n deterministic bytes.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// layout is where the parts of a container are.
type layout struct {
	headerEnd int     // end of preamble + header
	sigEnd    int     // end of the header signature
	chunks    [][]int // [start of length, end of body] of each chunk record
	endMarker int     // offset of the end marker
	trailer   int     // offset of the trailer
}

func parseLayout(t testing.TB, c []byte) layout {
	t.Helper()
	var l layout
	l.headerEnd = preambleSize + int(be32(c[12:]))
	l.sigEnd = l.headerEnd + 2 + int(be16(c[l.headerEnd:]))
	off := l.sigEnd
	for {
		n := int(be32(c[off:]))
		if n == 0 {
			l.endMarker = off
			l.trailer = off + 4
			return l
		}
		l.chunks = append(l.chunks, []int{off, off + 4 + n})
		off += 4 + n
	}
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

// splice returns a copy of c with c[from:to] replaced by with.
func splice(c []byte, from, to int, with []byte) []byte {
	out := append([]byte(nil), c[:from]...)
	out = append(out, with...)
	return append(out, c[to:]...)
}

func flip(c []byte, i int) []byte {
	out := append([]byte(nil), c...)
	out[i] ^= 0x40
	return out
}

// wantInvalid checks that err is an Invalid *errs.Error with the common
// prefix and containing each of parts.
func wantInvalid(t testing.TB, err error, parts ...string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Invalid {
		t.Fatalf("want errs.Invalid, got %v", err)
	}
	if !strings.HasPrefix(e.Message, invalidPrefix) {
		t.Fatalf("message %q lacks the prefix", e.Message)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Fatalf("message %q lacks %q", e.Message, p)
		}
	}
}

func sm2EncryptForTest(s Signer, k []byte) ([]byte, error) {
	return sm2.EncryptASN1(rand.Reader, s.Cert.PublicKey.(*ecdsa.PublicKey), k)
}

// totalAlloc is the bytes allocated so far by the process.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
