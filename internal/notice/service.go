// Package notice drafts, reviews, checks against the law, signs and
// publishes notices (公告公示), and serves tender documents whose download
// records stay secret until the bid deadline (RULES B3).
package notice

import (
	"ggzy/internal/platform"
	"ggzy/internal/tender"
)

// Service runs the notice use cases.
type Service struct {
	platform.Base
	tender *tender.Service
}

// New wires the service.
func New(b platform.Base, t *tender.Service) *Service { return &Service{Base: b, tender: t} }
