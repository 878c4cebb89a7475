package draw

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// request is the part of a draw request kept as JSON in draws.request.
type request struct {
	Quotas       []Quota          `json:"quotas"`
	Centres      []string         `json:"centres"`
	TendererReps int              `json:"tenderer_reps"`
	Complex      bool             `json:"complex"`
	MaxServes    int              `json:"max_serves"`
	ServesMonths int              `json:"serves_months"`
	MaxAge       int              `json:"max_age"`
	Named        []NamedExclusion `json:"named"`
}

// row is one draws row.
type row struct {
	ID, ProjectID, LotID, CentreID int64
	EvalStart, EvalEnd             time.Time
	Venue                          string
	BookingID                      int64
	Req                            request
	PanelSize, AnswerMinutes       int
	State                          State
	Pool, PoolDigest               []byte
	Exclusions, ExclusionsDigest   []byte
	Commitment, SeedSealed         []byte
	Contribution, Seed             []byte
	WitnessID                      int64
	Version                        int64
	CreatedBy                      int64
	CreatedAt, CommittedAt         time.Time
	WitnessedAt, UnsealedAt        time.Time

	noCalls bool // known to have no calls yet (just witnessed): nothing to read
}

const drawCols = `d.id, d.project_id, d.lot_id, d.centre_id, d.eval_start, d.eval_end, d.venue, d.booking_id, d.request,
	d.panel_size, d.answer_minutes, d.state, d.pool, d.pool_digest, d.exclusions, d.exclusions_digest, d.commitment,
	d.seed_sealed, d.contribution, d.witness_id, d.seed, d.version, d.created_by, d.created_at, d.committed_at,
	d.witnessed_at, d.unsealed_at`

func scanDraw(s interface{ Scan(...any) error }) (row, error) {
	var r row
	var booking sql.NullInt64
	var req string
	var start, end, created, committed, witnessed, unsealed int64
	err := s.Scan(&r.ID, &r.ProjectID, &r.LotID, &r.CentreID, &start, &end, &r.Venue, &booking, &req, &r.PanelSize,
		&r.AnswerMinutes, &r.State, &r.Pool, &r.PoolDigest, &r.Exclusions, &r.ExclusionsDigest, &r.Commitment,
		&r.SeedSealed, &r.Contribution, &r.WitnessID, &r.Seed, &r.Version, &r.CreatedBy, &created, &committed,
		&witnessed, &unsealed)
	if err != nil {
		return r, err
	}
	r.BookingID = booking.Int64
	r.EvalStart, r.EvalEnd = db.Time(start), db.Time(end)
	r.CreatedAt, r.CommittedAt, r.WitnessedAt, r.UnsealedAt = db.Time(created), db.Time(committed), db.Time(witnessed), db.Time(unsealed)
	if err := json.Unmarshal([]byte(req), &r.Req); err != nil {
		return r, errs.Wrap(errs.Internal, err, "抽取申请数据损坏")
	}
	return r, nil
}

