package bidding_test

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// TestScenario walks a lot from sealing to the confirmed opening record:
// four bids (one replaced, one withdrawn and sent again, one replayed),
// a deadline that refuses a late upload, a restart of the service in the
// middle of the opening, a wrong key then the right one, a bidder that
// never decrypts, a price above the maximum, confirmations and an
// answered objection.
func TestScenario(t *testing.T) {
	f := newFixture(t, 4)
	b1, b2, b3, b4 := f.bidders[0], f.bidders[1], f.bidders[2], f.bidders[3]

	c1 := f.seal(b1, 850*money.OneWan)
	r1, err := f.submit(b1, c1)
	f.Must(err)
	if r1.Receipt.Kind != "submit" || r1.Receipt.BidderID != b1.org || r1.Receipt.Size != int64(len(c1)) {
		t.Fatalf("receipt %+v", r1.Receipt)
	}
	pub := &f.Keys.Platform.PublicKey
	f.Must(bidding.VerifyReceipt(pub, r1))
	forged := r1
	forged.Receipt.ReceivedAt = forged.Receipt.ReceivedAt.Add(-time.Hour)
	if bidding.VerifyReceipt(pub, forged) == nil {
		t.Fatal("a receipt with a changed time verified")
	}
	// A replayed upload (same file again) gives back the same receipt.
	again, err := f.submit(b1, c1)
	f.Must(err)
	if again.Receipt.Seq != r1.Receipt.Seq {
		t.Fatalf("replay got receipt %d, want %d", again.Receipt.Seq, r1.Receipt.Seq)
	}

	f.Clock.Advance(time.Hour)
	_, err = f.submit(b2, f.seal(b2, 870*money.OneWan))
	f.Must(err)
	c2 := f.seal(b2, 860*money.OneWan) // b2 changes its mind
	r2, err := f.submit(b2, c2)
	f.Must(err)
	if r2.Receipt.Kind != "replace" {
		t.Fatalf("second upload is %q, want replace", r2.Receipt.Kind)
	}
	c3 := f.seal(b3, 880*money.OneWan)
	_, err = f.submit(b3, c3)
	f.Must(err)
	w3, err := f.Bidding.Withdraw(f.Ctx, b3.actor, f.lot.ID)
	f.Must(err)
	if w3.Receipt.Kind != "withdraw" {
		t.Fatalf("withdrawal receipt %+v", w3.Receipt)
	}
	if m, err := f.Bidding.Mine(f.Ctx, b3.actor, f.lot.ID); err != nil || m.Active {
		t.Fatalf("after withdrawal: %+v %v", m, err)
	}
	_, err = f.submit(b3, c3)
	f.Must(err)
	c4 := f.seal(b4, 950*money.OneWan) // above the 900 万 maximum
	_, err = f.submit(b4, c4)
	f.Must(err)

	// One second after the deadline nothing is taken (A13).
	f.Clock.Set(deadline.Add(time.Second))
	_, err = f.submit(b1, f.seal(b1, 840*money.OneWan))
	wantRule(t, err, "A13")
	_, err = f.Bidding.Withdraw(f.Ctx, b1.actor, f.lot.ID)
	wantRule(t, err, "A13")

	// The opening starts on its own, once.
	n, err := f.Bidding.StartDue(f.Ctx)
	f.Must(err)
	if n != 1 {
		t.Fatalf("started %d openings, want 1", n)
	}
	if n, err = f.Bidding.StartDue(f.Ctx); err != nil || n != 0 {
		t.Fatalf("second StartDue started %d (%v)", n, err)
	}
	h, err := f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
	f.Must(err)
	if h.State != bidding.Decrypting || h.Received != 4 || len(h.Decrypted) != 0 {
		t.Fatalf("hall after start: %+v", h)
	}
	if want := deadline.Add(time.Second).Add(30 * time.Minute); !h.WindowEndsAt.Equal(want) {
		t.Fatalf("window ends %v, want %v", h.WindowEndsAt, want)
	}

	// b1 decrypts; b2 first hands over a wrong key, then the right one.
	if _, err := f.Bidding.Decrypt(f.Ctx, b1.actor, f.lot.ID, contentKey(t, b1, c1)); err != nil {
		t.Fatal(err)
	}
	wrong := make([]byte, 16)
	rand.Read(wrong)
	_, err = f.Bidding.Decrypt(f.Ctx, b2.actor, f.lot.ID, wrong)
	wantCode(t, err, errs.Invalid)

	// The server restarts: a new service over the same database and files.
	f.Bidding = bidding.New(f.Base, f.Tender, f.CA, f.Notice)
	f.Bidding.RecordPDF = bidding.RenderRecord
	if n, err := f.Bidding.StartDue(f.Ctx); err != nil || n != 0 {
		t.Fatalf("StartDue after restart started %d (%v)", n, err)
	}
	o2, err := f.Bidding.Decrypt(f.Ctx, b2.actor, f.lot.ID, contentKey(t, b2, c2))
	f.Must(err)
	if o2.Price != 860*money.OneWan || o2.Status != bidding.Decrypted {
		t.Fatalf("b2 opened as %+v, want the replacing bid's price", o2)
	}
	o4, err := f.Bidding.Decrypt(f.Ctx, b4.actor, f.lot.ID, contentKey(t, b4, c4))
	f.Must(err)
	if !o4.AboveMax {
		t.Fatal("950 万 above a 900 万 maximum is not marked (A14)")
	}
	// b3 never decrypts. Its key is refused once the window is over.
	f.Clock.Advance(31 * time.Minute)
	_, err = f.Bidding.Decrypt(f.Ctx, b3.actor, f.lot.ID, contentKey(t, b3, c3))
	wantCode(t, err, errs.Conflict)
	if n, err := f.Bidding.CloseDue(f.Ctx); err != nil || n != 1 {
		t.Fatalf("CloseDue = %d, %v", n, err)
	}

	rec, err := f.Bidding.RecordOf(f.Ctx, b1.actor, f.lot.ID, 0)
	f.Must(err)
	if rec.State != bidding.Recorded || len(rec.Bids) != 4 {
		t.Fatalf("record %+v", rec.Hall)
	}
	byOrg := map[int64]bidding.Opened{}
	for _, b := range rec.Bids {
		byOrg[b.BidderID] = b
		if b.Deposit != "—" {
			t.Errorf("deposit column %q before the deposit capability", b.Deposit)
		}
	}
	if o := byOrg[b3.org]; o.Status != bidding.Revoked || o.Cause != bidding.CauseNoKey {
		t.Errorf("b3 (never decrypted) = %s/%s, want revoked/not_decrypted (B6)", o.Status, o.Cause)
	}
	if o := byOrg[b1.org]; o.Status != bidding.Decrypted || o.Price != 850*money.OneWan || o.BidderName != b1.name {
		t.Errorf("b1 = %+v", o)
	}
	p, err := tender.GetProject(f.Ctx, f.DB, f.project.ID)
	f.Must(err)
	if p.State != tender.Evaluating {
		t.Errorf("project %s after the opening, want evaluating", p.State)
	}
	if pdfBytes, sig, err := f.Bidding.RecordPDFOf(f.Ctx, f.tenderer, f.lot.ID, 0); err != nil {
		t.Logf("no PDF (is a Chinese font installed?): %v", err)
	} else {
		pem, err := f.Bidding.ReceiptKey(auth.Public("127.0.0.1"))
		f.Must(err)
		if !bidding.VerifyRecord(pem, pdfBytes, sig) {
			t.Error("the record PDF's signature does not verify")
		}
		if bidding.VerifyRecord(pem, append(pdfBytes, ' '), sig) {
			t.Error("a changed PDF verifies")
		}
	}

	// Confirmations, an objection and its answer.
	_, err = f.Bidding.Respond(f.Ctx, b1.actor, f.lot.ID, bidding.ResponseInput{Kind: "confirm"})
	f.Must(err)
	_, err = f.Bidding.Respond(f.Ctx, b1.actor, f.lot.ID, bidding.ResponseInput{Kind: "confirm"})
	wantCode(t, err, errs.Conflict)
	obj, err := f.Bidding.Respond(f.Ctx, b3.actor, f.lot.ID, bidding.ResponseInput{Kind: "objection", Text: "我方网络故障导致未能解密"})
	f.Must(err)
	_, err = f.Bidding.Respond(f.Ctx, b2.actor, f.lot.ID, bidding.ResponseInput{Kind: "objection"})
	wantCode(t, err, errs.Invalid)
	_, err = f.Bidding.Answer(f.Ctx, b1.actor, f.lot.ID, obj.ID, "x")
	wantCode(t, err, errs.Forbidden)
	ans, err := f.Bidding.Answer(f.Ctx, f.agent, f.lot.ID, obj.ID, "解密时限内平台运行正常，按《电子招标投标办法》第三十一条处理")
	f.Must(err)
	if ans.Answer == "" || ans.AnsweredAt.IsZero() {
		t.Fatalf("answer %+v", ans)
	}
	_, err = f.Bidding.Answer(f.Ctx, f.agent, f.lot.ID, obj.ID, "again")
	wantCode(t, err, errs.Conflict)

	// After the opening, supervisors see the upload signals.
	sig, err := f.Bidding.Signals(f.Ctx, f.supervisor, f.lot.ID, 0)
	f.Must(err)
	if len(sig) != 4 || !sig[0].SharedIP || !sig[0].SharedTool {
		t.Fatalf("signals %+v, want 4 with the shared address and machine flagged", sig)
	}

	// Every step is in the audit log and the log verifies.
	if _, err := f.Audit.Checkpoint(f.Ctx, f.DB); err != nil {
		t.Fatal(err)
	}
	if rep, err := audit.Verify(f.Ctx, f.DB, f.Keys.VerifierKey); err != nil || !rep.OK {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
	want := map[string]bool{"bid.submit": false, "bid.withdraw": false, "opening.start": false, "bid.decrypt": false,
		"opening.record": false, "opening.confirm": false, "opening.objection": false, "opening.answer": false}
	evs, err := audit.List(f.Ctx, f.DB, audit.Filter{Limit: 1000})
	f.Must(err)
	for _, e := range evs {
		if _, ok := want[e.Action]; ok {
			want[e.Action] = true
		}
	}
	for a, seen := range want {
		if !seen {
			t.Errorf("no %s event", a)
		}
	}
}

// TestFewerThanThree: two bids at the deadline ⇒ no opening, the lot and
// the project fail and a failure notice is drafted (A12).
func TestFewerThanThree(t *testing.T) {
	f := newFixture(t, 2)
	for _, b := range f.bidders {
		_, err := f.submit(b, f.seal(b, 800*money.OneWan))
		f.Must(err)
	}
	f.Clock.Set(deadline)
	if _, err := f.Bidding.StartDue(f.Ctx); err != nil {
		t.Fatal(err)
	}
	h, err := f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
	f.Must(err)
	if h.State != bidding.Failed || h.Received != 2 || h.Failure == "" {
		t.Fatalf("hall %+v, want failed with 2 bids", h)
	}
	_, err = f.Bidding.Decrypt(f.Ctx, f.bidders[0].actor, f.lot.ID, make([]byte, 16))
	wantCode(t, err, errs.Conflict)
	p, err := tender.GetProject(f.Ctx, f.DB, f.project.ID)
	f.Must(err)
	if p.State != tender.Failed {
		t.Errorf("project %s, want failed", p.State)
	}
	var kind, state, body string
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT kind, state, body FROM notices WHERE project_id = ? AND kind = 'failure'", p.ID).Scan(&kind, &state, &body))
	if state != "draft" || !bytes.Contains([]byte(body), []byte("不足 3 家")) {
		t.Errorf("failure notice %s/%s: %s", kind, state, body)
	}
}

// TestUploadCompletingAfterDeadline: an upload that began before the
// deadline and completes after it is refused (A13).
func TestUploadCompletingAfterDeadline(t *testing.T) {
	f := newFixture(t, 1)
	b := f.bidders[0]
	c := f.seal(b, 800*money.OneWan)
	f.Clock.Set(deadline.Add(-time.Second))
	slow := &clockReader{r: bytes.NewReader(c), at: len(c) / 2, fire: func() { f.Clock.Set(deadline) }}
	_, err := f.Bidding.Submit(f.Ctx, b.actor, f.lot.ID, slow, bidding.Upload{})
	wantRule(t, err, "A13")
	if m, err := f.Bidding.Mine(f.Ctx, b.actor, f.lot.ID); err != nil || m.Active {
		t.Fatalf("a late upload was kept: %+v %v", m, err)
	}
}

// clockReader runs fire once after at bytes have been read.
type clockReader struct {
	r    *bytes.Reader
	n    int
	at   int
	fire func()
}

func (c *clockReader) Read(p []byte) (int, error) {
	if len(p) > 512 {
		p = p[:512]
	}
	n, err := c.r.Read(p)
	c.n += n
	if c.fire != nil && c.n >= c.at {
		c.fire()
		c.fire = nil
	}
	return n, err
}
