// Package portal is the public information website's read side (交易信息网):
// latest notices, filtered lists, Chinese full-text search, feeds and
// statistics computed from the data. It only reads: notices are written by
// package notice, projects and lots by package tender, and nothing here
// changes them, so no use case here writes an audit event.
//
// Only published notices whose publication time has come (by the injected
// clock) are ever shown; every query states both conditions itself.
package portal

import "ggzy/internal/platform"

// Service answers the public site's queries.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }
