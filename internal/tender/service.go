package tender

import "ggzy/internal/platform"

// Service runs project registration and intake.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }
