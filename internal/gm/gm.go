// Package gm wraps the Chinese national cryptographic algorithms (国密) that
// ggzy needs, over github.com/emmansun/gmsm, behind a deliberately small API:
//
//   - SM3 digests and SM3-HMAC;
//   - Box: SM4-GCM encryption of personal data at rest, plus a keyed blind
//     index for uniqueness look-ups without decrypting;
//   - SM2 signing keys (PKCS#8 PEM), Sign and Verify with the standard
//     default user id "1234567812345678" (GB/T 32918.2, GM/T 0009);
//   - signed notes (golang.org/x/mod/sumdb/note) signed with SM2, used for
//     audit checkpoints and receipts;
//   - Keys: the platform's long-lived keys, created on first start.
//
// Nothing in this package logs or formats key material.
package gm

import (
	"crypto/hmac"

	"github.com/emmansun/gmsm/sm3"
)

// SM3 returns the SM3 digest of the concatenation of parts.
func SM3(parts ...[]byte) [32]byte {
	h := sm3.New()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// HMAC returns HMAC-SM3 of data under key.
func HMAC(key, data []byte) [32]byte {
	m := hmac.New(sm3.New, key)
	m.Write(data)
	var sum [32]byte
	m.Sum(sum[:0])
	return sum
}
