package auth

import (
	"context"

	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// NewCentre sets up a trading centre together with the organisation its
// staff belong to.
type NewCentre struct {
	RegionCode   string `json:"region_code"`
	RegionName   string `json:"region_name"`
	Name         string `json:"name"`
	CreditCode   string `json:"credit_code"`
	LegalRep     string `json:"legal_rep"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

// CreateCentre adds a centre under its parent region's centre.
func (s *Service) CreateCentre(ctx context.Context, a Actor, n NewCentre) (centre.Centre, Organisation, error) {
	if err := a.Authorize(CreateCentre); err != nil {
		return centre.Centre{}, Organisation{}, err
	}
	var c centre.Centre
	var org Organisation
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		var err error
		c, err = centre.Insert(ctx, tx, centre.Centre{RegionCode: n.RegionCode, Name: n.Name,
			RegionName: n.RegionName, CreatedAt: s.clock.Now()})
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, a, "centre.create", "centre", itoa(c.ID), c.RegionCode,
			map[string]any{"name": c.Name, "region_code": c.RegionCode}); err != nil {
			return err
		}
		org, err = s.CreateOrgTx(ctx, tx, a, NewOrg{Name: n.Name, Kind: KindCentre, CreditCode: n.CreditCode,
			CentreCode: c.RegionCode, LegalRep: n.LegalRep, ContactName: n.ContactName, ContactPhone: n.ContactPhone})
		return err
	})
	return c, org, err
}

// ListCentres is public: the registration form and the portal need it.
func (s *Service) ListCentres(ctx context.Context) ([]centre.Centre, error) {
	return centre.List(ctx, s.db)
}

// CentreOrg finds the organisation a centre's staff belong to.
func (s *Service) CentreOrg(ctx context.Context, centreID int64) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, "SELECT id FROM organisations WHERE centre_id = ? AND kind = 'centre' ORDER BY id LIMIT 1",
		centreID).Scan(&id)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.E(errs.NotFound, "该交易中心尚无单位记录")
	}
	return id, err
}
