package audit

import (
	"bytes"
	"context"
	"fmt"
	"math"

	"golang.org/x/mod/sumdb/tlog"

	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// verifyPage is how many events Verify reads per query. Reading in pages
// keeps memory flat and leaves no result set open between queries, so q can
// be a transaction on either engine.
var verifyPage = 1000

// frontier is a from-scratch Merkle tree that keeps only what is needed to
// extend it and to compute its root: the most recent stored hash at each
// level (tlog only ever reads those, for appending and for TreeHash of the
// current size).
type frontier struct {
	idx  [64]int64
	hash [64]tlog.Hash
	set  [64]bool
}

func (f *frontier) put(idx int64, h tlog.Hash) {
	level, _ := tlog.SplitStoredHashIndex(idx)
	f.idx[level], f.hash[level], f.set[level] = idx, h, true
}

func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		level, _ := tlog.SplitStoredHashIndex(idx)
		if !f.set[level] || f.idx[level] != idx {
			return nil, fmt.Errorf("audit: verify: hash %d not in frontier", idx)
		}
		out[i] = f.hash[level]
	}
	return out, nil
}

// Verify recomputes the whole log from scratch and reports the first
// problem: sequence numbers contiguous from 0, every hash-chain link, every
// event hash against its content, every stored Merkle hash against a tree
// rebuilt from the events, and every checkpoint's signature (under
// verifierKey) and root against the rebuilt tree at its size. It detects an
// edited, removed, inserted or reordered event, an edited audit_hashes row,
// a forged checkpoint, and a tail removed after a checkpoint covered it (or
// whose tree hashes are still there).
//
// A returned error means verification could not run (bad key, database
// error); a damaged log is a Report with OK false. For a bad checkpoint,
// FirstBad is the last event it covers.
func Verify(ctx context.Context, q db.Querier, verifierKey string) (Report, error) {
	if _, err := gm.NewNoteVerifier(verifierKey); err != nil {
		return Report{}, errs.Wrap(errs.Invalid, err, "审计验签公钥无效")
	}
	cps, err := loadCheckpoints(ctx, q)
	if err != nil {
		return Report{}, err
	}
	rep := Report{FirstBad: -1, Checkpoints: len(cps)}
	bad := func(seq int64, format string, args ...any) (Report, error) {
		rep.FirstBad = max(seq, 0)
		rep.Problem = fmt.Sprintf(format, args...)
		return rep, nil
	}

	tree := &frontier{}
	prev := zeroHash
	next := int64(0) // the seq the next event must have
	after := int64(math.MinInt64)
	ci := 0 // next checkpoint to check

	// checkCheckpoints checks every checkpoint of size next.
	checkCheckpoints := func() (ok bool, problem string) {
		for ci < len(cps) && cps[ci].size <= next {
			c := cps[ci]
			ci++
			if c.size < next { // only possible for size <= 0
				return false, fmt.Sprintf("检查点的大小 %d 无效（检查点被伪造） / invalid checkpoint size", c.size)
			}
			root, err := tlog.TreeHash(next, tree)
			if err != nil {
				return false, fmt.Sprintf("无法计算 %d 条事件的树根: %v", next, err)
			}
			if err := openCheckpoint(c.note, verifierKey, c.size, root[:]); err != nil {
				return false, fmt.Sprintf("%d 条事件处的检查点验证失败（检查点被伪造或事件被改写）：%v / checkpoint at size %d does not verify", c.size, err, c.size)
			}
			if !bytes.Equal(c.root, root[:]) {
				return false, fmt.Sprintf("%d 条事件处检查点记录的根哈希与重建的树不符 / checkpoint root mismatch at size %d", c.size, c.size)
			}
		}
		return true, ""
	}

	for {
		page, err := readPage(ctx, q, after)
		if err != nil {
			return Report{}, err
		}
		if len(page) == 0 {
			break
		}
		stored, err := readHashRange(ctx, q, tlog.StoredHashIndex(0, next), tlog.StoredHashIndex(0, next+int64(len(page))))
		if err != nil {
			return Report{}, err
		}
		for _, r := range page {
			if ok, problem := checkCheckpoints(); !ok {
				return bad(next-1, "%s", problem)
			}
			e := r.e
			switch {
			case e.Seq > next:
				return bad(next, "事件 #%d 缺失（被删除） / event %d missing", next, next)
			case e.Seq < next:
				return bad(e.Seq, "事件序号 %d 无效（被插入） / unexpected event seq %d", e.Seq, e.Seq)
			case !bytes.Equal(e.PrevHash, prev):
				return bad(next, "事件 #%d 的前序哈希与上一事件不符（事件被删除、插入或调换顺序） / event %d does not link to its predecessor", next, next)
			}
			b := body(e, db.Micros(e.At), []byte(r.raw))
			if !bytes.Equal(chainHash(prev, b), e.Hash) {
				return bad(next, "事件 #%d 的哈希与内容不符（内容被修改） / event %d content does not match its hash", next, next)
			}
			hashes, err := tlog.StoredHashes(next, record(b, e.PrevHash, e.Hash), tree)
			if err != nil {
				return Report{}, err
			}
			first := tlog.StoredHashIndex(0, next)
			for i, h := range hashes {
				idx := first + int64(i)
				s, ok := stored[idx]
				if !ok {
					return bad(next, "事件 #%d 的 Merkle 树哈希（#%d）缺失 / tree hash %d missing", next, idx, idx)
				}
				if !bytes.Equal(s, h[:]) {
					return bad(next, "事件 #%d 与 Merkle 树哈希 #%d 不符（事件被替换或 audit_hashes 被修改） / tree hash %d does not match event %d", next, idx, idx, next)
				}
				tree.put(idx, h)
			}
			prev = e.Hash
			next++
			rep.Events = next
		}
		after = page[len(page)-1].e.Seq
	}

	if ok, problem := checkCheckpoints(); !ok {
		return bad(next-1, "%s", problem)
	}
	if ci < len(cps) {
		c := cps[len(cps)-1]
		return bad(next, "检查点覆盖 %d 条事件，但日志只有 %d 条（末尾事件被删除） / checkpoint covers %d events, log has %d",
			c.size, next, c.size, next)
	}
	var extra int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM audit_hashes WHERE idx >= ?", tlog.StoredHashIndex(0, next)).Scan(&extra); err != nil {
		return Report{}, err
	}
	if extra > 0 {
		return bad(next, "Merkle 树中有事件 #%d 及之后的哈希，但这些事件不存在（末尾事件被删除） / tree has hashes beyond the last event", next)
	}
	rep.OK = true
	return rep, nil
}

// row is an event with its stored details text.
type row struct {
	e   Event
	raw string
}

// readPage reads up to verifyPage events with seq > after, in order.
func readPage(ctx context.Context, q db.Querier, after int64) ([]row, error) {
	rows, err := q.Query(ctx, "SELECT "+eventCols+" FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?", after, verifyPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		e, raw, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, row{e, raw})
	}
	return out, rows.Err()
}

// readHashRange reads stored hashes with lo <= idx < hi.
func readHashRange(ctx context.Context, q db.Querier, lo, hi int64) (map[int64][]byte, error) {
	rows, err := q.Query(ctx, "SELECT idx, hash FROM audit_hashes WHERE idx >= ? AND idx < ?", lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]byte, hi-lo)
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		out[idx] = h
	}
	return out, rows.Err()
}

// loadCheckpoints reads all checkpoints, smallest first. There is one per
// Checkpoint call, far fewer than events.
func loadCheckpoints(ctx context.Context, q db.Querier) ([]checkpoint, error) {
	rows, err := q.Query(ctx, "SELECT size, root, note FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkpoint
	for rows.Next() {
		var c checkpoint
		if err := rows.Scan(&c.size, &c.root, &c.note); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
