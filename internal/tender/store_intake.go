package tender

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// SQL for registration, intake and the lists. Reads of organisations and
// centres here are joins for names and a kind/status check of the parties
// a project names; they belong to auth and centre, which offer no
// unchecked read for another package's transaction.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// qualified is projectCols with the "p." table prefix, for joins.
var qualified = func() string {
	cols := strings.Split(strings.Join(strings.Fields(projectCols), " "), ", ")
	return "p." + strings.Join(cols, ", p.")
}()

// party is what intake needs to know of an organisation a project names.
type party struct {
	Kind, Status, Name string
}

func getParty(ctx context.Context, q db.Querier, id int64) (party, error) {
	var p party
	err := q.QueryRow(ctx, "SELECT kind, status, name FROM organisations WHERE id = ?", id).Scan(&p.Kind, &p.Status, &p.Name)
	return p, err
}

func partyByCreditCode(ctx context.Context, q db.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM organisations WHERE credit_code = ?", code).Scan(&id)
	return id, err
}

// nextCode allocates the project code 530602-2026-0001: the centre's
// region, the Beijing year and a sequence per region and year. The
// advisory lock keeps two PostgreSQL transactions from taking the same
// number (SQLite runs one writer at a time anyway).
func nextCode(ctx context.Context, tx *db.Tx, region string, now time.Time) (string, error) {
	prefix := fmt.Sprintf("%s-%d-", region, clock.Local(now).Year())
	h := fnv.New64a()
	h.Write([]byte("project-code:" + prefix))
	if err := tx.Lock(ctx, int64(h.Sum64()>>1)); err != nil {
		return "", err
	}
	rows, err := tx.Query(ctx, "SELECT code FROM projects WHERE code LIKE ?", prefix+"%")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	last := 0
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return "", err
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(code, prefix)); err == nil && n > last {
			last = n
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%04d", prefix, last+1), nil
}

// lockProject serialises the transactions that change one project (edit,
// upload, submit, decide, move) on PostgreSQL, so a file cannot slip into
// a project that is being submitted; SQLite has one writer anyway.
func lockProject(ctx context.Context, tx *db.Tx, id int64) error {
	h := fnv.New64a()
	h.Write([]byte("project:" + itoa(id)))
	return tx.Lock(ctx, int64(h.Sum64()>>1))
}

func insertProject(ctx context.Context, tx *db.Tx, p Project) (int64, error) {
	var agent any
	if p.AgentOrgID != 0 {
		agent = p.AgentOrgID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		state_funded, approval_ref, estimated_price, tenderer_org_id, agent_org_id, green_channel, green_reason, state,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Code, p.Name, p.TradeKind, p.Industry, p.CentreID, p.RegionCode, p.Procedure, p.StateFunded, p.ApprovalRef,
		p.EstimatedPrice, p.TendererOrgID, agent, p.GreenChannel, p.GreenReason, p.State, p.CreatedBy,
		db.Micros(p.CreatedAt), db.Micros(p.UpdatedAt)).Scan(&id)
	return id, err
}

// updateDraft saves the applicant's edit; the state guard makes a
// concurrent submission or decision win cleanly.
func updateDraft(ctx context.Context, tx *db.Tx, p Project, from State) error {
	res, err := tx.Exec(ctx, `UPDATE projects SET name = ?, trade_kind = ?, industry = ?, procedure = ?, state_funded = ?,
		approval_ref = ?, estimated_price = ?, green_channel = ?, green_reason = ?, updated_at = ?
		WHERE id = ? AND state = ?`, p.Name, p.TradeKind, p.Industry, p.Procedure, p.StateFunded, p.ApprovalRef,
		p.EstimatedPrice, p.GreenChannel, p.GreenReason, db.Micros(p.UpdatedAt), p.ID, from)
	return expectOne(res, err)
}

// replaceLots deletes and re-creates a project's lots. Only for drafts and
// returned projects, which nothing else refers to yet.
func replaceLots(ctx context.Context, tx *db.Tx, projectID int64, state State, lots []LotInput) error {
	if _, err := tx.Exec(ctx, "DELETE FROM lots WHERE project_id = ?", projectID); err != nil {
		return err
	}
	for i, l := range lots {
		_, err := tx.Exec(ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, projectID, i+1, l.Name, l.EstimatedPrice, l.MaxPrice, l.Deposit, l.EvalMethod, state)
		if err != nil {
			return err
		}
	}
	return nil
}

