package bidding_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ggzy/internal/bidding"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

// deadline2 is the re-tender's deadline (RULES A1: 20 days after the
// documents are issued on 2026-12-29).
var deadline2 = bj("2027-01-25 09:30:00")

// TestRetenderRound: round 1 gets two bids and fails (流标, A12) — the
// failure notice is drafted and the project fails; a bid sent afterwards
// is refused naming round 1; the failure notice and a re-tender notice with
// a new deadline are published; round 2 starts empty (round 1's bids are
// not carried over, its containers are refused), keeps its bidders secret
// until its own deadline, takes four new bids and opens with a record;
// both rounds stay readable by number.
func TestRetenderRound(t *testing.T) {
	f := newFixture(t, 4)
	b1, b2, b3, b4 := f.bidders[0], f.bidders[1], f.bidders[2], f.bidders[3]
	old := map[*bidder][]byte{}
	for _, b := range []*bidder{b1, b2} {
		old[b] = f.seal(b, 800*money.OneWan)
		_, err := f.submit(b, old[b])
		f.Must(err)
	}

	// Round 1 fails at its deadline.
	f.Clock.Set(deadline)
	if n, err := f.Bidding.StartDue(f.Ctx); err != nil || n != 1 {
		t.Fatalf("StartDue = %d, %v", n, err)
	}
	h, err := f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
	f.Must(err)
	if h.Round != 1 || h.CurrentRound != 1 || h.State != bidding.Failed || h.Received != 2 || !strings.Contains(h.Failure, "规则 A12") {
		t.Fatalf("round 1 hall %+v, want failed with 2 bids under A12", h)
	}
	p, err := tender.GetProject(f.Ctx, f.DB, f.project.ID)
	f.Must(err)
	if p.State != tender.Failed {
		t.Fatalf("project %s after 流标, want failed", p.State)
	}
	var failureID int64
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT failure_notice FROM openings WHERE lot_id = ? AND round = 1", f.lot.ID).Scan(&failureID))

	// A bid after round 1's opening is refused, naming the round (A13).
	_, err = f.submit(b3, f.seal(b3, 790*money.OneWan))
	wantRule(t, err, "A13")
	if msg := err.Error(); !strings.Contains(msg, "第 1 轮已于") || !strings.Contains(msg, "不再接收投标文件") {
		t.Fatalf("refusal %q does not name round 1", msg)
	}
	if n, err := f.Bidding.StartDue(f.Ctx); err != nil || n != 0 {
		t.Fatalf("round 1 opened again: %d, %v", n, err)
	}

	// The centre publishes the failure notice; the agent re-tenders.
	f.Clock.Set(bj("2026-12-28 15:00:00"))
	_, err = f.Notice.Submit(f.Ctx, f.agent, failureID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, failureID, notice.Decision{Approve: true})
	f.Must(err)
	f.publishTenderAt(bj("2026-12-29 09:00:00"), bj("2027-01-05 17:00:00"), deadline2)
	p, err = tender.GetProject(f.Ctx, f.DB, f.project.ID)
	f.Must(err)
	if p.State != tender.Tendering || !p.Lots[0].BidDeadline.Equal(deadline2) {
		t.Fatalf("after the re-tender: project %s, deadline %v", p.State, p.Lots[0].BidDeadline)
	}

	// Round 2 is current, waiting, with nothing of round 1's bids.
	h, err = f.Bidding.Hall(f.Ctx, b1.actor, f.lot.ID)
	f.Must(err)
	if h.Round != 2 || h.CurrentRound != 2 || h.State != bidding.Waiting || !h.Deadline.Equal(deadline2) || h.Received != 0 {
		t.Fatalf("round 2 hall %+v", h)
	}
	if len(h.Rounds) != 2 || h.Rounds[0].State != bidding.Failed || h.Rounds[0].Received != 2 || h.Rounds[0].Current ||
		h.Rounds[1].State != bidding.Waiting || h.Rounds[1].Received != 0 || !h.Rounds[1].Current {
		t.Fatalf("rounds %+v", h.Rounds)
	}
	if m, err := f.Bidding.Mine(f.Ctx, b1.actor, f.lot.ID); err != nil || m.Round != 2 || m.Active || m.Status != "" {
		t.Fatalf("b1's round-2 bid before bidding again: %+v %v", m, err)
	}
	taking, err := f.Bidding.Taking(f.Ctx, b1.actor)
	f.Must(err)
	if len(taking) != 1 || taking[0].Round != 2 || taking[0].MyBid {
		t.Fatalf("taking %+v, want the lot in round 2 without b1's bid", taking)
	}
	// Round 1's container is not carried over, nor taken again.
	_, err = f.submit(b1, old[b1])
	if e := wantCode(t, err, errs.Invalid); !strings.Contains(e.Message, "第 1 轮") || !strings.Contains(e.Message, "重新加密") {
		t.Fatalf("round-1 container in round 2: %v", err)
	}

	// Everybody bids again; one also names the round it means.
	fresh := map[*bidder][]byte{}
	prices := map[*bidder]money.Fen{b1: 780 * money.OneWan, b2: 820 * money.OneWan, b3: 805 * money.OneWan, b4: 830 * money.OneWan}
	for _, b := range []*bidder{b1, b2, b3} {
		fresh[b] = f.seal(b, prices[b])
		rc, err := f.submit(b, fresh[b])
		f.Must(err)
		if !rc.Receipt.Deadline.Equal(deadline2) {
			t.Fatalf("round-2 receipt names deadline %v", rc.Receipt.Deadline)
		}
	}
	fresh[b4] = f.seal(b4, prices[b4])
	_, err = f.Bidding.Submit(f.Ctx, b4.actor, f.lot.ID, bytes.NewReader(fresh[b4]), bidding.Upload{Round: 1})
	wantRule(t, err, "A13")
	if msg := err.Error(); !strings.Contains(msg, "第 1 轮已于") || !strings.Contains(msg, "当前为第 2 轮") {
		t.Fatalf("a bid sent to round 1: %q", msg)
	}
	_, err = f.Bidding.Submit(f.Ctx, b4.actor, f.lot.ID, bytes.NewReader(fresh[b4]), bidding.Upload{Round: 3})
	wantCode(t, err, errs.NotFound)
	_, err = f.Bidding.Submit(f.Ctx, b4.actor, f.lot.ID, bytes.NewReader(fresh[b4]), bidding.Upload{Round: 2})
	f.Must(err)
	if m, err := f.Bidding.Mine(f.Ctx, b1.actor, f.lot.ID); err != nil || !m.Active || m.Round != 2 {
		t.Fatalf("b1's round-2 bid: %+v %v", m, err)
	}

	// Before round 2's deadline nothing tells who bid in it (B3): no count,
	// no signals, decoys among its rows, and a bidder's slot in round 2 is
	// not its slot in round 1.
	for _, a := range []struct {
		name string
		h    func() (bidding.Hall, error)
	}{{"staff", func() (bidding.Hall, error) { return f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID) }},
		{"admin", func() (bidding.Hall, error) { return f.Bidding.Hall(f.Ctx, f.admin, f.lot.ID) }}} {
		h, err := a.h()
		f.Must(err)
		if h.Received != 0 || len(h.Decrypted) != 0 || len(h.Bids) != 0 || h.Rounds[1].Received != 0 {
			t.Fatalf("%s sees round 2 before its deadline: %+v", a.name, h)
		}
	}
	_, err = f.Bidding.Signals(f.Ctx, f.supervisor, f.lot.ID, 2)
	wantRule(t, err, "B3")
	if sig, err := f.Bidding.Signals(f.Ctx, f.supervisor, f.lot.ID, 1); err != nil || len(sig) != 2 {
		t.Fatalf("round 1's signals after its opening: %d %v", len(sig), err)
	}
	var rows, shared int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM bids WHERE lot_id = ? AND round = 2 AND state = 'active'", f.lot.ID).Scan(&rows))
	if rows < 4+3 {
		t.Errorf("round 2 has %d active rows: want its 4 bids among at least 3 decoys", rows)
	}
	f.Must(f.DB.QueryRow(f.Ctx, `SELECT COUNT(*) FROM bids a JOIN bids b ON a.slot = b.slot
		WHERE a.lot_id = ? AND b.lot_id = a.lot_id AND a.round = 1 AND b.round = 2`, f.lot.ID).Scan(&shared))
	if shared != 0 {
		t.Errorf("%d round-2 rows share a slot with round 1: a bidder named at round 1's opening is recognisable", shared)
	}

	// Round 2 opens at its deadline with four bids.
	f.Clock.Set(deadline2)
	if n, err := f.Bidding.StartDue(f.Ctx); err != nil || n != 1 {
		t.Fatalf("round 2 StartDue = %d, %v", n, err)
	}
	h, err = f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
	f.Must(err)
	if h.Round != 2 || h.State != bidding.Decrypting || h.Received != 4 {
		t.Fatalf("round 2 after start: %+v", h)
	}
	for _, b := range []*bidder{b1, b2, b3, b4} {
		o, err := f.Bidding.Decrypt(f.Ctx, b.actor, f.lot.ID, contentKey(t, b, fresh[b]))
		f.Must(err)
		if o.Price != prices[b] {
			t.Fatalf("%s opened at %s, want %s", b.name, o.Price.Yuan(), prices[b].Yuan())
		}
	}
	rec2, err := f.Bidding.RecordOf(f.Ctx, f.tenderer, f.lot.ID, 0)
	f.Must(err)
	if rec2.Round != 2 || rec2.State != bidding.Recorded || len(rec2.Bids) != 4 || !rec2.Deadline.Equal(deadline2) {
		t.Fatalf("round 2 record %+v", rec2.Hall)
	}
	p, err = tender.GetProject(f.Ctx, f.DB, f.project.ID)
	f.Must(err)
	if p.State != tender.Evaluating {
		t.Errorf("project %s after round 2's opening, want evaluating", p.State)
	}
	// Round 1 stays readable: its failure, by number.
	h1, err := f.Bidding.HallRound(f.Ctx, b3.actor, f.lot.ID, 1)
	f.Must(err)
	if h1.Round != 1 || h1.State != bidding.Failed || h1.Received != 2 || !h1.Deadline.Equal(deadline) || h1.Failure == "" {
		t.Fatalf("round 1 after round 2: %+v", h1)
	}
	_, err = f.Bidding.RecordOf(f.Ctx, f.tenderer, f.lot.ID, 1)
	wantCode(t, err, errs.Conflict) // a failed round has no record table
	_, err = f.Bidding.HallRound(f.Ctx, f.staff, f.lot.ID, 3)
	wantCode(t, err, errs.NotFound)
	c1, _, err := f.Bidding.Commitments(f.Ctx, f.staff, f.lot.ID, 1)
	f.Must(err)
	c2, _, err := f.Bidding.Commitments(f.Ctx, f.staff, f.lot.ID, 2)
	f.Must(err)
	if len(c1) != 2 || len(c2) != 4 {
		t.Errorf("commitments: round 1 %d, round 2 %d; want 2 and 4", len(c1), len(c2))
	}
	if pdfBytes, sig, err := f.Bidding.RecordPDFOf(f.Ctx, f.tenderer, f.lot.ID, 2); err != nil {
		t.Logf("no PDF (is a Chinese font installed?): %v", err)
	} else {
		pem, err := f.Bidding.ReceiptKey(f.tenderer)
		f.Must(err)
		if !bidding.VerifyRecord(pem, pdfBytes, sig) {
			t.Error("round 2's record PDF does not verify")
		}
	}
	mine, err := f.Bidding.MyOpened(f.Ctx, b1.actor)
	f.Must(err)
	if len(mine) != 2 || mine[0].Round != 2 || mine[0].State != bidding.Recorded || mine[1].Round != 1 || mine[1].State != bidding.Failed {
		t.Fatalf("b1's opened bids %+v, want round 2 then round 1", mine)
	}
	lots, err := f.Bidding.HallLots(f.Ctx, f.staff)
	f.Must(err)
	if len(lots) != 1 || lots[0].Round != 2 || lots[0].State != bidding.Recorded {
		t.Fatalf("hall lots %+v", lots)
	}
	ids, err := f.Bidding.Bidders(f.Ctx, f.DB, f.lot.ID)
	f.Must(err)
	if len(ids) != 4 {
		t.Errorf("bidders of the current round %v, want 4", ids)
	}
	// Confirmations belong to round 2.
	_, err = f.Bidding.Respond(f.Ctx, b1.actor, f.lot.ID, bidding.ResponseInput{Kind: "confirm"})
	f.Must(err)
	var confirms int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM opening_responses WHERE lot_id = ? AND round = 2", f.lot.ID).Scan(&confirms))
	if confirms != 1 {
		t.Errorf("%d round-2 responses, want 1", confirms)
	}
}

