package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Advisory lock keys (PostgreSQL). Appends are serialised so the chain stays
// linear; checkpoints have their own key so signing never blocks appends.
const (
	lockAppend     int64 = 0x6767_7a79_6175_0001 // "ggzyau" 1
	lockCheckpoint int64 = 0x6767_7a79_6175_0002
)

// KeyName is the platform_keys row holding the checkpoint verifier key.
const KeyName = "audit"

// Log appends events and signs checkpoints; reading needs no Log (List,
// Get, Verify are plain functions over a db.Querier).
type Log struct {
	clk    clock.Clock
	signer note.Signer
	vkey   string

	mu  sync.Mutex
	tip tip // the frontier after this node's last append
}

// New returns a Log that stamps events with clk and signs checkpoints with
// signer, whose public verifier key is verifierKey (gm.VerifierKey).
func New(clk clock.Clock, signer note.Signer, verifierKey string) *Log {
	return &Log{clk: clk, signer: signer, vkey: verifierKey}
}

// VerifierKey is the public key checkpoints are signed with.
func (l *Log) VerifierKey() string { return l.vkey }

// Append writes e as the next event, inside the caller's transaction: the
// event commits or rolls back with the state change it records. It sets
// Seq, At, PrevHash and Hash and returns the stored event.
//
// Appends are serialised (advisory lock on PostgreSQL; SQLite has one writer
// anyway) until the caller's transaction ends, so keep the work after Append
// short.
func (l *Log) Append(ctx context.Context, tx *db.Tx, e Event) (Event, error) {
	out, err := l.AppendAll(ctx, tx, []Event{e})
	if err != nil {
		return Event{}, err
	}
	return out[0], nil
}

// AppendAll writes es as the next events, in order, inside the caller's
// transaction — what Append does for each, with the same result, but in a
// fixed number of statements: the lock, the last event, (on a cache miss)
// the tree's frontier, and the inserts. A use case that makes several
// changes can collect their events and append them together at its end,
// which also holds the append lock for the shortest time. Nothing is
// written unless every event is valid.
func (l *Log) AppendAll(ctx context.Context, tx *db.Tx, es []Event) ([]Event, error) {
	if len(es) == 0 {
		return nil, nil
	}
	out := make([]Event, len(es))
	texts := make([][]byte, len(es))
	for i, e := range es {
		details, err := canonical(e.Details)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "审计详情无法编码为 JSON")
		}
		if err := validate(e, details); err != nil {
			return nil, err
		}
		out[i], texts[i] = e, details
	}
	// The lock, then the previous event — which gives the sequence number
	// and the chain link — in one round trip (with whatever the caller
	// deferred: db.Tx.Defer): a batch runs its statements one after the
	// other, the read with a snapshot taken once the lock is held.
	next, prev := int64(0), zeroHash
	var stmts []db.Stmt
	if tx.Dialect() == db.Postgres {
		stmts = append(stmts, db.Stmt{SQL: "SELECT pg_advisory_xact_lock(?)", Args: []any{lockAppend}})
	}
	stmts = append(stmts, db.Stmt{SQL: "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
		Read: func(rows db.Rows) error {
			for rows.Next() {
				var last int64
				var lastHash []byte
				if err := rows.Scan(&last, &lastHash); err != nil {
					return err
				}
				next, prev = last+1, lastHash
			}
			return nil
		}})
	if err := tx.Batch(ctx, stmts...); err != nil {
		return nil, fmt.Errorf("audit: lock and read last event: %w", err)
	}
	// The Merkle tree's frontier (the latest stored hash of each level: all
	// that appending reads), from this node's memory when the log still
	// ends with the event it was remembered for, else from audit_hashes.
	f, err := l.frontierAt(ctx, tx, next, prev)
	if err != nil {
		return nil, err
	}

	at := db.Micros(l.clk.Now())
	hashes := make([][]tlog.Hash, len(out))
	for i := range out {
		e := &out[i]
		e.Seq, e.PrevHash, e.At = next+int64(i), prev, db.Time(at)
		b := body(*e, at, texts[i])
		e.Hash = chainHash(e.PrevHash, b)
		prev = e.Hash
		// The new leaf plus any subtrees it completes.
		hs, err := tlog.StoredHashes(e.Seq, record(b, e.PrevHash, e.Hash), f)
		if err != nil {
			return nil, fmt.Errorf("audit: tree: %w", err)
		}
		idx := tlog.StoredHashIndex(0, e.Seq)
		for j, h := range hs {
			f.put(idx+int64(j), h)
		}
		hashes[i] = hs
	}
	for from := 0; from < len(out); from += insertChunk {
		to := min(from+insertChunk, len(out))
		if err := insertEvents(ctx, tx, out[from:to], texts[from:to], hashes[from:to], at); err != nil {
			return nil, err
		}
	}
	l.remember(out[len(out)-1].Seq, out[len(out)-1].Hash, f)

	for i := range out {
		out[i].Details = decodeDetails(string(texts[i])) // as Get will return it
	}
	return out, nil
}

