// Package audit is ggzy's tamper-evident event log (全程留痕、全程可溯,
// RULES B7; DESIGN principle 2).
//
// Every state change appends one Event inside the same transaction as the
// change (Log.Append), so the change and its trace commit or roll back
// together. Events are protected three ways:
//
//   - a hash chain: Hash = SM3(PrevHash || body), the first PrevHash being 32
//     zero bytes, so editing, removing, inserting or reordering an event
//     breaks every link after it;
//   - an RFC 6962 Merkle tree over the records (golang.org/x/mod/sumdb/tlog,
//     stored hashes in audit_hashes), which gives short inclusion proofs
//     (Prove / VerifyProof) for a single event;
//   - signed checkpoints (Checkpoint): the tree size and root signed by the
//     platform's SM2 key as a signed note, so even someone who rewrites the
//     whole chain and tree consistently cannot match an earlier checkpoint.
//
// Verify replays all of it from scratch.
//
// Personal data stays out of events by convention, and Append refuses the
// obvious cases: Details must not carry ID numbers (身份证号), phone numbers,
// passwords, tokens, keys or bid contents; refer to the person by user id and
// display name instead. The log is append-only and kept forever, so anything
// put in it can never be erased.
package audit

import "time"

// Event is one entry of the log. Seq, At, PrevHash and Hash are set by
// Append; the caller fills in the rest.
type Event struct {
	Seq        int64          `json:"seq"`         // 0-based position, also the Merkle leaf index
	At         time.Time      `json:"at"`          // server time (UTC), microsecond precision
	ActorID    int64          `json:"actor_id"`    // user id; 0 for the system itself
	ActorName  string         `json:"actor_name"`  // display name at the time
	OrgID      int64          `json:"org_id"`      // the actor's organisation
	IP         string         `json:"ip"`          // network address of the request
	Action     string         `json:"action"`      // e.g. "bid.submit", "notice.publish"
	ObjectType string         `json:"object_type"` // e.g. "lot", "notice"
	ObjectID   string         `json:"object_id"`   // id of the object acted on
	Region     string         `json:"region"`      // GB/T 2260 code of the object's jurisdiction
	Industry   string         `json:"industry"`    // supervising industry (住建, 交通 …)
	Details    map[string]any `json:"details"`     // small facts; no personal data (see package doc)
	PrevHash   []byte         `json:"prev_hash"`   // Hash of event Seq-1
	Hash       []byte         `json:"hash"`        // SM3(PrevHash || body)
}

// Filter selects events for List. Zero fields do not filter.
type Filter struct {
	ObjectType   string
	ObjectID     string    // only with ObjectType
	ActorID      int64     // 0 = anyone
	Action       string    // exact action name
	RegionPrefix string    // GB/T 2260 prefix: "5306" matches 530602
	Industry     string    // exact
	Industries   []string  // any of these ("" = events of no particular industry)
	From, To     time.Time // From ≤ At < To
	BeforeSeq    int64     // > 0: only Seq < BeforeSeq (keyset paging, newest first)
	Limit        int       // default 50, at most 1000
	Offset       int       // offset paging, when BeforeSeq is not used
}

// Report is the outcome of Verify.
type Report struct {
	Events      int64  `json:"events"`      // events examined
	Checkpoints int    `json:"checkpoints"` // checkpoints examined
	OK          bool   `json:"ok"`
	FirstBad    int64  `json:"first_bad"` // seq of the first bad event; -1 if none
	Problem     string `json:"problem"`   // what is wrong, Chinese first; "" if OK
}

// Proof shows that one event is in the log as of a signed checkpoint.
// []byte fields are base64 in JSON.
type Proof struct {
	Seq        int64    `json:"seq"`
	RecordHash []byte   `json:"record_hash"` // tlog.RecordHash of the event's record
	TreeSize   int64    `json:"tree_size"`
	RootHash   []byte   `json:"root_hash"`
	Checkpoint string   `json:"checkpoint"` // signed note text
	Hashes     [][]byte `json:"hashes"`     // tlog.RecordProof
}
