package sealed

import (
	"crypto/cipher"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// The byte layout (docs/sealed-bid-format.md). All integers are unsigned
// big-endian unless said otherwise.
const (
	magic        = "GGZY-BID" // 8 bytes
	preambleSize = 8 + 2 + 2 + 4
	// header: lot_id(8) sealed_at(8) chunk_size(4) nonce_prefix(4) key_check(32)
	// then cert, wrapped key and fingerprint, each with a uint16 length.
	headerFixed    = 8 + 8 + 4 + 4 + 32
	headerMin      = headerFixed + 3*2
	maxSigSize     = 128 // an SM2 DER signature is at most 72 bytes
	maxWrappedSize = 512 // SM2 ciphertext of a 16-byte key: about 120 bytes
	maxFingerprint = 256
	recordLenSize  = 4
	tagSize        = 16
	trailerFixed   = 8 + 8 + 8 + 32 + 32
	aadSize        = 32 + 8 + 1
	digestSize     = 32
)

// Labels: domain separation for the two signatures and the two keys derived
// from the content key.
const (
	labelHeaderSig  = "ggzy/sealed-bid/v1/header\n"
	labelTrailerSig = "ggzy/sealed-bid/v1/trailer\n"
	labelEncKey     = "ggzy/sealed-bid/v1/sm4-gcm"
	labelKeyCheck   = "ggzy/sealed-bid/v1/key-check"
	labelContainer  = "ggzy/sealed-bid/v1/container\n"
)

// Payload entry kinds (inside the encryption).
const (
	entryForm byte = 1
	entryFile byte = 2
	entryEnd  byte = 3
)

// header is the parsed header record.
type header struct {
	lotID       int64
	sealedAt    int64 // unix microseconds, UTC
	chunkSize   uint32
	noncePrefix [4]byte
	keyCheck    [32]byte
	cert        []byte
	wrapped     []byte
	fingerprint string
}

// encode returns preamble || header record.
func (h *header) encode() []byte {
	n := headerFixed + 2 + len(h.cert) + 2 + len(h.wrapped) + 2 + len(h.fingerprint)
	b := make([]byte, 0, preambleSize+n)
	b = append(b, magic...)
	b = binary.BigEndian.AppendUint16(b, Version)
	b = binary.BigEndian.AppendUint16(b, 0) // flags, reserved
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint64(b, uint64(h.lotID))
	b = binary.BigEndian.AppendUint64(b, uint64(h.sealedAt))
	b = binary.BigEndian.AppendUint32(b, h.chunkSize)
	b = append(b, h.noncePrefix[:]...)
	b = append(b, h.keyCheck[:]...)
	for _, f := range [][]byte{h.cert, h.wrapped, []byte(h.fingerprint)} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// parsePreamble checks the 16-byte preamble and returns the header length.
func parsePreamble(p []byte) (int, error) {
	if string(p[:8]) != magic {
		return 0, fault("文件开头没有加密投标文件标识（可能是未加密的文件或其他格式）")
	}
	v := binary.BigEndian.Uint16(p[8:])
	if v != Version {
		return 0, fault(fmt.Sprintf("格式版本 %d 不受支持（本程序支持版本 %d），请使用新版 ggzy", v, Version))
	}
	if binary.BigEndian.Uint16(p[10:]) != 0 {
		return 0, fault("文件头标志位无效")
	}
	n := binary.BigEndian.Uint32(p[12:])
	if n < headerMin || n > MaxHeaderSize {
		return 0, fault(fmt.Sprintf("文件头长度 %d 字节超出允许范围（%d–%d）", n, headerMin, MaxHeaderSize))
	}
	return int(n), nil
}

// parseHeader reads the header record (after the preamble).
func parseHeader(b []byte) (header, error) {
	var h header
	bad := func(what string) (header, error) { return header{}, fault("文件头" + what) }
	h.lotID = int64(binary.BigEndian.Uint64(b))
	h.sealedAt = int64(binary.BigEndian.Uint64(b[8:]))
	h.chunkSize = binary.BigEndian.Uint32(b[16:])
	copy(h.noncePrefix[:], b[20:24])
	copy(h.keyCheck[:], b[24:56])
	rest := b[headerFixed:]
	var fields [3][]byte
	for i := range fields {
		if len(rest) < 2 {
			return bad("不完整")
		}
		n := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+n {
			return bad("字段长度超出文件头")
		}
		fields[i], rest = rest[2:2+n], rest[2+n:]
	}
	if len(rest) != 0 {
		return bad("末尾有多余数据")
	}
	h.cert, h.wrapped = fields[0], fields[1]
	h.fingerprint = string(fields[2])
	switch {
	case h.lotID <= 0:
		return bad("中的标段编号无效")
	case h.chunkSize < MinChunkSize || h.chunkSize > MaxChunkSize:
		return bad(fmt.Sprintf("中的分块大小 %d 超出允许范围（%d–%d）", h.chunkSize, MinChunkSize, MaxChunkSize))
	case len(h.cert) == 0:
		return bad("中没有证书")
	case len(h.wrapped) == 0 || len(h.wrapped) > maxWrappedSize:
		return bad("中的密钥封装无效")
	case !validFingerprint(h.fingerprint):
		return bad("中的机器特征码无效")
	}
	return h, nil
}

func validFingerprint(s string) bool {
	if len(s) > maxFingerprint {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// certKey parses a certificate and returns its SM2 public key.
func certKey(der []byte) (*smx509.Certificate, *ecdsa.PublicKey, error) {
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fault("证书无法解析")
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(pub) {
		return nil, nil, fault("证书的公钥不是 SM2 公钥")
	}
	return cert, pub, nil
}

// trailer is the signed summary after the chunk section.
type trailer struct {
	chunks       uint64
	payloadBytes uint64
	sectionBytes uint64
	headerDigest [32]byte
	cipherDigest [32]byte
}

func (t *trailer) encode() []byte {
	b := make([]byte, 0, trailerFixed)
	b = binary.BigEndian.AppendUint64(b, t.chunks)
	b = binary.BigEndian.AppendUint64(b, t.payloadBytes)
	b = binary.BigEndian.AppendUint64(b, t.sectionBytes)
	b = append(b, t.headerDigest[:]...)
	return append(b, t.cipherDigest[:]...)
}

func parseTrailer(b []byte) trailer {
	var t trailer
	t.chunks = binary.BigEndian.Uint64(b)
	t.payloadBytes = binary.BigEndian.Uint64(b[8:])
	t.sectionBytes = binary.BigEndian.Uint64(b[16:])
	copy(t.headerDigest[:], b[24:56])
	copy(t.cipherDigest[:], b[56:88])
	return t
}

// Keys derived from the content key: the SM4-GCM key and the key check
// value, by HMAC-SM3 with distinct labels, so neither reveals the other.
func encKey(k []byte) []byte {
	sum := gm.HMAC(k, []byte(labelEncKey))
	return sum[:16]
}

func keyCheck(k []byte) [32]byte { return gm.HMAC(k, []byte(labelKeyCheck)) }

// newAEAD returns SM4-GCM (12-byte nonce, 16-byte tag) under the key
// derived from the content key k.
func newAEAD(k []byte) (cipher.AEAD, error) {
	block, err := sm4.NewCipher(encKey(k))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// chunkParams builds the nonce and the associated data of chunk i:
// nonce = nonce_prefix(4) || i(8); aad = header_digest(32) || i(8) || final(1).
type chunkParams struct {
	nonce [12]byte
	aad   [aadSize]byte
}

func newChunkParams(prefix [4]byte, headerDigest [32]byte) *chunkParams {
	p := &chunkParams{}
	copy(p.nonce[:4], prefix[:])
	copy(p.aad[:32], headerDigest[:])
	return p
}

func (p *chunkParams) set(i uint64, final bool) {
	binary.BigEndian.PutUint64(p.nonce[4:], i)
	binary.BigEndian.PutUint64(p.aad[32:], i)
	p.aad[40] = 0
	if final {
		p.aad[40] = 1
	}
}

// validName checks a document's name: a relative slash path of at most
// MaxNameLen bytes of UTF-8 and MaxNameDepth segments, without empty, "."
// or ".." segments, control characters or backslashes. So a name can never
// leave the folder it is extracted to. It returns a Chinese reason or "".
func validName(name string) string {
	switch {
	case name == "":
		return "文件名为空"
	case len(name) > MaxNameLen:
		return fmt.Sprintf("文件名超过 %d 字节", MaxNameLen)
	case !utf8.ValidString(name):
		return "文件名不是有效的 UTF-8 文字"
	case strings.ContainsRune(name, '\\'):
		return "文件名含有反斜杠"
	case hasControl(name, false):
		return "文件名含有控制字符"
	case strings.HasPrefix(name, "/"):
		return "文件名不能是绝对路径"
	}
	segs := strings.Split(name, "/")
	if len(segs) > MaxNameDepth {
		return fmt.Sprintf("文件夹层级超过 %d 层", MaxNameDepth)
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "文件名含有空的、“.”或“..”路径段"
		}
	}
	return ""
}

// names checks that a set of names can be extracted side by side: no two
// equal when upper and lower case are not told apart (as on Windows and
// macOS), and no name that is also a folder of another.
type names struct {
	files map[string]bool // lower-cased names
	dirs  map[string]bool // lower-cased folder prefixes
}

func newNames() *names { return &names{files: map[string]bool{}, dirs: map[string]bool{}} }

// add returns a Chinese reason when name clashes with one added before.
func (n *names) add(name string) string {
	key := strings.ToLower(name)
	if n.files[key] || n.dirs[key] {
		return "与其他文件重名（不区分大小写）"
	}
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			if n.files[key[:i]] {
				return "与其他文件重名（不区分大小写）"
			}
			n.dirs[key[:i]] = true
		}
	}
	n.files[key] = true
	return ""
}

// fault is a problem with a container, in Chinese, without the common
// prefix. Kinds tell Open whose fault it is.
type faultError struct {
	msg     string
	content bool // found only after a chunk authenticated: the bidder sealed it so
}

func (f *faultError) Error() string { return f.msg }

func fault(msg string) error        { return &faultError{msg: msg} }
func contentFault(msg string) error { return &faultError{msg: msg, content: true} }

const invalidPrefix = "不是有效的加密投标文件："

// invalid turns a fault into the error callers see; cause is matched by
// errors.Is (ErrDamaged, ErrWrongKey …) and may be nil.
func invalid(f *faultError, cause error) error {
	if cause == nil {
		cause = f
	}
	return &errs.Error{Code: errs.Invalid, Message: invalidPrefix + f.msg, Err: cause}
}

// asFault reports whether err is a fault.
func asFault(err error) (*faultError, bool) {
	var f *faultError
	ok := errors.As(err, &f)
	return f, ok
}

// microsTime converts the header's time.
func microsTime(us int64) time.Time { return time.UnixMicro(us).UTC() }
