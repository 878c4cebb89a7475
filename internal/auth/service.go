package auth

import (
	"context"
	"strings"
	"sync"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/ident"
)

// Config tunes sign-in safety.
type Config struct {
	SessionTTL     time.Duration // how long a sign-in lasts
	MaxFailures    int           // consecutive wrong passwords before lock-out
	LockFor        time.Duration // how long the lock-out lasts
	IPAttempts     int           // sign-in attempts per address per IPWindow
	IPWindow       time.Duration
	TokenMaxDays   int
	PasswordHasher Argon2
}

// DefaultConfig is what production runs with.
var DefaultConfig = Config{
	SessionTTL:     8 * time.Hour,
	MaxFailures:    5,
	LockFor:        15 * time.Minute,
	IPAttempts:     30,
	IPWindow:       10 * time.Minute,
	TokenMaxDays:   366,
	PasswordHasher: DefaultArgon2,
}

// Service runs the identity use cases.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Log
	pii   *gm.Box
	cfg   Config

	mu       sync.Mutex
	attempts map[string][]time.Time // sign-in attempts per IP, within IPWindow
}

// NewService wires the service; pii seals ID numbers and phones at rest.
func NewService(d *db.DB, clk clock.Clock, log *audit.Log, pii *gm.Box, cfg Config) *Service {
	return &Service{db: d, clock: clk, audit: log, pii: pii, cfg: cfg, attempts: map[string][]time.Time{}}
}

// System is the actor for commands run on the server itself (CLI, demo
// loader): it acts as an administrator and is named as such in the trail.
var System = Actor{Role: Admin, Username: "system", Name: "系统（服务器命令）"}

// record appends an audit event for actor inside tx.
func (s *Service) record(ctx context.Context, tx *db.Tx, a Actor, action, objType, objID, region string, details map[string]any) error {
	_, err := s.audit.Append(ctx, tx, audit.Event{
		ActorID: a.UserID, ActorName: actorName(a), OrgID: a.OrgID, IP: a.IP,
		Action: action, ObjectType: objType, ObjectID: objID, Region: region,
		Industry: string(a.Industry), Details: details,
	})
	return err
}

func actorName(a Actor) string {
	if a.Username == "" {
		return "公众"
	}
	if a.Name != "" {
		return a.Name + "(" + a.Username + ")"
	}
	return a.Username
}