// insertChunk bounds the events one INSERT writes (PostgreSQL takes at
// most 65,535 parameters per statement).
const insertChunk = 500

// insertEvents writes events es (with their canonical details texts and
// the tree hashes each adds, which follow one another in audit_hashes).
func insertEvents(ctx context.Context, tx *db.Tx, es []Event, texts [][]byte, hashes [][]tlog.Hash, at int64) error {
	const evCols = 14
	evArgs := make([]any, 0, evCols*len(es))
	var ev strings.Builder
	for i, e := range es {
		if i > 0 {
			ev.WriteString(", ")
		}
		ev.WriteString("(" + db.Placeholders(evCols) + ")")
		evArgs = append(evArgs, e.Seq, at, e.ActorID, e.ActorName, e.OrgID, e.IP, e.Action, e.ObjectType, e.ObjectID,
			e.Region, e.Industry, string(texts[i]), e.PrevHash, e.Hash)
	}
	var hArgs []any
	var hv strings.Builder
	idx := tlog.StoredHashIndex(0, es[0].Seq)
	for _, hs := range hashes {
		for _, h := range hs {
			if len(hArgs) > 0 {
				hv.WriteString(", ")
			}
			hv.WriteString("(?, ?)")
			hArgs = append(hArgs, idx, h[:])
			idx++
		}
	}
	insEvents := `INSERT INTO audit_events (seq, at, actor_id, actor_name, org_id, ip, action, object_type, object_id,
		region_code, industry, details, prev_hash, hash) VALUES ` + ev.String()
	insHashes := "INSERT INTO audit_hashes (idx, hash) VALUES " + hv.String()
	if tx.Dialect() == db.Postgres {
		// One round trip: both inserts in one statement.
		if _, err := tx.Exec(ctx, "WITH ev AS ("+insEvents+") "+insHashes, append(evArgs, hArgs...)...); err != nil {
			return fmt.Errorf("audit: insert events: %w", err)
		}
		return nil
	}
	if _, err := tx.Exec(ctx, insEvents, evArgs...); err != nil {
		return fmt.Errorf("audit: insert events: %w", err)
	}
	if _, err := tx.Exec(ctx, insHashes, hArgs...); err != nil {
		return fmt.Errorf("audit: insert hashes: %w", err)
	}
	return nil
}

// tip is the frontier of the tree that ends with event seq, whose hash is
// hash: remembered by the node after its last append. The hash chain makes
// (seq, hash) name the whole history, so a log that still ends with that
// event has exactly this frontier; anything else (another node appended, a
// transaction rolled back) reads it from audit_hashes.
type tip struct {
	ok   bool
	seq  int64
	hash []byte
	f    frontier
}

func (l *Log) remember(seq int64, hash []byte, f *frontier) {
	l.mu.Lock()
	l.tip = tip{ok: true, seq: seq, hash: bytes.Clone(hash), f: *f}
	l.mu.Unlock()
}

// frontierAt returns the frontier of the tree of the first n events, the
// last of which has hash last.
func (l *Log) frontierAt(ctx context.Context, q db.Querier, n int64, last []byte) (*frontier, error) {
	f := new(frontier)
	if n == 0 {
		return f, nil
	}
	l.mu.Lock()
	t := l.tip
	l.mu.Unlock()
	if t.ok && t.seq == n-1 && bytes.Equal(t.hash, last) {
		*f = t.f
		return f, nil
	}
	// The latest stored hash of each level: node (n>>level)-1.
	var indexes []int64
	for level := 0; n>>level > 0; level++ {
		indexes = append(indexes, tlog.StoredHashIndex(level, n>>level-1))
	}
	hs, err := hashReader(ctx, q).ReadHashes(indexes)
	if err != nil {
		return nil, fmt.Errorf("audit: tree: %w", err)
	}
	for i, idx := range indexes {
		f.put(idx, hs[i])
	}
	return f, nil
}

