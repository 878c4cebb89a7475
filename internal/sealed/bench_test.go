package sealed

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm3"
)

// synthetic is a reader of n deterministic bytes that holds only 64 KiB:
// the seam that lets a benchmark seal a 1 GB "file" without a 1 GB file.
type synthetic struct {
	block []byte
	left  int64
	off   int
}

func newSynthetic(n int64) *synthetic {
	return &synthetic{block: pattern(64<<10, 0x5a), left: n}
}

func (s *synthetic) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && s.left > 0 {
		k := copy(p[n:min(len(p), n+int(min(s.left, int64(len(p)-n))))], s.block[s.off:])
		n += k
		s.left -= int64(k)
		s.off = (s.off + k) % len(s.block)
	}
	return n, nil
}

func (s *synthetic) Close() error { return nil }

func syntheticSource(name string, n int64) source {
	return source{Name: name, Size: n, Open: func() (io.ReadCloser, error) { return newSynthetic(n), nil }}
}

const benchBytes = 20 << 20 // 20 MiB of documents

// benchContainer seals one synthetic document of n bytes with the default
// chunk size and returns the container and its key.
func benchContainer(b *testing.B, n int64) ([]byte, []byte) {
	b.Helper()
	s := newSigner(b, "基准测试投标人")
	k := make([]byte, KeySize)
	rand.Read(k)
	var buf bytes.Buffer
	if _, err := sealWith(&buf, s, testForm(1), []source{syntheticSource("大文件.bin", n)},
		Options{Fingerprint: "bench", Now: testTime}, k); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), k
}