// Registration is what a tenderer, agent or bidder fills in to register
// itself and its first user (free and without precondition, RULES B2).
type Registration struct {
	OrgName      string  `json:"org_name"`
	Kind         OrgKind `json:"kind"`
	CreditCode   string  `json:"credit_code"`
	CentreCode   string  `json:"centre_code"` // region code of the centre it registers with
	LegalRep     string  `json:"legal_rep"`
	ContactName  string  `json:"contact_name"`
	ContactPhone string  `json:"contact_phone"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	IDNumber     string  `json:"id_number"`
	Phone        string  `json:"phone"`
	Password     string  `json:"password"`
}

func (r *Registration) normalise() {
	r.OrgName = strings.TrimSpace(r.OrgName)
	r.CreditCode = strings.ToUpper(strings.TrimSpace(r.CreditCode))
	r.CentreCode = strings.TrimSpace(r.CentreCode)
	r.LegalRep = strings.TrimSpace(r.LegalRep)
	r.ContactName = strings.TrimSpace(r.ContactName)
	r.ContactPhone = strings.TrimSpace(r.ContactPhone)
	r.Username = normaliseUsername(r.Username)
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	r.IDNumber = strings.ToUpper(strings.TrimSpace(r.IDNumber))
	r.Phone = strings.TrimSpace(r.Phone)
}

func (s *Service) validateOrg(f *errs.Fields, name string, kind OrgKind, credit, legalRep, contact, phone string) {
	if f.Required("org_name", "单位名称", name) {
		f.MaxLen("org_name", "单位名称", name, 100)
	}
	if kind.Label() == "" {
		f.Add("kind", "单位类型无效")
	}
	if f.Required("credit_code", "统一社会信用代码", credit) {
		if err := ident.CreditCode(credit); err != nil {
			f.Add("credit_code", "%s", errs.As(err).Message)
		}
	}
	if f.Required("legal_rep", "法定代表人", legalRep) {
		f.MaxLen("legal_rep", "法定代表人", legalRep, 50)
	}
	if f.Required("contact_name", "联系人", contact) {
		f.MaxLen("contact_name", "联系人", contact, 50)
	}
	if f.Required("contact_phone", "联系电话", phone) {
		if err := ident.Phone(phone); err != nil {
			f.Add("contact_phone", "%s", errs.As(err).Message)
		}
	}
}

func (s *Service) validatePerson(f *errs.Fields, username, display, idNumber, phone, password string) {
	if f.Required("username", "用户名", username) {
		if !validUsername(username) {
			f.Add("username", "用户名须为3至32位字母、数字、下划线或点，且以字母开头")
		}
	}
	if f.Required("display_name", "姓名", display) {
		f.MaxLen("display_name", "姓名", display, 50)
	}
	if f.Required("id_number", "身份证号", idNumber) {
		if err := ident.IDNumber(idNumber, s.clock.Now()); err != nil {
			f.Add("id_number", "%s", errs.As(err).Message)
		}
	}
	if f.Required("phone", "手机号", phone) {
		if err := ident.Phone(phone); err != nil {
			f.Add("phone", "%s", errs.As(err).Message)
		}
	}
	if f.Required("password", "密码", password) {
		if p := passwordProblem(password, username); p != "" {
			f.Add("password", "%s", p)
		}
	}
}

// normaliseUsername makes usernames case-insensitive: "Bidder1" and
// "bidder1" are the same account, so nobody can register a look-alike.
func normaliseUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

func validUsername(u string) bool {
	if len(u) < 3 || len(u) > 32 || !(u[0] >= 'a' && u[0] <= 'z' || u[0] >= 'A' && u[0] <= 'Z') {
		return false
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Register creates a pending organisation and its first (pending) user.
// Centre staff of the chosen centre approve it.
func (s *Service) Register(ctx context.Context, a Actor, r Registration) (Organisation, User, error) {
	if err := a.Authorize(RegisterOrg); err != nil {
		return Organisation{}, User{}, err
	}
	r.normalise()
	var f errs.Fields
	s.validateOrg(&f, r.OrgName, r.Kind, r.CreditCode, r.LegalRep, r.ContactName, r.ContactPhone)
	if r.Kind.Label() != "" && !r.Kind.SelfRegistrable() {
		f.Add("kind", "只有招标人、招标代理机构和投标人可以自行注册")
	}
	f.Required("centre_code", "交易中心", r.CentreCode)
	s.validatePerson(&f, r.Username, r.DisplayName, r.IDNumber, r.Phone, r.Password)
	if err := f.Err(); err != nil {
		return Organisation{}, User{}, err
	}
	hash := s.cfg.PasswordHasher.Hash(r.Password)
	now := s.clock.Now()
	var org Organisation
	var user User
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		c, err := centre.ByCode(ctx, tx, r.CentreCode)
		if err != nil {
			var f errs.Fields
			f.Add("centre_code", "所选交易中心不存在")
			return f.Err()
		}
		org = Organisation{Name: r.OrgName, Kind: r.Kind, CreditCode: r.CreditCode, CentreID: c.ID,
			RegionCode: c.RegionCode, LegalRep: r.LegalRep, ContactName: r.ContactName,
			ContactPhone: r.ContactPhone, Status: Pending, CreatedAt: now}
		if org.ID, err = s.insertOrg(ctx, tx, org); err != nil {
			return err
		}
		user = User{OrgID: org.ID, Username: r.Username, DisplayName: r.DisplayName, Role: Role(r.Kind),
			IDNumber: r.IDNumber, Phone: r.Phone, Status: Pending, CreatedAt: now}
		if user.ID, err = s.insertUser(ctx, tx, user, hash); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "org.register", "organisation", itoa(org.ID), org.RegionCode, map[string]any{
			"name": org.Name, "kind": string(org.Kind), "credit_code": org.CreditCode, "first_user": user.Username,
		})
	})
	return org, user, err
}

// Decision is a centre's answer to a registration.
type Decision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// DecideOrg approves or returns (with a reason) a pending organisation;
// approval activates its pending users. Staff decide for their own centre's
// region only.
func (s *Service) DecideOrg(ctx context.Context, a Actor, orgID int64, d Decision) (Organisation, error) {
	if err := a.Authorize(DecideOrg); err != nil {
		return Organisation{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	var f errs.Fields
	if !d.Approve {
		f.Required("reason", "退回理由", d.Reason)
	}
	f.MaxLen("reason", "理由", d.Reason, 500)
	if err := f.Err(); err != nil {
		return Organisation{}, err
	}
	var org Organisation
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		var err error
		if org, err = s.getOrg(ctx, tx, orgID); err != nil {
			return err
		}
		if !s.oversees(a, org) {
			return errs.E(errs.NotFound, "单位不存在")
		}
		if org.Status != Pending {
			return errs.E(errs.Conflict, "该单位已审核（当前状态：%s），不能重复审核", org.Status.Label())
		}
		org.Status, org.StatusReason, org.DecidedAt = Rejected, d.Reason, s.clock.Now()
		action := "org.reject"
		if d.Approve {
			org.Status, action = Approved, "org.approve"
		}
		res, err := tx.Exec(ctx, `UPDATE organisations SET status = ?, status_reason = ?, decided_at = ?, decided_by = ?
			WHERE id = ? AND status = 'pending'`, org.Status, org.StatusReason, db.Micros(org.DecidedAt), a.UserID, org.ID)
		if err != nil {
			return err
		}
		// Someone else decided between our read and this update (PostgreSQL
		// READ COMMITTED re-checks the WHERE after waiting for the row lock).
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.E(errs.Conflict, "该单位已由他人审核，不能重复审核")
		}
		if d.Approve {
			if _, err := tx.Exec(ctx, "UPDATE users SET status = 'active' WHERE org_id = ? AND status = 'pending'", org.ID); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a, action, "organisation", itoa(org.ID), org.RegionCode, map[string]any{"reason": d.Reason})
	})
	return org, err
}

// oversees reports whether staff, supervisors or admins may see org: admins
// everywhere, the others inside their own region.
func (s *Service) oversees(a Actor, org Organisation) bool {
	switch a.Role {
	case Admin:
		return true
	case Staff, Supervisor:
		return centre.Within(org.RegionCode, a.Region)
	}
	return a.OrgID == org.ID
}

// OrgFilter narrows a list of organisations.
type OrgFilter struct {
	Status Status
	Kind   OrgKind
	Query  string // part of the name or credit code
	Limit  int
	Offset int
}

// ListOrgs lists organisations within the actor's region.
func (s *Service) ListOrgs(ctx context.Context, a Actor, f OrgFilter) ([]Organisation, int, error) {
	if err := a.Authorize(ListOrgs); err != nil {
		return nil, 0, err
	}
	prefix := ""
	if a.Role != Admin {
		prefix = centre.Prefix(a.Region)
	}
	return s.listOrgs(ctx, prefix, f)
}

// GetOrg shows one organisation to its own users and to those who oversee it.
func (s *Service) GetOrg(ctx context.Context, a Actor, id int64) (Organisation, error) {
	if err := a.Authorize(ReadOrg); err != nil {
		return Organisation{}, err
	}
	org, err := s.getOrg(ctx, s.db, id)
	if err != nil {
		return org, err
	}
	if !s.oversees(a, org) {
		return Organisation{}, errs.E(errs.NotFound, "单位不存在")
	}
	return org, nil
}

// NewOrg is an organisation created by an administrator (supervisory
// departments, banks, centres, expert employers), approved at once.
type NewOrg struct {
	Name         string   `json:"name"`
	Kind         OrgKind  `json:"kind"`
	CreditCode   string   `json:"credit_code"`
	CentreCode   string   `json:"centre_code"`
	RegionCode   string   `json:"region_code"` // jurisdiction; defaults to the centre's
	Industry     Industry `json:"industry"`
	LegalRep     string   `json:"legal_rep"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
}

