package bidding_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/sealed"
)

// TestSubmitRefuses: anything that is not a valid sealed container of the
// uploader for this lot is refused with a message, and nothing is stored
// as a bid (RULES B4).
func TestSubmitRefuses(t *testing.T) {
	f := newFixture(t, 2)
	b1, b2 := f.bidders[0], f.bidders[1]
	good := f.seal(b1, 800*money.OneWan)
	flip := func(at int) []byte {
		c := bytes.Clone(good)
		c[at] ^= 0x01
		return c
	}
	cases := []struct {
		name      string
		who       *bidder
		container []byte
		code      errs.Code
		says      string
	}{
		{"plain file", b1, []byte("投标函：报价 800 万元，工期 365 天"), errs.Invalid, "加密投标文件"},
		{"empty", b1, nil, errs.Invalid, ""},
		{"truncated", b1, good[:len(good)-100], errs.Invalid, ""},
		{"byte flipped in the middle", b1, flip(len(good) / 2), errs.Invalid, ""},
		{"byte flipped near the end", b1, flip(len(good) - 40), errs.Invalid, ""},
		{"byte flipped in the header", b1, flip(40), errs.Invalid, ""},
		{"trailing data", b1, append(bytes.Clone(good), "x"...), errs.Invalid, ""},
		{"another bidder's container", b2, good, errs.Invalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.submit(c.who, c.container)
			if err == nil {
				t.Fatal("accepted")
			}
			if c.name == "another bidder's container" {
				// b1's certificate is not bound to b2's organisation.
				if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Forbidden {
					t.Fatalf("error %v", err)
				}
			} else {
				e := wantCode(t, err, c.code)
				if !strings.Contains(e.Message, c.says) {
					t.Fatalf("message %q does not say %q", e.Message, c.says)
				}
			}
			if m, err := f.Bidding.Mine(f.Ctx, c.who.actor, f.lot.ID); err != nil || m.Active {
				t.Fatalf("something was kept: %+v %v", m, err)
			}
		})
	}

	// A container sealed for another lot.
	other := f.lot
	other.ID = f.lot.ID + 1000
	f.lot = other
	wrongLot := f.seal(b1, 800*money.OneWan)
	f.lot.ID -= 1000
	_, err := f.submit(b1, wrongLot)
	wantCode(t, err, errs.Invalid)

	// A revoked certificate is refused.
	certs, _, err := f.CA.List(f.Ctx, b1.actor, ca.Filter{})
	f.Must(err)
	_, err = f.CA.Revoke(f.Ctx, b1.actor, certs[0].ID, "私钥遗失")
	f.Must(err)
	_, err = f.submit(b1, good)
	if err == nil {
		t.Fatal("a container signed with a revoked certificate was accepted")
	}

	// Roles other than bidders may not submit at all.
	for _, role := range []auth.Role{auth.Admin, auth.Staff, auth.Tenderer, auth.Agent, auth.Supervisor, auth.Expert, auth.Anonymous} {
		_, err := f.Bidding.Submit(f.Ctx, f.Actor(role), f.lot.ID, bytes.NewReader(good), bidding.Upload{})
		if err == nil {
			t.Errorf("%s submitted a bid", role)
		}
	}
}

// TestAmendmentMovesDeadline: an amendment that moves the deadline moves
// it for the bids and the opening too.
func TestAmendmentMovesDeadline(t *testing.T) {
	f := newFixture(t, 1)
	b := f.bidders[0]
	var tenderID int64
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT id FROM notices WHERE project_id = ? AND kind = 'tender'", f.project.ID).Scan(&tenderID))
	later := deadline.Add(7 * 24 * time.Hour)
	in := notice.Input{ProjectID: f.project.ID, Kind: notice.KindAmendment, AmendsID: tenderID, BidDeadline: later, AffectsBids: true,
		Body: "投标截止时间顺延至 2027年1月4日 09:30。"}
	n, err := f.Notice.Draft(f.Ctx, f.agent, in)
	f.Must(err)
	_, err = f.Notice.Submit(f.Ctx, f.agent, n.ID)
	f.Must(err)
	_, err = f.Notice.Decide(f.Ctx, f.staff, n.ID, notice.Decision{Approve: true})
	f.Must(err)

	f.Clock.Set(deadline.Add(time.Hour))
	if started, err := f.Bidding.StartDue(f.Ctx); err != nil || started != 0 {
		t.Fatalf("opening started at the old deadline: %d %v", started, err)
	}
	if _, err := f.submit(b, f.seal(b, 800*money.OneWan)); err != nil {
		t.Fatalf("a bid after the old deadline but before the new one: %v", err)
	}
	f.Clock.Set(later)
	_, err = f.submit(b, f.seal(b, 790*money.OneWan))
	wantRule(t, err, "A13")
	if started, err := f.Bidding.StartDue(f.Ctx); err != nil || started != 1 {
		t.Fatalf("opening at the new deadline: %d %v", started, err)
	}
}

