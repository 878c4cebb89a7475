package gm

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"

	"github.com/emmansun/gmsm/sm4"
)

// boxVersion is the first byte of every sealed value. A new format (another
// algorithm or key) gets a new byte, so old rows stay readable.
const boxVersion = 1

// MinBoxKey is the shortest master key NewBox accepts; Keys uses 32 bytes.
const MinBoxKey = 16

// ErrOpen is returned for any value that does not decrypt: wrong key, wrong
// associated data, truncated or modified ciphertext. It says nothing more on
// purpose.
var ErrOpen = errors.New("gm: 无法解密数据（密钥或数据不符）")

// Box encrypts personal data at rest (身份证号, phone numbers) with SM4-GCM
// and computes blind indexes for them. Two keys are derived from one master
// key so that the index key can never decrypt and vice versa.
//
// Sealed format: version(1) || nonce(12) || ciphertext || tag(16).
// The version byte is authenticated together with the caller's aad.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewBox builds a Box from a master key of at least MinBoxKey random bytes.
func NewBox(key []byte) (*Box, error) {
	if len(key) < MinBoxKey {
		return nil, errors.New("gm: PII 主密钥太短")
	}
	// Domain-separated derivation: HMAC-SM3(master, label).
	encKey := HMAC(key, []byte("ggzy/pii/sm4-gcm/v1"))
	idxKey := HMAC(key, []byte("ggzy/pii/index/v1"))
	block, err := sm4.NewCipher(encKey[:16]) // SM4 keys are 128 bits
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: idxKey[:]}, nil
}

// Seal encrypts plain. aad binds the ciphertext to its place (for example
// "users.phone:42"), so a sealed value copied into another row fails to open.
func (b *Box) Seal(plain, aad []byte) []byte {
	ns := b.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+b.aead.Overhead())
	out[0] = boxVersion
	rand.Read(out[1:]) // crypto/rand.Read never fails (it aborts the program instead)
	return b.aead.Seal(out, out[1:1+ns], plain, b.ad(aad))
}

// Open decrypts a value made by Seal with the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != boxVersion {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], b.ad(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// ad is the associated data actually authenticated: the version byte, then
// the caller's aad.
func (b *Box) ad(aad []byte) []byte {
	return append([]byte{boxVersion}, aad...)
}

// Index returns a blind index of value: hex HMAC-SM3 under the index key.
// Equal values give equal indexes, so a UNIQUE column on the index enforces
// uniqueness of encrypted data, while the index alone reveals nothing without
// the key. Callers normalise value first (e.g. upper-case the ID check digit
// 'X', strip spaces), since "x" and "X" index differently.
func (b *Box) Index(value string) string {
	sum := HMAC(b.indexKey, []byte(value))
	return hex.EncodeToString(sum[:])
}

// String, GoString and LogValue hide the keys if a Box is ever printed.
func (b *Box) String() string       { return "gm.Box{…}" }
func (b *Box) GoString() string     { return b.String() }
func (b *Box) LogValue() slog.Value { return slog.StringValue(b.String()) }