// CreateOrg adds an approved organisation of any kind.
func (s *Service) CreateOrg(ctx context.Context, a Actor, n NewOrg) (Organisation, error) {
	if err := a.Authorize(CreateUser); err != nil {
		return Organisation{}, err
	}
	var org Organisation
	err := s.db.Transact(ctx, func(tx *db.Tx) (err error) {
		org, err = s.CreateOrgTx(ctx, tx, a, n)
		return err
	})
	return org, err
}

// CreateOrgTx is CreateOrg inside a caller's transaction (centre set-up).
func (s *Service) CreateOrgTx(ctx context.Context, tx *db.Tx, a Actor, n NewOrg) (Organisation, error) {
	if err := a.Authorize(CreateUser); err != nil {
		return Organisation{}, err
	}
	n.CreditCode = strings.ToUpper(strings.TrimSpace(n.CreditCode))
	var f errs.Fields
	s.validateOrg(&f, n.Name, n.Kind, n.CreditCode, n.LegalRep, n.ContactName, n.ContactPhone)
	if n.Kind == KindSupervisor {
		if _, ok := Industries[n.Industry]; !ok {
			f.Add("industry", "行政监督部门须指定监管行业")
		}
	}
	if err := f.Err(); err != nil {
		return Organisation{}, err
	}
	c, err := centre.ByCode(ctx, tx, n.CentreCode)
	if err != nil {
		var f errs.Fields
		f.Add("centre_code", "所选交易中心不存在")
		return Organisation{}, f.Err()
	}
	region := n.RegionCode
	if region == "" {
		region = c.RegionCode
	}
	now := s.clock.Now()
	org := Organisation{Name: n.Name, Kind: n.Kind, CreditCode: n.CreditCode, CentreID: c.ID, RegionCode: region,
		Industry: n.Industry, LegalRep: n.LegalRep, ContactName: n.ContactName, ContactPhone: n.ContactPhone,
		Status: Approved, CreatedAt: now, DecidedAt: now}
	if org.ID, err = s.insertOrg(ctx, tx, org); err != nil {
		return org, err
	}
	return org, s.record(ctx, tx, a, "org.create", "organisation", itoa(org.ID), org.RegionCode, map[string]any{
		"name": org.Name, "kind": string(org.Kind), "credit_code": org.CreditCode, "industry": string(org.Industry),
	})
}