// TestSwappedFileIsDamage: if the stored chunk section of a bid is
// replaced in the file store — here by the same bidder's earlier, replaced
// container's section, which its current key does not open — or has a
// byte changed, or is gone, the failure is the platform's (withdrawn, B6),
// never blamed on the bidder as a wrong key; an intact bid of the same lot
// decrypts.
func TestSwappedFileIsDamage(t *testing.T) {
	f := newFixture(t, 4)
	var last [][]byte
	for i, b := range f.bidders {
		c := f.seal(b, money.Fen(800+i)*money.OneWan)
		_, err := f.submit(b, c)
		f.Must(err)
		last = append(last, c)
	}
	b0, b1, b2 := f.bidders[0], f.bidders[1], f.bidders[2]
	old := last[0]
	newer := f.seal(b0, 790*money.OneWan)
	_, err := f.submit(b0, newer)
	f.Must(err)
	sectionPath := func(c []byte) (string, []byte) {
		env, err := sealed.Inspect(bytes.NewReader(c))
		f.Must(err)
		key := hex.EncodeToString(env.CipherDigest)
		return filepath.Join(f.DataDir, "blobs", key[:2], key[2:4], key), c[len(env.Head) : len(c)-len(env.Trailer)]
	}
	path, _ := sectionPath(newer)
	_, oldSection := sectionPath(old)
	f.Must(os.WriteFile(path, oldSection, 0o640))
	path, section := sectionPath(last[1])
	section = bytes.Clone(section)
	section[len(section)/2] ^= 1
	f.Must(os.WriteFile(path, section, 0o640))
	path, _ = sectionPath(last[3])
	f.Must(os.Remove(path))

	f.Clock.Set(deadline)
	_, err = f.Bidding.StartDue(f.Ctx)
	f.Must(err)
	for _, c := range []struct {
		b         *bidder
		container []byte
		cause     bidding.Cause
	}{{b0, newer, bidding.CauseDamaged}, {b1, last[1], bidding.CauseDamaged}, {f.bidders[3], last[3], bidding.CauseMissing}} {
		_, err = f.Bidding.Decrypt(f.Ctx, c.b.actor, f.lot.ID, contentKey(t, c.b, c.container))
		wantCode(t, err, errs.Conflict)
		m, err := f.Bidding.Mine(f.Ctx, c.b.actor, f.lot.ID)
		f.Must(err)
		if m.Status != bidding.Withdrawn || m.Cause != c.cause {
			t.Fatalf("%s: %s/%s, want withdrawn/%s", c.b.name, m.Status, m.Cause, c.cause)
		}
	}
	o, err := f.Bidding.Decrypt(f.Ctx, b2.actor, f.lot.ID, contentKey(t, b2, last[2]))
	if err != nil || o.Status != bidding.Decrypted || o.Price != 802*money.OneWan {
		t.Fatalf("an intact bid: %+v %v", o, err)
	}
}

// TestLegacyWholeContainer: a bid received before containers were stored
// split (the whole file in the store under its SM3) still opens, a byte
// changed in such a file is the platform's fault, and its withdrawal's
// receipt is of version 1 (the digest is the SM3 of the file).
func TestLegacyWholeContainer(t *testing.T) {
	f := newFixture(t, 4)
	var containers [][]byte
	for i, b := range f.bidders {
		c := f.seal(b, money.Fen(800+i)*money.OneWan)
		_, err := f.submit(b, c)
		f.Must(err)
		containers = append(containers, c)
	}
	var legacy []string
	for i := range 4 {
		if i == 2 {
			legacy = append(legacy, "")
			continue
		}
		c := containers[i]
		if i == 1 {
			c = bytes.Clone(c)
			c[len(c)/2] ^= 1
		}
		ref, err := f.Blobs.Put(f.Ctx, bytes.NewReader(c), int64(len(c)))
		f.Must(err)
		f.Must(f.Bidding.LegacyBidForTest(f.Ctx, f.lot.ID, f.bidders[i].org, ref.Key))
		legacy = append(legacy, ref.Key)
	}
	w, err := f.Bidding.Withdraw(f.Ctx, f.bidders[3].actor, f.lot.ID)
	f.Must(err)
	if w.Receipt.Version != 1 || w.Receipt.Digest != legacy[3] || bidding.VerifyReceipt(&f.Keys.Platform.PublicKey, w) != nil {
		t.Fatalf("withdrawal of a whole stored container: %+v", w.Receipt)
	}
	if d, _, err := bidding.ReceiptDigest(1, bytes.NewReader(containers[3])); err != nil || d != legacy[3] {
		t.Fatalf("ReceiptDigest(1): %s %v", d, err)
	}
	f.Clock.Set(deadline)
	_, err = f.Bidding.StartDue(f.Ctx)
	f.Must(err)
	o, err := f.Bidding.Decrypt(f.Ctx, f.bidders[0].actor, f.lot.ID, contentKey(t, f.bidders[0], containers[0]))
	if err != nil || o.Status != bidding.Decrypted || o.Price != 800*money.OneWan {
		t.Fatalf("a whole stored container: %+v %v", o, err)
	}
	_, err = f.Bidding.Decrypt(f.Ctx, f.bidders[1].actor, f.lot.ID, contentKey(t, f.bidders[1], containers[1]))
	wantCode(t, err, errs.Conflict)
	m, err := f.Bidding.Mine(f.Ctx, f.bidders[1].actor, f.lot.ID)
	f.Must(err)
	if m.Status != bidding.Withdrawn || m.Cause != bidding.CauseDamaged {
		t.Fatalf("a changed whole container: %s/%s, want withdrawn/damaged", m.Status, m.Cause)
	}
}
