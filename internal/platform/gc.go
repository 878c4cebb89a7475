package platform

import (
	"os"
	"runtime/debug"
)

// ServerGCPercent is the collector's target for a running platform. Its live
// heap is mostly long-lived caches (the expert library: about 56 MB for
// 100,000 experts), so the default 100 collects every few dozen requests and
// each collection marks the whole cache; on two cores the requests caught in
// that mark are the slow percentile of a draw (docs/performance.md, Expert
// draw). 400 makes collections a quarter as frequent for a heap of about five
// times the live data.
const ServerGCPercent = 400

// TuneGC applies ServerGCPercent unless the operator set GOGC, and returns
// the previous setting (for a benchmark to restore).
func TuneGC() int {
	if os.Getenv("GOGC") != "" {
		prev := debug.SetGCPercent(100) // only a setter; put it back
		debug.SetGCPercent(prev)
		return prev
	}
	return debug.SetGCPercent(ServerGCPercent)
}
