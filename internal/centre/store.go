package centre

import (
	"context"
	"database/sql"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

const columns = "id, region_code, name, region_name, level, parent_id, created_at"

func scan(row interface{ Scan(...any) error }) (Centre, error) {
	var c Centre
	var parent sql.NullInt64
	var created int64
	err := row.Scan(&c.ID, &c.RegionCode, &c.Name, &c.RegionName, &c.Level, &parent, &created)
	c.ParentID = parent.Int64
	c.CreatedAt = db.Time(created)
	return c, err
}

// List returns every centre, province first, then by region code.
func List(ctx context.Context, q db.Querier) ([]Centre, error) {
	rows, err := q.Query(ctx, "SELECT "+columns+" FROM centres ORDER BY region_code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Centre
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Get finds a centre by id.
func Get(ctx context.Context, q db.Querier, id int64) (Centre, error) {
	c, err := scan(q.QueryRow(ctx, "SELECT "+columns+" FROM centres WHERE id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "交易中心不存在")
	}
	return c, err
}

// ByCode finds a centre by its region code.
func ByCode(ctx context.Context, q db.Querier, code string) (Centre, error) {
	c, err := scan(q.QueryRow(ctx, "SELECT "+columns+" FROM centres WHERE region_code = ?", code))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "行政区划代码 %s 没有对应的交易中心", code)
	}
	return c, err
}

// Insert stores a new centre under its parent region's centre (which must
// exist unless it is a province) and returns it with its id.
func Insert(ctx context.Context, tx *db.Tx, c Centre) (Centre, error) {
	var f errs.Fields
	if err := ValidateCode(c.RegionCode); err != nil {
		f.Add("region_code", "%s", errs.As(err).Message)
	}
	f.Required("name", "中心名称", c.Name)
	f.MaxLen("name", "中心名称", c.Name, 100)
	f.Required("region_name", "行政区划名称", c.RegionName)
	if err := f.Err(); err != nil {
		return c, err
	}
	c.Level = LevelOf(c.RegionCode)
	var parent any
	if pc := ParentCode(c.RegionCode); pc != "" {
		p, err := ByCode(ctx, tx, pc)
		if err != nil {
			return c, errs.E(errs.Invalid, "上级行政区划 %s 尚无交易中心，请先建立上级中心", pc)
		}
		c.ParentID = p.ID
		parent = p.ID
	}
	err := tx.QueryRow(ctx, `INSERT INTO centres (region_code, name, region_name, level, parent_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.RegionCode, c.Name, c.RegionName, c.Level, parent, db.Micros(c.CreatedAt)).Scan(&c.ID)
	if errs.Is(err, errs.Conflict) {
		return c, errs.E(errs.Conflict, "行政区划代码 %s 已有交易中心", c.RegionCode)
	}
	return c, err
}
