package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/db"
	"ggzy/internal/demo"
	"ggzy/internal/money"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
)

// checkOnline checks the online openings (TestLoad, TestTradingFull and
// TestPresents run it): the recent lots of the demo were bid for with
// sealed bids and opened online, and the present shows every state of the
// opening — bids before the deadline that nobody can see, a lot in its
// decryption window with some bidders still to decrypt (their keys written
// for the user, and they work), recorded openings with signed PDF records,
// confirmations and an answered objection, a revoked bid, withdrawals and
// replacements, and a failed opening whose drafted failure notice was
// published (not a second one). The server's opening job finds nothing
// left to do.
//
// n is the number of projects. It decrypts one bid by hand with a written
// key, so it changes the database.
func checkOnline(t *testing.T, p *rig, res demo.Result, n int) {
	t.Helper()
	ctx := context.Background()
	present := res.Summary.Now
	s := res.Summary
	t.Logf("openings %v, opened bids %d, certificates %d, showcase %+v", s.Openings, s.OpenedBids, s.Certificates, res.Openings)
	recorded := 2 // the placed projects in evaluation and publicity
	if n >= 900 {
		recorded = 30 // the last 45 days of a full demo
	}
	if s.Openings[bidding.Recorded] < recorded || s.Openings[bidding.Decrypting] < 1 || s.Openings[bidding.Failed] < 1 {
		t.Errorf("openings by state %v: want %d recorded, one decrypting, one failed", s.Openings, recorded)
	}
	if s.Certificates < 70 || s.OpenedBids < 3*s.Openings[bidding.Recorded] {
		t.Errorf("%d certificates, %d opened bids", s.Certificates, s.OpenedBids)
	}
	// Later rounds (a re-tender after 流标) were opened online too, each
	// after a failed round of its lot.
	var later, orphans int64
	p.must(t, p.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM openings WHERE round > 1),
		(SELECT count(*) FROM openings o WHERE o.round > 1 AND NOT EXISTS (SELECT 1 FROM openings e
			WHERE e.lot_id = o.lot_id AND e.round = o.round - 1 AND e.state = 'failed'))`).Scan(&later, &orphans))
	t.Logf("openings of a second or later round: %d", later)
	if later < 1 || orphans != 0 {
		t.Errorf("%d openings of later rounds (want the re-tendered special's), %d without a failed round before them", later, orphans)
	}
	svc := p.all.Bidding
	staff := p.signIn(t, "zt_staff")
	admin := p.signIn(t, "admin")

	// Bids by state: replaced and withdrawn rows exist; some bids revoked
	// (B6), most decrypted.
	var replaced, withdrawn, revoked, decrypted, confirms, objections, answered int
	p.must(t, p.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM bids WHERE state = 'replaced'), (SELECT count(*) FROM bids WHERE state = 'withdrawn'),
		(SELECT count(*) FROM opened_bids WHERE status = 'revoked'), (SELECT count(*) FROM opened_bids WHERE status = 'decrypted'),
		(SELECT count(*) FROM opening_responses WHERE kind = 'confirm'), (SELECT count(*) FROM opening_responses WHERE kind = 'objection'),
		(SELECT count(*) FROM opening_responses WHERE kind = 'objection' AND answered_at > 0)`).
		Scan(&replaced, &withdrawn, &revoked, &decrypted, &confirms, &objections, &answered))
	if replaced == 0 || withdrawn == 0 || revoked == 0 || decrypted < 3 || confirms == 0 || objections == 0 || answered == 0 {
		t.Errorf("replaced %d, withdrawn %d, revoked %d, decrypted %d, confirmations %d, objections %d (answered %d)",
			replaced, withdrawn, revoked, decrypted, confirms, objections, answered)
	}

	shown := map[string]demo.Showcase{}
	for _, sc := range res.Openings {
		shown[strings.SplitN(sc.What, "（", 2)[0]] = sc
	}

	// Recorded openings: the record with its signed PDF (when a Chinese
	// font is installed) and the answered objection.
	rec, ok := shown["开标结束"]
	if !ok {
		t.Fatalf("no recorded opening with an objection shown: %+v", res.Openings)
	}
	h, err := svc.Hall(ctx, staff, rec.LotID)
	p.must(t, err)
	if h.State != bidding.Recorded || len(h.Bids) < 3 || len(h.Responses) == 0 {
		t.Errorf("recorded hall %+v", h)
	}
	if _, err := bidding.RenderRecord(bidding.RecordDoc{ProjectName: "字体", Bids: []bidding.Opened{{BidderName: "测试"}}}); err != nil {
		t.Logf("no Chinese font, no record PDF: %v", err)
	} else {
		var withPDF int
		p.must(t, p.db.QueryRow(ctx, "SELECT count(*) FROM openings WHERE state = 'recorded' AND record_blob <> ''").Scan(&withPDF))
		if withPDF != s.Openings[bidding.Recorded] {
			t.Errorf("%d of %d records have a PDF", withPDF, s.Openings[bidding.Recorded])
		}
		pdf, sig, err := svc.RecordPDFOf(ctx, staff, rec.LotID, 0)
		p.must(t, err)
		pem, err := svc.ReceiptKey(auth.Public("127.0.0.1"))
		p.must(t, err)
		if !strings.HasPrefix(string(pdf), "%PDF") || !bidding.VerifyRecord(pem, pdf, sig) {
			t.Error("the record PDF does not verify")
		}
	}

	// The failed opening: fewer than three bids, the project failed, and
	// the failure notice the opening drafted is the one published.
	failed, ok := shown["流标"]
	if !ok {
		t.Fatalf("no failed opening shown: %+v", res.Openings)
	}
	h, err = svc.Hall(ctx, staff, failed.LotID)
	p.must(t, err)
	if h.State != bidding.Failed || h.Received >= bidding.MinBids || h.Failure == "" {
		t.Errorf("failed hall %+v", h)
	}
	lot, err := tender.GetLot(ctx, p.db, failed.LotID)
	p.must(t, err)
	pr, err := tender.GetProject(ctx, p.db, lot.ProjectID)
	p.must(t, err)
	var drafted, failureNotices, published int64
	p.must(t, p.db.QueryRow(ctx, "SELECT failure_notice FROM openings WHERE lot_id = ? AND state = 'failed' ORDER BY round DESC LIMIT 1", failed.LotID).Scan(&drafted))
	p.must(t, p.db.QueryRow(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN id = ? AND state = 'published' THEN 1 ELSE 0 END), 0)
		FROM notices WHERE project_id = ? AND kind = 'failure'`, drafted, pr.ID).Scan(&failureNotices, &published))
	var failedLots int64
	p.must(t, p.db.QueryRow(ctx, "SELECT count(*) FROM openings o JOIN lots l ON l.id = o.lot_id WHERE l.project_id = ? AND o.state = 'failed'",
		pr.ID).Scan(&failedLots))
	if pr.State != tender.Failed || published != 1 || failureNotices != failedLots {
		t.Errorf("failed project %s: %d failure notices for %d failed lots, the drafted one published %d", pr.State, failureNotices,
			failedLots, published)
	}

	// The lot in its decryption window: some decrypted, some not; the keys
	// of those who have not are written (0600) and decrypt their bids.
	win, ok := shown["解密中"]
	if !ok || len(win.Bidders) == 0 {
		t.Fatalf("no lot in its decryption window with bidders left: %+v", res.Openings)
	}
	h, err = svc.Hall(ctx, staff, win.LotID)
	p.must(t, err)
	if h.State != bidding.Decrypting || !h.WindowEndsAt.After(present) || len(h.Decrypted) == 0 ||
		len(h.Decrypted) >= h.Received || len(h.Bids) != 0 {
		t.Errorf("decrypting hall %+v", h)
	}
	if win.Bidders[0] != "bidder00" {
		t.Errorf("the listed bidder is not the first to decrypt by hand: %v", win.Bidders)
	}
	user := win.Bidders[0]
	keyFile := filepath.Join(p.keysDir, user, "key.pem")
	fi, err := os.Stat(keyFile)
	p.must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v", keyFile, fi.Mode().Perm())
	}
	b, err := os.ReadFile(keyFile)
	p.must(t, err)
	key, err := ca.ParseKeyPEM(b)
	p.must(t, err)
	bidder := p.signIn(t, user)
	mine, err := svc.Mine(ctx, bidder, win.LotID)
	p.must(t, err)
	ck, err := sealed.UnwrapKey(sealed.Envelope{WrappedKey: mine.WrappedKey}, key)
	p.must(t, err)
	opened, err := svc.Decrypt(ctx, bidder, win.LotID, ck)
	p.must(t, err)
	if opened.Status != bidding.Decrypted || opened.Price <= 0 || opened.Price > 100_000*money.OneWan {
		t.Errorf("decrypted by hand: %+v", opened)
	}

	// Bids before the deadline: the bidding service knows them, the hall
	// shows nothing of them — no count, no names — even to staff and admins.
	ahead, ok := shown["投标中"]
	if !ok {
		t.Fatalf("no lot before its deadline with bids shown: %+v", res.Openings)
	}
	ids, err := svc.Bidders(ctx, p.db, ahead.LotID)
	p.must(t, err)
	if len(ids) == 0 || len(ahead.Bidders) != len(ids) {
		t.Errorf("lot %d: %d bidders, shown %v", ahead.LotID, len(ids), ahead.Bidders)
	}
	for _, a := range []auth.Actor{staff, admin} {
		h, err := svc.Hall(ctx, a, ahead.LotID)
		p.must(t, err)
		if h.State != bidding.Waiting || h.Received != 0 || len(h.Decrypted) != 0 || len(h.Bids) != 0 || !h.Deadline.After(present) {
			t.Errorf("hall before the deadline shows %+v to %s", h, a.Username)
		}
	}
	if _, err := os.Stat(filepath.Join(p.keysDir, ahead.Bidders[0], "key.pem")); err != nil {
		t.Errorf("no key for %s: %v", ahead.Bidders[0], err)
	}

	// Consistent with the server's opening job: nothing is due.
	if n, err := svc.StartDue(ctx); err != nil || n != 0 {
		t.Errorf("the opening job started %d lots after loading (%v)", n, err)
	}
	var due int
	p.must(t, p.db.QueryRow(ctx, `SELECT count(*) FROM lots l JOIN projects p ON p.id = l.project_id
		WHERE l.bid_deadline > 0 AND l.bid_deadline <= ? AND l.opening_at > 0 AND p.state IN ('tendering', 'evaluating')
		AND p.procedure <> 'single_source' AND NOT EXISTS (SELECT 1 FROM openings o WHERE o.lot_id = l.id AND o.bid_deadline >= l.bid_deadline)`,
		db.Micros(present)).Scan(&due))
	if due != 0 {
		t.Errorf("%d lots past their deadline without an opening", due)
	}
}

// signIn signs a demo account in.
func (p *rig) signIn(t *testing.T, username string) auth.Actor {
	t.Helper()
	_, a, err := p.svc.Login(context.Background(), "10.99.0.1", username, demo.Password)
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	return a
}