// TestMinimumFor: the minimum number of bids of an online opening follows
// the procedure (RULES A12 for tendering under the tendering law, D8 for
// government procurement by tender; none in the rules for negotiation,
// consultation and inquiry; single source and listings are not opened).
func TestMinimumFor(t *testing.T) {
	cases := []struct {
		kind      tender.TradeKind
		procedure tender.Procedure
		bids      int
		rule      string
		refused   string // part of the refusal, "" if opened online
	}{
		{tender.Construction, tender.Open, 3, "A12", ""},
		{tender.Construction, tender.Invited, 3, "A12", ""},
		{tender.Procurement, tender.Open, 3, "D8", ""},
		{tender.Procurement, tender.Invited, 3, "D8", ""},
		{tender.Procurement, tender.Negotiation, 1, "", ""},
		{tender.Procurement, tender.Consultation, 1, "", ""},
		{tender.Procurement, tender.Inquiry, 1, "", ""},
		{tender.Procurement, tender.SingleSource, 0, "", "单一来源"},
		{tender.Land, tender.Listing, 0, "", "不通过加密投标"},
		{tender.Land, tender.Open, 0, "", "不通过加密投标"},
		{tender.Property, tender.Auction, 0, "", "不通过加密投标"},
	}
	for _, c := range cases {
		m, err := bidding.MinimumFor(c.kind, c.procedure)
		if c.refused != "" {
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%s %s: %+v %v, want refused with %q", c.kind, c.procedure, m, err, c.refused)
			}
			continue
		}
		if err != nil || m.Bids != c.bids || m.Rule != c.rule {
			t.Errorf("%s %s: %+v %v, want %d under %q", c.kind, c.procedure, m, err, c.bids, c.rule)
		}
	}
}

