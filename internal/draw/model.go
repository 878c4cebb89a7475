// Package draw runs the verifiable expert draw (评标专家随机抽取) for a lot:
// the draw request of centre staff, the panel rules checked before drawing
// (RULES A15, C12, C13), the provable randomness (commit → witness → draw),
// the automatic call-out with replacement along the same sequence
// (语音自动通知), the sealed list and its unsealing at the start of the
// evaluation, and Verify, which replays a draw from the audit log.
//
// Nobody picks an expert (RULES A16): the request names specialties,
// counts and exclusions only; who is called is a deterministic function of
// the fixed pool, the server's committed seed and the witness's
// contribution, and every call and answer is in the audit log by its
// position in that sequence, never by the expert's name or id. See
// docs/draws.md for the exact algorithm, so anyone can re-implement Verify.
package draw

import (
	"time"

	"ggzy/internal/tender"
)

// State is where a draw is.
type State string

const (
	Requested State = "requested" // 已申请: request saved, pool not yet fixed
	Committed State = "committed" // 已承诺: pool fixed, seed committed; waiting for the witness
	Calling   State = "calling"   // 通知中: drawn, experts being called
	Complete  State = "complete"  // 已组建: every quota filled
	Short     State = "short"     // 人数不足: the pool ran out before a quota was filled
)

var stateLabels = map[State]string{
	Requested: "已申请", Committed: "已固定专家池，待监督见证", Calling: "抽取通知中", Complete: "评标委员会已组建",
	Short: "专家不足",
}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// CallState is where one call of the sequence is.
type CallState string

const (
	Queued   CallState = "queued"    // decided, not yet handed to a channel
	Sent     CallState = "sent"      // handed over; waiting for the answer
	Accepted CallState = "accepted"  // will serve
	Declined CallState = "declined"  // said no
	NoAnswer CallState = "no_answer" // no answer within the time allowed
	Busy     CallState = "busy"      // the line was busy
	Failed   CallState = "failed"    // could not be reached on any channel
	Replaced CallState = "replaced"  // had accepted, then released by staff (RULES C15)
)

var callLabels = map[CallState]string{
	Queued: "待通知", Sent: "已通知待答复", Accepted: "确认参加", Declined: "拒绝参加", NoAnswer: "超时未答复",
	Busy: "占线", Failed: "无法联系", Replaced: "已替换",
}

// Label is the call state's Chinese name.
func (c CallState) Label() string { return callLabels[c] }

// Open reports whether the call still waits for an answer.
func (c CallState) Open() bool { return c == Queued || c == Sent }

// answers are the states an answer may set.
var answers = map[CallState]bool{Accepted: true, Declined: true, NoAnswer: true, Busy: true, Failed: true}

// Quota is how many experts of one specialty the panel needs: Formal
// members, and Alternates (候补) who accept to stand in.
type Quota struct {
	Specialty  string `json:"specialty"` // code or code prefix, e.g. "A08" or "A0801"
	Name       string `json:"name,omitempty"`
	Formal     int    `json:"formal"`
	Alternates int    `json:"alternates"`
}

// Target is how many acceptances the quota needs.
func (q Quota) Target() int { return q.Formal + q.Alternates }

// NamedExclusion keeps one expert out of the draw with a reason (回避 by
// name, e.g. a conflict staff learned of). It can only exclude.
type NamedExclusion struct {
	ExpertID int64  `json:"expert_id"`
	Reason   string `json:"reason"`
}

// NewRequest is what centre staff fill in. Times are Beijing wall-clock
// ("2026-12-03 09:00") or RFC 3339.
type NewRequest struct {
	LotID         int64            `json:"lot_id"`
	EvalStart     string           `json:"eval_start"`
	EvalEnd       string           `json:"eval_end"`
	Venue         string           `json:"venue,omitempty"`      // where the evaluation is (text) …
	BookingID     int64            `json:"booking_id,omitempty"` // … or an evaluation booking, whose room and times are used
	Quotas        []Quota          `json:"quotas"`
	Centres       []string         `json:"centres,omitempty"`       // region codes of centres whose experts may be drawn; default: the lot's centre
	TendererReps  int              `json:"tenderer_reps,omitempty"` // 招标人代表 on the panel (not drawn)
	Complex       bool             `json:"complex,omitempty"`       // technically complex (RULES C12: ≥ 7)
	MaxServes     int              `json:"max_serves,omitempty"`    // exclude experts who served this tenderer more than N times …
	ServesMonths  int              `json:"serves_months,omitempty"` // … in the last M months
	MaxAge        int              `json:"max_age,omitempty"`       // default 70 (RULES C13)
	Named         []NamedExclusion `json:"named,omitempty"`
	AnswerMinutes int              `json:"answer_minutes,omitempty"` // how long an expert has to answer; default from Config
}

