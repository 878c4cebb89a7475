package expert

import (
	"context"
	"io"
	"sort"
	"strconv"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/ident"
)

// ImportReport says what an import did, row by row.
type ImportReport struct {
	Format     Format     `json:"format"`
	Rows       int        `json:"rows"`       // data rows read
	Created    int        `json:"created"`    // experts added
	Duplicates int        `json:"duplicates"` // already in the library, left as they are
	Failed     int        `json:"failed"`     // rows with a problem, not saved
	CreatedIDs []int64    `json:"created_ids"`
	Errors     []RowError `json:"errors"`            // every problem, by row
	Ignored    []string   `json:"ignored,omitempty"` // columns not recognised
}

// OK reports whether every row was saved or already there.
func (r ImportReport) OK() bool { return r.Failed == 0 }

// Import adds the experts of a table file (format CSV or XLSX). Each row
// is checked on its own: a bad row is reported (row number, column,
// Chinese reason) and skipped, every good row is saved, all in one
// transaction with an audit event per expert and one for the import. A
// person already in the library (same ID number) is reported as a
// duplicate and left unchanged, so importing a file twice adds nothing the
// second time. Staff import into their own centre only.
func (s *Service) Import(ctx context.Context, a auth.Actor, format Format, data []byte) (ImportReport, error) {
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return ImportReport{}, err
	}
	rows, ignored, err := ReadImport(format, data, s.cfg.MaxImportRows)
	if err != nil {
		var f errs.Fields
		f.Add("file", "%s", errs.As(err).Message)
		return ImportReport{}, f.Err()
	}
	rep := ImportReport{Format: format, Rows: len(rows), Ignored: ignored, CreatedIDs: []int64{}, Errors: []RowError{}}
	now := s.Clock.Now()

	var good []importCand
	failed := map[int]bool{}
	fail := func(num int, field, reason string) {
		rep.Errors = append(rep.Errors, RowError{Row: num, Field: field, Reason: reason})
		failed[num] = true
	}
	firstRow := map[string]int{} // ID index → first row holding it
	for _, r := range rows {
		for _, e := range r.Errors {
			fail(e.Row, e.Field, e.Reason)
		}
		var f errs.Fields
		p := s.prepare(&f, r.Input, now, true)
		for _, fe := range f {
			if hasField(r.Errors, headerLabel(fieldOf(fe.Field))) {
				continue // the cell could not be read: that was said already
			}
			fail(r.Num, headerLabel(fieldOf(fe.Field)), fe.Message)
		}
		if p.in.IDNumber == "" || ident.IDNumber(p.in.IDNumber, now) != nil {
			continue
		}
		idx := s.Keys.PII.Index(p.in.IDNumber)
		if first, dup := firstRow[idx]; dup {
			fail(r.Num, headerLabel("id_number"), "与第"+strconv.Itoa(first)+"行是同一人（身份证号重复）")
			continue
		}
		firstRow[idx] = r.Num
		if !failed[r.Num] {
			good = append(good, importCand{num: r.Num, p: p, index: idx})
		}
	}

	base := rep.Errors
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		// A retry of the transaction starts the database part afresh.
		created, dups, errsInTx := []int64{}, 0, []RowError{}
		existing, err := existingIndexes(ctx, tx, good)
		if err != nil {
			return err
		}
		for _, c := range good {
			if existing[c.index] {
				dups++
				errsInTx = append(errsInTx, RowError{Row: c.num, Field: headerLabel("id_number"),
					Reason: "专家库中已有此人（身份证号重复），未重复导入"})
				continue
			}
			r, err := s.resolve(ctx, tx, a, c.p, 0)
			if code := errs.CodeOf(err); code == errs.Forbidden || code == errs.Invalid {
				errsInTx = append(errsInTx, rowErrors(c.num, err)...)
				continue
			} else if err != nil {
				return err
			}
			id, dup, err := s.insertRow(ctx, tx, a, r, c.p, c.num, now)
			if err != nil {
				return err
			}
			if dup {
				dups++
				errsInTx = append(errsInTx, RowError{Row: c.num, Field: headerLabel("id_number"),
					Reason: "专家库中已有此人（身份证号重复），未重复导入"})
				continue
			}
			existing[c.index] = true
			created = append(created, id)
		}
		rep.CreatedIDs, rep.Created, rep.Duplicates = created, len(created), dups
		all := append(append([]RowError(nil), base...), errsInTx...)
		sort.SliceStable(all, func(i, j int) bool { return all[i].Row < all[j].Row })
		bad := map[int]bool{}
		for _, e := range all {
			if e.Reason != "专家库中已有此人（身份证号重复），未重复导入" {
				bad[e.Row] = true
			}
		}
		rep.Errors, rep.Failed = all, len(bad)
		return s.Record(ctx, tx, a, "expert.import", "expert_import", strconv.FormatInt(now.UnixMicro(), 10), a.Region, "",
			map[string]any{"format": string(format), "rows": rep.Rows, "created": rep.Created, "duplicates": rep.Duplicates,
				"failed": rep.Failed, "created_ids": created})
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// importCand is a row that passed the checks needing no database.
type importCand struct {
	num   int
	p     prepared
	index string
}

func hasField(list []RowError, field string) bool {
	for _, e := range list {
		if e.Field == field {
			return true
		}
	}
	return false
}

// rowErrors turns a use-case error into the row's report lines.
func rowErrors(num int, err error) []RowError {
	e := errs.As(err)
	if e.Code == errs.Forbidden {
		return []RowError{{Row: num, Field: headerLabel("centre_code"), Reason: "只能导入本交易中心的专家"}}
	}
	if len(e.Fields) == 0 {
		return []RowError{{Row: num, Field: "", Reason: e.Message}}
	}
	var out []RowError
	for _, f := range e.Fields {
		out = append(out, RowError{Row: num, Field: headerLabel(fieldOf(f.Field)), Reason: f.Message})
	}
	return out
}

