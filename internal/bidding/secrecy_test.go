package bidding_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/sealed"
)

// TestSecrecyBeforeDeadline proves RULES B3 and B4 for the bidding data:
// before the deadline no role learns who bid or how many through the
// service (hall, signals, another's bid, the audit trail), and neither the
// database nor the file store holds a bid's plaintext or content key —
// not before the deadline and not after decryption either.
func TestSecrecyBeforeDeadline(t *testing.T) {
	f := newFixture(t, 3)
	var containers [][]byte
	var secrets [][]byte // plaintext and key bytes that must never be stored
	for i, b := range f.bidders {
		c := f.seal(b, money.Fen(8123456700+int64(i)))
		containers = append(containers, c)
		_, err := f.submit(b, c)
		f.Must(err)
		k := contentKey(t, b, c)
		secrets = append(secrets, []byte(marker(b)), k, []byte(hex.EncodeToString(k)))
	}
	decoy := f.bidders[2]
	_, err := f.Bidding.Withdraw(f.Ctx, decoy.actor, f.lot.ID)
	f.Must(err)
	if m, err := f.Bidding.Mine(f.Ctx, decoy.actor, f.lot.ID); err != nil || m.Active || m.Receipt == nil || m.Receipt.Receipt.Kind != "withdraw" {
		t.Fatalf("after withdrawing: %+v %v, want the withdrawal receipt", m, err)
	}
	_, err = f.submit(decoy, containers[2])
	f.Must(err)
	// A replaced bid: its container must not show either.
	replaced := f.seal(f.bidders[1], 8123456799)
	_, err = f.submit(f.bidders[1], replaced)
	f.Must(err)
	_, err = f.submit(f.bidders[1], containers[1])
	f.Must(err)

	// Every role, admin and staff included, sees a hall without bidders.
	for _, a := range []auth.Actor{f.admin, f.staff, f.supervisor, f.tenderer, f.agent, f.bidders[0].actor} {
		h, err := f.Bidding.Hall(f.Ctx, a, f.lot.ID)
		f.Must(err)
		if h.Received != 0 || len(h.Decrypted) != 0 || len(h.Bids) != 0 || h.State != bidding.Waiting {
			t.Errorf("%s sees %+v before the deadline", a.Role, h)
		}
		if _, err := f.Bidding.Signals(f.Ctx, a, f.lot.ID, 0); err == nil {
			t.Errorf("%s reads upload signals before the opening", a.Role)
		}
	}
	// A bidder sees its own bid only.
	other := f.bidders[1]
	if m, err := f.Bidding.Mine(f.Ctx, other.actor, f.lot.ID); err != nil || !m.Active || m.Receipt.Receipt.BidderID != other.org {
		t.Fatalf("own bid: %+v %v", m, err)
	}
	// Nobody can decrypt before the deadline.
	_, err = f.Bidding.Decrypt(f.Ctx, other.actor, f.lot.ID, contentKey(t, other, containers[1]))
	wantCode(t, err, errs.Conflict)

	// The audit trail of submissions names nobody and no lot.
	evs, err := audit.List(f.Ctx, f.DB, audit.Filter{Limit: 1000})
	f.Must(err)
	seen := 0
	for _, e := range evs {
		if !strings.HasPrefix(e.Action, "bid.") {
			continue
		}
		seen++
		if e.ActorID != 0 || e.OrgID != 0 || e.IP != "" || e.ObjectType != "sealed_bid" {
			t.Errorf("event %s names who: %+v", e.Action, e)
		}
		if len(e.Details) != 2 || e.Details["commitment"] == nil || e.Details["scheme"] == nil {
			t.Errorf("event %s carries more than its commitment: %v", e.Action, e.Details)
		}
	}
	if seen != 7 {
		t.Errorf("%d bid events, want 7 (3 submissions, a withdrawal, a resubmission, two replacements)", seen)
	}
	// The table holds decoys too: counting rows does not count bids.
	var rows int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM bids WHERE lot_id = ? AND state = 'active'", f.lot.ID).Scan(&rows))
	if rows < 3+f.Bidding.DecoysMin {
		t.Errorf("%d active rows, want the 3 bids hidden among at least %d decoys", rows, f.Bidding.DecoysMin)
	}
	f.scan(secrets)
	// The scan itself finds what is there: the bidders' names are in the
	// organisations table and the containers' chunk sections are in the
	// file store.
	env0, err := sealed.Inspect(bytes.NewReader(containers[0]))
	f.Must(err)
	if hits := f.hits([][]byte{[]byte(f.bidders[0].name), containers[0][len(env0.Head)+100 : len(env0.Head)+164]}); len(hits) < 2 {
		t.Fatalf("the scan is blind: found only %v", hits)
	}
	// The file store does not tell who bid: no certificate, subject, name,
	// credit code or public key of a bidder, no container header, and no
	// signature that a bidder's certificate verifies.
	f.fileStoreNamesNobody(append(containers, replaced))

	// The sealed rows of the lot are all of one length: the decoys are not
	// told from the bids (nor a withdrawal) by their size.
	rowsOf, err := f.DB.Query(f.Ctx, "SELECT LENGTH(sealed) FROM bids WHERE lot_id = ?", f.lot.ID)
	f.Must(err)
	lengths := map[int]int{}
	for rowsOf.Next() {
		var n int
		f.Must(rowsOf.Scan(&n))
		lengths[n]++
	}
	rowsOf.Close()
	if len(lengths) != 1 {
		t.Errorf("sealed rows of several lengths: %v", lengths)
	}

	// After decryption the content keys are kept sealed only.
	f.Clock.Set(deadline)
	_, err = f.Bidding.StartDue(f.Ctx)
	f.Must(err)
	// The opening reveals the commitment of every submission and the
	// withdrawal, so each secret event can now be matched with its bid.
	evs, err = audit.List(f.Ctx, f.DB, audit.Filter{Limit: 1000})
	f.Must(err)
	list, sum, err := f.Bidding.Commitments(f.Ctx, f.supervisor, f.lot.ID, 0)
	f.Must(err)
	revealed := map[string]bool{}
	for _, c := range list {
		revealed[c] = true
	}
	for _, e := range evs {
		if e.Action == "opening.start" && e.Details["commitments_sm3"] != sum {
			t.Errorf("opening.start carries %v, the revealed list has SM3 %s", e.Details["commitments_sm3"], sum)
		}
	}
	for _, e := range evs {
		if strings.HasPrefix(e.Action, "bid.") && !revealed[e.ObjectID] {
			t.Errorf("%s event %s is not matched by the opening", e.Action, e.ObjectID)
		}
	}
	for i, b := range f.bidders {
		_, err := f.Bidding.Decrypt(f.Ctx, b.actor, f.lot.ID, contentKey(t, b, containers[i]))
		f.Must(err)
	}
	f.scan(secrets)
	h, err := f.Bidding.Hall(f.Ctx, f.staff, f.lot.ID)
	f.Must(err)
	if h.State != bidding.Recorded || h.Received != 3 {
		t.Fatalf("after everyone decrypted: %s, %d bids", h.State, h.Received)
	}
}