// NewUser is an account made by an administrator.
type NewUser struct {
	OrgID       int64  `json:"org_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	IDNumber    string `json:"id_number"`
	Phone       string `json:"phone"`
	Password    string `json:"password"`
}

// CreateUser adds an active user to an approved organisation.
func (s *Service) CreateUser(ctx context.Context, a Actor, n NewUser) (User, error) {
	if err := a.Authorize(CreateUser); err != nil {
		return User{}, err
	}
	n.Username = normaliseUsername(n.Username)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	n.IDNumber = strings.ToUpper(strings.TrimSpace(n.IDNumber))
	n.Phone = strings.TrimSpace(n.Phone)
	var f errs.Fields
	s.validatePerson(&f, n.Username, n.DisplayName, n.IDNumber, n.Phone, n.Password)
	if !n.Role.Valid() {
		f.Add("role", "角色无效")
	}
	if n.OrgID == 0 {
		f.Add("org_id", "所属单位不能为空")
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	hash := s.cfg.PasswordHasher.Hash(n.Password)
	var u User
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		org, err := s.getOrg(ctx, tx, n.OrgID)
		if err != nil {
			var f errs.Fields
			f.Add("org_id", "所属单位不存在")
			return f.Err()
		}
		if org.Status != Approved {
			return errs.E(errs.Conflict, "单位尚未审核通过，不能添加用户")
		}
		if !RoleFits(org.Kind, n.Role) {
			var f errs.Fields
			f.Add("role", "%s的用户不能担任%s", org.Kind.Label(), n.Role.Label())
			return f.Err()
		}
		u = User{OrgID: org.ID, Username: n.Username, DisplayName: n.DisplayName, Role: n.Role,
			IDNumber: n.IDNumber, Phone: n.Phone, Status: Active, CreatedAt: s.clock.Now()}
		if u.ID, err = s.insertUser(ctx, tx, u, hash); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "user.create", "user", itoa(u.ID), org.RegionCode, map[string]any{
			"username": u.Username, "role": string(u.Role), "org_id": org.ID,
		})
	})
	return u, err
}

// ListUsers lists the users of an organisation the actor oversees, with
// personal data masked.
func (s *Service) ListUsers(ctx context.Context, a Actor, orgID int64) ([]User, error) {
	if err := a.Authorize(ListUsers); err != nil {
		return nil, err
	}
	org, err := s.getOrg(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	if !s.oversees(a, org) {
		return nil, errs.E(errs.NotFound, "单位不存在")
	}
	users, err := s.usersOf(ctx, orgID)
	for i := range users {
		users[i].IDNumber = ident.Mask(users[i].IDNumber)
		users[i].Phone = ident.MaskPhone(users[i].Phone)
	}
	return users, err
}

// Me returns the signed-in user's own record, unmasked.
func (s *Service) Me(ctx context.Context, a Actor) (User, Organisation, error) {
	if err := a.Authorize(ReadSelf); err != nil {
		return User{}, Organisation{}, err
	}
	u, err := s.getUser(ctx, s.db, "id = ?", a.UserID)
	if err != nil {
		return u, Organisation{}, err
	}
	u.IDNumber = ident.Mask(u.IDNumber)
	org, err := s.getOrg(ctx, s.db, u.OrgID)
	return u, org, err
}
