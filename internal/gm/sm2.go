package gm

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// pemPrivate is the PEM block type of a PKCS#8 private key.
const pemPrivate = "PRIVATE KEY"

// pemPublic is the PEM block type of a PKIX (SubjectPublicKeyInfo) key.
const pemPublic = "PUBLIC KEY"

// GenerateKey makes a new SM2 signing key from crypto/rand.
func GenerateKey() (*sm2.PrivateKey, error) {
	return sm2.GenerateKey(rand.Reader)
}

// MarshalPrivateKeyPEM encodes key as a PKCS#8 "PRIVATE KEY" PEM block.
// The result is secret: write it only to a 0600 file.
func MarshalPrivateKeyPEM(key *sm2.PrivateKey) ([]byte, error) {
	der, err := smx509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
}

// ParsePrivateKeyPEM decodes a PKCS#8 PEM block holding an SM2 key.
func ParsePrivateKeyPEM(data []byte) (*sm2.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemPrivate {
		return nil, errors.New("gm: 不是 PKCS#8 私钥 PEM")
	}
	k, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		// The parser's error never contains key bytes, but keep it generic.
		return nil, errors.New("gm: 无法解析 SM2 私钥")
	}
	key, ok := k.(*sm2.PrivateKey)
	if !ok {
		return nil, errors.New("gm: 私钥不是 SM2 密钥")
	}
	return key, nil
}

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := smx509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// ParsePublicKeyPEM decodes a PKIX PEM block holding an SM2 public key.
func ParsePublicKeyPEM(data []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemPublic {
		return nil, errors.New("gm: 不是公钥 PEM")
	}
	k, err := smx509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("gm: 无法解析公钥: %w", err)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(pub) {
		return nil, errors.New("gm: 公钥不是 SM2 密钥")
	}
	return pub, nil
}

// PublicKeyBytes returns pub in uncompressed form: 0x04 || X(32) || Y(32).
func PublicKeyBytes(pub *ecdsa.PublicKey) ([]byte, error) {
	k, err := sm2.PublicKeyToECDH(pub)
	if err != nil {
		return nil, err
	}
	return k.Bytes(), nil
}

// ParsePublicKeyBytes is the inverse of PublicKeyBytes; it rejects points
// that are not on the SM2 curve.
func ParsePublicKeyBytes(b []byte) (*ecdsa.PublicKey, error) {
	// ecdh validates the encoding and the curve point for us.
	k, err := ecdh.P256().NewPublicKey(b)
	if err != nil {
		return nil, errors.New("gm: 无效的 SM2 公钥")
	}
	raw := k.Bytes() // uncompressed: 0x04 || X || Y
	pub := &ecdsa.PublicKey{Curve: sm2.P256()}
	pub.X = new(big.Int).SetBytes(raw[1:33])
	pub.Y = new(big.Int).SetBytes(raw[33:65])
	return pub, nil
}

// Sign signs msg with SM2 (SM3 digest over Z_A || msg, default user id) and
// returns an ASN.1 DER signature.
func Sign(key *sm2.PrivateKey, msg []byte) ([]byte, error) {
	// A nil uid selects the standard default "1234567812345678".
	return key.Sign(rand.Reader, msg, sm2.NewSM2SignerOption(true, nil))
}

// Verify reports whether sig is a valid Sign signature of msg by pub.
func Verify(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	if pub == nil || !sm2.IsSM2PublicKey(pub) {
		return false
	}
	return sm2.VerifyASN1WithSM2(pub, nil, msg, sig)
}