// Draw is one draw as its viewer may see it.
type Draw struct {
	ID            int64            `json:"id"`
	ProjectID     int64            `json:"project_id"`
	ProjectCode   string           `json:"project_code"`
	ProjectName   string           `json:"project_name"`
	LotID         int64            `json:"lot_id"`
	LotName       string           `json:"lot_name"`
	TradeKind     tender.TradeKind `json:"trade_kind"`
	Industry      string           `json:"industry"`
	RegionCode    string           `json:"region_code"`
	CentreID      int64            `json:"centre_id"`
	EvalStart     time.Time        `json:"eval_start"`
	EvalEnd       time.Time        `json:"eval_end"`
	Venue         string           `json:"venue"`
	BookingID     int64            `json:"booking_id,omitempty"`
	Quotas        []Quota          `json:"quotas"`
	Centres       []string         `json:"centres"`
	TendererReps  int              `json:"tenderer_reps"`
	Complex       bool             `json:"complex"`
	PanelSize     int              `json:"panel_size"`
	MaxServes     int              `json:"max_serves"`
	ServesMonths  int              `json:"serves_months"`
	MaxAge        int              `json:"max_age"`
	Named         []NamedExclusion `json:"named"`
	AnswerMinutes int              `json:"answer_minutes"`
	State         State            `json:"state"`
	StateLabel    string           `json:"state_label"`
	PoolDigest    string           `json:"pool_digest,omitempty"` // hex SM3
	Commitment    string           `json:"commitment,omitempty"`  // hex SM3(seed)
	PoolSizes     map[string]int   `json:"pool_sizes,omitempty"`  // per specialty
	Excluded      map[string]int   `json:"excluded,omitempty"`    // exclusions per reason code
	Contribution  string           `json:"contribution,omitempty"`
	WitnessID     int64            `json:"witness_id,omitempty"`
	WitnessName   string           `json:"witness_name,omitempty"`
	Seed          string           `json:"seed,omitempty"` // hex, once unsealed
	Unsealed      bool             `json:"unsealed"`
	NamesVisible  bool             `json:"names_visible"` // the caller sees names (unsealed and a participant)
	Confidential  bool             `json:"confidential"`  // government procurement: names stay with the panel session until the result is published (C12)
	Version       int64            `json:"version"`
	CreatedBy     int64            `json:"created_by"`
	CreatedAt     time.Time        `json:"created_at"`
	CommittedAt   time.Time        `json:"committed_at,omitzero"`
	WitnessedAt   time.Time        `json:"witnessed_at,omitzero"`
	UnsealedAt    time.Time        `json:"unsealed_at,omitzero"`
	Progress      []Progress       `json:"progress"`
	Calls         []Call           `json:"calls"`
	Alerts        []Alert          `json:"alerts"`
}

// Progress is one specialty's state of the call-out.
type Progress struct {
	Specialty  string `json:"specialty"`
	Name       string `json:"name,omitempty"`
	Formal     int    `json:"formal"`
	Alternates int    `json:"alternates"`
	Pool       int    `json:"pool"`
	Called     int    `json:"called"`
	Accepted   int    `json:"accepted"`
	Waiting    int    `json:"waiting"`
	Missing    int    `json:"missing"`   // acceptances still needed
	Exhausted  bool   `json:"exhausted"` // nobody left to call
}

// Call is one position of a specialty's sequence that was called. Masked
// is the name with all but the surname hidden; Name, ExpertID and the rest
// only appear once the list is unsealed for a caller who may see it.
type Call struct {
	ID         int64     `json:"id"`
	Specialty  string    `json:"specialty"`
	Position   int       `json:"position"` // 0-based place in the specialty's sequence
	State      CallState `json:"state"`
	StateLabel string    `json:"state_label"`
	Role       string    `json:"role,omitempty"` // formal | alternate, for accepted calls
	Channel    string    `json:"channel"`
	Masked     string    `json:"masked"`
	QueuedAt   time.Time `json:"queued_at"`
	Deadline   time.Time `json:"deadline"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	Note       string    `json:"note,omitempty"`
	ExpertID   int64     `json:"expert_id,omitempty"`
	Name       string    `json:"name,omitempty"`
	Employer   string    `json:"employer,omitempty"`
	CentreCode string    `json:"centre_code,omitempty"`
}

// Alert tells the draw's staff that a quota cannot be filled.
type Alert struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// Filter selects draws for List.
type Filter struct {
	LotID  int64
	State  State
	Limit  int
	Offset int
}

// Invitation is what an expert sees of a call: when, where and which
// specialty, never the project or the tenderer.
type Invitation struct {
	Token      string    `json:"token"`
	Specialty  string    `json:"specialty"`
	Name       string    `json:"specialty_name,omitempty"`
	EvalStart  time.Time `json:"eval_start"`
	EvalEnd    time.Time `json:"eval_end"`
	Venue      string    `json:"venue"`
	State      CallState `json:"state"`
	StateLabel string    `json:"state_label"`
	Deadline   time.Time `json:"deadline"`
	Open       bool      `json:"open"` // may still be answered
}

// Answer is an expert's in-app reply.
type Answer struct {
	Accept bool `json:"accept"`
}

// Contribution is the witness's random value: hex, 16 to 64 bytes.
type Contribution struct {
	Value string `json:"value"`
}

// Replacement releases an accepted member (RULES C15).
type Replacement struct {
	Reason string `json:"reason"`
}

// Masked is d with every name hidden: what live pages send, whoever asks.
func (d Draw) Masked() Draw {
	calls := make([]Call, len(d.Calls))
	for i, c := range d.Calls {
		c.ExpertID, c.Name, c.Employer, c.CentreCode = 0, "", "", ""
		calls[i] = c
	}
	d.Calls, d.NamesVisible = calls, false
	return d
}
