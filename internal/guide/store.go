package guide

import (
	"context"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The read functions here apply no access rules (the guide is public);
// tender calls them inside its own transactions.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const matterCols = `id, trade_kind, code, name, mode, limit_amount, limit_unit, green_amount, green_unit,
	legal_basis, description, active, updated_at, updated_by`

func scanMatter(row interface{ Scan(...any) error }) (Matter, error) {
	var m Matter
	var updated int64
	err := row.Scan(&m.ID, &m.TradeKind, &m.Code, &m.Name, &m.Mode, &m.Limit.Amount, &m.Limit.Unit,
		&m.GreenLimit.Amount, &m.GreenLimit.Unit, &m.LegalBasis, &m.Description, &m.Active, &updated, &m.UpdatedBy)
	m.UpdatedAt = db.Time(updated)
	m.Service = strings.TrimPrefix(m.Code, m.TradeKind+".")
	if m.GreenLimit.Amount > 0 && m.GreenLimit.Unit == "" {
		m.GreenLimit.Unit = m.Limit.Unit
	}
	return m, err
}

// GetMatter reads a matter with its current materials.
func GetMatter(ctx context.Context, q db.Querier, id int64) (Matter, error) {
	m, err := scanMatter(q.QueryRow(ctx, "SELECT "+matterCols+" FROM guide_services WHERE id = ?", id))
	return withMaterials(ctx, q, m, err)
}

// MatterByCode reads a matter by its code, e.g. Code("construction", ServiceIntake).
func MatterByCode(ctx context.Context, q db.Querier, code string) (Matter, error) {
	m, err := scanMatter(q.QueryRow(ctx, "SELECT "+matterCols+" FROM guide_services WHERE code = ?", code))
	return withMaterials(ctx, q, m, err)
}

// Intake is the active 进场登记 matter of a trading kind, whose materials a
// project must hand in and whose limit the centre promises. NotFound when
// the guide has none (or it is switched off).
func Intake(ctx context.Context, q db.Querier, kind string) (Matter, error) {
	m, err := MatterByCode(ctx, q, Code(kind, ServiceIntake))
	if errs.Is(err, errs.NotFound) || err == nil && !m.Active {
		return m, errs.E(errs.NotFound, "办事指南中没有%s项目的进场登记事项（或已停用），请联系交易中心", KindLabel(kind))
	}
	return m, err
}

func withMaterials(ctx context.Context, q db.Querier, m Matter, err error) (Matter, error) {
	if errs.Is(err, errs.NotFound) {
		return m, errs.E(errs.NotFound, "办事事项不存在")
	}
	if err != nil {
		return m, err
	}
	all, err := materialsOf(ctx, q, []int64{m.ID})
	m.Materials = all[m.ID]
	if m.Materials == nil {
		m.Materials = []Material{}
	}
	return m, err
}

// materialsOf reads the current materials of the given matters, in order.
func materialsOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Material, error) {
	out := map[int64][]Material{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, true)
	rows, err := q.Query(ctx, `SELECT service_id, id, position, name, required, note FROM guide_materials
		WHERE service_id IN (`+db.Placeholders(len(ids))+`) AND active = ? ORDER BY service_id, position, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		var m Material
		if err := rows.Scan(&sid, &m.ID, &m.Position, &m.Name, &m.Required, &m.Note); err != nil {
			return nil, err
		}
		out[sid] = append(out[sid], m)
	}
	return out, rows.Err()
}

