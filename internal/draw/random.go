package draw

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"sort"

	"ggzy/internal/gm"
)

// The provable randomness, version 1 (docs/draws.md):
//
//	pool encoding = "ggzy-draw-pool-v1\n" u32(#specialties)
//	                { str(code) u32(#ids) u64(id)… }   specialties by code, ids ascending
//	pool digest   = SM3(pool encoding)
//	commitment    = SM3(seed)                          seed: 32 bytes from crypto/rand
//	key           = SM3(seed || contribution || pool digest)
//	stream(code)  = SM3(key || str(code) || u64(0)) || SM3(key || str(code) || u64(1)) || …
//	uniform(n)    = next big-endian u64 x of the stream, rejected while
//	                x ≥ 2^64 − (2^64 mod n); the answer is x mod n (n = 1: 0, reading nothing)
//	sequence(code)= Fisher–Yates over the code's pool: for i = 0, 1, …
//	                j = i + uniform(n − i); swap(a[i], a[j]); a[i] is position i
//
// u32/u64 are big-endian; str is u32(byte length) || bytes. Every step is
// a pure function, so the whole sequence is fixed by (pool, seed,
// contribution), and neither the server (seed committed before the
// contribution is known) nor the witness (contribution given without
// knowing the seed) can steer it.

const poolTag = "ggzy-draw-pool-v1\n"

// SeedLen is the server seed's length in bytes.
const SeedLen = 32

// Pool is one specialty's eligible experts, ids ascending, no duplicates.
type Pool struct {
	Specialty string
	IDs       []int64
}

func putStr(b *bytes.Buffer, s string) {
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
	b.WriteString(s)
}

// EncodePools is the canonical encoding of the pools. It sorts its input
// (by code, ids ascending) and drops duplicate ids, so any order of the
// same content encodes the same.
func EncodePools(pools []Pool) []byte {
	ps := normalizePools(pools)
	var b bytes.Buffer
	n := 0
	for _, p := range ps {
		n += len(p.IDs)
	}
	b.Grow(len(poolTag) + 4 + len(ps)*16 + 8*n)
	b.WriteString(poolTag)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(ps))))
	for _, p := range ps {
		putStr(&b, p.Specialty)
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(p.IDs))))
		var buf [8]byte
		for _, id := range p.IDs {
			binary.BigEndian.PutUint64(buf[:], uint64(id))
			b.Write(buf[:])
		}
	}
	return b.Bytes()
}

func normalizePools(pools []Pool) []Pool {
	ps := make([]Pool, len(pools))
	for i, p := range pools {
		ids := slices.Clone(p.IDs)
		slices.Sort(ids)
		ps[i] = Pool{Specialty: p.Specialty, IDs: slices.Compact(ids)}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Specialty < ps[j].Specialty })
	return ps
}

var errPoolEncoding = errors.New("draw: 专家池编码损坏")

// DecodePools reads an encoding made by EncodePools; it refuses anything
// that EncodePools would not have produced.
func DecodePools(data []byte) ([]Pool, error) {
	if !bytes.HasPrefix(data, []byte(poolTag)) {
		return nil, errPoolEncoding
	}
	r := data[len(poolTag):]
	u32 := func() (uint32, bool) {
		if len(r) < 4 {
			return 0, false
		}
		v := binary.BigEndian.Uint32(r)
		r = r[4:]
		return v, true
	}
	n, ok := u32()
	if !ok || n > 1000 {
		return nil, errPoolEncoding
	}
	out := make([]Pool, 0, n)
	for range n {
		l, ok := u32()
		if !ok || int(l) > len(r) || l > 64 {
			return nil, errPoolEncoding
		}
		code := string(r[:l])
		r = r[l:]
		count, ok := u32()
		if !ok || uint64(count)*8 > uint64(len(r)) {
			return nil, errPoolEncoding
		}
		ids := make([]int64, count)
		for i := range ids {
			ids[i] = int64(binary.BigEndian.Uint64(r))
			r = r[8:]
			if i > 0 && ids[i] <= ids[i-1] {
				return nil, errPoolEncoding
			}
		}
		if len(out) > 0 && out[len(out)-1].Specialty >= code {
			return nil, errPoolEncoding
		}
		out = append(out, Pool{Specialty: code, IDs: ids})
	}
	if len(r) != 0 {
		return nil, errPoolEncoding
	}
	return out, nil
}

