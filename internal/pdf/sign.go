package pdf

import "github.com/emmansun/gmsm/sm3"

// Digest returns the SM3 digest of a rendered document (32 bytes), the
// value to record next to the stored file and to print on a receipt. It is
// gm.SM3(b); the package uses sm3 directly to stay a kernel package that
// imports only errs and clock.
//
// To make a document tamper-evident, sign its bytes with the platform key:
// sig, err := gm.Sign(keys.Platform, b) — SM2 over SM3(Z_A || b) — and check
// with gm.Verify(&keys.Platform.PublicKey, b, sig). Output is deterministic
// (see the package comment), so the bytes can also be re-rendered from the
// stored input and compared by Digest.
func Digest(b []byte) []byte {
	d := sm3.Sum(b)
	return d[:]
}
