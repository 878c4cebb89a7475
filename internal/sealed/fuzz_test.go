package sealed

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// fuzzSeeds are real containers by the fixed test key: with documents in
// several 1 KiB chunks, and with the form alone.
func fuzzSeeds(f *testing.F) {
	s := fixedSigner(f)
	c, _ := sealFiles(f, s, testForm(11), testOpts,
		memSource("技术标/施工组织设计.pdf", pattern(2*MinChunkSize+100, 5)), memSource("报价.xlsx", []byte("报价")))
	f.Add(c)
	f.Add(c[:len(c)/2])
	c, _ = sealFiles(f, s, testForm(12), Options{ChunkSize: MinChunkSize, Fingerprint: "x", Now: testTime})
	f.Add(c)
	f.Add([]byte(magic))
}

// checkAlloc fails when run allocated more than a few MiB beyond a small
// multiple of the input: what the limits promise whatever the input claims.
func checkAlloc(t *testing.T, n int, run func()) {
	before := totalAlloc()
	run()
	if grew := totalAlloc() - before; grew > 4<<20+4*uint64(n) {
		t.Fatalf("allocated %d bytes for %d bytes of input", grew, n)
	}
}

func FuzzInspect(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var env Envelope
		var err error
		var section bytes.Buffer
		checkAlloc(t, len(data), func() { env, err = InspectSection(bytes.NewReader(data), &section) })
		if err != nil {
			if !errs.Is(err, errs.Invalid) || errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) {
				t.Fatalf("Inspect error %v", err)
			}
			return
		}
		if env.Size != int64(len(data)) || env.Cert == nil || len(env.CipherDigest) != 32 || env.Chunks < 1 {
			t.Fatalf("accepted envelope %+v", env)
		}
		// The parts are the file, and the section's SM3 is the digest.
		sum := gm.SM3(section.Bytes())
		if !bytes.Equal(append(append(bytes.Clone(env.Head), section.Bytes()...), env.Trailer...), data) ||
			!bytes.Equal(sum[:], env.CipherDigest) || !bytes.Equal(EnvelopeDigest(env.Head, env.Trailer), env.ContainerDigest()) {
			t.Fatalf("the parts of an accepted container are not the file")
		}
	})
}

func FuzzOpen(f *testing.F) {
	fuzzSeeds(f)
	key := fixedSigner(f).Key
	f.Fuzz(func(t *testing.T, data []byte) {
		k := fuzzKey(data, key)
		var cs Contents
		var err error
		checkAlloc(t, len(data), func() { cs, err = Open(bytes.NewReader(data), k, nil) })
		if err != nil {
			wrong, damaged := errors.Is(err, ErrWrongKey), errors.Is(err, ErrDamaged)
			if !errs.Is(err, errs.Invalid) || wrong == damaged {
				t.Fatalf("Open error %v", err)
			}
			return
		}
		if cs.Envelope.Size != int64(len(data)) || cs.Form.Validate() != nil || cs.Form.LotID != cs.Envelope.LotID {
			t.Fatalf("opened %+v", cs)
		}
		env, err := Inspect(bytes.NewReader(data))
		if err != nil || !bytes.Equal(env.CipherDigest, cs.Envelope.CipherDigest) {
			t.Fatalf("Open accepts what Inspect refuses: %v", err)
		}
	})
}

// fuzzKey unwraps the content key of data with the fixed key, so that
// mutated containers are opened with their own key; when there is none, a
// random key.
func fuzzKey(data []byte, key *sm2.PrivateKey) []byte {
	s := newScanner(bytes.NewReader(data))
	if s.readHead() == nil {
		if k, err := UnwrapKey(s.env, key); err == nil {
			return k
		}
	}
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// FuzzPayload fuzzes the parser of the decrypted content: every input is
// sealed correctly, so Open either succeeds or blames the bidder.
func FuzzPayload(f *testing.F) {
	f.Add((&payloadBuilder{}).form(goodForm).file("a/文件.pdf", []byte("x"), nil).end(1, 1).Bytes())
	f.Add((&payloadBuilder{}).form(goodForm).end(0, 0).Bytes())
	f.Add((&payloadBuilder{}).form(goodForm).file("a", pattern(2*MinChunkSize, 1), nil).file("b", nil, nil).end(2, 2*MinChunkSize).Bytes())
	s := fixedSigner(f)
	k := make([]byte, KeySize)
	f.Fuzz(func(t *testing.T, payload []byte) {
		if len(payload) == 0 {
			return // a chunk holds at least one byte; Seal never writes an empty payload
		}
		var buf bytes.Buffer
		h := header{lotID: 5, sealedAt: 1, chunkSize: MinChunkSize, keyCheck: keyCheck(k), cert: s.Cert.Raw, wrapped: []byte{1}}
		if _, err := writeContainer(&buf, s.Key, h, k, func(c *chunkWriter) error { c.Write(payload); return nil }); err != nil {
			t.Fatal(err)
		}
		var cs Contents
		var err error
		checkAlloc(t, len(payload), func() {
			cs, err = Open(bytes.NewReader(buf.Bytes()), k, func(name string) (io.Writer, error) {
				if validName(name) != "" {
					t.Fatalf("out called with %q", name)
				}
				return nil, nil
			})
		})
		if err != nil {
			if !errs.Is(err, errs.Invalid) || !errors.Is(err, ErrBadContent) || errors.Is(err, ErrDamaged) {
				t.Fatalf("Open error %v", err)
			}
			return
		}
		if cs.Form.Validate() != nil || cs.Form.LotID != 5 || len(cs.Files) > MaxFiles {
			t.Fatalf("opened %+v", cs)
		}
	})
}