// BenchmarkOpen: decrypt and verify 20 MiB (SM4-GCM per chunk, SM3 over
// the ciphertext, SM3 of the document, two SM2 verifications).
func BenchmarkOpen(b *testing.B) {
	c, k := benchContainer(b, benchBytes)
	b.SetBytes(benchBytes)
	b.ResetTimer()
	for range b.N {
		if _, err := Open(bytes.NewReader(c), k, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawSM4GCM: SM4-GCM decryption alone of the same bytes in the
// same 1 MiB chunks: the yardstick for BenchmarkOpen.
func BenchmarkRawSM4GCM(b *testing.B) {
	k := make([]byte, KeySize)
	aead, err := newAEAD(k)
	if err != nil {
		b.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	plain := pattern(DefaultChunkSize, 1)
	var cts [][]byte
	for range benchBytes / DefaultChunkSize {
		cts = append(cts, aead.Seal(nil, nonce, plain, nil))
	}
	dst := make([]byte, DefaultChunkSize)
	b.SetBytes(benchBytes)
	b.ResetTimer()
	for range b.N {
		for _, ct := range cts {
			if _, err := aead.Open(dst[:0], nonce, ct, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkInspect: what the server does on upload, without the key.
func BenchmarkInspect(b *testing.B) {
	c, _ := benchContainer(b, benchBytes)
	b.SetBytes(benchBytes)
	b.ResetTimer()
	for range b.N {
		if _, err := Inspect(bytes.NewReader(c)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawSM3: SM3 alone over the same bytes: the yardstick for Inspect.
func BenchmarkRawSM3(b *testing.B) {
	buf := pattern(DefaultChunkSize, 1)
	b.SetBytes(benchBytes)
	for range b.N {
		h := sm3.New()
		for range benchBytes / DefaultChunkSize {
			h.Write(buf)
		}
		h.Sum(nil)
	}
}

// BenchmarkSeal: the bidder's tool sealing 20 MiB to nowhere.
func BenchmarkSeal(b *testing.B) {
	s := newSigner(b, "基准测试投标人")
	b.SetBytes(benchBytes)
	for range b.N {
		if _, err := seal(io.Discard, s, testForm(1), []source{syntheticSource("大文件.bin", benchBytes)},
			Options{Fingerprint: "bench", Now: testTime}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoundedMemory seals a synthetic 1 GiB document (GGZY_BENCH_SEALED_MB
// to change) and, at the same time, through pipes, inspects and opens the
// container as it is written, sampling the heap every 5 ms. It reports the
// peak heap and fails if memory grows with the size. Run it once:
//
//	go test -run '^$' -bench BoundedMemory -benchtime 1x ./internal/sealed/
func BenchmarkBoundedMemory(b *testing.B) {
	mb := int64(1024)
	if v, err := strconv.ParseInt(os.Getenv("GGZY_BENCH_SEALED_MB"), 10, 64); err == nil && v > 0 {
		mb = v
	}
	n := mb << 20
	s := newSigner(b, "基准测试投标人")
	k := make([]byte, KeySize)
	rand.Read(k)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peakAlloc, peakInuse, peakSys uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peakAlloc, peakInuse, peakSys = max(peakAlloc, m.HeapAlloc), max(peakInuse, m.HeapInuse), max(peakSys, m.Sys)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()

	b.SetBytes(n)
	b.ResetTimer()
	for range b.N {
		pr1, pw1 := io.Pipe()
		pr2, pw2 := io.Pipe()
		var wg sync.WaitGroup
		var sum Summary
		var sealErr, openErr, inspErr error
		var cs Contents
		var env Envelope
		wg.Add(3)
		go func() {
			defer wg.Done()
			sum, sealErr = sealWith(io.MultiWriter(pw1, pw2), s, testForm(1),
				[]source{syntheticSource("大文件.bin", n)}, Options{Fingerprint: "bench", Now: testTime}, k)
			pw1.CloseWithError(sealErr)
			pw2.CloseWithError(sealErr)
		}()
		go func() {
			defer wg.Done()
			cs, openErr = Open(pr1, k, nil)
			io.Copy(io.Discard, pr1)
		}()
		go func() {
			defer wg.Done()
			env, inspErr = Inspect(pr2)
			io.Copy(io.Discard, pr2)
		}()
		wg.Wait()
		if sealErr != nil || openErr != nil || inspErr != nil {
			b.Fatalf("seal %v, open %v, inspect %v", sealErr, openErr, inspErr)
		}
		if cs.Files[0].Size != n || env.Size != sum.Size || !bytes.Equal(env.CipherDigest, sum.CipherDigest) {
			b.Fatalf("round trip: %+v %+v", cs.Files, env)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	const MiB = 1 << 20
	b.ReportMetric(float64(peakAlloc)/MiB, "peak-heap-MiB")
	b.ReportMetric(float64(peakInuse)/MiB, "peak-inuse-MiB")
	b.ReportMetric(float64(peakSys)/MiB, "peak-sys-MiB")
	b.ReportMetric(float64(base.HeapAlloc)/MiB, "base-heap-MiB")
	if peakAlloc > base.HeapAlloc+64*MiB {
		b.Errorf("memory grows with the size: peak heap %d MiB for %d MiB sealed, opened and inspected", peakAlloc/MiB, mb)
	}
}

// BenchmarkOpenVsRaw alternates Open and raw SM4-GCM decryption of the same
// 20 MiB, iteration by iteration, so that a busy shared machine slows both
// alike, and reports the ratio of their throughputs (1 would mean
// verification is free). Likewise Inspect against SM3 alone.
func BenchmarkOpenVsRaw(b *testing.B) {
	c, k := benchContainer(b, benchBytes)
	aead, err := newAEAD(k)
	if err != nil {
		b.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	plain := pattern(DefaultChunkSize, 1)
	var cts [][]byte
	for range benchBytes / DefaultChunkSize {
		cts = append(cts, aead.Seal(nil, nonce, plain, nil))
	}
	dst := make([]byte, DefaultChunkSize)
	var open, raw, insp, sm3t time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		for _, ct := range cts {
			if _, err := aead.Open(dst[:0], nonce, ct, nil); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		if _, err := Open(bytes.NewReader(c), k, nil); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		h := sm3.New()
		for range benchBytes / DefaultChunkSize {
			h.Write(plain)
		}
		h.Sum(nil)
		t3 := time.Now()
		if _, err := Inspect(bytes.NewReader(c)); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		raw, open, sm3t, insp = raw+t1.Sub(t0), open+t2.Sub(t1), sm3t+t3.Sub(t2), insp+t4.Sub(t3)
	}
	mbs := func(d time.Duration) float64 { return float64(benchBytes) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbs(raw), "raw-gcm-MB/s")
	b.ReportMetric(mbs(open), "open-MB/s")
	b.ReportMetric(raw.Seconds()/open.Seconds(), "open/raw")
	b.ReportMetric(mbs(sm3t), "raw-sm3-MB/s")
	b.ReportMetric(mbs(insp), "inspect-MB/s")
	b.ReportMetric(sm3t.Seconds()/insp.Seconds(), "inspect/sm3")
}