// fileStoreNamesNobody fails if the file store (DATA/blobs) holds anything
// that tells which bidders bid (RULES B3): a bidder's certificate, its
// subject, name, credit code, public key or certificate fingerprint; a
// container's header (its magic) or its signatures; or any SM2 signature
// that verifies with a bidder's public key over a message the container
// format signs, found anywhere in a file (a trailer: its 88 bytes before
// the signature's length; a header: from a magic to the signature's
// length). The detector is tried on the containers themselves first, so it
// is not blind.
func (f *fixture) fileStoreNamesNobody(containers [][]byte) {
	f.T.Helper()
	var needles [][]byte
	var pubs []*ecdsa.PublicKey
	for _, b := range f.bidders {
		var code string
		f.Must(f.DB.QueryRow(f.Ctx, "SELECT credit_code FROM organisations WHERE id = ?", b.org).Scan(&code))
		pub := b.cert.PublicKey.(*ecdsa.PublicKey)
		pubs = append(pubs, pub)
		fp := gm.SM3(b.cert.Raw)
		needles = append(needles, b.cert.Raw, b.cert.RawSubject, b.cert.RawSubjectPublicKeyInfo,
			append(append([]byte{4}, pub.X.FillBytes(make([]byte, 32))...), pub.Y.FillBytes(make([]byte, 32))...), pub.X.Bytes(), []byte(b.name), []byte(code), []byte(b.cert.Subject.SerialNumber),
			fp[:], []byte(hex.EncodeToString(fp[:])))
	}
	needles = append(needles, []byte("GGZY-BID"))
	for _, c := range containers {
		env, err := sealed.Inspect(bytes.NewReader(c))
		f.Must(err)
		needles = append(needles, env.Head, env.Trailer, env.Trailer[len(env.Trailer)-40:], env.WrappedKey)
		if verifiableSignatures(c, pubs) < 2 {
			f.T.Fatalf("the signature detector finds fewer than the 2 signatures of a container")
		}
	}
	files := 0
	filepath.WalkDir(filepath.Join(f.DataDir, "blobs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		f.Must(err)
		files++
		for _, s := range needles {
			if bytes.Contains(b, s) {
				f.T.Errorf("the file store names a bidder: %s holds %s", path, short(s))
			}
		}
		if n := verifiableSignatures(b, pubs); n > 0 {
			f.T.Errorf("the file store names a bidder: %s holds %d signatures a bidder's certificate verifies", path, n)
		}
		return nil
	})
	if files < len(containers) {
		f.T.Fatalf("%d files in the file store for %d containers", files, len(containers))
	}
}

