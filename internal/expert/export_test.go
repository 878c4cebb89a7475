package expert

import (
	"context"

	"ggzy/internal/db"
)

// PoolDirect is Pool without the node's cache, for tests that compare the
// two paths.
func (s *Service) PoolDirect(ctx context.Context, q db.Querier, pq PoolQuery) ([]int64, []Exclusion, error) {
	eligible, excluded, err := s.poolDirect(ctx, q, pq)
	return eligible, dedupe(excluded), err
}

// CacheVersion is the library version the node's cache holds (0: not
// loaded).
func (s *Service) CacheVersion() int64 {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	return s.cache.version
}
