package ca

import (
	"time"
)

// Source says how a certificate came to be bound.
type Source string

const (
	Uploaded Source = "upload" // a bidder uploaded it (issued by a trusted CA)
	Issued   Source = "issued" // the built-in CA issued it (demo, tests, `ggzy cert issue`)
)

// State is a bound certificate's standing at a moment.
type State string

const (
	Valid       State = "valid"
	NotYetValid State = "not_yet_valid"
	Expired     State = "expired"
	Revoked     State = "revoked"
)

var stateLabels = map[State]string{Valid: "有效", NotYetValid: "尚未生效", Expired: "已过期", Revoked: "已吊销"}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Cert is a certificate bound to a bidder organisation.
type Cert struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	CreditCode   string    `json:"credit_code"`
	Fingerprint  string    `json:"fingerprint"` // SM3 of the DER, lower hex
	Serial       string    `json:"serial"`      // hex
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	Source       Source    `json:"source"`
	BoundAt      time.Time `json:"bound_at"`
	BoundBy      int64     `json:"bound_by"` // user id; 0 = a server command
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	State        State     `json:"state"` // at the time of the request
	StateLabel   string    `json:"state_label"`
	PEM          string    `json:"pem"` // the certificate itself (public)

	region string // the organisation's region, for jurisdiction and the trail
}

// stateAt computes the certificate's state at t.
func (c *Cert) stateAt(t time.Time) {
	switch {
	case !c.RevokedAt.IsZero() && !t.Before(c.RevokedAt):
		c.State = Revoked
	case t.Before(c.NotBefore):
		c.State = NotYetValid
	case t.After(c.NotAfter):
		c.State = Expired
	default:
		c.State = Valid
	}
	c.StateLabel = c.State.Label()
}

// NewCert asks the built-in CA for a certificate for a bidder organisation
// (named by id or by credit code) and its SM2 public key; the private key
// never leaves the bidder.
type NewCert struct {
	OrgID      int64  `json:"org_id,omitempty"`
	CreditCode string `json:"credit_code,omitempty"`
	PublicKey  string `json:"public_key"`           // PKIX "PUBLIC KEY" PEM
	Days       int    `json:"valid_days,omitempty"` // 0 = two years
}

// MaxDays bounds the validity staff may ask for.
const MaxDays = 5 * 366

// Filter narrows List.
type Filter struct {
	OrgID       int64  // 0 = every organisation the caller may see (bidders: always their own)
	Fingerprint string // "" = any
	Limit       int
	Offset      int
}

// Root is a trusted CA certificate, for display.
type Root struct {
	Subject     string    `json:"subject"`
	Fingerprint string    `json:"fingerprint"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Builtin     bool      `json:"builtin"` // the platform's own CA
	SelfSigned  bool      `json:"self_signed"`
	PEM         string    `json:"pem"`
}
