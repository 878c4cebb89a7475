package sealed

import (
	"crypto/hmac"
	"crypto/rand"
	"io"

	"github.com/emmansun/gmsm/sm2"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Inspect reads a whole container from r without the content key and checks
// everything that can be checked without it: the structure and the limits,
// the certificate (that it parses and holds an SM2 key — not whether it is
// trusted, current or the bidder's: the caller asks internal/ca that), the
// header signature, every chunk length, the trailer's counts and the signed
// SM3 over the ciphertext, the trailer signature, and the end of the file.
// A container that passes cannot be changed afterwards without Open noticing.
//
// It streams: memory stays small whatever the size. A bad container gives
// an *errs.Error with code errs.Invalid ("不是有效的加密投标文件：…"); a
// failure of r gives code errs.Internal.
func Inspect(r io.Reader) (Envelope, error) {
	return InspectSection(r, nil)
}

// InspectSection is Inspect that also writes the chunk section, exactly as
// read, to section (when not nil): the platform stores a bid's section in
// its file store and its envelope — Envelope.Head and Envelope.Trailer,
// which name the bidder — apart from it (see ContainerDigest). The
// section's SM3, which Inspect computes for the bidder's signature anyway,
// is Envelope.CipherDigest, so the caller need not hash it again. A
// failure of section gives an errs.Internal error matching it.
func InspectSection(r io.Reader, section io.Writer) (Envelope, error) {
	s := newScanner(r)
	var out *failingWriter
	if section != nil {
		out = &failingWriter{w: section}
		s.sectW = io.MultiWriter(s.sect, out)
	}
	env, err := s.inspect()
	if out != nil && out.err != nil {
		return Envelope{}, errs.Wrap(errs.Internal, out.err, "保存加密投标文件失败")
	}
	return env, err
}

// failingWriter keeps the first failure of w, so it can be told apart
// from the container's.
type failingWriter struct {
	w   io.Writer
	err error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	f.err = err
	return n, err
}

func (s *scanner) inspect() (Envelope, error) {
	if err := s.readHead(); err != nil {
		return Envelope{}, failure(err, nil)
	}
	n, err := s.next()
	if err == nil {
		err = s.skipRest(n)
	}
	if err == nil {
		err = s.readTrailer()
	}
	if err != nil {
		return Envelope{}, failure(err, nil)
	}
	return s.env, nil
}

// ContainerDigest is the digest that names a whole container — the one the
// platform's receipt gives (docs/sealed-bid-format.md, "Container digest"):
//
//	SM3("ggzy/sealed-bid/v1/container\n" || Head || CipherDigest || Trailer)
//
// where Head is every byte before the chunk section, CipherDigest the SM3
// of the chunk section and Trailer every byte after it. It binds every
// byte of the file like the SM3 of the file does, but is computed from the
// parts, so the platform can store them apart and hash the (large) chunk
// section once. It is nil for an envelope without its raw bytes.
func (e Envelope) ContainerDigest() []byte {
	if len(e.Head) == 0 || len(e.Trailer) == 0 || len(e.CipherDigest) != digestSize {
		return nil
	}
	sum := gm.SM3([]byte(labelContainer), e.Head, e.CipherDigest, e.Trailer)
	return sum[:]
}

// EnvelopeDigest is ContainerDigest from a container's Head and Trailer
// alone, taking the chunk section's digest from the trailer's
// cipher_digest field (nil if the trailer is too short to hold it). It
// equals the container digest when the section is the one the trailer
// names — which Inspect and Open check — so a platform that keeps the
// envelope apart from the section can tell whether it is the envelope
// it receipted without reading the section.
func EnvelopeDigest(head, trailer []byte) []byte {
	if len(trailer) < trailerFixed {
		return nil
	}
	return Envelope{Head: head, Trailer: trailer, CipherDigest: trailer[56:88]}.ContainerDigest()
}

// ContainerDigestOf is ContainerDigest of the container read from r, which
// must pass Inspect (`ggzy receipt verify --file` checks a file this way).
func ContainerDigestOf(r io.Reader) ([]byte, Envelope, error) {
	env, err := Inspect(r)
	if err != nil {
		return nil, env, err
	}
	return env.ContainerDigest(), env, nil
}

// UnwrapKey recovers the content key of a container with the private key of
// its certificate (the bidder's side, at the opening). When env.KeyCheck is
// set, the key is also checked against it, so a key that UnwrapKey returns
// is one that Open accepts. A key pair that does not fit gives
// errs.Invalid matching ErrWrongKey.
func UnwrapKey(env Envelope, key *sm2.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errs.E(errs.Invalid, "没有提供私钥")
	}
	if pub := env.PublicKey(); pub != nil && !key.PublicKey.Equal(pub) {
		return nil, errs.Wrap(errs.Invalid, ErrWrongKey, "私钥与加密投标文件中的证书不匹配，请使用封装时所用证书的私钥")
	}
	k, err := key.Decrypt(rand.Reader, env.WrappedKey, sm2.ASN1DecrypterOpts)
	if err != nil || len(k) != KeySize {
		return nil, errs.Wrap(errs.Invalid, ErrWrongKey, "无法用此私钥解开内容密钥")
	}
	if len(env.KeyCheck) > 0 {
		kc := keyCheck(k)
		if !hmac.Equal(kc[:], env.KeyCheck) {
			return nil, errs.Wrap(errs.Invalid, ErrWrongKey, "解开的内容密钥与文件头的密钥校验值不符（文件由有缺陷的工具生成）")
		}
	}
	return k, nil
}
