package bidding

import (
	"context"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/platform"
	"ggzy/internal/tender"
)

// CertChecker decides whether a bidder's certificate may be used now:
// trusted, valid, bound to the organisation and not revoked (package ca).
type CertChecker interface {
	Check(ctx context.Context, q db.Querier, orgID int64, c *smx509.Certificate, at time.Time) error
}

// FailureNotices drafts the failure notice (流标公告) of a lot whose
// opening did not proceed (RULES A12), for the centre to review and
// publish; it returns the notice id.
type FailureNotices interface {
	DraftFailureTx(ctx context.Context, tx *db.Tx, a auth.Actor, p tender.Project, lotID int64, reason string) (int64, error)
}

// DepositStatus fills the opening record's deposit column. The deposit
// capability provides it; until then the column shows "—".
type DepositStatus func(ctx context.Context, q db.Querier, lotID, bidderOrgID int64) (string, error)

// Service runs bid submission and the online opening.
type Service struct {
	platform.Base
	Tender   *tender.Service
	Certs    CertChecker
	Notices  FailureNotices
	Deposits DepositStatus
	// RecordPDF renders the opening record; nil leaves the record without
	// a PDF (the JSON record and its signature still exist).
	RecordPDF func(r RecordDoc) ([]byte, error)

	MaxBidBytes   int64         // largest sealed container accepted
	DefaultWindow time.Duration // decryption window when the lot sets none
	DecoysMin     int           // decoy rows per lot (RULES B3)
	DecoysMax     int
}

// Defaults: a 4 GiB container, a 30-minute window, 3–12 decoys per lot.
const (
	DefaultMaxBidBytes = 4 << 30
	DefaultWindow      = 30 * time.Minute
	MinBids            = 3 // RULES A12
)

// New wires the service.
func New(b platform.Base, t *tender.Service, certs CertChecker, notices FailureNotices) *Service {
	return &Service{Base: b, Tender: t, Certs: certs, Notices: notices,
		MaxBidBytes: DefaultMaxBidBytes, DefaultWindow: DefaultWindow, DecoysMin: 3, DecoysMax: 12}
}

// now truncates to the microsecond the database keeps.
func (s *Service) now() time.Time { return db.Time(db.Micros(s.Clock.Now())) }

// system is the actor of what the platform does on its own (the opening).
var system = auth.Actor{Role: auth.Admin, Username: "system", Name: "系统（自动开标）"}
