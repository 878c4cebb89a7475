package pdf

import "ggzy/internal/gm"

// Digest returns the SM3 digest of a rendered document (32 bytes), the
// value to record next to the stored file and to print on a receipt.
//
// To make a document tamper-evident, sign its bytes with the platform key:
// sig, err := gm.Sign(keys.Platform, b) — SM2 over SM3(Z_A || b) — and check
// with gm.Verify(&keys.Platform.PublicKey, b, sig). Output is deterministic
// (see the package comment), so the bytes can also be re-rendered from the
// stored input and compared by Digest.
func Digest(b []byte) []byte {
	d := gm.SM3(b)
	return d[:]
}
