package centre_test

import (
	"context"
	"testing"
	"time"

	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/errs"
)

func TestLevelsAndJurisdiction(t *testing.T) {
	cases := []struct {
		code, prefix, parent string
		level                centre.Level
	}{
		{"530000", "53", "", centre.Province},
		{"530600", "5306", "530000", centre.Prefecture},
		{"530602", "530602", "530600", centre.County},
		{"530681", "530681", "530600", centre.County},
	}
	for _, c := range cases {
		if got := centre.LevelOf(c.code); got != c.level {
			t.Errorf("LevelOf(%s) = %s, want %s", c.code, got, c.level)
		}
		if got := centre.Prefix(c.code); got != c.prefix {
			t.Errorf("Prefix(%s) = %s, want %s", c.code, got, c.prefix)
		}
		if got := centre.ParentCode(c.code); got != c.parent {
			t.Errorf("ParentCode(%s) = %s, want %s", c.code, got, c.parent)
		}
	}
	within := []struct {
		code, juris string
		want        bool
	}{
		{"530602", "530600", true},  // 昭阳区 in 昭通市
		{"530602", "530000", true},  // 昭阳区 in 云南省
		{"530302", "530600", false}, // 曲靖 is not 昭通
		{"530600", "530602", false}, // a county cannot see its prefecture
		{"", "530600", false},
	}
	for _, w := range within {
		if got := centre.Within(w.code, w.juris); got != w.want {
			t.Errorf("Within(%s, %s) = %v", w.code, w.juris, got)
		}
	}
}

func TestInsertHierarchy(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	add := func(code, name string) (centre.Centre, error) {
		var c centre.Centre
		err := d.Transact(ctx, func(tx *db.Tx) (err error) {
			c, err = centre.Insert(ctx, tx, centre.Centre{RegionCode: code, Name: name + "公共资源交易中心", RegionName: name, CreatedAt: now})
			return err
		})
		return c, err
	}
	if _, err := add("530600", "昭通市"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("prefecture before its province: %v", err)
	}
	yn, err := add("530000", "云南省")
	if err != nil {
		t.Fatal(err)
	}
	zt, err := add("530600", "昭通市")
	if err != nil || zt.ParentID != yn.ID || zt.Level != centre.Prefecture {
		t.Fatalf("zhaotong %+v %v", zt, err)
	}
	if _, err := add("530600", "昭通市"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := add("53060", "坏"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad code: %v", err)
	}
	got, err := centre.ByCode(ctx, d, "530600")
	if err != nil || got.Name != "昭通市公共资源交易中心" || !got.CreatedAt.Equal(now) {
		t.Fatalf("ByCode: %+v %v", got, err)
	}
	list, _ := centre.List(ctx, d)
	if len(list) != 2 || list[0].RegionCode != "530000" {
		t.Fatalf("list %+v", list)
	}
}
