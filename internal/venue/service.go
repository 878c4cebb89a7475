// Package venue books the centres' rooms (开标厅, 评标室, 远程异地评标席位)
// for openings and evaluations, with weekly slots reserved for the green
// channel; a room can never be double-booked.
package venue

import "ggzy/internal/platform"

// Service runs room and booking use cases.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }
