// Package bidding receives sealed bids (投标文件) and runs the online
// opening (不见面开标): upload of a sealed container before the deadline
// with a platform-signed receipt, replacement and withdrawal, the secrecy
// of who bid until the deadline (RULES B3), the opening that starts on its
// own at the deadline, decryption by the bidders within a window, the
// opening record with confirmations and objections, and failed tenders
// (流标, A12). The container format itself is package sealed.
package bidding

import (
	"time"

	"ggzy/internal/money"
)

// Status is where an opened bid stands.
type Status string

const (
	Pending   Status = "pending"   // 待解密
	Decrypted Status = "decrypted" // 已解密
	Revoked   Status = "revoked"   // 解密失败（投标人原因），视为撤销投标 (B6)
	Withdrawn Status = "withdrawn" // 解密失败（非投标人原因），视为撤回投标 (B6)
)

var statusLabels = map[Status]string{
	Pending: "待解密", Decrypted: "已解密", Revoked: "解密失败，视为撤销", Withdrawn: "解密失败，视为撤回",
}

// Label is the status's Chinese name.
func (s Status) Label() string { return statusLabels[s] }

// Cause is why a bid was not decrypted.
type Cause string

const (
	CauseNone     Cause = ""
	CauseNoKey    Cause = "not_decrypted" // the bidder did not hand over its key in time
	CauseWrongKey Cause = "wrong_key"     // the key handed over does not open the bid
	CauseCert     Cause = "certificate"   // the bidder's certificate was revoked or expired
	CauseDamaged  Cause = "damaged"       // the stored file is damaged (the platform's fault)
	CauseMissing  Cause = "missing"       // the stored file is gone (the platform's fault)
)

var causeLabels = map[Cause]string{
	CauseNoKey: "未在解密时限内解密", CauseWrongKey: "提交的密钥无法解密投标文件", CauseCert: "数字证书已失效",
	CauseDamaged: "平台存储的投标文件损坏", CauseMissing: "平台存储的投标文件缺失",
}

// Label is the cause in Chinese.
func (c Cause) Label() string { return causeLabels[c] }

// BidderCaused reports whether a failure is the bidder's: such a bid is
// treated as revoked, any other as withdrawn (RULES B6).
func (c Cause) BidderCaused() bool {
	return c == CauseNoKey || c == CauseWrongKey || c == CauseCert
}

// OpeningState is where a lot's opening stands.
type OpeningState string

const (
	Waiting    OpeningState = "waiting"    // 未到开标时间 (no row yet)
	Decrypting OpeningState = "decrypting" // 解密中
	Failed     OpeningState = "failed"     // 流标: fewer than 3 bids (A12)
	Recorded   OpeningState = "recorded"   // 开标结束，开标记录已生成
)

var openingLabels = map[OpeningState]string{
	Waiting: "等待开标", Decrypting: "投标人解密中", Failed: "投标人不足三家，不予开标（流标）", Recorded: "开标结束",
}

// Label is the state's Chinese name.
func (s OpeningState) Label() string { return openingLabels[s] }

// Receipt is the platform's signed proof of what it received and when
// (回执), version 2 (ReceiptDigest). It names the bidder, so only that bidder ever gets it before
// the deadline.
type Receipt struct {
	Version     int    `json:"v"`
	Seq         int64  `json:"seq"`  // platform-wide receipt number
	Kind        string `json:"kind"` // submit | replace | withdraw
	LotID       int64  `json:"lot_id"`
	ProjectCode string `json:"project_code"`
	LotName     string `json:"lot_name"`
	BidderID    int64  `json:"bidder_org_id"`
	BidderName  string `json:"bidder_name"`
	CreditCode  string `json:"bidder_credit_code"`
	// Digest names the sealed container received, hex: from version 2 its
	// container digest (docs/sealed-bid-format.md, the digest `ggzy seal`
	// prints), in version 1 the SM3 of the file.
	Digest     string    `json:"digest,omitempty"`
	Size       int64     `json:"size,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	Deadline   time.Time `json:"bid_deadline"`
}

// SignedReceipt is a receipt with the platform's SM2 signature over its
// canonical JSON encoding.
type SignedReceipt struct {
	Receipt   Receipt `json:"receipt"`
	Signature []byte  `json:"signature"`
}

// MyBid is what a bidder sees of its own bid on a lot in the lot's current
// round (an earlier round's bid is not carried over).
type MyBid struct {
	LotID      int64          `json:"lot_id"`
	Round      int            `json:"round"`
	Active     bool           `json:"active"`
	Digest     string         `json:"digest,omitempty"`
	Size       int64          `json:"size,omitempty"`
	ReceivedAt time.Time      `json:"received_at,omitzero"`
	Receipt    *SignedReceipt `json:"receipt,omitempty"`
	// After the opening has started:
	Status     Status `json:"status,omitempty"`
	StatusText string `json:"status_text,omitempty"`
	Cause      Cause  `json:"cause,omitempty"`
	WrappedKey []byte `json:"wrapped_key,omitempty"` // the content key wrapped to the bidder's certificate
	Attempts   int    `json:"attempts,omitempty"`
}

// Opened is one bid as the opening shows it.
type Opened struct {
	ID           int64             `json:"id"`
	BidderID     int64             `json:"bidder_org_id"`
	BidderName   string            `json:"bidder_name"`
	Status       Status            `json:"status"`
	StatusText   string            `json:"status_text"`
	Cause        Cause             `json:"cause,omitempty"`
	CauseText    string            `json:"cause_text,omitempty"`
	Price        money.Fen         `json:"price"`
	DurationDays int               `json:"duration_days"`
	Quality      string            `json:"quality"`
	Manager      string            `json:"manager"`
	ManagerCert  string            `json:"manager_cert"`
	Extra        map[string]string `json:"extra,omitempty"`
	AboveMax     bool              `json:"above_max"`
	Deposit      string            `json:"deposit"` // 保证金 column: filled by the deposit capability; "—" until then
	DecryptedAt  time.Time         `json:"decrypted_at,omitzero"`
	ReceiptSeq   int64             `json:"receipt_seq"`
	ReceivedAt   time.Time         `json:"received_at"`
}

// Signals are recorded with each upload for supervision and shown only
// after the opening has started: the same address or the same machine
// behind several bidders suggests collusion (串标).
type Signals struct {
	BidID           int64     `json:"bid_id"`
	BidderName      string    `json:"bidder_name"`
	IP              string    `json:"ip"`
	ToolFingerprint string    `json:"tool_fingerprint"`
	CertFingerprint string    `json:"cert_fingerprint"`
	Digest          string    `json:"digest"`
	Size            int64     `json:"size"`
	SealedAt        time.Time `json:"sealed_at,omitzero"`
	ReceivedAt      time.Time `json:"received_at"`
	SharedIP        bool      `json:"shared_ip"`   // another bidder of the lot uploaded from this address
	SharedTool      bool      `json:"shared_tool"` // … or sealed on this machine
}

// Response is a bidder's confirmation of, or objection to, the record.
type Response struct {
	ID         int64     `json:"id"`
	BidderID   int64     `json:"bidder_org_id"`
	BidderName string    `json:"bidder_name"`
	Kind       string    `json:"kind"` // confirm | objection
	Text       string    `json:"text,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// RoundInfo is one tendering round (轮次) of a lot as every hall lists it.
type RoundInfo struct {
	Round     int          `json:"round"`
	Deadline  time.Time    `json:"bid_deadline,omitzero"`
	State     OpeningState `json:"state"`
	StateText string       `json:"state_text"`
	Received  int          `json:"bids_received,omitempty"` // only once opened
	Failure   string       `json:"failure,omitempty"`
	Current   bool         `json:"current,omitempty"` // the round of the lot's current deadline
}

// Hall is the opening hall's view of one round of a lot at one moment.
type Hall struct {
	LotID        int64        `json:"lot_id"`
	Round        int          `json:"round"`         // the round shown (轮次)
	CurrentRound int          `json:"current_round"` // the round of the lot's current deadline
	Rounds       []RoundInfo  `json:"rounds"`        // every round, the first first
	ProjectID    int64        `json:"project_id"`
	ProjectCode  string       `json:"project_code"`
	ProjectName  string       `json:"project_name"`
	LotName      string       `json:"lot_name"`
	MaxPrice     money.Fen    `json:"max_price"`
	ServerTime   time.Time    `json:"server_time"`
	Deadline     time.Time    `json:"bid_deadline,omitzero"`
	State        OpeningState `json:"state"`
	StateText    string       `json:"state_text"`
	WindowEndsAt time.Time    `json:"window_ends_at,omitzero"`
	Received     int          `json:"bids_received,omitempty"` // only once the opening has started
	Decrypted    []string     `json:"decrypted,omitempty"`     // names of bidders that have decrypted
	Failure      string       `json:"failure,omitempty"`
	Bids         []Opened     `json:"bids,omitempty"`      // once recorded
	Responses    []Response   `json:"responses,omitempty"` // once recorded
	RecordDigest string       `json:"record_digest,omitempty"`
}
