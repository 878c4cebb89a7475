package expert

import "time"

// Status is where an expert stands in the library.
type Status string

const (
	Active    Status = "active"    // may be drawn
	Suspended Status = "suspended" // 暂停: not drawn during the suspension period
	Retired   Status = "retired"   // 退出专家库: never drawn again
)

var statusLabels = map[Status]string{Active: "正常", Suspended: "暂停", Retired: "已退出"}

// Label is the status's Chinese name; "" for an unknown status.
func (s Status) Label() string { return statusLabels[s] }

// RelationKind is what an expert declared about an organisation.
type RelationKind string

const (
	Relative     RelationKind = "relative"     // 近亲属任职（配偶、直系血亲、三代以内旁系血亲或近姻亲）
	Shareholding RelationKind = "shareholding" // 持股
	Director     RelationKind = "director"     // 担任董事、监事
	Interest     RelationKind = "interest"     // 其他利害关系
)

// RelationKinds in display order.
var RelationKinds = []RelationKind{Relative, Shareholding, Director, Interest}

var relationLabels = map[RelationKind]string{Relative: "近亲属任职", Shareholding: "持股", Director: "董事监事",
	Interest: "其他利害关系"}

// Label is the kind's Chinese name; "" for an unknown kind.
func (k RelationKind) Label() string { return relationLabels[k] }

// Outcomes of an engagement, set by the draw's call-out and the evaluation.
const (
	Invited  = "invited"   // called, no answer yet: the expert is held
	Accepted = "accepted"  // will serve
	Declined = "declined"  // said no
	NoAnswer = "no_answer" // did not answer in time
	Replaced = "replaced"  // released, someone else serves
	Served   = "served"    // took part in the evaluation
)

var outcomeLabels = map[string]string{Invited: "已通知待答复", Accepted: "已确认参加", Declined: "拒绝参加",
	NoAnswer: "未应答", Replaced: "已替换", Served: "已参加评标"}

// OutcomeLabel is an outcome's Chinese name; "" for an unknown outcome.
func OutcomeLabel(o string) string { return outcomeLabels[o] }

