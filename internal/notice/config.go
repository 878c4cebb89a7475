package notice

import (
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// Config holds the figures of the legal checks. The statutory ones have
// their RULES id; those marked (?) in RULES.md come from secondary copies
// and must stay configurable until checked against the official text.
type Config struct {
	TenderDays       int // A1: documents issued → bid deadline ≥ 20 days (法 24)
	DocsDays         int // A2: documents available ≥ 5 days (条例 16)
	AmendDays        int // A4: amendment ≥ 15 days before the bid deadline (法 23)
	PrequalAmendDays int // A4: ≥ 3 days before a prequalification deadline (条例 21)
	MinInvitees      int // A24: invited tendering invites ≥ 3 bidders (法 17)
	CandidateDays    int // A19: candidate publicity ≥ 3 days (条例 54)

	// A6 / D5: deposit ≤ DepositRate of the lot's estimated price, and at
	// most DepositCaps[kind] where a cap is set (80万元 for construction by
	// some departmental rules (?)). Kinds without a cap have none.
	DepositRate money.Rate
	DepositCaps map[tender.TradeKind]money.Fen

	ProcTenderDays      int // D2: procurement 公开招标, documents issued → deadline ≥ 20 days (采法 35)
	ProcDocsWorkingDays int // D3: notice period / documents available ≥ 5 working days (87号令 16, 18)
	ProcAmendDays       int // D4: clarification ≥ 15 days before the deadline (87号令 27)

	LandNoticeDays                int // E1: land notice ≥ 20 days before the listing / auction starts
	LandListingDays               int // E1 (?): listing period ≥ 10 days
	PropertyDisclosureWorkingDays int // E4 (?): state property disclosure ≥ 20 working days
	PropertyResultWorkingDays     int // E4 (?): state property result publicity ≥ 5 working days

	// MaxAttachment bounds one uploaded file, in bytes.
	MaxAttachment int64
	// Decoys: when a notice with tender documents is published, each lot
	// gets a random number of sealed decoy download records in
	// [DecoysMin, DecoysMax], so the number of rows per lot does not tell
	// a database reader how many bidders obtained the documents (B3).
	DecoysMin, DecoysMax int
}

// DefaultConfig is the configuration the platform starts with.
var DefaultConfig = Config{
	TenderDays:       20,
	DocsDays:         5,
	AmendDays:        15,
	PrequalAmendDays: 3,
	MinInvitees:      3,
	CandidateDays:    3,
	DepositRate:      money.MustRate("2%"),
	DepositCaps:      map[tender.TradeKind]money.Fen{tender.Construction: 80 * money.OneWan},

	ProcTenderDays:      20,
	ProcDocsWorkingDays: 5,
	ProcAmendDays:       15,

	LandNoticeDays:                20,
	LandListingDays:               10,
	PropertyDisclosureWorkingDays: 20,
	PropertyResultWorkingDays:     5,

	MaxAttachment: 200 << 20,
	DecoysMin:     2,
	DecoysMax:     6,
}
