package expert

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// SQL for the library. Nothing here checks access: the use cases do,
// before they call it.

const expertCols = `e.id, e.name, e.id_number, e.phone, e.email, e.user_id, e.employer_org_id, e.employer_name,
	e.employer_code, e.centre_id, e.centre_code, c.name, e.title, e.years, e.birth_date, e.status, e.status_reason,
	e.suspended_from, e.suspended_until, e.dishonest, e.dishonest_note, e.created_at, e.updated_at, COALESCE(u.username, '')`
const expertFrom = ` FROM experts e JOIN centres c ON c.id = e.centre_id LEFT JOIN users u ON u.id = e.user_id`

// scanExpert reads a row of expertCols, decrypting the personal numbers.
func (s *Service) scanExpert(row interface{ Scan(...any) error }) (Expert, error) {
	var e Expert
	var idn, phone []byte
	var user, employer sql.NullInt64
	var birth, susFrom, susUntil, created, updated int64
	err := row.Scan(&e.ID, &e.Name, &idn, &phone, &e.Email, &user, &employer, &e.EmployerName, &e.EmployerCode,
		&e.CentreID, &e.CentreCode, &e.CentreName, &e.Title, &e.Years, &birth, &e.Status, &e.StatusReason,
		&susFrom, &susUntil, &e.Dishonest, &e.DishonestNote, &created, &updated, &e.Username)
	if err != nil {
		return e, err
	}
	e.IDNumber, e.Phone = s.open(idn, aadIDNumber), s.open(phone, aadPhone)
	e.UserID, e.EmployerOrgID = user.Int64, employer.Int64
	e.BirthDate = dateText(db.Time(birth))
	e.StatusLabel = e.Status.Label()
	if e.Status == Suspended {
		if susFrom != 0 {
			e.SuspendedFrom = dateText(db.Time(susFrom))
		}
		if susUntil != 0 {
			e.SuspendedUntil = dateText(db.Time(susUntil))
		}
	}
	e.CreatedAt, e.UpdatedAt = db.Time(created), db.Time(updated)
	e.Specialties, e.PastEmployers, e.Relations, e.Leaves, e.Penalties = []Specialty{}, []Employment{}, []Relation{}, []Leave{}, []Penalty{}
	return e, nil
}

func (s *Service) getExpert(ctx context.Context, q db.Querier, where string, arg any) (Expert, error) {
	e, err := s.scanExpert(q.QueryRow(ctx, "SELECT "+expertCols+expertFrom+" WHERE "+where, arg))
	if errs.Is(err, errs.NotFound) {
		return e, notFound()
	}
	return e, err
}