// hashReader reads stored tree hashes from audit_hashes through q.
func hashReader(ctx context.Context, q db.Querier) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		args := make([]any, len(indexes))
		for i, idx := range indexes {
			args[i] = idx
		}
		rows, err := q.Query(ctx, "SELECT idx, hash FROM audit_hashes WHERE idx IN ("+db.Placeholders(len(args))+")", args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		got := make(map[int64]tlog.Hash, len(indexes))
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				return nil, err
			}
			if len(h) != tlog.HashSize {
				return nil, fmt.Errorf("audit: tree hash %d has %d bytes", idx, len(h))
			}
			got[idx] = tlog.Hash(h)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			h, ok := got[idx]
			if !ok {
				return nil, fmt.Errorf("audit: tree hash %d missing", idx)
			}
			out[i] = h
		}
		return out, nil
	})
}

// checkpoint is one row of audit_checkpoints.
type checkpoint struct {
	size int64
	root []byte
	note string
}

// latestCheckpoint returns the largest checkpoint; errs.NotFound if none.
func latestCheckpoint(ctx context.Context, q db.Querier) (checkpoint, error) {
	var c checkpoint
	err := q.QueryRow(ctx, "SELECT size, root, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").
		Scan(&c.size, &c.root, &c.note)
	return c, err
}

// Checkpoint signs the current tree head (tlog.FormatTree text as a signed
// note), stores it and returns the note text. If the latest checkpoint
// already covers every event it is returned unchanged. On first use the
// verifier key is recorded in platform_keys under KeyName, so `ggzy audit
// verify` can find it; a different key already recorded there is a conflict
// (the platform key changed: rotate it deliberately, not by accident).
func (l *Log) Checkpoint(ctx context.Context, d *db.DB) (string, error) {
	var text string
	err := d.Transact(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, lockCheckpoint); err != nil {
			return err
		}
		if err := l.registerKey(ctx, tx); err != nil {
			return err
		}
		var size int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_events").Scan(&size); err != nil {
			return err
		}
		if size == 0 {
			return errs.E(errs.NotFound, "审计日志为空，无法生成检查点")
		}
		last, err := latestCheckpoint(ctx, tx)
		if err == nil && last.size >= size {
			text = last.note
			return nil
		}
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		root, err := tlog.TreeHash(size, hashReader(ctx, tx))
		if err != nil {
			return fmt.Errorf("audit: tree head: %w", err)
		}
		signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))}, l.signer)
		if err != nil {
			return fmt.Errorf("audit: sign checkpoint: %w", err)
		}
		// Never store a checkpoint that our own verifier key cannot check:
		// that would be a misconfigured signer/key pair.
		if err := openCheckpoint(string(signed), l.vkey, size, root[:]); err != nil {
			return errs.Wrap(errs.Internal, err, "审计检查点签名密钥配置错误")
		}
		text = string(signed)
		_, err = tx.Exec(ctx, "INSERT INTO audit_checkpoints (size, root, note, at) VALUES (?, ?, ?, ?)",
			size, root[:], text, db.Micros(l.clk.Now()))
		return err
	})
	return text, err
}

// registerKey records l.vkey in platform_keys the first time.
func (l *Log) registerKey(ctx context.Context, tx *db.Tx) error {
	var have string
	err := tx.QueryRow(ctx, "SELECT public_key FROM platform_keys WHERE name = ?", KeyName).Scan(&have)
	switch {
	case err == nil && have == l.vkey:
		return nil
	case err == nil:
		return errs.E(errs.Conflict, "审计签名公钥与数据库中登记的不一致（平台密钥已更换？）")
	case !errs.Is(err, errs.NotFound):
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO platform_keys (name, public_key, created_at) VALUES (?, ?, ?)",
		KeyName, l.vkey, db.Micros(l.clk.Now()))
	return err
}

// RegisteredKey returns the checkpoint verifier key recorded in
// platform_keys (errs.NotFound before the first checkpoint).
func RegisteredKey(ctx context.Context, q db.Querier) (string, error) {
	var k string
	err := q.QueryRow(ctx, "SELECT public_key FROM platform_keys WHERE name = ?", KeyName).Scan(&k)
	return k, err
}

// openCheckpoint checks a checkpoint note's signature under vkey and that it
// signs exactly the tree (size, root).
func openCheckpoint(text, vkey string, size int64, root []byte) error {
	v, err := gm.NewNoteVerifier(vkey)
	if err != nil {
		return err
	}
	n, err := note.Open([]byte(text), note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("签名无效: %w", err)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return fmt.Errorf("内容格式不对: %w", err)
	}
	if tree.N != size {
		return fmt.Errorf("签名的树有 %d 条事件，而记录的是 %d 条", tree.N, size)
	}
	if string(tree.Hash[:]) != string(root) {
		return fmt.Errorf("签名的根哈希与 %d 条事件的树根不符", size)
	}
	return nil
}
