// Package sealed is the sealed-bid container (加密投标文件): the file a
// bidder's tool (`ggzy seal`) makes from a bid form and a folder of bid
// documents, and the platform stores, checks on upload and opens at the
// bid opening. It knows nothing of databases or HTTP.
//
// A container is encrypted in chunks with SM4-GCM under a fresh random
// 16-byte content key, the key is wrapped with SM2 to the bidder's own
// certificate, and the bidder signs it with SM2. The byte layout is in
// docs/sealed-bid-format.md; in short:
//
//	preamble | header | header signature | chunk records … | end marker | trailer (signed)
//
// Three operations:
//
//   - Seal (bidder side) writes a container, streaming: memory does not
//     grow with the size of the documents.
//   - Inspect (server, on upload) checks the structure, the certificate,
//     both signatures and the signed digest over the ciphertext, without
//     the content key. What passes cannot afterwards be changed unnoticed.
//     InspectSection also hands out the chunk section, so the platform can
//     store it apart from the envelope that names the bidder; the
//     container digest (Envelope.ContainerDigest) names the whole file.
//   - Open (server, at the opening) decrypts with the content key the bidder
//     hands over, checks every chunk and every digest, and hands out the
//     bid form and the files. Its errors say whose fault a failure is
//     (RULES B6): ErrWrongKey for the bidder's, ErrDamaged for anyone else's.
//
// Every failure of a bad container is an *errs.Error with code
// errs.Invalid and a Chinese message beginning "不是有效的加密投标文件：".
package sealed

import (
	"crypto/ecdsa"
	"errors"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/money"
)

// Version is the container format this package writes. Readers accept
// every version they know; a reader meeting a newer one refuses it with a
// message asking for a newer ggzy. Any change of the byte layout, of an
// algorithm or of a limit that older readers enforce gets a new number.
const Version = 1

// Limits. A hostile file cannot make a reader allocate more than these.
const (
	DefaultChunkSize = 1 << 20  // plaintext bytes per chunk, 1 MiB
	MinChunkSize     = 1 << 10  // 1 KiB
	MaxChunkSize     = 16 << 20 // 16 MiB
	MaxHeaderSize    = 64 << 10 // the header record, certificate included
	MaxFormSize      = 1 << 20  // the bid form as JSON
	MaxFiles         = 10000    // files in one bid
	MaxNameLen       = 1024     // bytes of one file name (UTF-8)
	MaxNameDepth     = 32       // path segments of one file name
	KeySize          = 16       // content key, bytes (SM4-128)
)

// Form is the bid form (投标函): what is read out at the opening and goes
// into the opening record. It travels only inside the encryption.
type Form struct {
	LotID        int64             `json:"lot_id"`
	Price        money.Fen         `json:"price"`           // 投标报价, fen
	DurationDays int               `json:"duration_days"`   // 工期/交货期 (日历天)
	Quality      string            `json:"quality"`         // 质量承诺
	Manager      string            `json:"manager"`         // 项目负责人/项目经理
	ManagerCert  string            `json:"manager_cert"`    // 注册证书编号
	Extra        map[string]string `json:"extra,omitempty"` // further fields the evaluation method needs
}

// Signer is the bidder's certificate and the SM2 private key that belongs
// to it. The key signs the container; the content key is wrapped to the
// certificate's public key, so the same key pair later unwraps it.
type Signer struct {
	Cert *smx509.Certificate
	Key  *sm2.PrivateKey
}

// Options tune Seal. The zero value is fine.
type Options struct {
	ChunkSize   int       // plaintext bytes per chunk; 0 means DefaultChunkSize
	Fingerprint string    // machine fingerprint to record; "" means Fingerprint()
	Now         time.Time // the sealing time to record; zero means time.Now()
}

// Summary describes a container Seal wrote.
type Summary struct {
	Size            int64  // bytes of the whole container file
	ContainerDigest []byte // Envelope.ContainerDigest: the digest the platform's receipt names
	CipherDigest    []byte // the signed SM3 over the chunk section (Envelope.CipherDigest)
	Files           int    // documents sealed (the form not counted)
	PlainBytes      int64  // bytes of the documents plus the form's JSON
	Chunks          int    // encrypted chunks
}

// Envelope is what can be learned from a container without its content
// key: who sealed it, for which lot, and digests that pin every byte.
type Envelope struct {
	Version      int
	LotID        int64
	CertDER      []byte
	Cert         *smx509.Certificate
	WrappedKey   []byte // the content key, SM2-encrypted (GM/T 0009 ASN.1) to Cert
	ChunkSize    int
	Chunks       int
	Size         int64  // bytes of the whole container file
	CipherDigest []byte // SM3 over the chunk section, signed by the bidder
	SealedAt     time.Time
	Fingerprint  string // the sealing machine's fingerprint (a supervision signal)

	KeyCheck     []byte // HMAC-SM3 of a fixed label under the content key; UnwrapKey checks it when set
	HeaderDigest []byte // SM3 of preamble and header, bound into every chunk and the trailer
	PayloadBytes int64  // plaintext bytes inside the chunks (form, documents and framing)

	// The container's bytes around the chunk section, as read: Head is
	// the preamble, the header and the header signature; Trailer the
	// trailer and its signature. They name the bidder (the certificate)
	// and are what ContainerDigest hashes with CipherDigest.
	Head, Trailer []byte
}

// PublicKey returns the SM2 public key of the envelope's certificate.
func (e Envelope) PublicKey() *ecdsa.PublicKey {
	if e.Cert == nil {
		return nil
	}
	pub, _ := e.Cert.PublicKey.(*ecdsa.PublicKey)
	return pub
}

// File is one document inside a container.
type File struct {
	Name   string // relative slash path, as it was under the sealed folder
	Size   int64
	Digest []byte // SM3 of the content, checked by Open
}

// Contents is an opened container.
type Contents struct {
	Envelope Envelope
	Form     Form
	Files    []File
}

// Sentinels of Open, to be tested with errors.Is on the *errs.Error it
// returns. Every Open failure of a bad container matches exactly one of
// ErrWrongKey and ErrDamaged; a failure to read or write (an I/O error of
// r or of a writer from out) matches neither and has code errs.Internal,
// so the caller can retry.
var (
	// ErrWrongKey: the failure is the bidder's (RULES B6, 投标人原因): the
	// key handed over is not the content key of this container, or the
	// container verifies as the bidder signed it but does not decrypt with
	// the key the bidder committed to, or what it decrypts to is not a valid
	// bid (ErrBadContent also matches ErrWrongKey).
	ErrWrongKey = errors.New("sealed: the content key does not decrypt this bid (bidder-caused)")
	// ErrDamaged: the container is not what the bidder signed (storage or
	// transfer damage, or tampering after upload); not the bidder's fault.
	ErrDamaged = errors.New("sealed: the container is damaged (not bidder-caused)")
	// ErrBadContent: a refinement of ErrWrongKey: the container is intact
	// and the key right, but the bidder sealed something that is not a
	// valid bid (a form that fails validation, a bad file name, a digest
	// that does not match, a chunk that does not decrypt).
	ErrBadContent = errors.New("sealed: the bidder sealed an invalid bid")
)

// badContent matches both ErrBadContent and ErrWrongKey.
var badContent = errors.Join(ErrBadContent, ErrWrongKey)
