// Package guide is the service guide (办事指南): per trading kind and
// service, the materials required, the handling mode (马上办 / 网上办 /
// 一次办), the promised time limit and the legal basis.
//
// The guide is public and platform-wide; centre staff and administrators
// maintain it, every change audited. Project intake (package tender)
// checks uploaded materials against the kind's 进场登记 matter and takes
// its promised limit from it.
package guide

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/platform"
)

// Service maintains and serves the guide.
type Service struct {
	platform.Base
}

// New wires the service.
func New(b platform.Base) *Service { return &Service{Base: b} }

// List returns the guide, optionally for one kind. Inactive matters are
// listed only for those who maintain the guide and ask for them.
func (s *Service) List(ctx context.Context, a auth.Actor, kind string, withInactive bool) ([]Matter, error) {
	if err := a.Authorize(auth.ReadGuide); err != nil {
		return nil, err
	}
	if kind != "" && KindLabel(kind) == "" {
		var f errs.Fields
		f.Add("kind", "交易类型无效，应为 construction、procurement、land 或 property")
		return nil, f.Err()
	}
	withInactive = withInactive && auth.Can(a.Role, auth.ManageGuide)
	return ListMatters(ctx, s.DB, kind, withInactive)
}

// Get returns one matter; an inactive one only to those who maintain the guide.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Matter, error) {
	if err := a.Authorize(auth.ReadGuide); err != nil {
		return Matter{}, err
	}
	m, err := GetMatter(ctx, s.DB, id)
	if err == nil && !m.Active && !auth.Can(a.Role, auth.ManageGuide) {
		return Matter{}, errs.E(errs.NotFound, "办事事项不存在")
	}
	return m, err
}

// Create adds a matter with its materials.
func (s *Service) Create(ctx context.Context, a auth.Actor, n NewMatter) (Matter, error) {
	if err := a.Authorize(auth.ManageGuide); err != nil {
		return Matter{}, err
	}
	if err := validateNew(&n); err != nil {
		return Matter{}, err
	}
	for i, m := range n.Materials {
		if m.ID != 0 {
			var f errs.Fields
			f.Add("materials["+itoa(int64(i))+"].id", "新建事项的申请材料不能带编号")
			return Matter{}, f.Err()
		}
	}
	var out Matter
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.create(ctx, tx, a, n)
		return err
	})
	return out, err
}

func (s *Service) create(ctx context.Context, tx *db.Tx, a auth.Actor, n NewMatter) (Matter, error) {
	now := s.Clock.Now()
	id, err := insertMatter(ctx, tx, n, a.UserID, now)
	if err != nil {
		return Matter{}, err
	}
	if _, _, _, err := syncMaterials(ctx, tx, id, nil, n.Materials); err != nil {
		return Matter{}, err
	}
	m, err := GetMatter(ctx, tx, id)
	if err != nil {
		return m, err
	}
	return m, s.record(ctx, tx, a, "guide.create", m, map[string]any{
		"code": m.Code, "name": m.Name, "mode": string(m.Mode), "limit": m.Limit.String(),
		"green_limit": m.GreenLimit.String(), "materials": materialNames(m.Materials),
	})
}

// Update changes a matter's text, limits, mode, active flag and materials.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, e MatterEdit) (Matter, error) {
	if err := a.Authorize(auth.ManageGuide); err != nil {
		return Matter{}, err
	}
	e.normalise()
	var f errs.Fields
	validateEdit(&f, &e)
	if err := f.Err(); err != nil {
		return Matter{}, err
	}
	var out Matter
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		old, err := GetMatter(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := updateMatter(ctx, tx, id, e, a.UserID, s.Clock.Now()); err != nil {
			return err
		}
		added, changed, removed, err := syncMaterials(ctx, tx, id, old.Materials, e.Materials)
		if err != nil {
			return err
		}
		if out, err = GetMatter(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "guide.update", out, map[string]any{
			"code": out.Code, "name": out.Name, "mode": string(out.Mode), "active": out.Active,
			"limit": out.Limit.String(), "green_limit": out.GreenLimit.String(),
			"limit_before": old.Limit.String(), "green_limit_before": old.GreenLimit.String(),
			"materials": materialNames(out.Materials), "materials_added": added,
			"materials_changed": changed, "materials_removed": removed,
		})
	})
	return out, err
}

func materialNames(ms []Material) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
		if m.Required {
			out[i] += "（必需）"
		}
	}
	return out
}

// record appends the audit event of a guide change. The guide is
// platform-wide, so the event carries the actor's region (their centre).
func (s *Service) record(ctx context.Context, tx *db.Tx, a auth.Actor, action string, m Matter, details map[string]any) error {
	return s.Record(ctx, tx, a, action, "guide_matter", itoa(m.ID), a.Region, "", details)
}
