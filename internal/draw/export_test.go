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
