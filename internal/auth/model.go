// Package auth knows who is acting: organisations, their users and roles,
// sign-in sessions, API tokens, and the policy that says which role may do
// what. Every service asks auth before it acts (deny by default).
package auth

import (
	"time"
)

// Role is what a user does on the platform.
type Role string

const (
	Anonymous  Role = ""           // the public, not signed in
	Tenderer   Role = "tenderer"   // 招标人 / 采购人 / 出让人
	Agent      Role = "agent"      // 招标代理
	Bidder     Role = "bidder"     // 投标人 / 供应商 / 竞买人
	Expert     Role = "expert"     // 评标专家
	Staff      Role = "staff"      // 交易中心工作人员
	Supervisor Role = "supervisor" // 行政监督部门
	Admin      Role = "admin"      // 平台管理员
)

// Roles lists every role a user can hold, anonymous excluded.
var Roles = []Role{Tenderer, Agent, Bidder, Expert, Staff, Supervisor, Admin}

var roleLabels = map[Role]string{
	Anonymous: "公众", Tenderer: "招标人", Agent: "招标代理", Bidder: "投标人",
	Expert: "评标专家", Staff: "交易中心工作人员", Supervisor: "行政监督人员", Admin: "平台管理员",
}

// Label is the role's Chinese name.
func (r Role) Label() string { return roleLabels[r] }

// Valid reports whether r is a known user role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// OrgKind is what an organisation is.
type OrgKind string

const (
	KindTenderer   OrgKind = "tenderer"
	KindAgent      OrgKind = "agent"
	KindBidder     OrgKind = "bidder"
	KindSupervisor OrgKind = "supervisor" // 行政监督部门, with industry × region jurisdiction
	KindBank       OrgKind = "bank"
	KindCentre     OrgKind = "centre"          // a trading centre itself
	KindEmployer   OrgKind = "expert_employer" // an expert's employer
	KindPlatform   OrgKind = "platform"        // the platform operator
)

var kindLabels = map[OrgKind]string{
	KindTenderer: "招标人/采购人", KindAgent: "招标代理机构", KindBidder: "投标人/供应商",
	KindSupervisor: "行政监督部门", KindBank: "银行", KindCentre: "交易中心",
	KindEmployer: "专家工作单位", KindPlatform: "平台运营方",
}

// Label is the kind's Chinese name.
func (k OrgKind) Label() string { return kindLabels[k] }

// SelfRegistrable kinds may register themselves online for free (RULES B2).
func (k OrgKind) SelfRegistrable() bool {
	return k == KindTenderer || k == KindAgent || k == KindBidder
}

// rolesOfKind says which roles the users of an organisation kind may hold.
var rolesOfKind = map[OrgKind][]Role{
	KindTenderer:   {Tenderer},
	KindAgent:      {Agent},
	KindBidder:     {Bidder},
	KindSupervisor: {Supervisor},
	KindCentre:     {Staff, Admin},
	KindPlatform:   {Admin},
	KindEmployer:   {Expert},
	KindBank:       {},
}

// RoleFits reports whether a user of an organisation of kind k may hold r.
func RoleFits(k OrgKind, r Role) bool {
	for _, x := range rolesOfKind[k] {
		if x == r {
			return true
		}
	}
	return false
}

// Industry is a supervisory department's line (住建, 交通, 水利 …).
type Industry string

// Industries are the departments' lines; the names follow the centres' use.
var Industries = map[Industry]string{
	"housing":     "住房和城乡建设",
	"transport":   "交通运输",
	"water":       "水利",
	"environment": "生态环境",
	"finance":     "财政（政府采购）",
	"land":        "自然资源",
	"assets":      "国有资产监督管理",
	"development": "发展和改革",
}

// Status of an organisation or user.
type Status string

const (
	Pending  Status = "pending"  // registered, awaiting centre staff
	Approved Status = "approved" // organisations only
	Rejected Status = "rejected" // organisations only
	Active   Status = "active"   // users only
	Disabled Status = "disabled"
)

var statusLabels = map[Status]string{
	Pending: "待审核", Approved: "已通过", Rejected: "已退回", Active: "正常", Disabled: "已停用",
}

// Label is the status's Chinese name.
func (s Status) Label() string { return statusLabels[s] }

// Organisation is a legal entity on the platform.
type Organisation struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Kind         OrgKind   `json:"kind"`
	CreditCode   string    `json:"credit_code"`
	CentreID     int64     `json:"centre_id"`
	RegionCode   string    `json:"region_code"`
	Industry     Industry  `json:"industry,omitempty"`
	LegalRep     string    `json:"legal_rep"`
	ContactName  string    `json:"contact_name"`
	ContactPhone string    `json:"contact_phone,omitempty"` // decrypted; masked unless the caller may see it
	Status       Status    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
}

// User is a person who signs in.
type User struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	IDNumber    string    `json:"id_number,omitempty"` // masked when shown
	Phone       string    `json:"phone,omitempty"`     // masked when shown
	Status      Status    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	LastLoginAt time.Time `json:"last_login_at,omitzero"`
	PrevLoginAt time.Time `json:"prev_login_at,omitzero"` // the sign-in before the current one
}

// Actor is whoever makes a request: the user, their organisation and where
// the organisation sits, plus the network address for the audit trail.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	Role     Role
	OrgID    int64
	OrgName  string
	OrgKind  OrgKind
	CentreID int64
	Region   string   // the organisation's region code
	Industry Industry // for supervisors
	IP       string
	ViaToken bool // authenticated by API token rather than a session
}

// Public is the anonymous actor at an address.
func Public(ip string) Actor { return Actor{IP: ip} }

// SignedIn reports whether the actor is a user.
func (a Actor) SignedIn() bool { return a.UserID != 0 }