// existingIndexes finds which of the rows' people the library holds.
func existingIndexes(ctx context.Context, q db.Querier, rows []importCand) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(rows); start += 500 {
		end := min(start+500, len(rows))
		idx := make([]string, 0, end-start)
		for _, r := range rows[start:end] {
			idx = append(idx, r.index)
		}
		ph, args := inList(idx)
		res, err := q.Query(ctx, "SELECT id_index FROM experts WHERE id_index IN ("+ph+")", args...)
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var v string
			if err := res.Scan(&v); err != nil {
				res.Close()
				return nil, err
			}
			out[v] = true
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertRow saves one imported expert inside a savepoint, so a row that
// still collides (someone added the person meanwhile) is undone alone and
// reported as a duplicate.
func (s *Service) insertRow(ctx context.Context, tx *db.Tx, a auth.Actor, r row, p prepared, num int, now time.Time) (int64, bool, error) {
	if _, err := tx.Exec(ctx, "SAVEPOINT expert_row"); err != nil {
		return 0, false, err
	}
	id, err := s.insertExpert(ctx, tx, r, a.UserID, now)
	if errs.Is(err, errs.Invalid) { // dupErr: the person or the account is taken
		if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT expert_row"); err != nil {
			return 0, false, err
		}
		_, err := tx.Exec(ctx, "RELEASE SAVEPOINT expert_row")
		return 0, true, err
	}
	if err != nil {
		return 0, false, err
	}
	if err := replaceLists(ctx, tx, id, r.pool(Active), p); err != nil {
		return 0, false, err
	}
	d := summary(r, p, "import")
	d["row"] = num
	if err := s.Record(ctx, tx, a, "expert.create", "expert", itoa(id), r.CentreCode, "", d); err != nil {
		return 0, false, err
	}
	_, err = tx.Exec(ctx, "RELEASE SAVEPOINT expert_row")
	return id, false, err
}

// ExportOptions choose what an export holds.
type ExportOptions struct {
	Filter
	Template bool // only the header row: the import template
}

// Export writes the experts of the actor's jurisdiction (filtered) as a
// table. ID numbers and phones are in clear only for the staff of the
// expert's own centre; everyone else gets them masked. Every export is
// audited with its size. It returns how many experts were written.
func (s *Service) Export(ctx context.Context, a auth.Actor, format Format, opt ExportOptions, w io.Writer) (int, error) {
	if err := a.Authorize(auth.ExportExperts); err != nil {
		return 0, err
	}
	if format != CSV && format != XLSX {
		var f errs.Fields
		f.Add("format", "导出格式须为 xlsx 或 csv")
		return 0, f.Err()
	}
	if err := checkFilter(opt.Filter); err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	var table [][]string
	header := exportHeaders()
	unmasked := 0
	if opt.Template {
		header = Headers()
	} else {
		list, _, err := s.listExperts(ctx, s.DB, opt.Filter, exportPrefix(a), now, true)
		if err != nil {
			return 0, err
		}
		if err := s.fill(ctx, list); err != nil {
			return 0, err
		}
		for i := range list {
			if seesPII(a, list[i].CentreID) {
				unmasked++
			} else {
				maskPII(&list[i])
			}
			table = append(table, exportRow(list[i]))
		}
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		return s.Record(ctx, tx, a, "expert.export", "expert_export", strconv.FormatInt(now.UnixMicro(), 10), a.Region, "",
			map[string]any{"format": string(format), "count": len(table), "unmasked": unmasked, "template": opt.Template,
				"centre": opt.CentreCode, "specialty": opt.Specialty, "status": string(opt.Status)})
	})
	if err != nil {
		return 0, err
	}
	if format == CSV {
		return len(table), writeCSV(w, header, table)
	}
	return len(table), writeXLSX(w, header, table)
}

// fill loads specialties, past employers and relations for many experts,
// in batches.
func (s *Service) fill(ctx context.Context, list []Expert) error {
	at := map[int64]int{}
	for i := range list {
		at[list[i].ID] = i
	}
	for start := 0; start < len(list); start += 500 {
		end := min(start+500, len(list))
		ids := make([]int64, 0, end-start)
		for _, e := range list[start:end] {
			ids = append(ids, e.ID)
		}
		sp, err := specialtiesOf(ctx, s.DB, ids)
		if err != nil {
			return err
		}
		for id, v := range sp {
			list[at[id]].Specialties = v
		}
		ph, args := inList(ids)
		rows, err := s.DB.Query(ctx, "SELECT expert_id, org_name, credit_code, from_date, to_date FROM expert_employments WHERE expert_id IN ("+
			ph+") ORDER BY expert_id, from_date, id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, from, to int64
			var j Employment
			if err := rows.Scan(&id, &j.OrgName, &j.CreditCode, &from, &to); err != nil {
				rows.Close()
				return err
			}
			j.From, j.To = dateText(db.Time(from)), dateText(db.Time(to))
			list[at[id]].PastEmployers = append(list[at[id]].PastEmployers, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = s.DB.Query(ctx, "SELECT expert_id, credit_code, org_name, kind, note FROM expert_relations WHERE expert_id IN ("+
			ph+") ORDER BY expert_id, id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var r Relation
			if err := rows.Scan(&id, &r.CreditCode, &r.OrgName, &r.Kind, &r.Note); err != nil {
				rows.Close()
				return err
			}
			r.KindLabel = r.Kind.Label()
			list[at[id]].Relations = append(list[at[id]].Relations, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
