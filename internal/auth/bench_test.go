package auth_test

import (
	"testing"

	"ggzy/internal/auth"
)

// BenchmarkDefaultArgon2 is the CPU and memory cost of one sign-in with the
// production password hash: it bounds sign-ins per second per core.
func BenchmarkDefaultArgon2(b *testing.B) {
	h := auth.DefaultArgon2.Hash("Correct-horse-2026")
	for b.Loop() {
		if !auth.CheckPassword(h, "Correct-horse-2026") {
			b.Fatal("password did not verify")
		}
	}
}
