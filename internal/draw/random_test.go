package draw

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"testing"

	"ggzy/internal/gm"
)

func ids(n int, from int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = from + int64(i)
	}
	return out
}

// testSeed is a deterministic "random" seed for test i.
func testSeed(tag string, i int) []byte {
	s := gm.SM3([]byte(tag), binary.BigEndian.AppendUint64(nil, uint64(i)))
	return s[:]
}

func TestPoolEncodingIsCanonical(t *testing.T) {
	a := []Pool{{"B01", []int64{9, 3, 3, 7}}, {"A08", []int64{5, 1}}}
	b := []Pool{{"A08", []int64{1, 5}}, {"B01", []int64{3, 7, 9}}}
	if !bytes.Equal(EncodePools(a), EncodePools(b)) {
		t.Fatal("same content, different encodings")
	}
	got, err := DecodePools(EncodePools(a))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Specialty != "A08" || !slices.Equal(got[1].IDs, []int64{3, 7, 9}) {
		t.Fatalf("decoded %+v", got)
	}
	if PoolDigest(a) != PoolDigest(b) {
		t.Fatal("digest depends on order")
	}
	// Known answer, so an accidental change of the format fails here
	// before it breaks the verification of old draws.
	enc := EncodePools([]Pool{{"A08", []int64{1, 2}}})
	want := "6767 7a79 2d64 7261 772d 706f 6f6c 2d76 310a 0000 0001 0000 0003 4130 3800 0000 02" +
		"00 0000 0000 0000 0100 0000 0000 0000 02"
	if hex.EncodeToString(enc) != stripSpaces(want) {
		t.Fatalf("encoding %x", enc)
	}
	twice := slices.Clone(enc)
	copy(twice[len(twice)-8:], enc[len(enc)-16:len(enc)-8]) // ids 1, 1
	for _, bad := range [][]byte{nil, []byte("junk"), enc[:len(enc)-1], append(slices.Clone(enc), 0), twice} {
		if _, err := DecodePools(bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
	// Descending ids are not canonical.
	dup := slices.Clone(enc)
	copy(dup[len(dup)-16:], enc[len(enc)-8:])
	copy(dup[len(dup)-8:], enc[len(enc)-16:len(enc)-8])
	if _, err := DecodePools(dup); err == nil {
		t.Error("decoded ids out of order")
	}
}

func stripSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

func FuzzDecodePools(f *testing.F) {
	f.Add(EncodePools([]Pool{{"A08", []int64{1, 2, 3}}, {"B01", nil}}))
	f.Add([]byte(poolTag))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := DecodePools(data)
		if err != nil {
			return
		}
		// Whatever decodes is canonical: it encodes back to the input.
		if !bytes.Equal(EncodePools(ps), data) {
			t.Fatalf("decoded %x to %+v, which encodes differently", data, ps)
		}
	})
}

func TestCommitmentIsSM3OfSeed(t *testing.T) {
	seed := testSeed("commit", 1)
	c := Commitment(seed)
	if c != gm.SM3(seed) {
		t.Fatal("commitment is not SM3(seed)")
	}
}

// sequence is the first n positions of pool under (seed, contribution).
func sequence(seed, contribution []byte, pools []Pool, spec string, n int) []int64 {
	key := Key(seed, contribution, PoolDigest(pools))
	for _, p := range normalizePools(pools) {
		if p.Specialty == spec {
			return NewSequence(key, p).Prefix(n)
		}
	}
	return nil
}

func TestSequenceIsAPermutationAndReplays(t *testing.T) {
	pools := []Pool{{"A08", ids(50, 100)}, {"B01", ids(7, 1)}}
	seed, contrib := testSeed("s", 1), testSeed("c", 1)
	full := sequence(seed, contrib, pools, "A08", 50)
	sorted := slices.Clone(full)
	slices.Sort(sorted)
	if !slices.Equal(sorted, ids(50, 100)) {
		t.Fatalf("not a permutation: %v", full)
	}
	if slices.Equal(full, ids(50, 100)) {
		t.Fatal("identity permutation")
	}
	// Replay reproduces, whether computed at once or lazily.
	if again := sequence(seed, contrib, pools, "A08", 50); !slices.Equal(full, again) {
		t.Fatal("replay differs")
	}
	q := NewSequence(Key(seed, contrib, PoolDigest(pools)), Pool{"A08", ids(50, 100)})
	for i := 49; i >= 0; i -= 7 {
		if v, _ := q.At(i); v != full[i] {
			t.Fatalf("lazy At(%d) = %d, want %d", i, v, full[i])
		}
	}
	if _, ok := q.At(50); ok {
		t.Fatal("position past the pool")
	}
	// A prefix is a prefix of the full sequence.
	if p := sequence(seed, contrib, pools, "A08", 5); !slices.Equal(p, full[:5]) {
		t.Fatal("prefix differs from the full sequence")
	}
	// Specialties have independent streams.
	if b := sequence(seed, contrib, pools, "B01", 7); len(b) != 7 {
		t.Fatalf("B01 %v", b)
	}
}

// TestChangingAnyInputChangesTheDraw: pool, seed and contribution each
// change the order (checked over many seeds, so a fluke cannot pass).
func TestChangingAnyInputChangesTheDraw(t *testing.T) {
	base := []Pool{{"A08", ids(40, 1)}}
	other := []Pool{{"A08", append(ids(39, 1), 1000)}}
	for i := range 50 {
		seed, contrib := testSeed("seed", i), testSeed("contrib", i)
		a := sequence(seed, contrib, base, "A08", 10)
		for name, b := range map[string][]int64{
			"seed":         sequence(testSeed("seed'", i), contrib, base, "A08", 10),
			"contribution": sequence(seed, testSeed("contrib'", i), base, "A08", 10),
			"one bit of contribution": sequence(seed, func() []byte {
				c := slices.Clone(contrib)
				c[0] ^= 1
				return c
			}(), base, "A08", 10),
			"pool": sequence(seed, contrib, other, "A08", 10),
		} {
			if slices.Equal(a, b) {
				t.Fatalf("run %d: changing the %s left the first 10 positions unchanged", i, name)
			}
		}
	}
}

// chiSquare is Σ (observed − expected)² / expected for equal expectations.
func chiSquare(counts []int, total int) float64 {
	exp := float64(total) / float64(len(counts))
	x := 0.0
	for _, c := range counts {
		d := float64(c) - exp
		x += d * d / exp
	}
	return x
}

// Critical values of χ² at p = 0.001.
const (
	chi2df11 = 31.26 // 11 degrees of freedom (12 experts)
	chi2df23 = 49.73 // 23 degrees of freedom (24 orders of 4 experts)
)

// selector picks the first k of a pool of n for run i.
type selector func(i, n, k int) []int

// drawSelector is the real thing: the first k positions of the sequence
// for a deterministic seed and contribution.
func drawSelector(i, n, k int) []int {
	p := Pool{"A08", ids(n, 0)}
	d, ok := digests[n]
	if !ok {
		d = PoolDigest([]Pool{p})
		digests[n] = d
	}
	key := Key(testSeed("uni-seed", i), testSeed("uni-contrib", i), d)
	out := []int{}
	for _, v := range NewSequence(key, p).Prefix(k) {
		out = append(out, int(v))
	}
	return out
}

var digests = map[int][32]byte{}

// biasedSelector is what a careless implementation does: Fisher–Yates
// with one random byte reduced modulo the remaining count, which favours
// low indexes whenever 256 is not a multiple of it.
func biasedSelector(i, n, k int) []int {
	a := make([]int, n)
	for j := range a {
		a[j] = j
	}
	stream := testSeed("biased", i)
	for j := 0; j < k; j++ {
		if j%32 == 0 && j > 0 {
			next := gm.SM3(stream)
			stream = next[:]
		}
		r := j + int(stream[j%32])%(n-j)
		a[j], a[r] = a[r], a[j]
	}
	return a[:k]
}

// firstPick counts who comes first over runs draws of a pool of n.
func firstPick(sel selector, runs, n int) []int {
	counts := make([]int, n)
	for i := range runs {
		counts[sel(i, n, 1)[0]]++
	}
	return counts
}

// TestUniformity: over many seeded draws of a small pool each expert is
// first equally often, and each order of a pool of four is equally likely
// (χ² at p = 0.001). The same test fails a deliberately biased selector,
// so the threshold is tight enough to mean something.
func TestUniformity(t *testing.T) {
	const runs = 120000
	if x := chiSquare(firstPick(drawSelector, runs, 12), runs); x > chi2df11 {
		t.Errorf("first pick not uniform: χ² = %.2f > %.2f", x, chi2df11)
	}
	if x := chiSquare(firstPick(biasedSelector, runs, 12), runs); x <= chi2df11 {
		t.Errorf("the biased selector passes (χ² = %.2f ≤ %.2f): the test cannot tell", x, chi2df11)
	}
	// Whole permutations of four.
	perm := func(sel selector) []int {
		counts := make([]int, 24)
		index := map[string]int{}
		for i := range runs / 2 {
			key := fmt.Sprint(sel(i, 4, 4))
			if _, ok := index[key]; !ok {
				index[key] = len(index)
			}
			counts[index[key]]++
		}
		if len(index) != 24 {
			t.Fatalf("only %d of 24 orders ever occurred", len(index))
		}
		return counts
	}
	if x := chiSquare(perm(drawSelector), runs/2); x > chi2df23 {
		t.Errorf("orders of four not uniform: χ² = %.2f > %.2f", x, chi2df23)
	}
	// Inclusion in the first three of twelve (a panel of three).
	counts := make([]int, 12)
	for i := range runs {
		for _, v := range drawSelector(i, 12, 3) {
			counts[v]++
		}
	}
	if x := chiSquare(counts, 3*runs); x > chi2df11 {
		t.Errorf("inclusion in the first three not uniform: χ² = %.2f", x)
	}
}

func TestUniformRejectsTheBiasedTail(t *testing.T) {
	// A stream whose first words all fall in the rejected tail for n = 3
	// must skip them: check with n = 2^63+1, where almost half the range
	// is rejected, that answers stay in range and vary.
	s := NewStream(Key(testSeed("u", 0), nil, [32]byte{}), "X")
	n := uint64(math.MaxInt64) + 2
	seen := map[bool]int{}
	for range 200 {
		v := s.Uniform(n)
		if v >= n {
			t.Fatalf("Uniform(%d) = %d", n, v)
		}
		seen[v < n/2]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("Uniform over a huge range stuck on one half: %v", seen)
	}
	if s.Uniform(1) != 0 || s.Uniform(0) != 0 {
		t.Fatal("Uniform(1) must be 0")
	}
}
