package audit

import (
	"context"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/gm"
)

// forge writes an event row directly, correctly chained after prev, the way
// someone with database access would.
func forge(t *testing.T, d *db.DB, seq int64, prev []byte, actor string) {
	t.Helper()
	e := sample(int(seq))
	e.Seq, e.ActorName = seq, actor
	details, _ := canonical(e.Details)
	at := db.Micros(t0)
	hash := chainHash(prev, body(e, at, details))
	_, err := d.Exec(context.Background(), `INSERT INTO audit_events
		(seq, at, actor_id, actor_name, org_id, ip, action, object_type, object_id,
		 region_code, industry, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, at, e.ActorID, e.ActorName, e.OrgID, e.IP, e.Action, e.ObjectType, e.ObjectID,
		e.Region, e.Industry, string(details), prev, hash)
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	defer func(n int) { verifyPage = n }(verifyPage)
	verifyPage = 7 // exercise paging with a small log

	exec := func(t *testing.T, d *db.DB, q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(context.Background(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	hashOf := func(t *testing.T, d *db.DB, seq int64) []byte {
		e, err := Get(context.Background(), d, seq)
		if err != nil {
			t.Fatal(err)
		}
		return e.Hash
	}
	// signElsewhere signs a tree head with a key that is not the platform's
	// but has the same name.
	signElsewhere := func(t *testing.T, size int64, root tlog.Hash) string {
		k, _ := gm.GenerateKey()
		msg, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))},
			gm.NewNoteSigner("ggzy.test", k))
		if err != nil {
			t.Fatal(err)
		}
		return string(msg)
	}

	cases := []struct {
		name     string
		tamper   func(t *testing.T, d *db.DB, l *Log)
		firstBad int64
	}{
		{"details edited", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `UPDATE audit_events SET details = '{"step":70}' WHERE seq = 7`)
		}, 7},
		{"actor edited", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "UPDATE audit_events SET actor_name = '张三' WHERE seq = 3")
		}, 3},
		{"time edited", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "UPDATE audit_events SET at = at + 1 WHERE seq = 15")
		}, 15},
		{"event removed", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "DELETE FROM audit_events WHERE seq = 5")
		}, 5},
		{"first event removed", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "DELETE FROM audit_events WHERE seq = 0")
		}, 0},
		{"tail covered by a checkpoint removed with its hashes", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "DELETE FROM audit_events WHERE seq >= 14")
			exec(t, d, "DELETE FROM audit_hashes WHERE idx >= ?", tlog.StoredHashIndex(0, 14))
		}, 14},
		{"tail after the last checkpoint removed", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "DELETE FROM audit_events WHERE seq = 19")
		}, 19},
		{"event appended by SQL", func(t *testing.T, d *db.DB, l *Log) {
			forge(t, d, 20, hashOf(t, d, 19), "内鬼")
		}, 20},
		{"event inserted in the middle", func(t *testing.T, d *db.DB, l *Log) {
			// Two steps so the primary key never collides mid-update.
			exec(t, d, "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 10")
			exec(t, d, "UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000")
			forge(t, d, 10, hashOf(t, d, 9), "内鬼")
		}, 10},
		{"events swapped", func(t *testing.T, d *db.DB, l *Log) {
			ctx := context.Background()
			a, ra, _ := getRaw(ctx, d, 4)
			b, rb, _ := getRaw(ctx, d, 6)
			set := func(seq int64, e Event, raw string) {
				exec(t, d, `UPDATE audit_events SET at = ?, actor_id = ?, actor_name = ?, org_id = ?, ip = ?,
					action = ?, object_type = ?, object_id = ?, region_code = ?, industry = ?, details = ?,
					prev_hash = ?, hash = ? WHERE seq = ?`,
					db.Micros(e.At), e.ActorID, e.ActorName, e.OrgID, e.IP, e.Action, e.ObjectType, e.ObjectID,
					e.Region, e.Industry, raw, e.PrevHash, e.Hash, seq)
			}
			set(4, b, rb)
			set(6, a, ra)
		}, 4},
		{"leaf hash edited", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "UPDATE audit_hashes SET hash = ? WHERE idx = ?", make([]byte, 32), tlog.StoredHashIndex(0, 12))
		}, 12},
		{"inner hash edited", func(t *testing.T, d *db.DB, l *Log) {
			// Node (level 1, #3) covers records 6 and 7; it is written with record 7.
			exec(t, d, "UPDATE audit_hashes SET hash = ? WHERE idx = ?", make([]byte, 32), tlog.StoredHashIndex(1, 3))
		}, 7},
		{"tree hash removed", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "DELETE FROM audit_hashes WHERE idx = ?", tlog.StoredHashIndex(0, 9))
		}, 9},
		{"checkpoint root edited", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, "UPDATE audit_checkpoints SET root = ? WHERE size = 12", make([]byte, 32))
		}, 11},
		{"checkpoint re-signed by another key", func(t *testing.T, d *db.DB, l *Log) {
			root, err := tlog.TreeHash(16, hashReader(context.Background(), d))
			if err != nil {
				t.Fatal(err)
			}
			exec(t, d, "UPDATE audit_checkpoints SET note = ? WHERE size = 16", signElsewhere(t, 16, root))
		}, 15},
		{"checkpoint invented", func(t *testing.T, d *db.DB, l *Log) {
			root := tlog.Hash{1}
			exec(t, d, "INSERT INTO audit_checkpoints (size, root, note, at) VALUES (18, ?, ?, 0)",
				root[:], signElsewhere(t, 18, root))
		}, 17},
		{"history rewritten consistently after a checkpoint", func(t *testing.T, d *db.DB, l *Log) {
			// Remove events 15… with their tree hashes, then append different
			// ones through the real code: chain and tree are self-consistent,
			// only the signed checkpoint at 16 still remembers the truth.
			exec(t, d, "DELETE FROM audit_events WHERE seq >= 15")
			exec(t, d, "DELETE FROM audit_hashes WHERE idx >= ?", tlog.StoredHashIndex(0, 15))
			ctx := context.Background()
			for i := 15; i < 20; i++ {
				e := sample(i)
				e.ActorName = "改写"
				if err := d.Transact(ctx, func(tx *db.Tx) error {
					_, err := l.Append(ctx, tx, e)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
		}, 15},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t)
			l, clk := newLog(t)
			// 20 events; checkpoints at 12 and 16.
			appendN(t, d, l, clk, 0, 12)
			if _, err := l.Checkpoint(ctx, d); err != nil {
				t.Fatal(err)
			}
			appendN(t, d, l, clk, 12, 4)
			if _, err := l.Checkpoint(ctx, d); err != nil {
				t.Fatal(err)
			}
			appendN(t, d, l, clk, 16, 4)
			if rep := mustVerify(t, d, l); !rep.OK {
				t.Fatalf("before tampering: %+v", rep)
			}

			c.tamper(t, d, l)
			rep := mustVerify(t, d, l)
			if rep.OK || rep.FirstBad != c.firstBad || rep.Problem == "" {
				t.Fatalf("got %+v, want first bad %d", rep, c.firstBad)
			}
			t.Logf("%s", rep.Problem)
		})
	}
}