// PoolDigest is SM3 of the canonical encoding.
func PoolDigest(pools []Pool) [32]byte { return gm.SM3(EncodePools(pools)) }

// Commitment is SM3(seed): published before the witness contributes, it
// binds the server to its seed without revealing it.
func Commitment(seed []byte) [32]byte { return gm.SM3(seed) }

// Key is the draw key SM3(seed || contribution || pool digest).
func Key(seed, contribution []byte, poolDigest [32]byte) [32]byte {
	return gm.SM3(seed, contribution, poolDigest[:])
}

// Stream is the counter-mode generator of one specialty.
type Stream struct {
	prefix  []byte // key || str(code)
	counter uint64
	buf     [32]byte
	off     int // bytes of buf used
}

// NewStream starts the stream of specialty code under key.
func NewStream(key [32]byte, code string) *Stream {
	var b bytes.Buffer
	b.Write(key[:])
	putStr(&b, code)
	return &Stream{prefix: b.Bytes(), off: 32}
}

func (s *Stream) next() uint64 {
	if s.off+8 > len(s.buf) {
		s.buf = gm.SM3(s.prefix, binary.BigEndian.AppendUint64(nil, s.counter))
		s.counter++
		s.off = 0
	}
	v := binary.BigEndian.Uint64(s.buf[s.off:])
	s.off += 8
	return v
}

// Uniform returns a uniformly distributed integer in [0, n), n ≥ 1, by
// rejection sampling (no modulo bias).
func (s *Stream) Uniform(n uint64) uint64 {
	if n <= 1 {
		return 0
	}
	rem := (math.MaxUint64%n + 1) % n // 2^64 mod n
	for {
		x := s.next()
		if rem == 0 || x <= math.MaxUint64-rem {
			return x % n
		}
	}
}

// Sequence lazily produces one specialty's order: the Fisher–Yates
// shuffle of its pool, computed only as far as positions are asked for.
type Sequence struct {
	a      []int64
	done   int // positions fixed so far
	stream *Stream
}

// NewSequence prepares the sequence of pool under key.
func NewSequence(key [32]byte, p Pool) *Sequence {
	return &Sequence{a: slices.Clone(p.IDs), stream: NewStream(key, p.Specialty)}
}

// Len is the pool size: positions are 0 … Len()-1.
func (q *Sequence) Len() int { return len(q.a) }

// At returns the expert at position i.
func (q *Sequence) At(i int) (int64, bool) {
	if i < 0 || i >= len(q.a) {
		return 0, false
	}
	for q.done <= i {
		k := q.done
		j := k + int(q.stream.Uniform(uint64(len(q.a)-k)))
		q.a[k], q.a[j] = q.a[j], q.a[k]
		q.done++
	}
	return q.a[i], true
}

// Prefix returns the first n positions (fewer if the pool is smaller).
func (q *Sequence) Prefix(n int) []int64 {
	n = min(n, len(q.a))
	if n > 0 {
		q.At(n - 1)
	}
	return slices.Clone(q.a[:n])
}

// BuildPools fixes the pools of a draw: per quota its eligible experts,
// minus everyone excluded for any reason in any specialty (an avoidance
// reason is about the person, not the specialty). A specialty with nobody
// eligible has an empty pool.
func BuildPools(quotas []Quota, eligible map[string][]int64, excluded map[int64]bool) []Pool {
	out := make([]Pool, 0, len(quotas))
	for _, q := range quotas {
		var ids []int64
		if n := len(eligible[q.Specialty]); n > 0 {
			ids = make([]int64, 0, n) // sized once: a draw's garbage is its GC time
		}
		for _, id := range eligible[q.Specialty] {
			if !excluded[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			ids = nil // as before: an empty pool has no list
		}
		out = append(out, Pool{Specialty: q.Specialty, IDs: ids})
	}
	return normalizePools(out)
}
