// Package guide is the service guide (办事指南): per trading kind and
// service, the materials required, the handling mode (马上办 / 网上办 /
// 一次办), the promised time limit and the legal basis.
package guide

import "ggzy/internal/platform"

// Service maintains and serves the guide.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }
