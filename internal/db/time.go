package db

import "time"

// Times are stored as BIGINT microseconds since the Unix epoch, UTC, so one
// SQL text compares and sorts them the same way on both engines.

// Micros converts t for storage; the zero time is 0.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Time converts a stored value back; 0 is the zero time.
func Time(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
