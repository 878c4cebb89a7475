// Package expert is the comprehensive expert library (综合评标专家库) that
// a province's centres share: experts with their specialties after the
// national taxonomy, employers past and present, declared relations,
// status, leave and penalties; import and export from Excel and CSV with
// a per-row report; the expert's own portal; ratings after evaluations;
// and the avoidance rules (回避) that decide whom a draw may choose from.
//
// The draw itself (commitment, witness, call-out, sealed list) is
// internal/draw; it asks Pool for the eligible experts, books them with
// EngageTx and reaches them through Contact. Nobody can put an expert on a
// panel by hand (RULES A16): there is no such use case.
//
// Personal numbers (身份证号, phone) are sealed with the platform's PII key;
// a keyed index of the ID number keeps one record per person without
// storing it in clear. Only staff of the expert's own centre (and the
// expert) see them unmasked.
package expert

import (
	"ggzy/internal/errs"
	"ggzy/internal/platform"
)

// Service runs the library's use cases.
type Service struct {
	platform.Base
	cfg   Config
	cache *libCache // the pool's cache of slowly-changing facts (poolcache.go); nil: none
}

// Config holds the library's figures.
type Config struct {
	// MinYears is the shortest practice an expert needs:
	// 《评标专家和评标专家库管理暂行办法》第七条 asks for eight years in the
	// field (with a senior title or equivalent).
	MinYears int
	// MaxImportRows bounds one import file.
	MaxImportRows int
}

// DefaultConfig is the library as the measures describe it.
var DefaultConfig = Config{MinYears: 8, MaxImportRows: 5000}

// New wires the service with DefaultConfig.
func New(b platform.Base) *Service {
	return &Service{Base: b, cfg: DefaultConfig, cache: &libCache{}}
}

// Configure replaces the figures; call it while wiring.
func (s *Service) Configure(c Config) error {
	if c.MinYears < 0 || c.MinYears > 40 || c.MaxImportRows < 1 || c.MaxImportRows > 100000 {
		return errs.E(errs.Invalid, "专家库配置无效")
	}
	s.cfg = c
	return nil
}

// Config returns the figures in force.
func (s *Service) Config() Config { return s.cfg }

// Personal data is sealed with the column's name as associated data, so a
// value copied into another column does not open.
var (
	aadIDNumber = []byte("experts.id_number")
	aadPhone    = []byte("experts.phone")
)

func (s *Service) seal(v string, aad []byte) []byte { return s.Keys.PII.Seal([]byte(v), aad) }

func (s *Service) open(v []byte, aad []byte) string {
	if len(v) == 0 {
		return ""
	}
	p, err := s.Keys.PII.Open(v, aad)
	if err != nil {
		return "（无法解密）"
	}
	return string(p)
}