// Expert is one person in the library. IDNumber and Phone are masked
// unless the caller may see them (Masked says which).
type Expert struct {
	ID             int64        `json:"id"`
	Name           string       `json:"name"`
	IDNumber       string       `json:"id_number"`
	Phone          string       `json:"phone"`
	Email          string       `json:"email,omitempty"`
	Masked         bool         `json:"masked"` // personal numbers are masked for this caller
	UserID         int64        `json:"user_id,omitempty"`
	Username       string       `json:"username,omitempty"` // the linked account
	EmployerOrgID  int64        `json:"employer_org_id,omitempty"`
	EmployerName   string       `json:"employer_name"`
	EmployerCode   string       `json:"employer_code"`
	CentreID       int64        `json:"centre_id"`
	CentreCode     string       `json:"centre_code"`
	CentreName     string       `json:"centre_name"`
	Specialties    []Specialty  `json:"specialties"`
	Title          string       `json:"title"`
	Years          int          `json:"years"`
	BirthDate      string       `json:"birth_date"` // 2006-01-02
	Status         Status       `json:"status"`
	StatusLabel    string       `json:"status_label"`
	StatusReason   string       `json:"status_reason,omitempty"`
	SuspendedFrom  string       `json:"suspended_from,omitempty"`  // 2006-01-02
	SuspendedUntil string       `json:"suspended_until,omitempty"` // 2006-01-02, "" = until reinstated
	Dishonest      bool         `json:"dishonest"`
	DishonestNote  string       `json:"dishonest_note,omitempty"`
	PastEmployers  []Employment `json:"past_employers"`
	Relations      []Relation   `json:"relations"`
	Leaves         []Leave      `json:"leaves"`
	Penalties      []Penalty    `json:"penalties"`
	Flags          Flags        `json:"flags"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// Employment is a past employer with its period (both days included).
type Employment struct {
	OrgName    string `json:"org_name"`
	CreditCode string `json:"credit_code"`
	From       string `json:"from"` // 2006-01-02
	To         string `json:"to"`
}

// Relation is a declared tie to an organisation: a close relative works
// there, the expert holds shares in it, sits on its board, or has another
// interest in it (RULES C10, C11).
type Relation struct {
	CreditCode string       `json:"credit_code"`
	OrgName    string       `json:"org_name,omitempty"`
	Kind       RelationKind `json:"kind"`
	KindLabel  string       `json:"kind_label,omitempty"`
	Note       string       `json:"note,omitempty"`
}

// Leave is a period the expert is not available, [From, To).
type Leave struct {
	ID     int64     `json:"id"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// Penalty is a recorded sanction; BarredUntil (a day, "" = none) keeps the
// expert out of draws until then (RULES C10).
type Penalty struct {
	ID          int64  `json:"id"`
	Date        string `json:"date"`
	Text        string `json:"text"`
	BarredUntil string `json:"barred_until,omitempty"`
}

// Flags are warnings staff see: repeated declines and low ratings.
type Flags struct {
	Declines      int  `json:"declines"`       // declined invitations in the last 12 months
	ManyDeclines  bool `json:"many_declines"`  // Declines ≥ DeclineLimit
	Ratings       int  `json:"ratings"`        // ratings counted (the last RatingWindow at most)
	AverageTenths int  `json:"average_tenths"` // their average × 10, rounded down; 0 without ratings
	LowRatings    bool `json:"low_ratings"`    // average below LowRating
}

// Any reports whether a flag is raised.
func (f Flags) Any() bool { return f.ManyDeclines || f.LowRatings }

// Average is the rating average for display, "4.2", or "—".
func (f Flags) Average() string {
	if f.Ratings == 0 {
		return "—"
	}
	return itoa(int64(f.AverageTenths/10)) + "." + itoa(int64(f.AverageTenths%10))
}

// Engagement is an evaluation the draw booked an expert for. It drives
// "already booked at an overlapping time", "served this tenderer N times"
// and the expert's history.
type Engagement struct {
	ID            int64     `json:"id"`
	ExpertID      int64     `json:"expert_id"`
	TendererOrgID int64     `json:"tenderer_org_id"`
	LotID         int64     `json:"lot_id,omitempty"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Ref           string    `json:"ref"`
	Outcome       string    `json:"outcome"` // invited, accepted, declined, no_answer, replaced, served
}

// HistoryEntry is an engagement as the expert, or staff, see it.
type HistoryEntry struct {
	Engagement
	OutcomeLabel string   `json:"outcome_label"`
	ProjectCode  string   `json:"project_code,omitempty"` // shown once the evaluation is over
	ProjectName  string   `json:"project_name,omitempty"`
	Ratings      []Rating `json:"ratings"`
}

// Rater says who rated: the tenderer's side (tenderer or agent) or the
// supervisor.
type Rater string

const (
	ByTenderer   Rater = "tenderer"
	BySupervisor Rater = "supervisor"
)

// Label is the rater's Chinese name.
func (r Rater) Label() string {
	switch r {
	case ByTenderer:
		return "招标人（代理）"
	case BySupervisor:
		return "监督部门"
	}
	return string(r)
}

// Rating is one score (1–5) with a comment, given once per engagement by
// each side.
type Rating struct {
	ID           int64     `json:"id"`
	EngagementID int64     `json:"engagement_id"`
	ExpertID     int64     `json:"expert_id"`
	Rater        Rater     `json:"rater"`
	RaterLabel   string    `json:"rater_label"`
	Score        int       `json:"score"`
	Comment      string    `json:"comment,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Rateable is an engagement the caller may rate, with the expert's name
// masked.
type Rateable struct {
	EngagementID int64     `json:"engagement_id"`
	ExpertName   string    `json:"expert_name"` // masked
	Specialty    string    `json:"specialty"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Ref          string    `json:"ref"`
	ProjectCode  string    `json:"project_code,omitempty"`
	ProjectName  string    `json:"project_name,omitempty"`
	Rater        Rater     `json:"rater"`
}

// Portal is what an expert sees of themself.
type Portal struct {
	Expert  Expert         `json:"expert"`
	History []HistoryEntry `json:"history"`
}

// Contact is how the draw's call-out reaches a drawn expert: decrypted,
// for system use only.
type Contact struct {
	ExpertID   int64
	Name       string
	Phone      string
	Email      string
	Specialty  string // the expert's specialties, "A080104 土建工程、A060101 建筑"
	Employer   string
	CentreCode string
}
