// Package demo loads the demonstration dataset modelled on the Zhaotong
// centre's "一网三平台" (shared/seed): the Yunnan province centre, Zhaotong
// with its 11 county-level centres, and Qujing for cross-region work; the
// supervisory departments; and tenderers, agents and bidders across the
// counties. Everything is generated from a fixed seed, so every demo is the
// same, and everything goes through the real services, so it is audited.
package demo

import (
	"context"
	"fmt"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
)

// Password is the password of every demo account. Demo only.
const Password = "Ggzy-demo-2026"

// Account is a sign-in the demo prints for people to try.
type Account struct {
	Role     auth.Role
	Username string
	Name     string
	Org      string
}

type place struct{ code, name string }

// The centres of the demo (GB/T 2260).
var (
	province   = place{"530000", "云南省"}
	zhaotong   = place{"530600", "昭通市"}
	qujing     = place{"530300", "曲靖市"}
	zhaotongCo = []place{
		{"530602", "昭阳区"}, {"530621", "鲁甸县"}, {"530622", "巧家县"}, {"530623", "盐津县"},
		{"530624", "大关县"}, {"530625", "永善县"}, {"530626", "绥江县"}, {"530627", "镇雄县"},
		{"530628", "彝良县"}, {"530629", "威信县"}, {"530681", "水富市"},
	}
)

// Loaded reports whether the database already holds data, in which case the
// demo leaves it alone.
func Loaded(ctx context.Context, q db.Querier) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n)
	return n > 0, err
}

// loader carries what the steps share.
type loader struct {
	q        db.Querier
	svc      *auth.Service
	g        *gen
	accounts []Account
}

// Load fills an empty database and returns the accounts to print.
func Load(ctx context.Context, q db.Querier, svc *auth.Service) ([]Account, error) {
	if done, err := Loaded(ctx, q); err != nil || done {
		return nil, err
	}
	l := &loader{q: q, svc: svc, g: newGen(20181119)} // the seed account's publication date
	steps := []func(context.Context) error{l.centres, l.platform, l.supervisors, l.parties}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return l.accounts, nil
}

func (l *loader) centre(ctx context.Context, p place) error {
	_, _, err := l.svc.CreateCentre(ctx, auth.System, auth.NewCentre{
		RegionCode: p.code, RegionName: p.name, Name: p.name + "公共资源交易中心",
		CreditCode: l.g.creditCode("12", p.code), LegalRep: l.g.name(), ContactName: l.g.name(), ContactPhone: l.g.phone(),
	})
	if err != nil {
		return fmt.Errorf("交易中心 %s: %w", p.name, err)
	}
	return nil
}

func (l *loader) centres(ctx context.Context) error {
	for _, p := range append([]place{province, zhaotong, qujing}, zhaotongCo...) {
		if err := l.centre(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// user adds one user to org and, when listed, remembers it for printing.
func (l *loader) user(ctx context.Context, orgID int64, orgName, region, username string, role auth.Role, list bool) error {
	name := l.g.name()
	_, err := l.svc.CreateUser(ctx, auth.System, auth.NewUser{OrgID: orgID, Username: username, DisplayName: name,
		Role: role, IDNumber: l.g.idNumber(region), Phone: l.g.phone(), Password: Password})
	if err != nil {
		return fmt.Errorf("用户 %s: %w", username, err)
	}
	if list {
		l.accounts = append(l.accounts, Account{Role: role, Username: username, Name: name, Org: orgName})
	}
	return nil
}

func (l *loader) centreOrg(ctx context.Context, code string) (int64, string, error) {
	c, err := centre.ByCode(ctx, l.q, code)
	if err != nil {
		return 0, "", err
	}
	id, err := l.svc.CentreOrg(ctx, c.ID)
	return id, c.Name, err
}

// platform adds the administrator and staff of the Zhaotong city centre and
// of two county centres.
func (l *loader) platform(ctx context.Context) error {
	staff := []struct {
		code, username string
		role           auth.Role
		list           bool
	}{
		{province.code, "admin", auth.Admin, true},
		{zhaotong.code, "zt_staff", auth.Staff, true},
		{zhaotong.code, "zt_staff2", auth.Staff, false},
		{"530621", "ld_staff", auth.Staff, true},
		{"530623", "yj_staff", auth.Staff, false},
		{qujing.code, "qj_staff", auth.Staff, false},
	}
	for _, s := range staff {
		orgID, name, err := l.centreOrg(ctx, s.code)
		if err != nil {
			return err
		}
		if err := l.user(ctx, orgID, name, s.code, s.username, s.role, s.list); err != nil {
			return err
		}
	}
	return nil
}
