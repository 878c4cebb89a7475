// Package tender holds trading projects (交易项目) and their lots (标段/包):
// registration by the tenderer or its agent, intake by the centre (项目受理)
// within the promised time limit, the green channel, and the project's
// explicit life cycle. Notices, venues and bids refer to its projects and
// lots.
package tender

import (
	"time"

	"ggzy/internal/money"
)

// TradeKind is one of the four kinds of public resource trading.
type TradeKind string

const (
	Construction TradeKind = "construction" // 工程建设招投标
	Procurement  TradeKind = "procurement"  // 政府采购
	Land         TradeKind = "land"         // 土地使用权出让
	Property     TradeKind = "property"     // 国有产权交易
)

// TradeKinds in display order.
var TradeKinds = []TradeKind{Construction, Procurement, Land, Property}

var tradeKindLabels = map[TradeKind]string{
	Construction: "工程建设", Procurement: "政府采购", Land: "土地使用权", Property: "国有产权",
}

// Label is the kind's Chinese name.
func (k TradeKind) Label() string { return tradeKindLabels[k] }

// Procedure is how a project is traded.
type Procedure string

const (
	Open         Procedure = "open"          // 公开招标
	Invited      Procedure = "invited"       // 邀请招标
	Negotiation  Procedure = "negotiation"   // 竞争性谈判
	Consultation Procedure = "consultation"  // 竞争性磋商
	Inquiry      Procedure = "inquiry"       // 询价
	SingleSource Procedure = "single_source" // 单一来源
	Listing      Procedure = "listing"       // 挂牌
	Auction      Procedure = "auction"       // 拍卖
)

var procedureLabels = map[Procedure]string{
	Open: "公开招标", Invited: "邀请招标", Negotiation: "竞争性谈判", Consultation: "竞争性磋商",
	Inquiry: "询价", SingleSource: "单一来源", Listing: "挂牌", Auction: "拍卖",
}

// Label is the procedure's Chinese name.
func (p Procedure) Label() string { return procedureLabels[p] }

// proceduresOf lists the procedures each kind allows.
var proceduresOf = map[TradeKind][]Procedure{
	Construction: {Open, Invited},
	Procurement:  {Open, Invited, Negotiation, Consultation, Inquiry, SingleSource},
	Land:         {Open, Listing, Auction},
	Property:     {Listing, Auction},
}

// Allows reports whether kind k may use procedure p.
func (k TradeKind) Allows(p Procedure) bool {
	for _, x := range proceduresOf[k] {
		if x == p {
			return true
		}
	}
	return false
}

// EvalMethod is how a lot's bids are evaluated or its deal decided.
type EvalMethod string

const (
	LowestPrice   EvalMethod = "lowest_price"  // 经评审的最低投标价法 / 最低评标价法
	Comprehensive EvalMethod = "comprehensive" // 综合评估法 / 综合评分法
	HighestPrice  EvalMethod = "highest_price" // 价高者得 (land, property)
)

var evalLabels = map[EvalMethod]string{
	LowestPrice: "经评审的最低投标价法", Comprehensive: "综合评估法", HighestPrice: "价高者得",
}

// Label is the method's Chinese name.
func (m EvalMethod) Label() string { return evalLabels[m] }

// State is where a project is in its life.
type State string

const (
	Draft      State = "draft"      // 草稿: being filled in by the tenderer or agent
	Submitted  State = "submitted"  // 待受理: waiting for the centre
	Returned   State = "returned"   // 已退回: the centre sent it back with reasons
	Accepted   State = "accepted"   // 已受理: in the centre, notices may be drafted
	Tendering  State = "tendering"  // 招标/公告中: a tender or listing notice is published
	Evaluating State = "evaluating" // 开评标: bids opened, under evaluation
	Publicity  State = "publicity"  // 公示中: candidates or result in publicity
	Awarded    State = "awarded"    // 已成交/中标
	Failed     State = "failed"     // 流标: failed, may be re-tendered
	Terminated State = "terminated" // 已终止
	Archived   State = "archived"   // 已归档
)

var stateLabels = map[State]string{
	Draft: "草稿", Submitted: "待受理", Returned: "已退回", Accepted: "已受理", Tendering: "公告中",
	Evaluating: "开评标", Publicity: "公示中", Awarded: "已成交", Failed: "流标", Terminated: "已终止", Archived: "已归档",
}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// transitions is the whole life cycle: a move not listed is refused.
var transitions = map[State][]State{
	Draft:      {Submitted, Terminated},
	Submitted:  {Accepted, Returned},
	Returned:   {Submitted, Terminated},
	Accepted:   {Tendering, Terminated},
	Tendering:  {Evaluating, Publicity, Failed, Terminated, Awarded},
	Evaluating: {Publicity, Failed, Terminated},
	Publicity:  {Awarded, Evaluating, Failed, Terminated},
	Failed:     {Tendering, Terminated, Archived},
	Awarded:    {Archived},
	Terminated: {Archived},
}

// CanMove reports whether a project may go from one state to another.
func CanMove(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// States lists every state in life-cycle order.
var States = []State{Draft, Submitted, Returned, Accepted, Tendering, Evaluating, Publicity, Awarded, Failed, Terminated, Archived}

// Project is one trading project.
type Project struct {
	ID             int64     `json:"id"`
	Code           string    `json:"code"`
	Name           string    `json:"name"`
	TradeKind      TradeKind `json:"trade_kind"`
	Industry       string    `json:"industry"`
	CentreID       int64     `json:"centre_id"`
	RegionCode     string    `json:"region_code"`
	Procedure      Procedure `json:"procedure"`
	StateFunded    bool      `json:"state_funded"`
	ApprovalRef    string    `json:"approval_ref"`
	EstimatedPrice money.Fen `json:"estimated_price"`
	TendererOrgID  int64     `json:"tenderer_org_id"`
	AgentOrgID     int64     `json:"agent_org_id,omitempty"`
	GreenChannel   bool      `json:"green_channel"`
	GreenReason    string    `json:"green_reason,omitempty"`
	State          State     `json:"state"`
	SubmittedAt    time.Time `json:"submitted_at,omitzero"`
	DueAt          time.Time `json:"due_at,omitzero"`
	DecidedAt      time.Time `json:"decided_at,omitzero"`
	DecidedBy      int64     `json:"decided_by,omitempty"`
	ReturnReason   string    `json:"return_reason,omitempty"`
	CreatedBy      int64     `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Lots           []Lot     `json:"lots,omitempty"`
}

// Lot is one 标段 or 包 of a project; bids, deposits and evaluation are per lot.
type Lot struct {
	ID             int64      `json:"id"`
	ProjectID      int64      `json:"project_id"`
	Seq            int        `json:"seq"`
	Name           string     `json:"name"`
	EstimatedPrice money.Fen  `json:"estimated_price"`
	MaxPrice       money.Fen  `json:"max_price"` // 0 = no maximum price
	Deposit        money.Fen  `json:"deposit"`
	EvalMethod     EvalMethod `json:"eval_method"`
	BidDeadline    time.Time  `json:"bid_deadline,omitzero"`
	OpeningAt      time.Time  `json:"opening_at,omitzero"`
	State          State      `json:"state"`
	AwardPrice     money.Fen  `json:"award_price"`
	AwardeeOrgID   int64      `json:"awardee_org_id,omitempty"`
	AwardedAt      time.Time  `json:"awarded_at,omitzero"`
}
