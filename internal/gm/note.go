package gm

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/mod/sumdb/note"
)

// AlgSM2 is the signed-note algorithm id for SM2 keys. The note package
// (and C2SP signed-note) uses 0x01 for Ed25519 and low numbers for other
// standard algorithms; 0x53 ('S') is far from them and is what ggzy uses.
//
// Verifier key text encoding, like note's Ed25519 keys:
//
//	<name>+<hash>+<base64(0x53 || 0x04 || X(32) || Y(32))>
//
// where <hash> is 8 lower-case hex digits: the first four bytes (big-endian)
// of SM3(name || "\n" || 0x53 || 0x04 || X || Y). This mirrors note's key hash
// (which uses SHA-256) with SM3. Signatures inside the note are SM2 ASN.1 DER
// signatures with the default user id, over the note text.
const AlgSM2 = 0x53

// noteKeyHash is note's key hash computed with SM3.
func noteKeyHash(name string, key []byte) uint32 {
	sum := SM3([]byte(name), []byte("\n"), key)
	return binary.BigEndian.Uint32(sum[:4])
}

// validNoteName applies note's rule: non-empty UTF-8 with no spaces or '+'.
func validNoteName(name string) bool {
	return name != "" && utf8.ValidString(name) &&
		strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// noteKey is the algorithm byte followed by the uncompressed public key.
func noteKey(pub *ecdsa.PublicKey) ([]byte, error) {
	raw, err := PublicKeyBytes(pub)
	if err != nil {
		return nil, err
	}
	return append([]byte{AlgSM2}, raw...), nil
}

// VerifierKey returns the text form of the SM2 verifier key for name and pub
// (see AlgSM2). It is public and safe to publish and log.
func VerifierKey(name string, pub *ecdsa.PublicKey) (string, error) {
	if !validNoteName(name) {
		return "", fmt.Errorf("gm: 无效的签名者名称 %q", name)
	}
	key, err := noteKey(pub)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, key), base64.StdEncoding.EncodeToString(key)), nil
}

// noteSigner signs notes with an SM2 key.
type noteSigner struct {
	name string
	hash uint32
	key  *sm2.PrivateKey
}

// NewNoteSigner returns a note.Signer for key under name. It panics if name
// is not a valid note name (a programming error, names are constants).
func NewNoteSigner(name string, key *sm2.PrivateKey) note.Signer {
	if !validNoteName(name) {
		panic("gm: invalid note signer name " + strconv.Quote(name))
	}
	nk, err := noteKey(&key.PublicKey)
	if err != nil {
		panic("gm: invalid SM2 key for note signer")
	}
	return &noteSigner{name: name, hash: noteKeyHash(name, nk), key: key}
}

func (s *noteSigner) Name() string                    { return s.name }
func (s *noteSigner) KeyHash() uint32                 { return s.hash }
func (s *noteSigner) Sign(msg []byte) ([]byte, error) { return Sign(s.key, msg) }

// noteVerifier checks SM2 note signatures.
type noteVerifier struct {
	name string
	hash uint32
	pub  *ecdsa.PublicKey
}

func (v *noteVerifier) Name() string                { return v.name }
func (v *noteVerifier) KeyHash() uint32             { return v.hash }
func (v *noteVerifier) Verify(msg, sig []byte) bool { return Verify(v.pub, msg, sig) }

// NewNoteVerifier parses a verifier key made by VerifierKey.
func NewNoteVerifier(vkey string) (note.Verifier, error) {
	bad := errors.New("gm: 无效的验签公钥（verifier key）")
	name, rest, ok1 := strings.Cut(vkey, "+")
	hash16, key64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validNoteName(name) || len(hash16) != 8 {
		return nil, bad
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil {
		return nil, bad
	}
	key, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(key) < 2 || key[0] != AlgSM2 {
		return nil, bad
	}
	if uint32(hash) != noteKeyHash(name, key) {
		return nil, errors.New("gm: 验签公钥的哈希不符")
	}
	pub, err := ParsePublicKeyBytes(key[1:])
	if err != nil {
		return nil, bad
	}
	return &noteVerifier{name: name, hash: uint32(hash), pub: pub}, nil
}