// verifiableSignatures counts the DER SM2 signatures in b that one of pubs
// verifies over a message the container format signs, located as in a
// container: a trailer (label, the 88 bytes before the signature's 2-byte
// length) or a header (label, from a magic to the signature's length).
func verifiableSignatures(b []byte, pubs []*ecdsa.PublicKey) int {
	var magics []int
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("GGZY-BID"))
		if j < 0 {
			break
		}
		magics = append(magics, i+j)
		i += j + 1
	}
	found := 0
	for i := 2; i+2 < len(b); i++ {
		n := int(b[i+1])
		if b[i] != 0x30 || n < 6 || n > 72 || i+2+n > len(b) {
			continue
		}
		sig := b[i : i+2+n]
		var rs struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
			continue
		}
		var msgs [][]byte
		if i >= 90 {
			msgs = append(msgs, append([]byte("ggzy/sealed-bid/v1/trailer\n"), b[i-90:i-2]...))
		}
		for _, m := range magics {
			if m < i-2 {
				msgs = append(msgs, append([]byte("ggzy/sealed-bid/v1/header\n"), b[m:i-2]...))
			}
		}
		for _, msg := range msgs {
			for _, pub := range pubs {
				if gm.Verify(pub, msg, sig) {
					found++
				}
			}
		}
	}
	return found
}

// scan fails if any secret occurs in any row of any table or in any file
// under the data directory (the file store, and the SQLite files).
func (f *fixture) scan(secrets [][]byte) {
	f.T.Helper()
	for _, h := range f.hits(secrets) {
		f.T.Errorf("secret stored: %s", h)
	}
}

// hits lists where the needles occur.
func (f *fixture) hits(needles [][]byte) []string {
	var out []string
	for table, dump := range f.dumpTables() {
		for _, s := range needles {
			if bytes.Contains(dump, s) {
				out = append(out, fmt.Sprintf("table %s: %s", table, short(s)))
			}
		}
	}
	dirs := []string{f.DataDir}
	if f.DB.Dialect() == db.SQLite {
		var seq int
		var name, file string
		f.Must(f.DB.QueryRow(f.Ctx, "PRAGMA database_list").Scan(&seq, &name, &file))
		dirs = append(dirs, filepath.Dir(file))
	}
	files := 0
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			files++
			for _, s := range needles {
				if bytes.Contains(b, s) {
					out = append(out, fmt.Sprintf("file %s: %s", path, short(s)))
				}
			}
			return nil
		})
	}
	if files == 0 {
		f.T.Fatal("scanned no files")
	}
	return out
}

func short(b []byte) string {
	if len(b) > 24 {
		b = b[:24]
	}
	return fmt.Sprintf("%x", b)
}

// dumpTables reads every row of every table as bytes.
func (f *fixture) dumpTables() map[string][]byte {
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if f.DB.Dialect() == db.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := f.DB.Query(f.Ctx, q)
	f.Must(err)
	var tables []string
	for rows.Next() {
		var n string
		f.Must(rows.Scan(&n))
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]byte{}
	for _, table := range tables {
		rows, err := f.DB.Query(f.Ctx, "SELECT * FROM "+table)
		f.Must(err)
		cols, err := rows.Columns()
		f.Must(err)
		var buf bytes.Buffer
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			f.Must(rows.Scan(ptrs...))
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					buf.Write(x)
				default:
					fmt.Fprint(&buf, x)
				}
				buf.WriteByte(0)
			}
		}
		rows.Close()
		out[table] = buf.Bytes()
	}
	if len(out) < 10 {
		f.T.Fatalf("dumped only %d tables", len(out))
	}
	return out
}
