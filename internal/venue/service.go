// Package venue books the centres' rooms (开标厅, 评标室, 远程异地评标席位)
// for openings and evaluations, with weekly slots reserved for the green
// channel; a room can never be double-booked.
//
// Double booking is prevented by the database, not by checking first: a
// booking inserts one booking_slots row per half hour it holds, and the
// table's primary key (room_id, slot_start) lets only one booking hold a
// slot, whatever number of requests race on SQLite or PostgreSQL.
package venue

import "ggzy/internal/platform"

// Service runs room, reservation and booking use cases.
type Service struct {
	platform.Base
	cfg Config
}

// New wires the service with DefaultConfig.
func New(b platform.Base) *Service { return &Service{Base: b, cfg: DefaultConfig} }

// Configure replaces the booking rules (opening hours, longest booking,
// how far ahead); call it while wiring, before the service is used.
func (s *Service) Configure(c Config) error {
	if err := c.Check(); err != nil {
		return err
	}
	s.cfg = c
	return nil
}

// Config returns the booking rules in force.
func (s *Service) Config() Config { return s.cfg }
