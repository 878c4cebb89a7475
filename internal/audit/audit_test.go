package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

var t0 = time.Date(2025, 3, 1, 1, 2, 3, 456789000, time.UTC)

// newLog returns a Log with a fresh SM2 key and a fake clock.
func newLog(t testing.TB) (*Log, *clock.Fake) {
	t.Helper()
	k, err := gm.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := gm.VerifierKey("ggzy.test", &k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	return New(clk, gm.NewNoteSigner("ggzy.test", k), vkey), clk
}

// sample is the i-th test event.
func sample(i int) Event {
	regions := []string{"530602", "530621", "530102"}
	return Event{
		ActorID:    int64(100 + i%3),
		ActorName:  fmt.Sprintf("用户%d", i%3),
		OrgID:      7,
		IP:         "203.0.113.9",
		Action:     "lot.update",
		ObjectType: "lot",
		ObjectID:   fmt.Sprintf("L%d", i%4),
		Region:     regions[i%3],
		Industry:   []string{"住建", "交通"}[i%2],
		Details:    map[string]any{"step": i, "note": "<b>&</b>", "nested": map[string]any{"z": 1, "a": []any{"x", 2}}},
	}
}

// appendN appends n sample events, one transaction each.
func appendN(t testing.TB, d *db.DB, l *Log, clk *clock.Fake, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		clk.Advance(time.Second)
		err := d.Transact(ctx, func(tx *db.Tx) error {
			_, err := l.Append(ctx, tx, sample(i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, d *db.DB, l *Log) Report {
	t.Helper()
	rep, err := Verify(context.Background(), d, l.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendGetList(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, clk := newLog(t)

	var first Event
	err := d.Transact(ctx, func(tx *db.Tx) error {
		var err error
		first, err = l.Append(ctx, tx, sample(0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 0 || len(first.PrevHash) != 32 || string(first.PrevHash) != string(zeroHash) ||
		len(first.Hash) != 32 || !first.At.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("first event: %+v", first)
	}
	appendN(t, d, l, clk, 1, 11)

	got, err := Get(ctx, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Fatalf("Get differs from Append:\n%s\n%s", a, b)
	}
	if _, err := Get(ctx, d, 99); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Get(99): %v", err)
	}
	var raw string
	if err := d.QueryRow(ctx, "SELECT details FROM audit_events WHERE seq = 0").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if want := `{"nested":{"a":["x",2],"z":1},"note":"<b>&</b>","step":0}`; raw != want {
		t.Fatalf("details not canonical:\n%s\n%s", raw, want)
	}

	seqs := func(f Filter) string {
		t.Helper()
		evs, err := List(ctx, d, f)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, e := range evs {
			s = append(s, fmt.Sprint(e.Seq))
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "11,10,9,8,7,6,5,4,3,2,1,0"},
		{Filter{Limit: 3}, "11,10,9"},
		{Filter{Limit: 3, Offset: 3}, "8,7,6"},
		{Filter{Limit: 3, BeforeSeq: 9}, "8,7,6"},
		{Filter{ObjectType: "lot", ObjectID: "L1"}, "9,5,1"},
		{Filter{RegionPrefix: "5306"}, "10,9,7,6,4,3,1,0"},
		{Filter{RegionPrefix: "530621"}, "10,7,4,1"},
		{Filter{RegionPrefix: "53", Industry: "交通"}, "11,9,7,5,3,1"},
		{Filter{ActorID: 102}, "11,8,5,2"},
		{Filter{From: t0.Add(3 * time.Second), To: t0.Add(5 * time.Second)}, "4,3"},
		{Filter{Action: "nope"}, ""},
	} {
		if got := seqs(c.f); got != c.want {
			t.Errorf("List(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	if _, err := List(ctx, d, Filter{RegionPrefix: "53%"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad prefix: %v", err)
	}
	if rep := mustVerify(t, d, l); !rep.OK || rep.Events != 12 || rep.FirstBad != -1 {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestAppendValidates(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, _ := newLog(t)
	for name, e := range map[string]Event{
		"no action":     {ObjectType: "lot", ObjectID: "1"},
		"phone":         {Action: "a", ObjectType: "lot", ObjectID: "1", Details: map[string]any{"Phone": "13800000000"}},
		"nested id":     {Action: "a", ObjectType: "lot", ObjectID: "1", Details: map[string]any{"who": []any{map[string]any{"id_number": "x"}}}},
		"struct secret": {Action: "a", ObjectType: "lot", ObjectID: "1", Details: map[string]any{"u": struct{ Password string }{"x"}}},
		"bad utf8":      {Action: "a\xff", ObjectType: "lot", ObjectID: "1"},
		"nul":           {Action: "a", ObjectType: "lot", ObjectID: "1\x00"},
	} {
		err := d.Transact(ctx, func(tx *db.Tx) error {
			_, err := l.Append(ctx, tx, e)
			return err
		})
		if !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRollbackLeavesNoEvent(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, clk := newLog(t)
	appendN(t, d, l, clk, 0, 2)
	boom := errors.New("boom")
	err := d.Transact(ctx, func(tx *db.Tx) error {
		if _, err := l.Append(ctx, tx, sample(2)); err != nil {
			return err
		}
		return boom // the state change failed after the event was written
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := Get(ctx, d, 2); !errs.Is(err, errs.NotFound) {
		t.Fatalf("rolled back event exists: %v", err)
	}
	appendN(t, d, l, clk, 2, 1)
	if rep := mustVerify(t, d, l); !rep.OK || rep.Events != 3 {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestConcurrentAppend(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, _ := newLog(t)
	const workers, each = 8, 15
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := d.Transact(ctx, func(tx *db.Tx) error {
					_, err := l.Append(ctx, tx, sample(w*each+i))
					return err
				})
				if err != nil {
					errc <- err
					return
				}
				if i == each/2 && w%2 == 0 {
					if _, err := l.Checkpoint(ctx, d); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	var n, maxSeq int64
	if err := d.QueryRow(ctx, "SELECT COUNT(*), MAX(seq) FROM audit_events").Scan(&n, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if n != workers*each || maxSeq != n-1 {
		t.Fatalf("%d events, max seq %d", n, maxSeq)
	}
	if rep := mustVerify(t, d, l); !rep.OK || rep.Events != n {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, clk := newLog(t)
	if _, err := l.Checkpoint(ctx, d); !errs.Is(err, errs.NotFound) {
		t.Fatalf("empty log: %v", err)
	}
	appendN(t, d, l, clk, 0, 5)
	text, err := l.Checkpoint(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	v, err := gm.NewNoteVerifier(l.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(text), note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil || tree.N != 5 {
		t.Fatalf("tree %+v %v", tree, err)
	}
	again, err := l.Checkpoint(ctx, d)
	if err != nil || again != text {
		t.Fatalf("second checkpoint not a no-op: %v", err)
	}
	if k, err := RegisteredKey(ctx, d); err != nil || k != l.VerifierKey() {
		t.Fatalf("registered key %q %v", k, err)
	}
	appendN(t, d, l, clk, 5, 3)
	if _, err := l.Checkpoint(ctx, d); err != nil {
		t.Fatal(err)
	}
	if rep := mustVerify(t, d, l); !rep.OK || rep.Checkpoints != 2 {
		t.Fatalf("verify: %+v", rep)
	}
	// Another platform key must not silently sign for this log.
	other, _ := newLog(t)
	appendN(t, d, other, clk, 8, 1)
	if _, err := other.Checkpoint(ctx, d); !errs.Is(err, errs.Conflict) {
		t.Fatalf("other key: %v", err)
	}
}

func TestProof(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	l, clk := newLog(t)
	appendN(t, d, l, clk, 0, 13)
	if _, err := l.Checkpoint(ctx, d); err != nil {
		t.Fatal(err)
	}
	appendN(t, d, l, clk, 13, 4)

	for _, seq := range []int64{0, 5, 12, 16} {
		p, err := l.Prove(ctx, d, seq)
		if err != nil {
			t.Fatal(err)
		}
		// Through JSON, as a client would get it.
		js, _ := json.Marshal(p)
		var p2 Proof
		if err := json.Unmarshal(js, &p2); err != nil {
			t.Fatal(err)
		}
		if err := VerifyProof(p2, l.VerifierKey()); err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		e, _ := Get(ctx, d, seq)
		rh, err := RecordHash(e)
		if err != nil || string(rh) != string(p.RecordHash) {
			t.Fatalf("RecordHash(Get(%d)) differs from proof: %v", seq, err)
		}
		if seq == 16 && p.TreeSize != 17 {
			t.Fatalf("proof of newest event against size %d", p.TreeSize)
		}
		if seq == 5 && p.TreeSize != 13 {
			t.Fatalf("event covered by the latest checkpoint: proof against size %d", p.TreeSize)
		}
	}

	p, _ := l.Prove(ctx, d, 5)
	other, _ := newLog(t)
	if err := VerifyProof(p, other.VerifierKey()); err == nil {
		t.Fatal("proof verified under another key")
	}
	bad := p
	bad.Seq = 6
	if err := VerifyProof(bad, l.VerifierKey()); err == nil {
		t.Fatal("proof verified for another position")
	}
	bad = p
	bad.TreeSize = 16
	if err := VerifyProof(bad, l.VerifierKey()); err == nil {
		t.Fatal("proof verified with a wrong tree size")
	}

	// Edit the event in the database: its proof no longer verifies.
	if _, err := d.Exec(ctx, `UPDATE audit_events SET details = '{"step":99}' WHERE seq = 5`); err != nil {
		t.Fatal(err)
	}
	p, err := l.Prove(ctx, d, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyProof(p, l.VerifierKey()); !errs.Is(err, errs.Invalid) {
		t.Fatalf("modified event proved: %v", err)
	}
	if _, err := l.Prove(ctx, d, 17); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Prove(17): %v", err)
	}
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	l, clk := newLog(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		clk.Advance(time.Millisecond)
		err := d.Transact(ctx, func(tx *db.Tx) error {
			_, err := l.Append(ctx, tx, sample(i))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures `ggzy audit verify` throughput over a log of
// 10,000 events with a checkpoint every 1,000.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	l, clk := newLog(b)
	for i := 0; i < 10000; i++ {
		clk.Advance(time.Millisecond)
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			_, err := l.Append(ctx, tx, sample(i))
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			if _, err := l.Checkpoint(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(ctx, d, l.VerifierKey())
		if err != nil || !rep.OK {
			b.Fatalf("verify: %+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestAppendAll: appending in batches — through several Logs (each with
// its own remembered frontier, so some batches find the log moved on and
// read the frontier from the database), with a batch rolled back and an
// invalid batch refused — stores exactly the events and tree hashes that
// appending the same events one by one stores.
func TestAppendAll(t *testing.T) {
	ctx := context.Background()
	one, batched := dbtest.Open(t), dbtest.Open(t)
	l1, clk := newLog(t)
	const n = 70
	for i := range n {
		if err := one.Transact(ctx, func(tx *db.Tx) error {
			_, err := l1.Append(ctx, tx, sample(i))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	logs := []*Log{New(clk, nil, l1.VerifierKey()), New(clk, nil, l1.VerifierKey())}
	sizes := []int{1, 5, 2, 13, 1, 1, 3, 8, 16, 4, 7, 9}
	next, round := 0, 0
	for next < n {
		k := min(sizes[round%len(sizes)], n-next)
		l := logs[(round/2)%2] // two batches each, then the other node
		round++
		batch := make([]Event, k)
		for i := range batch {
			batch[i] = sample(next + i)
		}
		if round%5 == 0 { // rolled back: nothing of it stays
			boom := errors.New("boom")
			if err := batched.Transact(ctx, func(tx *db.Tx) error {
				if _, err := l.AppendAll(ctx, tx, batch); err != nil {
					return err
				}
				return boom
			}); err != boom {
				t.Fatal(err)
			}
		}
		if round%7 == 0 { // one invalid event: the batch writes nothing
			bad := append(slices.Clone(batch), Event{Action: "x", ObjectType: "y", ObjectID: "z",
				Details: map[string]any{"password": "secret"}})
			if err := batched.Transact(ctx, func(tx *db.Tx) error {
				_, err := l.AppendAll(ctx, tx, bad)
				return err
			}); !errs.Is(err, errs.Invalid) {
				t.Fatalf("invalid batch: %v", err)
			}
		}
		var got []Event
		if err := batched.Transact(ctx, func(tx *db.Tx) error {
			var err error
			got, err = l.AppendAll(ctx, tx, batch)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i, e := range got {
			if e.Seq != int64(next+i) {
				t.Fatalf("event %d got seq %d", next+i, e.Seq)
			}
		}
		next += k
	}
	dump := func(d *db.DB, q string) string {
		rows, err := d.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var k int64
			var h []byte
			if err := rows.Scan(&k, &h); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%d %x\n", k, h)
		}
		return b.String()
	}
	for _, q := range []string{"SELECT seq, hash FROM audit_events ORDER BY seq", "SELECT idx, hash FROM audit_hashes ORDER BY idx"} {
		a, b := dump(one, q), dump(batched, q)
		if a != b || strings.Count(a, "\n") < n {
			t.Fatalf("%s: one by one and batched differ:\n%s\n---\n%s", q, a, b)
		}
	}
	if rep := mustVerify(t, batched, l1); !rep.OK || rep.Events != n {
		t.Fatalf("verify: %+v", rep)
	}
	if got, err := logs[0].AppendAll(ctx, nil, nil); err != nil || got != nil {
		t.Fatalf("empty batch: %v %v", got, err)
	}
}
