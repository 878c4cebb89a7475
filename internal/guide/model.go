package guide

import (
	"strconv"
	"time"
)

// The guide is keyed by trading kind with the same codes as
// tender.TradeKind. The kinds are repeated here, not imported, because
// tender reads the guide (intake checks materials against it) and the
// dependency must point one way; a test in tender keeps the two in step.
var kindLabels = map[string]string{
	"construction": "工程建设", "procurement": "政府采购", "land": "土地使用权", "property": "国有产权",
}

// Kinds are the trading kinds in display order.
var Kinds = []string{"construction", "procurement", "land", "property"}

// KindLabel is a kind's Chinese name, "" for an unknown kind.
func KindLabel(kind string) string { return kindLabels[kind] }

// Well-known services. A matter's code is "<kind>.<service>"; any service
// key may be used, these are the ones other capabilities look up.
const (
	ServiceIntake  = "intake"         // 进场登记: project intake checks its materials and limit
	ServiceVenue   = "venue"          // 场地预约
	ServiceNotice  = "notice"         // 公告发布
	ServiceRefund  = "deposit_refund" // 保证金退还
	ServiceArchive = "archive"        // 资料归档
)

// Code is the matter code of a kind's service: "construction.intake".
func Code(kind, service string) string { return kind + "." + service }

// Mode is how a matter is handled (政务服务 "马上办、网上办、一次办").
type Mode string

const (
	Immediate Mode = "immediate" // 马上办: decided on the spot
	Online    Mode = "online"    // 网上办: handled entirely online
	Once      Mode = "once"      // 一次办: at most one visit
)

// Modes in display order.
var Modes = []Mode{Immediate, Online, Once}

var modeLabels = map[Mode]string{Immediate: "马上办", Online: "网上办", Once: "一次办"}

// Label is the mode's Chinese name.
func (m Mode) Label() string { return modeLabels[m] }

// Unit is what a promised time limit counts.
type Unit string

const (
	WorkingHours Unit = "working_hours" // office hours of working days (calendar.OfficeHours)
	WorkingDays  Unit = "working_days"  // working days, the first day not counted (RULES C1, C3)
)

// Units in display order.
var Units = []Unit{WorkingDays, WorkingHours}

var unitLabels = map[Unit]string{WorkingHours: "个工作小时", WorkingDays: "个工作日"}

// Label is the unit's Chinese name, as in "1个工作日".
func (u Unit) Label() string { return unitLabels[u] }

// Limit is a promised time limit.
type Limit struct {
	Amount int  `json:"amount"`
	Unit   Unit `json:"unit"`
}

// String is "1个工作日"; "" for no limit.
func (l Limit) String() string {
	if l.Amount <= 0 {
		return ""
	}
	return strconv.Itoa(l.Amount) + l.Unit.Label()
}

// nominalMinutes compares limits of different units: a working day counts
// as a day of default office hours (6.5 hours). Only for "is the green
// channel shorter", never for computing a due time.
func (l Limit) nominalMinutes() int {
	if l.Unit == WorkingDays {
		return l.Amount * 390
	}
	return l.Amount * 60
}

// Matter is one service of the guide (办事事项) for one trading kind.
type Matter struct {
	ID          int64      `json:"id"`
	TradeKind   string     `json:"trade_kind"`
	Service     string     `json:"service"` // the part of Code after the kind
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Mode        Mode       `json:"mode"`
	Limit       Limit      `json:"limit"`
	GreenLimit  Limit      `json:"green_limit"` // Amount 0 = the same as Limit
	LegalBasis  string     `json:"legal_basis"`
	Description string     `json:"description"`
	Active      bool       `json:"active"`
	UpdatedAt   time.Time  `json:"updated_at"`
	UpdatedBy   int64      `json:"updated_by,omitempty"`
	Materials   []Material `json:"materials"`
}

// KindLabel is the Chinese name of the matter's kind.
func (m Matter) KindLabel() string { return KindLabel(m.TradeKind) }

// LimitFor is the promised limit for a project on the green channel or not.
func (m Matter) LimitFor(green bool) Limit {
	if green && m.GreenLimit.Amount > 0 {
		return m.GreenLimit
	}
	return m.Limit
}

// Material finds one of the matter's current materials by id.
func (m Matter) Material(id int64) (Material, bool) {
	for _, x := range m.Materials {
		if x.ID == id {
			return x, true
		}
	}
	return Material{}, false
}

// Material is one document an applicant hands in (申请材料).
type Material struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"` // 1-based order in the guide
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Note     string `json:"note,omitempty"` // e.g. "原件扫描件，加盖公章"
}

// MatterEdit is what staff may change on a matter.
type MatterEdit struct {
	Name        string          `json:"name"`
	Mode        Mode            `json:"mode"`
	Limit       Limit           `json:"limit"`
	GreenLimit  Limit           `json:"green_limit"`
	LegalBasis  string          `json:"legal_basis"`
	Description string          `json:"description"`
	Active      bool            `json:"active"`
	Materials   []MaterialInput `json:"materials"`
}

// NewMatter adds a service for a kind; kind and service make its code,
// which never changes.
type NewMatter struct {
	TradeKind string `json:"trade_kind"`
	Service   string `json:"service"`
	MatterEdit
}

// MaterialInput is one material in an edit, in the order wanted. ID 0 adds
// a material; a current material left out is removed from the guide (kept
// for the files that refer to it).
type MaterialInput struct {
	ID       int64  `json:"id,omitempty"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Note     string `json:"note"`
}

// Edit is the matter as an edit, to change a few fields and save it back.
func (m Matter) Edit() MatterEdit {
	e := MatterEdit{Name: m.Name, Mode: m.Mode, Limit: m.Limit, GreenLimit: m.GreenLimit, LegalBasis: m.LegalBasis,
		Description: m.Description, Active: m.Active, Materials: make([]MaterialInput, len(m.Materials))}
	for i, x := range m.Materials {
		e.Materials[i] = MaterialInput{ID: x.ID, Name: x.Name, Required: x.Required, Note: x.Note}
	}
	return e
}