// ListMatters lists the matters of a kind ("" = all kinds) in kind and
// code order, with their materials; inactive ones only when asked.
func ListMatters(ctx context.Context, q db.Querier, kind string, withInactive bool) ([]Matter, error) {
	where, args := []string{"1 = 1"}, []any{}
	if kind != "" {
		where, args = append(where, "trade_kind = ?"), append(args, kind)
	}
	if !withInactive {
		where, args = append(where, "active = ?"), append(args, true)
	}
	rows, err := q.Query(ctx, "SELECT "+matterCols+" FROM guide_services WHERE "+strings.Join(where, " AND ")+
		" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	var out []Matter
	var ids []int64
	for rows.Next() {
		m, err := scanMatter(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, ids = append(out, m), append(ids, m.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mats, err := materialsOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Materials = mats[out[i].ID]
		if out[i].Materials == nil {
			out[i].Materials = []Material{}
		}
	}
	sortByKind(out)
	return out, nil
}

// sortByKind orders matters by kind (display order), keeping insertion
// order within a kind, which is the order the catalogue was written in.
func sortByKind(ms []Matter) {
	rank := map[string]int{}
	for i, k := range Kinds {
		rank[k] = i
	}
	// Insertion sort: stable and the lists are short.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && rank[ms[j].TradeKind] < rank[ms[j-1].TradeKind]; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func insertMatter(ctx context.Context, tx *db.Tx, n NewMatter, by int64, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO guide_services (trade_kind, code, name, mode, limit_amount, limit_unit,
		green_amount, green_unit, legal_basis, description, active, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.TradeKind, Code(n.TradeKind, n.Service), n.Name, n.Mode, n.Limit.Amount, n.Limit.Unit,
		n.GreenLimit.Amount, n.GreenLimit.Unit, n.LegalBasis, n.Description, n.Active, db.Micros(now), by).Scan(&id)
	if errs.Is(err, errs.Conflict) {
		var f errs.Fields
		f.Add("service", "%s已有代码为 %s 的事项", KindLabel(n.TradeKind), n.Service)
		return 0, f.Err()
	}
	return id, err
}

func updateMatter(ctx context.Context, tx *db.Tx, id int64, e MatterEdit, by int64, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE guide_services SET name = ?, mode = ?, limit_amount = ?, limit_unit = ?,
		green_amount = ?, green_unit = ?, legal_basis = ?, description = ?, active = ?, updated_at = ?, updated_by = ?
		WHERE id = ?`, e.Name, e.Mode, e.Limit.Amount, e.Limit.Unit, e.GreenLimit.Amount, e.GreenLimit.Unit,
		e.LegalBasis, e.Description, e.Active, db.Micros(now), by, id)
	return err
}

// syncMaterials makes the matter's current materials exactly ms, in that
// order: listed ids are updated, new ones inserted, and current ones left
// out are switched off (kept, because uploaded files refer to them). It
// reports how many were added, changed and removed.
func syncMaterials(ctx context.Context, tx *db.Tx, matterID int64, current []Material, ms []MaterialInput) (added, changed, removed int, err error) {
	keep := map[int64]bool{}
	for i, m := range ms {
		if m.ID == 0 {
			continue
		}
		old, ok := find(current, m.ID)
		if !ok {
			var f errs.Fields
			f.Add("materials["+itoa(int64(i))+"].id", "申请材料编号 %d 不属于本事项", m.ID)
			return 0, 0, 0, f.Err()
		}
		keep[m.ID] = true
		if old.Name != m.Name || old.Required != m.Required || old.Note != m.Note || old.Position != i+1 {
			changed++
		}
	}
	for _, old := range current {
		if !keep[old.ID] {
			if _, err := tx.Exec(ctx, "UPDATE guide_materials SET active = ? WHERE id = ?", false, old.ID); err != nil {
				return 0, 0, 0, err
			}
			removed++
		}
	}
	for i, m := range ms {
		if m.ID == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO guide_materials (service_id, position, name, required, note, active)
				VALUES (?, ?, ?, ?, ?, ?)`, matterID, i+1, m.Name, m.Required, m.Note, true)
			added++
		} else {
			_, err = tx.Exec(ctx, "UPDATE guide_materials SET position = ?, name = ?, required = ?, note = ? WHERE id = ?",
				i+1, m.Name, m.Required, m.Note, m.ID)
		}
		if err != nil {
			return 0, 0, 0, err
		}
	}
	return added, changed, removed, nil
}

func find(ms []Material, id int64) (Material, bool) {
	for _, m := range ms {
		if m.ID == id {
			return m, true
		}
	}
	return Material{}, false
}
