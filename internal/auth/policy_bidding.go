package auth

// Sealed bids and the online opening (issue 4). Who may act on a given lot
// is decided by the bidding service (own bid, the project's side, the
// centre's staff, the supervisors in jurisdiction).
const (
	SubmitBid      Action = "bid.submit"      // upload, replace or withdraw one's own sealed bid; read one's receipts
	DecryptBid     Action = "bid.decrypt"     // hand over the content key during the decryption window
	ViewOpening    Action = "opening.view"    // the opening hall and, once made, the opening record
	RespondOpening Action = "opening.respond" // a bidder confirms the record or objects to it
	AnswerOpening  Action = "opening.answer"  // the tenderer (or its agent) answers an objection
	ManageOpening  Action = "opening.manage"  // set a lot's decryption window before the deadline
	ReadSignals    Action = "bid.signals"     // upload addresses and machine fingerprints, after the opening starts
	ReadReceiptKey Action = "receipt.key"     // the platform's public key, to verify receipts offline
)

var biddingPolicy = map[Action][]Role{
	SubmitBid:      {Bidder},
	DecryptBid:     {Bidder},
	ViewOpening:    {Tenderer, Agent, Bidder, Staff, Supervisor, Admin},
	RespondOpening: {Bidder},
	AnswerOpening:  {Tenderer, Agent},
	ManageOpening:  {Tenderer, Agent, Staff},
	ReadSignals:    {Staff, Supervisor, Admin},
	ReadReceiptKey: everyone,
}

func init() {
	for a, r := range biddingPolicy {
		policy[a] = r
	}
}
