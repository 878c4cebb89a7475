package draw

import (
	"context"
	"sync"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/notify"
	"ggzy/internal/platform"
)

// Library is what the draw needs of the expert library (*expert.Service):
// the eligible pools after avoidance, the contact details of a drawn expert,
// and the engagements that book them.
type Library interface {
	// Pools gives the eligible ids of each specialty (pq.Specialty unused)
	// and the exclusions of all their candidates.
	Pools(ctx context.Context, q db.Querier, pq expert.PoolQuery, specialties []string) (eligible map[string][]int64,
		excluded []expert.Exclusion, err error)
	Contact(ctx context.Context, q db.Querier, id int64) (expert.Contact, error)
}

// LotParties tells who bid for a lot (internal/bidding). It may be nil, or
// know nobody yet: bidder avoidance then covers nobody.
type LotParties interface {
	Bidders(ctx context.Context, q db.Querier, lotID int64) ([]int64, error)
}

// Config holds the draw's figures.
type Config struct {
	AnswerWithin time.Duration // how long a called expert has to answer; default 30 minutes
	LeadDays     int           // RULES C13: procurement draws no earlier than this many working days ahead
	MaxAge       int           // default age limit (RULES C13: under 70)
	BaseURL      string        // the platform's public address, for links in messages ("https://ggzy.example.cn")
	ResendAfter  time.Duration // a call still queued this long after it was decided is handed over again
}

// DefaultConfig is the draw as the rules describe it.
var DefaultConfig = Config{AnswerWithin: 30 * time.Minute, LeadDays: DefaultLeadDays, MaxAge: 70,
	BaseURL: "http://localhost:8080", ResendAfter: 2 * time.Minute}

// Check validates c.
func (c Config) Check() error {
	if c.AnswerWithin < time.Minute || c.AnswerWithin > 24*time.Hour || c.LeadDays < 0 || c.LeadDays > 30 ||
		c.MaxAge < 0 || c.MaxAge > 100 || c.ResendAfter < 0 {
		return errs.E(errs.Invalid, "专家抽取配置无效")
	}
	return nil
}

// Service runs the draw's use cases.
type Service struct {
	platform.Base
	lib     Library
	parties LotParties
	cfg     Config
	voice   *notify.Voice
	mail    *notify.Mail
	hub     hub
	pools   poolCache
}

// New wires the service with DefaultConfig and the in-app channel only.
func New(b platform.Base, lib Library, parties LotParties) *Service {
	return &Service{Base: b, lib: lib, parties: parties, cfg: DefaultConfig}
}

// Configure replaces the figures; call it while wiring.
func (s *Service) Configure(c Config) error {
	if err := c.Check(); err != nil {
		return err
	}
	s.cfg = c
	return nil
}

// Config returns the figures in force.
func (s *Service) Config() Config { return s.cfg }

// SetChannels adds the voice gateway and the mail relay (either may be
// nil); the in-app confirmation always works. Call it while wiring.
func (s *Service) SetChannels(voice *notify.Voice, mail *notify.Mail) {
	s.voice, s.mail = voice, mail
}

// Voice is the configured voice gateway, nil if none.
func (s *Service) Voice() *notify.Voice { return s.voice }

// hub tells live pages on this node that a draw changed. Pages on other
// nodes notice through the draw's version, which they poll.
type hub struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]bool
}

// Subscribe returns a channel that receives a value whenever draw id
// changes on this node, and a function to stop.
func (s *Service) Subscribe(id int64) (<-chan struct{}, func()) {
	h := &s.hub
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[int64]map[chan struct{}]bool{}
	}
	if h.subs[id] == nil {
		h.subs[id] = map[chan struct{}]bool{}
	}
	h.subs[id][ch] = true
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[id], ch)
		if len(h.subs[id]) == 0 {
			delete(h.subs, id)
		}
		h.mu.Unlock()
	}
}

func (s *Service) changed(id int64) {
	h := &s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Version is the draw's change counter, for live pages on other nodes.
func (s *Service) Version(ctx context.Context, a auth.Actor, id int64) (int64, error) {
	if err := a.Authorize(auth.ReadDraw); err != nil {
		return 0, err
	}
	var v int64
	err := s.DB.QueryRow(ctx, "SELECT version FROM draws WHERE id = ?", id).Scan(&v)
	return v, err
}

// SetParties tells the service who bid for a lot (internal/bidding); call
// it while wiring, once the bidding service exists.
func (s *Service) SetParties(p LotParties) { s.parties = p }
