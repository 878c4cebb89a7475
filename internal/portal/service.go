// Package portal is the public information website's read side (交易信息网):
// latest notices, filtered lists, full-text search, feeds and statistics
// computed from the data.
package portal

import "ggzy/internal/platform"

// Service answers the public site's queries.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }
