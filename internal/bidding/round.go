package bidding

import (
	"context"
	"fmt"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// Tendering rounds (轮次). A lot whose opening failed (流标, RULES A12) —
// or whose bids were all rejected — may be tendered again: a new tender
// notice gives it a new, later deadline. Each deadline is a round of its
// own with its own bids, decoys, opening, opened bids, record and
// responses; nothing of an earlier round is carried over (a bidder bids
// again). The round of the lot's current deadline is one more than the
// number of its openings held at an earlier deadline, so the notice that
// sets a new deadline is what starts the next round, and an earlier round
// stays readable by its number.
//
// Round 1 keeps the slot and sealing formats from before rounds existed;
// later rounds put the round into both, so a bids row cannot be moved from
// one round to another and the same bidder's slots in two rounds cannot be
// linked (RULES B3 per round).

// roundSQL is the current round of the lot aliased l, in SQL.
const roundSQL = `(1 + (SELECT COUNT(*) FROM openings r WHERE r.lot_id = l.id AND r.bid_deadline < l.bid_deadline))`

// currentRound is the round of the lot's current deadline.
func currentRound(ctx context.Context, q db.Querier, l tender.Lot) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM openings WHERE lot_id = ? AND bid_deadline < ?", l.ID, db.Micros(l.BidDeadline)).Scan(&n)
	return n + 1, err
}

// current loads a lot, its current round and that round's opening if it
// has started.
func current(ctx context.Context, q db.Querier, lotID int64) (tender.Lot, opening, bool, error) {
	l, err := tender.GetLot(ctx, q, lotID)
	if err != nil {
		return l, opening{}, false, err
	}
	o, found, err := currentOpening(ctx, q, l)
	return l, o, found, err
}

// currentOpening is the opening of the lot's current round, if it has
// started.
func currentOpening(ctx context.Context, q db.Querier, l tender.Lot) (opening, bool, error) {
	r, err := currentRound(ctx, q, l)
	if err != nil {
		return opening{}, false, err
	}
	o, found, err := getOpening(ctx, q, l.ID, r)
	o.round = r
	return o, found, err
}

// roundName is how a round is named to users: "第 2 轮".
func roundName(r int) string { return fmt.Sprintf("第 %d 轮", r) }

// closedRound refuses a bid for a round whose opening has started, saying
// which round, when it opened and how it ended (RULES A13); nil if the
// lot's current round has not been opened.
func closedRound(ctx context.Context, q db.Querier, l tender.Lot) error {
	o, found, err := currentOpening(ctx, q, l)
	if err != nil || !found {
		return err
	}
	return errs.Violation("A13", srcA13, fmt.Sprintf("本标段%s已于 %s 开标（%s），该轮不再接收投标文件；"+
		"重新招标的，请在新的招标公告发布后重新加密投标文件，递交到下一轮", roundName(o.round), clock.Format(o.startedAt), o.state.Label()))
}

// bidRound is the round a submission or withdrawal goes to: the lot's
// current one. A bidder (its tool) may name the round it means
// (Upload.Round); a round already opened is refused with its number. A
// container that was opened in an earlier round of the lot — its content
// key was handed over then — is refused: an earlier round's bid is not
// carried over, the bidder seals a new one.
func bidRound(ctx context.Context, q db.Querier, l tender.Lot, asked int, blobKey string) (int, error) {
	r, err := currentRound(ctx, q, l)
	if err != nil {
		return 0, err
	}
	switch {
	case asked > r:
		return r, errs.E(errs.NotFound, "该标段没有%s（当前为%s）", roundName(asked), roundName(r))
	case asked > 0 && asked < r:
		o, _, err := getOpening(ctx, q, l.ID, asked)
		if err != nil {
			return r, err
		}
		return r, errs.Violation("A13", srcA13, fmt.Sprintf("本标段%s已于 %s 开标（%s），不再接收投标文件；当前为%s（投标截止 %s），"+
			"请重新加密投标文件后递交到%s", roundName(asked), clock.Format(o.startedAt), o.state.Label(), roundName(r),
			clock.Format(l.BidDeadline), roundName(r)))
	}
	if blobKey != "" && r > 1 {
		var opened int
		err := q.QueryRow(ctx, "SELECT round FROM opened_bids WHERE lot_id = ? AND blob_key = ? ORDER BY round LIMIT 1", l.ID, blobKey).Scan(&opened)
		switch {
		case err == nil:
			return r, errs.E(errs.Invalid, "该投标文件已在本标段%s开标时开启，不能递交到%s：上一轮的投标不延续到本轮，请重新加密投标文件后递交",
				roundName(opened), roundName(r))
		case !errs.Is(err, errs.NotFound):
			return r, err
		}
	}
	return r, nil
}

// onlineMinimum is the minimum number of bids of the project's online
// opening, or the reason it has none (single source, listings: see
// MinimumFor).
func onlineMinimum(p tender.Project) (Minimum, error) { return MinimumFor(p.TradeKind, p.Procedure) }

// pickRound checks a round asked for (0: the current one) exists and
// returns its number.
func pickRound(ctx context.Context, q db.Querier, l tender.Lot, round int) (int, error) {
	cur, err := currentRound(ctx, q, l)
	if err != nil {
		return 0, err
	}
	switch {
	case round == 0:
		return cur, nil
	case round < 0 || round > cur:
		return 0, errs.E(errs.NotFound, "该标段没有%s（当前为%s）", roundName(round), roundName(cur))
	}
	return round, nil
}

// rounds lists a lot's rounds: those opened, and the current one if it
// has not been. Only what an opening made public is shown (B3).
func rounds(ctx context.Context, q db.Querier, l tender.Lot, cur int) ([]RoundInfo, error) {
	os, err := openingsOf(ctx, q, l.ID)
	if err != nil {
		return nil, err
	}
	out := make([]RoundInfo, 0, len(os)+1)
	for _, o := range os {
		out = append(out, RoundInfo{Round: o.round, Deadline: o.bidDeadline, State: o.state, StateText: o.state.Label(),
			Received: o.received, Failure: o.failure, Current: o.round == cur})
	}
	if len(out) == 0 || out[len(out)-1].Round < cur {
		out = append(out, RoundInfo{Round: cur, Deadline: l.BidDeadline, State: Waiting, StateText: Waiting.Label(), Current: true})
	}
	return out, nil
}
