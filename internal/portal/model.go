package portal

import (
	"time"

	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// Summary is one notice in a list, a feed or on the home page.
type Summary struct {
	ID             int64            `json:"id"`
	Kind           NoticeKind       `json:"kind"`
	KindLabel      string           `json:"kind_label"`
	TradeKind      tender.TradeKind `json:"trade_kind"`
	TradeKindLabel string           `json:"trade_kind_label"`
	Title          string           `json:"title"`
	RegionCode     string           `json:"region_code"`
	RegionName     string           `json:"region_name"`
	ProjectID      int64            `json:"project_id"`
	PublishedAt    time.Time        `json:"published_at"`
	EndsAt         time.Time        `json:"ends_at,omitzero"`
	Amount         money.Fen        `json:"amount,omitempty"`
	// Snippet is the part of the body around the first match (searches only).
	Snippet *Snippet `json:"snippet,omitempty"`
	// body is read for searches only, to cut the snippet from.
	body string
}

// Snippet is a piece of a notice's text split around a match, so a page
// can mark the match without trusting any HTML in the text.
type Snippet struct {
	Before string `json:"before"`
	Match  string `json:"match"`
	After  string `json:"after"`
}

// Page is one page of a list. Next is the cursor of the following page
// ("" on the last one). Total counts the matches up to a cap; TotalCapped
// says there are more than Total.
type Page struct {
	Items       []Summary `json:"items"`
	Next        string    `json:"next,omitempty"`
	Total       int       `json:"total"`
	TotalCapped bool      `json:"total_capped,omitempty"`
}

// Detail is one published notice as the public sees it.
type Detail struct {
	Summary
	Body        string           `json:"body"`
	ProjectCode string           `json:"project_code"`
	ProjectName string           `json:"project_name"`
	Procedure   tender.Procedure `json:"procedure"`
	ProcLabel   string           `json:"procedure_label"`
	LotID       int64            `json:"lot_id,omitempty"`
	LotName     string           `json:"lot_name,omitempty"`
	AmendsID    int64            `json:"amends_id,omitempty"`
	DocsFrom    time.Time        `json:"docs_from,omitzero"`
	DocsUntil   time.Time        `json:"docs_until,omitzero"`
	BidDeadline time.Time        `json:"bid_deadline,omitzero"`
	OpeningAt   time.Time        `json:"opening_at,omitzero"`
	// ContentHash and Signature let anyone check that the notice was not
	// altered after publication (SM3 digest, platform SM2 signature; hex).
	ContentHash string       `json:"content_hash,omitempty"`
	Signature   string       `json:"signature,omitempty"`
	Attachments []Attachment `json:"attachments"`
	// Related are the project's other published notices, oldest first.
	Related []Summary `json:"related"`
}

// Attachment is a file published with a notice. The notice service serves
// the files: tender documents only to signed-in bidders, recording the
// download (RULES B2, B3); the portal lists them and links there.
type Attachment struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	Digest     string `json:"digest"`
	TenderDocs bool   `json:"tender_docs"`
	// Href is where the file is obtained (the notice area's routes).
	Href string `json:"href"`
}

// Region is a selectable region: a trading centre's area.
type Region struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}
