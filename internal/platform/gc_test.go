package platform

import (
	"runtime/debug"
	"testing"
)

func current() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestTuneGC(t *testing.T) {
	start := current()
	defer debug.SetGCPercent(start)

	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	if prev := TuneGC(); prev != 100 || current() != ServerGCPercent {
		t.Fatalf("without GOGC: previous %d, now %d; want 100 and %d", prev, current(), ServerGCPercent)
	}

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	if prev := TuneGC(); prev != 150 || current() != 150 {
		t.Fatalf("with GOGC=150 the operator's setting must stay: previous %d, now %d", prev, current())
	}
}
