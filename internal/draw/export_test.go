package draw

import (
	"context"

	"ggzy/internal/auth"
)

// WitnessOnly is Witness without handing the first calls to the channels:
// the benchmark times the draw, not the call-out.
func (s *Service) WitnessOnly(ctx context.Context, a auth.Actor, id int64, c Contribution) error {
	_, err := s.witness(ctx, a, id, c)
	return err
}

// ForgetPools empties the node's pool cache, as on another node: the next
// step reads the pool from the database.
func (s *Service) ForgetPools() { s.pools.reset() }
