package audit

import (
	"bytes"
	"context"

	"golang.org/x/mod/sumdb/tlog"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// RecordHash returns the Merkle leaf hash of a stored event (as returned by
// Get or List), to compare with Proof.RecordHash: together with VerifyProof
// it shows that exactly this event is in the signed log.
func RecordHash(e Event) ([]byte, error) {
	details, err := canonical(e.Details)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "审计详情无法编码为 JSON")
	}
	h := tlog.RecordHash(record(body(e, db.Micros(e.At), details), e.PrevHash, e.Hash))
	return h[:], nil
}

// Prove returns an inclusion proof of event seq against the latest signed
// checkpoint, signing a new checkpoint first if the event is newer. The
// record hash is computed from the row as it is now, so a modified event
// yields a proof that does not verify.
func (l *Log) Prove(ctx context.Context, d *db.DB, seq int64) (Proof, error) {
	e, raw, err := getRaw(ctx, d, seq)
	if err != nil {
		return Proof{}, err
	}
	cp, err := latestCheckpoint(ctx, d)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Proof{}, err
	}
	if err != nil || cp.size <= seq {
		if _, err := l.Checkpoint(ctx, d); err != nil {
			return Proof{}, err
		}
		if cp, err = latestCheckpoint(ctx, d); err != nil {
			return Proof{}, err
		}
	}
	rp, err := tlog.ProveRecord(cp.size, seq, hashReader(ctx, d))
	if err != nil {
		return Proof{}, errs.Wrap(errs.Internal, err, "无法生成审计事件的存在性证明")
	}
	rh := tlog.RecordHash(record(body(e, db.Micros(e.At), []byte(raw)), e.PrevHash, e.Hash))
	p := Proof{
		Seq:        seq,
		RecordHash: rh[:],
		TreeSize:   cp.size,
		RootHash:   cp.root,
		Checkpoint: cp.note,
		Hashes:     make([][]byte, len(rp)),
	}
	for i, h := range rp {
		p.Hashes[i] = bytes.Clone(h[:])
	}
	return p, nil
}

// VerifyProof checks p on its own, with no database: the checkpoint note is
// signed by verifierKey, it signs the tree (TreeSize, RootHash), and the
// record hash is leaf Seq of that tree.
func VerifyProof(p Proof, verifierKey string) error {
	if err := openCheckpoint(p.Checkpoint, verifierKey, p.TreeSize, p.RootHash); err != nil {
		return errs.Wrap(errs.Invalid, err, "检查点验证失败（签名无效或与证明不符）")
	}
	if len(p.RecordHash) != tlog.HashSize {
		return errs.E(errs.Invalid, "证明格式不对：记录哈希长度错误")
	}
	rp := make(tlog.RecordProof, len(p.Hashes))
	for i, h := range p.Hashes {
		if len(h) != tlog.HashSize {
			return errs.E(errs.Invalid, "证明格式不对：哈希长度错误")
		}
		rp[i] = tlog.Hash(h)
	}
	if err := tlog.CheckRecord(rp, p.TreeSize, tlog.Hash(p.RootHash), p.Seq, tlog.Hash(p.RecordHash)); err != nil {
		return errs.Wrap(errs.Invalid, err, "审计事件不在已签名的日志中（事件被修改或证明无效）")
	}
	return nil
}
