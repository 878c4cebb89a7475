package demo_test

import (
	"context"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/demo"
	"ggzy/internal/expert"
	"ggzy/internal/testenv"
)

// TestDemoExperts: the library holds the seed account's 743 Zhaotong
// experts of the four lines plus the province's and Qujing's, all valid
// (they came through the real import), some suspended, retired, on leave
// or penalised; the listed expert account opens its portal; and a draw
// pool over the demo finds people to exclude for several reasons.
func TestDemoExperts(t *testing.T) {
	ctx := context.Background()
	p := newPlatform(t)
	res, err := p.load(ctx, smallDemo)
	if err != nil {
		t.Fatal(err)
	}
	var zt, yn, qj, suspended, retired, dishonest int
	p.must(t, p.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM experts WHERE centre_code LIKE '5306%'),
		(SELECT count(*) FROM experts WHERE centre_code = '530000'),
		(SELECT count(*) FROM experts WHERE centre_code = '530300'),
		(SELECT count(*) FROM experts WHERE status = 'suspended'),
		(SELECT count(*) FROM experts WHERE status = 'retired'),
		(SELECT count(*) FROM experts WHERE dishonest)`).Scan(&zt, &yn, &qj, &suspended, &retired, &dishonest))
	if zt != 743 || yn != 120 || qj != 90 || suspended == 0 || retired == 0 || dishonest == 0 {
		t.Fatalf("library: 昭通 %d, 省 %d, 曲靖 %d, suspended %d, retired %d, 失信 %d", zt, yn, qj, suspended, retired, dishonest)
	}
	if n := count(t, p.db, "expert_leaves"); n == 0 {
		t.Fatal("no leave")
	}
	if n := count(t, p.db, "expert_penalties"); n == 0 {
		t.Fatal("no penalties")
	}
	var cities int
	p.must(t, p.db.QueryRow(ctx, "SELECT count(DISTINCT centre_code) FROM experts WHERE centre_code LIKE '5306%'").Scan(&cities))
	if cities != 12 {
		t.Fatalf("Zhaotong experts in %d centres, want the city and its 11 counties", cities)
	}

	var account demo.Account
	for _, a := range res.Accounts {
		if a.Role == auth.Expert {
			account = a
		}
	}
	if account.Username != "zt_expert" {
		t.Fatalf("no expert account listed: %+v", res.Accounts)
	}
	_, actor, err := p.svc.Login(ctx, "10.0.0.9", account.Username, demo.Password)
	p.must(t, err)
	portal, err := p.all.Expert.Mine(ctx, actor)
	p.must(t, err)
	if portal.Expert.Name != account.Name || portal.Expert.CentreCode != "530600" {
		t.Fatalf("portal %+v", portal.Expert)
	}
	for username, centre := range map[string]string{"ld_expert": "530621", "qj_expert": "530300"} {
		_, a, err := p.svc.Login(ctx, "10.0.0.9", username, demo.Password)
		p.must(t, err)
		mine, err := p.all.Expert.Mine(ctx, a)
		p.must(t, err)
		if mine.Expert.CentreCode != centre || a.Role != auth.Expert {
			t.Fatalf("%s: %+v", username, mine.Expert)
		}
	}

	// A draw for a building lot of the city, with every Zhaotong bidder
	// bidding: the pool is large, and some are excluded for ties to the
	// bidders, the supervising departments, or their own standing.
	var bidders, depts []int64
	rows, err := p.db.Query(ctx, "SELECT id, kind FROM organisations WHERE kind IN ('bidder', 'supervisor') AND status = 'approved'")
	p.must(t, err)
	for rows.Next() {
		var id int64
		var kind string
		p.must(t, rows.Scan(&id, &kind))
		if kind == "bidder" {
			bidders = append(bidders, id)
		} else {
			depts = append(depts, id)
		}
	}
	rows.Close()
	from := time.Date(2026, 12, 2, 9, 0, 0, 0, clock.Shanghai)
	eligible, excluded, err := p.all.Expert.Pool(ctx, p.db, expert.PoolQuery{Specialty: "A08", Centres: []string{"530600", "530602",
		"530621", "530627"}, From: from, To: from.Add(8 * time.Hour), BidderOrgIDs: bidders, SupervisorOrgIDs: depts, MaxAge: 70,
		At: testenv.Start})
	p.must(t, err)
	reasons := map[expert.Reason]int{}
	for _, x := range excluded {
		reasons[x.Reason]++
	}
	if len(eligible) < 200 || reasons[expert.ReasonBidder] == 0 || reasons[expert.ReasonSupervisor] == 0 || reasons[expert.ReasonOther] == 0 {
		t.Fatalf("pool of %d, exclusions %v", len(eligible), reasons)
	}
}

func (p *rig) must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