// setState moves a project from one state to another with the intake
// columns the move sets; lots in the project's old state follow it (a lot
// that has gone its own way, say failed on its own, stays).
func setState(ctx context.Context, tx *db.Tx, p Project, from State, now time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE projects SET state = ?, submitted_at = ?, due_at = ?, decided_at = ?, decided_by = ?,
		return_reason = ?, updated_at = ? WHERE id = ? AND state = ?`, p.State, db.Micros(p.SubmittedAt), db.Micros(p.DueAt),
		db.Micros(p.DecidedAt), p.DecidedBy, p.ReturnReason, db.Micros(now), p.ID, from)
	if err := expectOne(res, err); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE lots SET state = ? WHERE project_id = ? AND state = ?", p.State, p.ID, from)
	return err
}

// expectOne turns "no row matched the state guard" into a conflict: someone
// else moved the project between our read and our write.
func expectOne(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return errs.E(errs.Conflict, "项目状态已被他人更改，请刷新后重试")
	}
	return nil
}

// scope is the WHERE clause of what an actor may list.
type scope struct {
	where []string
	args  []any
}

func (s *scope) add(cond string, args ...any) {
	s.where = append(s.where, cond)
	s.args = append(s.args, args...)
}

func (s *scope) sql() string {
	if len(s.where) == 0 {
		return "1 = 1"
	}
	return strings.Join(s.where, " AND ")
}

// likeEscape escapes LIKE wildcards in user text (used with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const listingFrom = ` FROM projects p JOIN organisations t ON t.id = p.tenderer_org_id
	LEFT JOIN organisations a ON a.id = p.agent_org_id JOIN centres c ON c.id = p.centre_id`

func entries(ctx context.Context, q db.Querier, sc scope, order string, limit, offset int, now time.Time) ([]Entry, int, error) {
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*)"+listingFrom+" WHERE "+sc.sql(), sc.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	args := append(append([]any{}, sc.args...), limit, offset)
	rows, err := q.Query(ctx, "SELECT "+qualified+", t.name, COALESCE(a.name, ''), c.name"+listingFrom+
		" WHERE "+sc.sql()+" ORDER BY "+order+" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var l Entry
		var tn, an, cn string
		p, err := scanProject(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &tn, &an, &cn)...)
		}))
		if err != nil {
			return nil, 0, err
		}
		l = newEntry(p, tn, an, cn, now)
		out = append(out, l)
	}
	return out, total, rows.Err()
}

// scanFunc adapts a function to the Scan interface scanProject takes, so a
// joined row can add its own columns.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// getEntry reads one project with its lots and party names.
func getEntry(ctx context.Context, q db.Querier, id int64, now time.Time) (Entry, error) {
	var sc scope
	sc.add("p.id = ?", id)
	ls, _, err := entries(ctx, q, sc, "p.id", 1, 0, now)
	if err != nil {
		return Entry{}, err
	}
	if len(ls) == 0 {
		return Entry{}, errs.E(errs.NotFound, "项目不存在")
	}
	l := ls[0]
	l.Lots, err = LotsOf(ctx, q, id)
	return l, err
}

const materialCols = "id, project_id, material_id, name, blob_key, size, uploaded_at, uploaded_by"

func scanMaterial(row interface{ Scan(...any) error }) (ProjectMaterial, error) {
	var m ProjectMaterial
	var mid *int64
	var at int64
	err := row.Scan(&m.ID, &m.ProjectID, &mid, &m.FileName, &m.BlobKey, &m.Size, &at, &m.UploadedBy)
	if mid != nil {
		m.MaterialID = *mid
	}
	m.UploadedAt = db.Time(at)
	return m, err
}

// MaterialsOf lists the files uploaded for a project, oldest first.
func MaterialsOf(ctx context.Context, q db.Querier, projectID int64) ([]ProjectMaterial, error) {
	rows, err := q.Query(ctx, "SELECT "+materialCols+" FROM project_materials WHERE project_id = ? ORDER BY id", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ProjectMaterial{}
	for rows.Next() {
		m, err := scanMaterial(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func getMaterial(ctx context.Context, q db.Querier, projectID, id int64) (ProjectMaterial, error) {
	m, err := scanMaterial(q.QueryRow(ctx, "SELECT "+materialCols+" FROM project_materials WHERE id = ? AND project_id = ?", id, projectID))
	if errs.Is(err, errs.NotFound) {
		return m, errs.E(errs.NotFound, "材料文件不存在")
	}
	return m, err
}

func insertMaterial(ctx context.Context, tx *db.Tx, m ProjectMaterial) (int64, error) {
	var mid any
	if m.MaterialID != 0 {
		mid = m.MaterialID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO project_materials (project_id, material_id, name, blob_key, size, uploaded_at, uploaded_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.ProjectID, mid, m.FileName, m.BlobKey, m.Size,
		db.Micros(m.UploadedAt), m.UploadedBy).Scan(&id)
	return id, err
}
