package notice

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// Kind is what a notice announces.
type Kind string

const (
	KindTender      Kind = "tender"           // 招标公告 / 采购公告 (or 投标邀请书 for invited tendering)
	KindPrequal     Kind = "prequalification" // 资格预审公告
	KindAmendment   Kind = "amendment"        // 澄清 / 变更公告, linked to the notice it changes
	KindCandidates  Kind = "candidates"       // 中标候选人公示
	KindResult      Kind = "result"           // 中标 / 成交结果公告
	KindTermination Kind = "termination"      // 终止公告
	KindFailure     Kind = "failure"          // 流标公告
	KindListing     Kind = "listing"          // 挂牌 / 出让 / 产权转让公告 (land, property)
)

// Kinds in display order.
var Kinds = []Kind{KindTender, KindPrequal, KindAmendment, KindCandidates, KindResult, KindTermination, KindFailure, KindListing}

var kindLabels = map[Kind]string{
	KindTender: "招标公告", KindPrequal: "资格预审公告", KindAmendment: "澄清/变更公告", KindCandidates: "中标候选人公示",
	KindResult: "中标（成交）结果公告", KindTermination: "终止公告", KindFailure: "流标公告", KindListing: "挂牌（出让）公告",
}

// Label is the kind's Chinese name.
func (k Kind) Label() string { return kindLabels[k] }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindLabels[k]; return ok }

// opensTrading: publishing one of these starts the project's trading
// (Accepted → Tendering) and may carry tender documents.
func (k Kind) opensTrading() bool { return k == KindTender || k == KindPrequal || k == KindListing }

// carriesDocs: these kinds may carry tender documents, whose downloads are
// recorded and secret (RULES B3).
func (k Kind) carriesDocs() bool { return k.opensTrading() || k == KindAmendment }

// State is where a notice is in review and publication.
type State string

const (
	Draft     State = "draft"     // 草稿: the drafter may edit it
	Review    State = "review"    // 待审核: submitted to the centre
	Scheduled State = "scheduled" // 待发布: approved, published when publish_at passes
	Published State = "published" // 已发布: signed and frozen for ever
	Rejected  State = "rejected"  // 已退回: back to the drafter with a note; editable again
)

var stateLabels = map[State]string{
	Draft: "草稿", Review: "待审核", Scheduled: "待发布", Published: "已发布", Rejected: "已退回",
}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// editable reports whether the drafter may still change the notice.
func (s State) editable() bool { return s == Draft || s == Rejected }

// Notice is one announcement of a project.
type Notice struct {
	ID          int64            `json:"id"`
	ProjectID   int64            `json:"project_id"`
	ProjectCode string           `json:"project_code"`
	ProjectName string           `json:"project_name"`
	LotID       int64            `json:"lot_id,omitempty"` // 0 = every lot of the project
	Kind        Kind             `json:"kind"`
	Title       string           `json:"title"`
	Body        string           `json:"body"`
	TradeKind   tender.TradeKind `json:"trade_kind"`
	Procedure   tender.Procedure `json:"procedure"`
	RegionCode  string           `json:"region_code"`
	State       State            `json:"state"`
	AmendsID    int64            `json:"amends_id,omitempty"`
	DocsFrom    time.Time        `json:"docs_from,omitzero"`    // tender documents obtainable from …
	DocsUntil   time.Time        `json:"docs_until,omitzero"`   // … until (exclusive)
	BidDeadline time.Time        `json:"bid_deadline,omitzero"` // 投标截止 / 资格预审申请截止; new deadline on amendments
	OpeningAt   time.Time        `json:"opening_at,omitzero"`   // = bid deadline (法 34, RULES A13)
	StartsAt    time.Time        `json:"starts_at,omitzero"`    // listing / auction start (E1)
	EndsAt      time.Time        `json:"ends_at,omitzero"`      // end of a publicity, listing or disclosure period
	PublishAt   time.Time        `json:"publish_at,omitzero"`   // approved publication time
	PublishedAt time.Time        `json:"published_at,omitzero"`
	Amount      money.Fen        `json:"amount,omitempty"` // award / deal price on result notices
	AwardeeID   int64            `json:"awardee_org_id,omitempty"`
	AffectsBids bool             `json:"affects_bids,omitempty"` // amendments (A4, D4)
	// Invited tendering (A24): the invited bidders are potential bidders,
	// whose names stay secret like downloads (法 22); only the count is
	// public and signed, the list is shown to the project's side.
	Invitees     []int64      `json:"invitees,omitempty"`
	InviteeCount int          `json:"invitee_count,omitempty"`
	ContentHash  Hex          `json:"content_hash,omitempty"` // SM3 of the canonical content
	Signature    Hex          `json:"signature,omitempty"`    // platform SM2 over ContentHash
	CreatedBy    int64        `json:"created_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at,omitzero"`
	SubmittedAt  time.Time    `json:"submitted_at,omitzero"`
	ReviewedBy   int64        `json:"reviewed_by,omitempty"`
	ReviewedAt   time.Time    `json:"reviewed_at,omitzero"`
	ReviewNote   string       `json:"review_note,omitempty"`
	Attachments  []Attachment `json:"attachments"`

	owner tender.Project // who the project belongs to, for access decisions
}

