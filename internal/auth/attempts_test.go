package auth

import (
	"testing"
	"time"

	"ggzy/internal/clock"
)

// The per-address throttle forgets addresses once their window has passed.
func TestForgetAttempts(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC))
	s := &Service{clock: clk, cfg: DefaultConfig, attempts: map[string][]time.Time{}}
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		if !s.allowAttempt(ip) {
			t.Fatal("first attempt refused")
		}
	}
	clk.Advance(DefaultConfig.IPWindow - time.Second)
	s.allowAttempt("10.0.0.3")
	clk.Advance(2 * time.Second)
	s.forgetAttempts()
	if n := s.trackedAddresses(); n != 1 {
		t.Fatalf("%d addresses remembered, want 1 (only the recent one)", n)
	}
}

func TestUsernamesAreCaseInsensitive(t *testing.T) {
	if normaliseUsername("  Bidder1 ") != "bidder1" {
		t.Fatal("username not normalised")
	}
}
