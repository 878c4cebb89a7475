package sealed

import (
	"crypto/hmac"
	"crypto/rand"
	"io"

	"github.com/emmansun/gmsm/sm2"

	"ggzy/internal/errs"
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
	s := newScanner(r)
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