// Attachment is a file published with a notice. Tender documents
// (TenderDocs) are downloaded through DownloadDocs, which records who
// obtained them, sealed until the bid deadline (RULES B3).
type Attachment struct {
	ID         int64     `json:"id"`
	NoticeID   int64     `json:"notice_id"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	Digest     string    `json:"digest"` // SM3 hex of the content
	TenderDocs bool      `json:"tender_docs"`
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
	blobKey    string
}

// Hex is bytes shown as lower-case hex in JSON.
type Hex []byte

func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

// String is the hex form.
func (h Hex) String() string { return hex.EncodeToString(h) }

// Input is what a drafter fills in. Title and, when Body is empty, the
// body are generated from the project's data; the drafter may edit the
// body. Which fields a kind needs is checked by validate.
type Input struct {
	ProjectID   int64     `json:"project_id"`
	LotID       int64     `json:"lot_id,omitempty"`
	Kind        Kind      `json:"kind"`
	AmendsID    int64     `json:"amends_id,omitempty"`
	Body        string    `json:"body,omitempty"`
	DocsFrom    time.Time `json:"docs_from,omitzero"`
	DocsUntil   time.Time `json:"docs_until,omitzero"`
	BidDeadline time.Time `json:"bid_deadline,omitzero"`
	StartsAt    time.Time `json:"starts_at,omitzero"`
	EndsAt      time.Time `json:"ends_at,omitzero"`
	Amount      money.Fen `json:"amount,omitempty"`
	AwardeeID   int64     `json:"awardee_org_id,omitempty"`
	AffectsBids bool      `json:"affects_bids,omitempty"`
	Invitees    []int64   `json:"invitees,omitempty"`
}

// Decision is a reviewer's answer to a submitted notice.
type Decision struct {
	Approve   bool      `json:"approve"`
	PublishAt time.Time `json:"publish_at,omitzero"` // zero or past = publish now
	Note      string    `json:"note,omitempty"`      // required when rejecting
}

// Filter narrows a list of notices. The caller sees published notices and,
// besides, the unpublished ones of projects it may see.
type Filter struct {
	ProjectID int64
	State     State
	Kind      Kind
	Limit     int
	Offset    int
}

// Download is one record of who obtained tender documents, shown only
// after the lot's bid deadline (RULES B3).
type Download struct {
	LotID          int64     `json:"lot_id"`
	AttachmentID   int64     `json:"attachment_id"`
	AttachmentName string    `json:"attachment_name"`
	UserID         int64     `json:"user_id"`
	UserName       string    `json:"user_name"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	At             time.Time `json:"at"`
	Commitment     string    `json:"commitment"` // SM3 commitment written to the audit log at download time
}

// LotDownloads are the download records of one lot of a notice. Open is
// false, and Records empty, while the lot's bid deadline has not passed.
type LotDownloads struct {
	LotID       int64      `json:"lot_id"`
	LotName     string     `json:"lot_name"`
	BidDeadline time.Time  `json:"bid_deadline,omitzero"`
	Open        bool       `json:"open"`
	Records     []Download `json:"records"`
}

// Verification is the public answer to "was this notice changed after
// publication?".
type Verification struct {
	NoticeID    int64  `json:"notice_id"`
	Valid       bool   `json:"valid"`
	Problem     string `json:"problem,omitempty"`
	ContentHash Hex    `json:"content_hash"`  // as recomputed from the stored content
	StoredHash  Hex    `json:"stored_hash"`   // as stored at publication
	Signature   Hex    `json:"signature"`     // platform SM2 signature over the stored hash
	AuditSeq    int64  `json:"audit_seq"`     // the notice.publish audit event, -1 if not found
	AuditHashOK bool   `json:"audit_hash_ok"` // the audit event carries the same hash
	PublicKey   string `json:"public_key"`    // platform SM2 public key, PEM
	Canonical   string `json:"canonical"`     // the exact bytes hashed (see docs/notices.md)
}

// Violation is one broken rule in a CheckReport.
type Violation struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// CheckReport is the outcome of running the legal checks on a notice as if
// it were published at At.
type CheckReport struct {
	At         time.Time   `json:"at"`
	OK         bool        `json:"ok"`
	Violations []Violation `json:"violations"`
	// For amendments that may affect bids: the earliest lawful bid
	// deadline (RULES A4/D4) and a suggestion on that day at the current
	// deadline's time of day.
	EarliestBidDeadline  time.Time `json:"earliest_bid_deadline,omitzero"`
	SuggestedBidDeadline time.Time `json:"suggested_bid_deadline,omitzero"`

	first *errs.Error // the error an approval refused by these violations returns
}