func getDraw(ctx context.Context, q db.Querier, id int64) (row, error) {
	r, err := scanDraw(q.QueryRow(ctx, "SELECT "+drawCols+" FROM draws d WHERE d.id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return r, errs.E(errs.NotFound, "专家抽取记录不存在")
	}
	return r, err
}

// drawColsLight are drawCols without the pool and the exclusions (tens of
// kilobytes for a large pool): what a change of the draw reads. The pool
// is read where it is needed (poolOf).
// Unqualified: SQLite's RETURNING does not take a table alias.
var drawColsLight = strings.NewReplacer("d.pool,", "NULL,", "d.exclusions,", "NULL,", "d.", "").Replace(drawCols)

// lockDraw reads a draw for change, without its pool and exclusions: the
// version bump takes the row lock on PostgreSQL first (SQLite
// transactions already run one at a time), so two answers to one draw are
// applied one after the other.
func lockDraw(ctx context.Context, tx *db.Tx, id int64) (row, error) {
	r, err := scanDraw(tx.QueryRow(ctx, "UPDATE draws SET version = version + 1 WHERE id = ? RETURNING "+drawColsLight, id))
	if errs.Is(err, errs.NotFound) {
		return r, errs.E(errs.NotFound, "专家抽取记录不存在")
	}
	return r, err
}

// poolOf returns r's pool encoding, reading it if r was read without.
func poolOf(ctx context.Context, q db.Querier, r row) ([]byte, error) {
	if r.Pool != nil || len(r.PoolDigest) == 0 {
		return r.Pool, nil
	}
	var pool []byte
	err := q.QueryRow(ctx, "SELECT pool FROM draws WHERE id = ?", r.ID).Scan(&pool)
	return pool, err
}

func insertDraw(ctx context.Context, tx *db.Tx, r *row) error {
	req, err := json.Marshal(r.Req)
	if err != nil {
		return err
	}
	var booking any
	if r.BookingID > 0 {
		booking = r.BookingID
	}
	return tx.QueryRow(ctx, `INSERT INTO draws (project_id, lot_id, centre_id, eval_start, eval_end, venue, booking_id,
		request, panel_size, answer_minutes, state, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, r.ProjectID, r.LotID, r.CentreID, db.Micros(r.EvalStart), db.Micros(r.EvalEnd), r.Venue, booking,
		string(req), r.PanelSize, r.AnswerMinutes, r.State, r.CreatedBy, db.Micros(r.CreatedAt)).Scan(&r.ID)
}

// listDraws returns draws matching the SQL condition, newest first.
func listDraws(ctx context.Context, q db.Querier, where string, args []any, limit, offset int) ([]row, int, error) {
	var total int
	from := " FROM draws d JOIN projects p ON p.id = d.project_id WHERE "
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+from+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.Query(ctx, "SELECT "+drawCols+from+where+" ORDER BY d.id DESC LIMIT ? OFFSET ?",
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		r, err := scanDraw(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// callRow is one draw_calls row.
type callRow struct {
	ID, DrawID   int64
	Specialty    string
	Position     int
	Token        string
	ExpertSealed []byte
	ExpertIndex  string
	ExpertID     int64
	Channel      string
	State        CallState
	QueuedAt     time.Time
	SentAt       time.Time
	Deadline     time.Time
	AnsweredAt   time.Time
	EngagementID int64
	Note         string
}

const callCols = `id, draw_id, specialty, position, token, expert_sealed, expert_index, expert_id, channel, state,
	queued_at, sent_at, deadline, answered_at, engagement_id, note`

func scanCall(s interface{ Scan(...any) error }) (callRow, error) {
	var c callRow
	var queued, sent, deadline, answered int64
	err := s.Scan(&c.ID, &c.DrawID, &c.Specialty, &c.Position, &c.Token, &c.ExpertSealed, &c.ExpertIndex, &c.ExpertID,
		&c.Channel, &c.State, &queued, &sent, &deadline, &answered, &c.EngagementID, &c.Note)
	c.QueuedAt, c.SentAt, c.Deadline, c.AnsweredAt = db.Time(queued), db.Time(sent), db.Time(deadline), db.Time(answered)
	return c, err
}

// callsOf lists a draw's calls in the order they were made.
func callsOf(ctx context.Context, q db.Querier, drawID int64) ([]callRow, error) {
	return queryCalls(ctx, q, "SELECT "+callCols+" FROM draw_calls WHERE draw_id = ? ORDER BY id", drawID)
}

func queryCalls(ctx context.Context, q db.Querier, query string, args ...any) ([]callRow, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []callRow
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func callByToken(ctx context.Context, q db.Querier, token string) (callRow, error) {
	c, err := scanCall(q.QueryRow(ctx, "SELECT "+callCols+" FROM draw_calls WHERE token = ?", token))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "邀请不存在")
	}
	return c, err
}

func callByID(ctx context.Context, q db.Querier, drawID, id int64) (callRow, error) {
	c, err := scanCall(q.QueryRow(ctx, "SELECT "+callCols+" FROM draw_calls WHERE id = ? AND draw_id = ?", id, drawID))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "该通知记录不存在")
	}
	return c, err
}

// insertCalls stores a round of calls in one statement and sets their ids.
func insertCalls(ctx context.Context, tx *db.Tx, cs []callRow) error {
	if len(cs) == 0 {
		return nil
	}
	const cols = 14
	args := make([]any, 0, cols*len(cs))
	values := make([]string, len(cs))
	for i, c := range cs {
		values[i] = "(" + db.Placeholders(cols) + ")"
		args = append(args, c.DrawID, c.Specialty, c.Position, c.Token, c.ExpertSealed, c.ExpertIndex, c.ExpertID, c.Channel,
			c.State, db.Micros(c.QueuedAt), db.Micros(c.Deadline), db.Micros(c.AnsweredAt), c.EngagementID, c.Note)
	}
	rows, err := tx.Query(ctx, `INSERT INTO draw_calls (draw_id, specialty, position, token, expert_sealed, expert_index,
		expert_id, channel, state, queued_at, deadline, answered_at, engagement_id, note)
		VALUES `+strings.Join(values, ", ")+` RETURNING id, specialty, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// RETURNING gives no order: match by (specialty, position), unique in
	// a draw.
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		at[c.Specialty+"\x00"+itoa(int64(c.Position))] = i
	}
	n := 0
	for rows.Next() {
		var id int64
		var spec string
		var pos int
		if err := rows.Scan(&id, &spec, &pos); err != nil {
			return err
		}
		i, ok := at[spec+"\x00"+itoa(int64(pos))]
		if !ok {
			return errs.E(errs.Internal, "通知记录写入结果不符")
		}
		cs[i].ID = id
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != len(cs) {
		return errs.E(errs.Internal, "通知记录写入结果不符")
	}
	return nil
}

// alertsOf lists a draw's alerts and the specialties they are about.
func alertsOf(ctx context.Context, q db.Querier, drawID int64) ([]Alert, map[string]bool, error) {
	rows, err := q.Query(ctx, "SELECT id, at, message, specialty FROM draw_alerts WHERE draw_id = ? ORDER BY id", drawID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, specs := []Alert{}, map[string]bool{}
	for rows.Next() {
		var a Alert
		var at int64
		var spec string
		if err := rows.Scan(&a.ID, &at, &a.Message, &spec); err != nil {
			return nil, nil, err
		}
		a.At = db.Time(at)
		out = append(out, a)
		specs[spec] = true
	}
	return out, specs, rows.Err()
}

// supervisorOrgs are the supervisory departments of industry whose
// jurisdiction covers region: their staff may not judge the project
// (RULES C10).
func supervisorOrgs(ctx context.Context, q db.Querier, industry, region string) ([]int64, error) {
	rows, err := q.Query(ctx, "SELECT id, region_code FROM organisations WHERE kind = 'supervisor' AND industry = ?", industry)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		if centre.Within(region, code) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// expertOfUser is the library entry of a signed-in expert.
func expertOfUser(ctx context.Context, q db.Querier, userID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM experts WHERE user_id = ?", userID).Scan(&id)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.E(errs.NotFound, "您的账户未关联专家库中的专家")
	}
	return id, err
}

// expertUser is the sign-in of an expert, 0 if none.
func expertUser(ctx context.Context, q db.Querier, expertID int64) (int64, error) {
	var uid sql.NullInt64
	err := q.QueryRow(ctx, "SELECT user_id FROM experts WHERE id = ?", expertID).Scan(&uid)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	return uid.Int64, err
}

// booking is what a draw takes from an evaluation booking.
type booking struct {
	ID, ProjectID  int64
	LotID          int64
	Purpose, State string
	Room, Centre   string
	Start, End     time.Time
}

func getBooking(ctx context.Context, q db.Querier, id int64) (booking, error) {
	var b booking
	var lot sql.NullInt64
	var start, end int64
	err := q.QueryRow(ctx, `SELECT b.project_id, b.lot_id, b.purpose, b.state, r.name, c.name, b.starts_at, b.ends_at
		FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id WHERE b.id = ?`, id).
		Scan(&b.ProjectID, &lot, &b.Purpose, &b.State, &b.Room, &b.Centre, &start, &end)
	b.ID, b.LotID, b.Start, b.End = id, lot.Int64, db.Time(start), db.Time(end)
	return b, err
}

// resultPublished reports whether the lot's result notice is out (RULES
// C12: until then a procurement panel's names stay confidential).
func resultPublished(ctx context.Context, q db.Querier, projectID, lotID int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE project_id = ? AND kind = 'result' AND state = 'published'
		AND (lot_id IS NULL OR lot_id = ?)`, projectID, lotID).Scan(&n)
	return n > 0, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