// TestMinimumByProcedure opens the fixture's lot with two bids as other
// procedures: procurement by open tender fails under D8, a competitive
// negotiation goes on (no minimum in the rules), and a single-source
// purchase takes no sealed bids and is not opened.
func TestMinimumByProcedure(t *testing.T) {
	for _, c := range []struct {
		procedure tender.Procedure
		want      bidding.OpeningState
		rule      string
	}{
		{tender.Open, bidding.Failed, "规则 D8"},
		{tender.Negotiation, bidding.Decrypting, ""},
	} {
		t.Run(string(c.procedure), func(t *testing.T) {
			f := newFixture(t, 2)
			f.setProcedure(tender.Procurement, c.procedure)
			for _, b := range f.bidders {
				_, err := f.submit(b, f.seal(b, 800*money.OneWan))
				f.Must(err)
			}
			f.Clock.Set(deadline)
			_, err := f.Bidding.StartDue(f.Ctx)
			f.Must(err)
			h, err := f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
			f.Must(err)
			if h.State != c.want || h.Received != 2 || !strings.Contains(h.Failure, c.rule) {
				t.Fatalf("hall %+v, want %s", h, c.want)
			}
		})
	}
	t.Run("single_source", func(t *testing.T) {
		f := newFixture(t, 1)
		f.setProcedure(tender.Procurement, tender.SingleSource)
		b := f.bidders[0]
		_, err := f.submit(b, f.seal(b, 800*money.OneWan))
		if e := wantCode(t, err, errs.Conflict); !strings.Contains(e.Message, "单一来源") || !strings.Contains(e.Message, "D8") {
			t.Fatalf("single-source bid: %v", err)
		}
		_, err = f.Bidding.SetSettings(f.Ctx, f.agent, f.lot.ID, bidding.Settings{DecryptMinutes: 60})
		wantCode(t, err, errs.Conflict)
		if taking, err := f.Bidding.Taking(f.Ctx, b.actor); err != nil || len(taking) != 0 {
			t.Fatalf("single source listed as taking bids: %+v %v", taking, err)
		}
		f.Clock.Set(deadline.Add(time.Minute))
		if n, err := f.Bidding.StartDue(f.Ctx); err != nil || n != 0 {
			t.Fatalf("single source opened online: %d %v", n, err)
		}
	})
}

// setProcedure makes the fixture project another kind and procedure (as
// the intake would have registered it).
func (f *fixture) setProcedure(k tender.TradeKind, p tender.Procedure) {
	_, err := f.DB.Exec(f.Ctx, "UPDATE projects SET trade_kind = ?, procedure = ? WHERE id = ?", k, p, f.project.ID)
	f.Must(err)
	f.project.TradeKind, f.project.Procedure = k, p
}
