package bidding

import (
	"context"

	"ggzy/internal/tender"
)

// LegacyBidForTest turns the active bid of org on a lot into one received
// before containers were stored split: the whole container in the file
// store under its SM3, fileSM3, which is also the receipt's digest; no
// section, no envelope (the tests of that path, open's openWhole).
func (s *Service) LegacyBidForTest(ctx context.Context, lotID, orgID int64, fileSM3 string) error {
	l, err := tender.GetLot(ctx, s.DB, lotID)
	if err != nil {
		return err
	}
	round, err := currentRound(ctx, s.DB, l)
	if err != nil {
		return err
	}
	row, _, err := s.activeBid(ctx, s.DB, lotID, round, s.slotOf(lotID, round, orgID))
	if err != nil {
		return err
	}
	rec := row.rec
	rec.Blob, rec.Section, rec.Head, rec.Trailer, rec.Pad = fileSM3, "", nil, nil, ""
	b, _, err := s.seal(lotID, round, rec)
	if err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, "UPDATE bids SET sealed = ? WHERE id = ?", b, row.id)
	return err
}
