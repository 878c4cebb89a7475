package auth

import (
	"context"
	"database/sql"
	"strconv"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Personal data is sealed with the column's name as associated data, so a
// value copied into another column does not open.
var (
	aadIDNumber = []byte("users.id_number")
	aadPhone    = []byte("users.phone")
	aadOrgPhone = []byte("organisations.contact_phone")
)

func (s *Service) seal(v string, aad []byte) []byte {
	if v == "" {
		return nil
	}
	return s.pii.Seal([]byte(v), aad)
}

func (s *Service) open(v []byte, aad []byte) string {
	if len(v) == 0 {
		return ""
	}
	p, err := s.pii.Open(v, aad)
	if err != nil {
		return "（无法解密）"
	}
	return string(p)
}

func (s *Service) insertOrg(ctx context.Context, tx *db.Tx, o Organisation) (int64, error) {
	var id int64
	var decided any
	if !o.DecidedAt.IsZero() {
		decided = db.Micros(o.DecidedAt)
	}
	err := tx.QueryRow(ctx, `INSERT INTO organisations (name, kind, credit_code, centre_id, region_code, industry,
		legal_rep, contact_name, contact_phone, status, status_reason, created_at, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.Name, o.Kind, o.CreditCode, o.CentreID, o.RegionCode, o.Industry, o.LegalRep, o.ContactName,
		s.seal(o.ContactPhone, aadOrgPhone), o.Status, o.StatusReason, db.Micros(o.CreatedAt), decided).Scan(&id)
	if errs.Is(err, errs.Conflict) {
		var f errs.Fields
		f.Add("credit_code", "该统一社会信用代码已注册")
		return 0, f.Err()
	}
	return id, err
}

const orgColumns = `id, name, kind, credit_code, centre_id, region_code, industry, legal_rep, contact_name,
	contact_phone, status, status_reason, created_at, decided_at`

func (s *Service) scanOrg(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var phone []byte
	var created int64
	var decided sql.NullInt64
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.CreditCode, &o.CentreID, &o.RegionCode, &o.Industry, &o.LegalRep,
		&o.ContactName, &phone, &o.Status, &o.StatusReason, &created, &decided)
	o.ContactPhone = s.open(phone, aadOrgPhone)
	o.CreatedAt, o.DecidedAt = db.Time(created), db.Time(decided.Int64)
	return o, err
}

func (s *Service) getOrg(ctx context.Context, q db.Querier, id int64) (Organisation, error) {
	o, err := s.scanOrg(q.QueryRow(ctx, "SELECT "+orgColumns+" FROM organisations WHERE id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return o, errs.E(errs.NotFound, "单位不存在")
	}
	return o, err
}

func (s *Service) listOrgs(ctx context.Context, regionPrefix string, f OrgFilter) ([]Organisation, int, error) {
	where := "region_code LIKE ?"
	args := []any{regionPrefix + "%"}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	if f.Kind != "" {
		where += " AND kind = ?"
		args = append(args, f.Kind)
	}
	if f.Query != "" {
		where += " AND (name LIKE ? OR credit_code LIKE ?)"
		args = append(args, "%"+f.Query+"%", "%"+f.Query+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, "SELECT count(*) FROM organisations WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rows, err := s.db.Query(ctx, "SELECT "+orgColumns+" FROM organisations WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := s.scanOrg(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

func (s *Service) insertUser(ctx context.Context, tx *db.Tx, u User, hash string) (int64, error) {
	var id int64
	var index any
	if u.IDNumber != "" {
		index = s.pii.Index(u.IDNumber)
	}
	err := tx.QueryRow(ctx, `INSERT INTO users (org_id, username, display_name, role, id_number, id_index, phone,
		password_hash, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.OrgID, u.Username, u.DisplayName, u.Role, s.seal(u.IDNumber, aadIDNumber), index,
		s.seal(u.Phone, aadPhone), hash, u.Status, db.Micros(u.CreatedAt)).Scan(&id)
	if e := errs.As(err); errs.Is(err, errs.Conflict) {
		var f errs.Fields
		if e.Message == "身份证号已存在" {
			f.Add("id_number", "该身份证号已有账户")
		} else {
			f.Add("username", "用户名已被使用")
		}
		return 0, f.Err()
	}
	return id, err
}

const userColumns = `id, org_id, username, display_name, role, id_number, phone, status, created_at, last_login_at, prev_login_at`

func (s *Service) scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var idn, phone []byte
	var created, last, prev int64
	err := row.Scan(&u.ID, &u.OrgID, &u.Username, &u.DisplayName, &u.Role, &idn, &phone, &u.Status, &created, &last, &prev)
	u.IDNumber, u.Phone = s.open(idn, aadIDNumber), s.open(phone, aadPhone)
	u.CreatedAt, u.LastLoginAt, u.PrevLoginAt = db.Time(created), db.Time(last), db.Time(prev)
	return u, err
}

func (s *Service) getUser(ctx context.Context, q db.Querier, where string, arg any) (User, error) {
	u, err := s.scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if errs.Is(err, errs.NotFound) {
		return u, errs.E(errs.NotFound, "用户不存在")
	}
	return u, err
}

func (s *Service) usersOf(ctx context.Context, orgID int64) ([]User, error) {
	rows, err := s.db.Query(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? ORDER BY id", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := s.scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// actorOf builds the Actor for a user id, refusing users or organisations
// that are not active.
func (s *Service) actorOf(ctx context.Context, q db.Querier, userID int64, ip string) (Actor, error) {
	var a Actor
	var ustatus, ostatus Status
	err := q.QueryRow(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.status,
		o.id, o.name, o.kind, o.centre_id, o.region_code, o.industry, o.status
		FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`, userID).Scan(
		&a.UserID, &a.Username, &a.Name, &a.Role, &ustatus, &a.OrgID, &a.OrgName, &a.OrgKind, &a.CentreID,
		&a.Region, &a.Industry, &ostatus)
	if err != nil {
		return Actor{}, err
	}
	if ustatus != Active || ostatus != Approved {
		return Actor{}, errs.E(errs.Unauthenticated, "账户未启用或单位未通过审核")
	}
	a.IP = ip
	return a, nil
}