// details fills an expert's lists: specialties, past employers, relations,
// leave that has not ended, penalties.
func details(ctx context.Context, q db.Querier, e *Expert, now time.Time) error {
	sp, err := specialtiesOf(ctx, q, []int64{e.ID})
	if err != nil {
		return err
	}
	e.Specialties = orEmpty(sp[e.ID])
	rows, err := q.Query(ctx, `SELECT org_name, credit_code, from_date, to_date FROM expert_employments
		WHERE expert_id = ? ORDER BY from_date, id`, e.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var j Employment
		var from, to int64
		if err := rows.Scan(&j.OrgName, &j.CreditCode, &from, &to); err != nil {
			rows.Close()
			return err
		}
		j.From, j.To = dateText(db.Time(from)), dateText(db.Time(to))
		e.PastEmployers = append(e.PastEmployers, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT credit_code, org_name, kind, note FROM expert_relations WHERE expert_id = ? ORDER BY id", e.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r Relation
		if err := rows.Scan(&r.CreditCode, &r.OrgName, &r.Kind, &r.Note); err != nil {
			rows.Close()
			return err
		}
		r.KindLabel = r.Kind.Label()
		e.Relations = append(e.Relations, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if e.Leaves, err = leavesOf(ctx, q, e.ID, now); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT id, on_date, text, barred_until FROM expert_penalties WHERE expert_id = ? ORDER BY on_date, id", e.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Penalty
		var on, barred int64
		if err := rows.Scan(&p.ID, &on, &p.Text, &barred); err != nil {
			return err
		}
		p.Date = dateText(db.Time(on))
		if barred != 0 {
			p.BarredUntil = dateText(db.Time(barred))
		}
		e.Penalties = append(e.Penalties, p)
	}
	return rows.Err()
}

// leavesOf lists an expert's leave that ends after now, soonest first.
func leavesOf(ctx context.Context, q db.Querier, id int64, now time.Time) ([]Leave, error) {
	rows, err := q.Query(ctx, `SELECT id, starts_at, ends_at, reason FROM expert_leaves WHERE expert_id = ? AND ends_at > ?
		ORDER BY starts_at, id`, id, db.Micros(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Leave{}
	for rows.Next() {
		var l Leave
		var from, to int64
		if err := rows.Scan(&l.ID, &from, &to, &l.Reason); err != nil {
			return nil, err
		}
		l.From, l.To = db.Time(from), db.Time(to)
		out = append(out, l)
	}
	return out, rows.Err()
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// inList is "?, ?, ?" with its arguments.
func inList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return db.Placeholders(len(vals)), args
}

// specialtiesOf reads the specialties of several experts, in code order.
func specialtiesOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Specialty, error) {
	out := map[int64][]Specialty{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := inList(ids)
	rows, err := q.Query(ctx, "SELECT expert_id, code FROM expert_specialties WHERE expert_id IN ("+ph+") ORDER BY expert_id, code", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		sp, ok := taxonomy.Get(code)
		if !ok {
			sp = Specialty{Code: code, Name: "（已停用的专业代码）"}
		}
		out[id] = append(out[id], sp)
	}
	return out, rows.Err()
}

// flagsOf computes the flags of several experts at now.
func flagsOf(ctx context.Context, q db.Querier, ids []int64, now time.Time) (map[int64]Flags, error) {
	out := map[int64]Flags{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := inList(ids)
	declines := map[int64]int{}
	rows, err := q.Query(ctx, "SELECT expert_id, count(*) FROM expert_engagements WHERE outcome = ? AND from_at >= ? AND expert_id IN ("+
		ph+") GROUP BY expert_id", append([]any{Declined, db.Micros(now.AddDate(0, -DeclineMonths, 0))}, args...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		declines[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	scores := map[int64][]int{}
	rows, err = q.Query(ctx, "SELECT expert_id, score FROM expert_ratings WHERE expert_id IN ("+ph+") ORDER BY expert_id, created_at DESC, id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var score int
		if err := rows.Scan(&id, &score); err != nil {
			return nil, err
		}
		scores[id] = append(scores[id], score)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = ComputeFlags(declines[id], scores[id])
	}
	return out, nil
}

// flaggedSQL selects the ids of experts with a raised flag: DeclineLimit
// declines since ?, or an average below LowRating over their latest
// RatingWindow ratings.
var flaggedSQL = `(e.id IN (SELECT expert_id FROM expert_engagements WHERE outcome = 'declined' AND from_at >= ?
		GROUP BY expert_id HAVING count(*) >= ` + strconv.Itoa(DeclineLimit) + `)
	OR e.id IN (SELECT expert_id FROM (SELECT expert_id, score, ROW_NUMBER() OVER (PARTITION BY expert_id
		ORDER BY created_at DESC, id DESC) AS rn FROM expert_ratings) r WHERE rn <= ` + strconv.Itoa(RatingWindow) + ` GROUP BY expert_id
		HAVING sum(score) < ` + strconv.Itoa(LowRating) + ` * count(*)))`

// row is what the experts table holds for one expert.
type row struct {
	Name, Email, EmployerName, EmployerCode, CentreCode, Title string
	IDNumber, Phone                                            string // clear; sealed on write
	UserID, EmployerOrgID, CentreID                            int64
	Years                                                      int
	Birth                                                      time.Time
	Dishonest                                                  bool
	DishonestNote                                              string
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertExpert adds an active expert; a second record for the same person
// is a Conflict.
func (s *Service) insertExpert(ctx context.Context, tx *db.Tx, r row, by int64, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO experts (name, id_number, id_index, phone, email, user_id, employer_org_id,
		employer_name, employer_code, centre_id, centre_code, title, years, birth_date, status, dishonest, dishonest_note,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Name, s.seal(r.IDNumber, aadIDNumber), s.Keys.PII.Index(r.IDNumber), s.seal(r.Phone, aadPhone), r.Email,
		nullID(r.UserID), nullID(r.EmployerOrgID), r.EmployerName, r.EmployerCode, r.CentreID, r.CentreCode, r.Title, r.Years,
		db.Micros(r.Birth), string(Active), r.Dishonest, r.DishonestNote, by, db.Micros(now), db.Micros(now)).Scan(&id)
	return id, dupErr(err)
}

// dupErr names which unique value a Conflict is about.
func dupErr(err error) error {
	if !errs.Is(err, errs.Conflict) {
		return err
	}
	var f errs.Fields
	switch e := errs.As(err); {
	case strings.Contains(e.Message, "身份证号"), strings.Contains(errString(e.Err), "id_index"):
		f.Add("id_number", "专家库中已有此人（身份证号重复）")
	case strings.Contains(errString(e.Err), "user_id"):
		f.Add("user_id", "该账户已关联其他专家")
	default:
		return err
	}
	return f.Err()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// updateExpert writes the editable columns; sealed numbers are replaced
// only when given.
func (s *Service) updateExpert(ctx context.Context, tx *db.Tx, id int64, r row, now time.Time) error {
	sets := []string{"name = ?", "email = ?", "user_id = ?", "employer_org_id = ?", "employer_name = ?", "employer_code = ?",
		"centre_id = ?", "centre_code = ?", "title = ?", "years = ?", "dishonest = ?", "dishonest_note = ?", "updated_at = ?"}
	args := []any{r.Name, r.Email, nullID(r.UserID), nullID(r.EmployerOrgID), r.EmployerName, r.EmployerCode, r.CentreID,
		r.CentreCode, r.Title, r.Years, r.Dishonest, r.DishonestNote, db.Micros(now)}
	if r.IDNumber != "" {
		sets = append(sets, "id_number = ?", "id_index = ?", "birth_date = ?")
		args = append(args, s.seal(r.IDNumber, aadIDNumber), s.Keys.PII.Index(r.IDNumber), db.Micros(r.Birth))
	}
	if r.Phone != "" {
		sets = append(sets, "phone = ?")
		args = append(args, s.seal(r.Phone, aadPhone))
	}
	_, err := tx.Exec(ctx, "UPDATE experts SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
	return dupErr(err)
}

// poolRow is what expert_specialties repeats of the expert for the pool.
type poolRow struct {
	centre, employer string
	status           Status
	dishonest        bool
	birth            time.Time
}

// replaceLists rewrites an expert's specialties (with the pool's copy of
// the expert), past employers and relations.
func replaceLists(ctx context.Context, tx *db.Tx, id int64, pr poolRow, p prepared) error {
	if err := touch(ctx, tx, id); err != nil {
		return err
	}
	for _, t := range []string{"expert_specialties", "expert_employments", "expert_relations"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE expert_id = ?", id); err != nil {
			return err
		}
	}
	for _, c := range p.specialties {
		if _, err := tx.Exec(ctx, `INSERT INTO expert_specialties (expert_id, code, centre_code, employer_code, status, dishonest,
			birth_date) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, c, pr.centre, pr.employer, string(pr.status), pr.dishonest, db.Micros(pr.birth)); err != nil {
			return err
		}
	}
	for _, j := range p.jobs {
		if _, err := tx.Exec(ctx, `INSERT INTO expert_employments (expert_id, org_name, credit_code, from_date, to_date)
			VALUES (?, ?, ?, ?, ?)`, id, j.OrgName, j.CreditCode, db.Micros(j.from), db.Micros(j.to)); err != nil {
			return err
		}
	}
	for _, r := range p.in.Relations {
		if _, err := tx.Exec(ctx, "INSERT INTO expert_relations (expert_id, credit_code, org_name, kind, note) VALUES (?, ?, ?, ?, ?)",
			id, r.CreditCode, r.OrgName, string(r.Kind), r.Note); err != nil {
			return err
		}
	}
	return nil
}

// syncStanding keeps the pool's copy of an expert's status and suspension
// in step with experts; every change of either calls it.
func syncStanding(ctx context.Context, tx *db.Tx, id int64) error {
	if err := touch(ctx, tx, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE expert_specialties SET status = (SELECT status FROM experts WHERE id = ?),
		suspended_from = (SELECT suspended_from FROM experts WHERE id = ?),
		suspended_until = (SELECT suspended_until FROM experts WHERE id = ?) WHERE expert_id = ?`, id, id, id, id)
	return err
}

// touch bumps the library's version and stamps expert id with it, in the
// transaction that changes what the pool caches of the expert (record,
// specialties, employers, relations, standing, leave, penalties): the
// nodes' caches reload the experts stamped after the version they hold
// (poolcache.go). The bump's row lock orders the writers.
func touch(ctx context.Context, tx *db.Tx, id int64) error {
	var v int64
	if err := tx.QueryRow(ctx, "UPDATE expert_library SET version = version + 1 WHERE id = 1 RETURNING version").Scan(&v); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE experts SET revision = ? WHERE id = ?", v, id)
	return err
}

// Filter narrows List and Export.
type Filter struct {
	CentreCode string // home centre (exactly this centre)
	Specialty  string // code prefix
	Status     Status
	Query      string // part of the name or employer
	Flagged    bool   // only experts with a raised flag
	Limit      int
	Offset     int
}

// where builds the WHERE clause of a list within region prefix.
func (f Filter) where(prefix string, now time.Time) (string, []any) {
	w, args := []string{"1 = 1"}, []any{}
	if prefix != "" {
		w, args = append(w, "e.centre_code LIKE ?"), append(args, prefix+"%")
	}
	if f.CentreCode != "" {
		w, args = append(w, "e.centre_code = ?"), append(args, f.CentreCode)
	}
	if f.Specialty != "" {
		lo, hi := prefixRange(NormalizeCode(f.Specialty))
		w, args = append(w, "e.id IN (SELECT expert_id FROM expert_specialties WHERE code >= ? AND code < ?)"), append(args, lo, hi)
	}
	if f.Status != "" {
		w, args = append(w, "e.status = ?"), append(args, string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w, args = append(w, "(e.name LIKE ? OR e.employer_name LIKE ?)"), append(args, "%"+q+"%", "%"+q+"%")
	}
	if f.Flagged {
		w, args = append(w, flaggedSQL), append(args, db.Micros(now.AddDate(0, -DeclineMonths, 0)))
	}
	return strings.Join(w, " AND "), args
}

// listExperts returns a page of experts in id order and the total.
func (s *Service) listExperts(ctx context.Context, q db.Querier, f Filter, prefix string, now time.Time, all bool) ([]Expert, int, error) {
	where, args := f.where(prefix, now)
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*)"+expertFrom+" WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := "SELECT " + expertCols + expertFrom + " WHERE " + where + " ORDER BY e.centre_code, e.id"
	if !all {
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Expert
	for rows.Next() {
		e, err := s.scanExpert(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
