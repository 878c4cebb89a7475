package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/money"
	"ggzy/internal/notice"
)

// TestOpeningRoundsPages: a lot that failed with two bids (流标) and was
// tendered again shows its current round (第 2 轮) on the hall, the bid
// page and the lists, links the earlier round, whose hall, API and stream
// stay readable by number; the current round names nobody before its
// deadline.
func TestOpeningRoundsPages(t *testing.T) {
	e := newBidEnv(t, 3)
	b1, b2, b3 := e.bidders[0], e.bidders[1], e.bidders[2]
	lotPath := fmt.Sprintf("/workbench/lots/%d", e.lot)
	apiPath := fmt.Sprintf("/api/v1/lots/%d/opening", e.lot)
	for _, b := range []*webBidder{b1, b2} {
		_, err := e.Bidding.Submit(e.Ctx, b.actor, e.lot, bytes.NewReader(e.seal(b, e.lot, 800*money.OneWan, 0)), bidding.Upload{})
		e.Must(err)
	}
	e.Clock.Set(bidDeadline)
	e.Must(e.Bidding.Housekeeping(e.Ctx))
	agent, staffActor := e.Actor(auth.Agent), e.Actor(auth.Staff)
	var failureID int64
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT failure_notice FROM openings WHERE lot_id = ? AND round = 1", e.lot).Scan(&failureID))
	_, err := e.Notice.Submit(e.Ctx, agent, failureID)
	e.Must(err)
	_, err = e.Notice.Decide(e.Ctx, staffActor, failureID, notice.Decision{Approve: true})
	e.Must(err)
	deadline2 := noticeBJ("2027-01-25 09:30")
	in := notice.Input{ProjectID: e.project, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-12-29 09:00"),
		DocsUntil: noticeBJ("2027-01-05 17:00"), BidDeadline: deadline2}
	nt, err := e.Notice.Draft(e.Ctx, agent, in)
	e.Must(err)
	_, err = e.Notice.Submit(e.Ctx, agent, nt.ID)
	e.Must(err)
	_, err = e.Notice.Decide(e.Ctx, staffActor, nt.ID, notice.Decision{Approve: true})
	e.Must(err)
	// b3 bids in round 2 (its first bid on the lot).
	_, err = e.Bidding.Submit(e.Ctx, b3.actor, e.lot, bytes.NewReader(e.seal(b3, e.lot, 790*money.OneWan, 0)), bidding.Upload{})
	e.Must(err)
	for _, b := range e.bidders { // their sessions ran out meanwhile
		b.c = noticeClient(t, e.Env, b.username)
	}
	staff := e.Client(auth.Staff)

	// The hall: round 2 is current, round 1 linked with its failure.
	resp, page := staff.Do("GET", lotPath+"/opening", nil, "")
	p := string(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(p, "第 2 轮") || !strings.Contains(p, `id="hall-rounds"`) ||
		!strings.Contains(p, lotPath+"/opening?round=1") || !strings.Contains(p, "等待开标") || !strings.Contains(p, "递交 2 家") ||
		!strings.Contains(p, `data-round="2"`) {
		t.Fatalf("round 2 hall %d:\n%s", resp.StatusCode, page)
	}
	if strings.Contains(p, `id="hall-received"`) || strings.Contains(p, b3.name) {
		t.Fatalf("round 2's hall tells who or how many bid before its deadline:\n%s", page)
	}
	// Round 1's hall by number: its failure, no forms, a link back.
	resp, page = staff.Do("GET", lotPath+"/opening?round=1", nil, "")
	p = string(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(p, `data-round="1"`) || !strings.Contains(p, "不足 3 家") ||
		!strings.Contains(p, "查看当前轮次") || strings.Contains(p, `id="hall-settings"`) {
		t.Fatalf("round 1 hall %d:\n%s", resp.StatusCode, page)
	}
	// The API: the current round by default, an earlier one by number.
	var h bidding.Hall
	if st := staff.JSON("GET", apiPath, nil, &h); st != http.StatusOK || h.Round != 2 || h.CurrentRound != 2 ||
		h.State != bidding.Waiting || len(h.Rounds) != 2 || h.Received != 0 || h.Rounds[1].Received != 0 {
		t.Fatalf("hall API %d: %+v", st, h)
	}
	if st := staff.JSON("GET", apiPath+"?round=1", nil, &h); st != http.StatusOK || h.Round != 1 || h.State != bidding.Failed ||
		h.Received != 2 || !h.Deadline.Equal(bidDeadline) {
		t.Fatalf("round 1 API %d: %+v", st, h)
	}
	if resp, _ := staff.Do("GET", apiPath+"?round=3", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("round 3: %d, want 404", resp.StatusCode)
	}
	if resp, _ := staff.Do("GET", apiPath+"/signals?round=2", nil, ""); resp.StatusCode == http.StatusOK {
		t.Errorf("round 2's signals before its deadline: %d", resp.StatusCode)
	}
	if resp, body := staff.Do("GET", apiPath+"/signals?round=1", nil, ""); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), b1.name) {
		t.Errorf("round 1's signals: %d %s", resp.StatusCode, body)
	}
	// The stream follows the round asked for.
	st, ev := firstEvent(t, staff, apiPath+"/events?round=1")
	var streamed bidding.Hall
	if data, ok := strings.CutPrefix(strings.SplitN(ev, "\n", 3)[1], "data: "); st != http.StatusOK || !ok ||
		json.Unmarshal([]byte(data), &streamed) != nil || streamed.Round != 1 || streamed.State != bidding.Failed {
		t.Fatalf("round 1 stream %d: %q", st, ev)
	}

	// The bidder's pages: its bid page and list say round 2; b1's round-1
	// bid is not its round-2 bid.
	resp, page = b1.c.Do("GET", lotPath+"/bid", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="bid-round"`) || !strings.Contains(string(page), "第 2 轮") {
		t.Fatalf("bid page in round 2 %d:\n%s", resp.StatusCode, page)
	}
	var mine bidding.MyBid
	if st := b1.c.JSON("GET", fmt.Sprintf("/api/v1/lots/%d/bid", e.lot), nil, &mine); st != http.StatusOK || mine.Round != 2 || mine.Active {
		t.Fatalf("b1's round-2 bid %d: %+v", st, mine)
	}
	resp, page = b1.c.Do("GET", "/workbench/bids", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "第 2 轮") || !strings.Contains(string(page), lotPath+"/opening?round=1") {
		t.Fatalf("bids page %d:\n%s", resp.StatusCode, page)
	}
	// A bid sent to round 1 through the API is refused, naming the rounds.
	resp, body := b1.c.Do("PUT", fmt.Sprintf("/api/v1/lots/%d/bid?round=1", e.lot),
		bytes.NewReader(e.seal(b1, e.lot, 780*money.OneWan, 0)), "application/octet-stream")
	if resp.StatusCode == http.StatusCreated || !strings.Contains(string(body), "第 1 轮已于") || !strings.Contains(string(body), "当前为第 2 轮") {
		t.Fatalf("bid to round 1: %d %s", resp.StatusCode, body)
	}
}
