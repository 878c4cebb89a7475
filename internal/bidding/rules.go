package bidding

import "ggzy/internal/money"

// AboveMax reports whether a price exceeds the lot's published maximum
// price (最高投标限价); such a bid is rejected (RULES A14). max 0 = none.
func AboveMax(price, max money.Fen) bool { return max > 0 && price > max }

// Enough reports whether a lot received enough bids to be opened (RULES
// A12: fewer than 3 ⇒ no opening, re-tender).
func Enough(received int) bool { return received >= MinBids }
