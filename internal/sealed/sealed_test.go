package sealed

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// containerDigest computes the container digest of c as
// docs/sealed-bid-format.md specifies it, from the layout alone.
func containerDigest(t testing.TB, c []byte) []byte {
	l := parseLayout(t, c)
	section := gm.SM3(c[l.sigEnd:l.trailer])
	sum := gm.SM3([]byte("ggzy/sealed-bid/v1/container\n"), c[:l.sigEnd], section[:], c[l.trailer:])
	return sum[:]
}

// TestInspectSection: the section written out is exactly the file's chunk
// section and its SM3 is the cipher digest; Head and Trailer are the rest
// of the file; the container digest computed from the parts (by Seal,
// Inspect and Open alike) is the documented one and changes with any byte;
// a failing section writer is an internal error, not a bad container.
func TestInspectSection(t *testing.T) {
	s := newSigner(t, "昭通市某某建设有限公司")
	c, k := sealFiles(t, s, testForm(42), testOpts, memSource("a.bin", pattern(3*MinChunkSize+5, 3)))
	l := parseLayout(t, c)
	var section bytes.Buffer
	env, err := InspectSection(bytes.NewReader(c), &section)
	if err != nil {
		t.Fatal(err)
	}
	sectionSum := gm.SM3(section.Bytes())
	if !bytes.Equal(section.Bytes(), c[l.sigEnd:l.trailer]) || !bytes.Equal(env.CipherDigest, sectionSum[:]) {
		t.Fatalf("section of %d bytes, want %d; cipher digest %x", section.Len(), l.trailer-l.sigEnd, env.CipherDigest)
	}
	if !bytes.Equal(env.Head, c[:l.sigEnd]) || !bytes.Equal(env.Trailer, c[l.trailer:]) {
		t.Fatal("Head and Trailer are not the bytes around the section")
	}
	want := containerDigest(t, c)
	if !bytes.Equal(env.ContainerDigest(), want) {
		t.Fatalf("container digest %x, want %x", env.ContainerDigest(), want)
	}
	if d := EnvelopeDigest(env.Head, env.Trailer); !bytes.Equal(d, want) {
		t.Fatalf("EnvelopeDigest %x, want %x", d, want)
	}
	if EnvelopeDigest(env.Head, env.Trailer[:50]) != nil {
		t.Error("EnvelopeDigest of a short trailer")
	}
	if d, _, err := ContainerDigestOf(bytes.NewReader(c)); err != nil || !bytes.Equal(d, want) {
		t.Fatalf("ContainerDigestOf: %x %v", d, err)
	}
	cs, err := Open(bytes.NewReader(c), k, nil)
	if err != nil || !bytes.Equal(cs.Envelope.ContainerDigest(), want) {
		t.Fatalf("Open: %x %v", cs.Envelope.ContainerDigest(), err)
	}
	// Reassembled from its parts, the container opens as the file does.
	parts := io.MultiReader(bytes.NewReader(env.Head), &section, bytes.NewReader(env.Trailer))
	if _, err := Open(parts, k, nil); err != nil {
		t.Fatalf("reassembled: %v", err)
	}
	// One changed byte anywhere changes the digest.
	for _, at := range []int{3, l.headerEnd - 1, l.sigEnd + 10, l.trailer - 5, l.trailer + 60, len(c) - 1} {
		d := containerDigest(t, flip(c, at))
		if bytes.Equal(d, want) {
			t.Errorf("byte %d changed, same digest", at)
		}
	}
	if (Envelope{}).ContainerDigest() != nil {
		t.Error("a digest without the bytes")
	}

	failed := errors.New("disk full")
	_, err = InspectSection(bytes.NewReader(c), failWriter{failed})
	if errs.CodeOf(err) != errs.Internal || !errors.Is(err, failed) {
		t.Fatalf("failing section writer: %v", err)
	}
	// A bad container is still the container's fault, whatever was written.
	_, err = InspectSection(bytes.NewReader(flip(c, l.sigEnd+10)), io.Discard)
	wantInvalid(t, err)
}

// collect is an out func that keeps what Open writes.
func collect(got map[string]*bytes.Buffer, order *[]string) func(string) (io.Writer, error) {
	return func(name string) (io.Writer, error) {
		b := &bytes.Buffer{}
		got[name] = b
		*order = append(*order, name)
		return b, nil
	}
}

func TestRoundTripFolder(t *testing.T) {
	s := newSigner(t, "昭通市某某建设有限公司")
	big := string(pattern(5*MinChunkSize+123, 1))
	files := map[string]string{
		"投标函.pdf":              "%PDF-1.7 投标函",
		"技术标/施工组织设计.docx":      big,
		"技术标/附件/项目经理业绩 证明.jpg": "jpeg…",
		"商务标/报价清单.xlsx":        "xlsx",
		"空文件.txt":              "",
	}
	dir := writeTree(t, files)
	form := testForm(42)
	var out bytes.Buffer
	sum, err := Seal(&out, s, form, dir, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Bytes()
	if sum.Size != int64(len(c)) || !bytes.Equal(sum.ContainerDigest, containerDigest(t, c)) || sum.Files != 5 {
		t.Fatalf("summary %+v", sum)
	}
	if bytes.Contains(c, []byte("张三")) || bytes.Contains(c, []byte("投标函.pdf")) || bytes.Contains(c, []byte(big[:64])) {
		t.Fatal("plaintext visible in the container")
	}

	env, err := Inspect(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	if env.Version != Version || env.LotID != 42 || env.ChunkSize != MinChunkSize || env.Size != int64(len(c)) ||
		env.Chunks != sum.Chunks || env.Chunks < 6 || !bytes.Equal(env.CipherDigest, sum.CipherDigest) ||
		!env.SealedAt.Equal(testTime) || env.Fingerprint != testOpts.Fingerprint ||
		!bytes.Equal(env.CertDER, s.Cert.Raw) || env.Cert.Subject.CommonName != s.Cert.Subject.CommonName {
		t.Fatalf("envelope %+v", env)
	}

	key, err := UnwrapKey(env, s.Key)
	if err != nil || len(key) != KeySize {
		t.Fatalf("UnwrapKey: %v", err)
	}
	got := map[string]*bytes.Buffer{}
	var order []string
	cs, err := Open(bytes.NewReader(c), key, collect(got, &order))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cs.Form, form) {
		t.Fatalf("form %+v", cs.Form)
	}
	if !reflect.DeepEqual(cs.Envelope.CipherDigest, env.CipherDigest) || cs.Envelope.Size != env.Size {
		t.Fatalf("open envelope %+v", cs.Envelope)
	}
	if len(cs.Files) != len(files) || len(order) != len(files) {
		t.Fatalf("files %+v", cs.Files)
	}
	var plain int64
	for _, f := range cs.Files {
		want, ok := files[f.Name]
		d := gm.SM3([]byte(want))
		if !ok || got[f.Name].String() != want || f.Size != int64(len(want)) || !bytes.Equal(f.Digest, d[:]) {
			t.Fatalf("file %q: %+v", f.Name, f)
		}
		plain += f.Size
	}
	if sum.PlainBytes <= plain {
		t.Fatalf("PlainBytes %d does not count the form", sum.PlainBytes)
	}
	// Open without an out func discards the documents but checks them.
	if _, err := Open(bytes.NewReader(c), key, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bytes.NewReader(c), key, func(string) (io.Writer, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	// Two seals of the same bid differ entirely (fresh key, nonce).
	var again bytes.Buffer
	if _, err := Seal(&again, s, form, dir, testOpts); err != nil {
		t.Fatal(err)
	}
	l := parseLayout(t, c)
	if bytes.Equal(again.Bytes()[l.sigEnd:l.sigEnd+64], c[l.sigEnd:l.sigEnd+64]) {
		t.Fatal("two seals share ciphertext")
	}
}

func TestFormOnlyAndEmptyFolder(t *testing.T) {
	s := newSigner(t, "投标人甲")
	for _, dir := range []string{"", t.TempDir()} {
		var out bytes.Buffer
		sum, err := Seal(&out, s, testForm(7), dir, Options{Fingerprint: "fp", Now: testTime})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Files != 0 || sum.Chunks != 1 {
			t.Fatalf("summary %+v", sum)
		}
		env, err := Inspect(bytes.NewReader(out.Bytes()))
		if err != nil || env.ChunkSize != DefaultChunkSize {
			t.Fatalf("inspect %+v %v", env, err)
		}
		k, _ := UnwrapKey(env, s.Key)
		cs, err := Open(bytes.NewReader(out.Bytes()), k, nil)
		if err != nil || len(cs.Files) != 0 || cs.Form.Price != 123456789 {
			t.Fatalf("open %+v %v", cs, err)
		}
	}
}

// The last chunk may be full: payloads of every length around a multiple of
// the chunk size open, and have the expected number of chunks.
func TestChunkBoundaries(t *testing.T) {
	s := newSigner(t, "投标人乙")
	form := testForm(3)
	var base bytes.Buffer
	sealWith(&base, s, form, []source{memSource("a", nil)}, testOpts, make([]byte, KeySize))
	env, err := Inspect(bytes.NewReader(base.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	payload0 := int(env.PayloadBytes) // with an empty file "a"
	for _, target := range []int{2 * MinChunkSize, 3 * MinChunkSize} {
		for delta := -2; delta <= 2; delta++ {
			size := target - payload0 + delta
			c, k := sealFiles(t, s, form, testOpts, memSource("a", pattern(size, 9)))
			cs, err := Open(bytes.NewReader(c), k, nil)
			if err != nil {
				t.Fatalf("payload %d: %v", target+delta, err)
			}
			want := (target + delta + MinChunkSize - 1) / MinChunkSize
			if cs.Envelope.Chunks != want || cs.Envelope.PayloadBytes != int64(target+delta) {
				t.Fatalf("payload %d: %d chunks, want %d", target+delta, cs.Envelope.Chunks, want)
			}
		}
	}
}

// tamperContainer is a sealed container with several chunks and its key.
func tamperContainer(t *testing.T) (Signer, []byte, []byte, layout) {
	s := newSigner(t, "投标人丙")
	c, k := sealFiles(t, s, testForm(9), testOpts,
		memSource("商务标/报价.xlsx", pattern(3*MinChunkSize, 2)), memSource("技术标.pdf", pattern(MinChunkSize/2, 3)))
	l := parseLayout(t, c)
	if len(l.chunks) < 4 {
		t.Fatalf("only %d chunks", len(l.chunks))
	}
	return s, c, k, l
}

func TestTamperingIsDetected(t *testing.T) {
	s, c, k, l := tamperContainer(t)
	other := newSigner(t, "另一投标人")
	chunk := func(i int) []byte { return c[l.chunks[i][0]:l.chunks[i][1]] }
	last := len(l.chunks) - 1

	// The other bidder's certificate in place of ours, header lengths fixed up.
	swapCert := swapCertificate(t, c, other.Cert.Raw)

	// A valid signature by the same key, of other data, in place of the trailer's.
	wrongSig, _ := gm.Sign(s.Key, []byte("other data"))
	trailerSigAt := l.trailer + trailerFixed
	withWrongSig := splice(c, trailerSigAt, len(c), append([]byte{0, byte(len(wrongSig))}, wrongSig...))

	cases := []struct {
		name    string
		data    []byte
		inspect string // part of Inspect's message
		open    string // part of Open's message
	}{
		{"magic", flip(c, 0), "标识", "标识"},
		{"version", splice(c, 8, 10, []byte{0, 2}), "版本 2", "版本 2"},
		{"lot in header", flip(c, preambleSize+7), "文件头签名验证失败", "文件头签名验证失败"},
		{"chunk size in header", splice(c, preambleSize+16, preambleSize+20, []byte{0, 0, 8, 0}), "文件头签名验证失败", "文件头签名验证失败"},
		{"huge chunk size in header", splice(c, preambleSize+16, preambleSize+20, []byte{0x10, 0, 0, 0}), "分块大小", "分块大小"},
		{"key check", flip(c, preambleSize+30), "文件头签名验证失败", "文件头签名验证失败"},
		{"fingerprint", flip(c, l.headerEnd-1), "文件头签名验证失败", "文件头签名验证失败"},
		{"header signature", flip(c, l.sigEnd-3), "文件头签名验证失败", "文件头签名验证失败"},
		{"other bidder's certificate", swapCert, "文件头签名验证失败", "文件头签名验证失败"},
		{"flipped byte in first chunk", flip(c, l.chunks[0][0]+10), "密文摘要", "第 1 块校验失败"},
		{"flipped byte in third chunk", flip(c, l.chunks[2][0]+500), "密文摘要", "第 3 块校验失败"},
		{"flipped tag of last chunk", flip(c, l.chunks[last][1]-1), "密文摘要", "块校验失败"},
		{"chunk length", splice(c, l.chunks[1][0], l.chunks[1][0]+4, []byte{0, 0, 4, 0}), "第 2 块", "第 2 块"},
		{"swapped chunks 2 and 3", splice(c, l.chunks[1][0], l.chunks[2][1], append(append([]byte(nil), chunk(2)...), chunk(1)...)), "密文摘要", "第 2 块校验失败"},
		{"duplicated chunk", splice(c, l.chunks[1][1], l.chunks[1][1], chunk(1)), "块数", "第 3 块校验失败"},
		{"dropped middle chunk", splice(c, l.chunks[1][0], l.chunks[1][1], nil), "块数", "第 2 块校验失败"},
		{"dropped last chunk", splice(c, l.chunks[last][0], l.chunks[last][1], nil), "块数", "块校验失败"},
		{"no chunks", splice(c, l.chunks[0][0], l.chunks[last][1], nil), "没有任何数据块", "没有任何数据块"},
		{"chunk count in trailer", flip(c, l.trailer+7), "块数", "块数"},
		{"cipher digest in trailer", flip(c, l.trailer+60), "密文摘要", "密文摘要"},
		{"trailer signature", flip(c, len(c)-5), "签名验证失败", "签名验证失败"},
		{"wrong signature", withWrongSig, "签名验证失败", "签名验证失败"},
		{"trailing data", append(append([]byte(nil), c...), 0), "多余数据", "多余数据"},
		{"truncated in the header", c[:l.headerEnd-10], "不完整", "不完整"},
		{"truncated in a chunk", c[:l.chunks[2][0]+100], "第 3 块处截断", "第 3 块处截断"},
		{"truncated at a chunk boundary", c[:l.chunks[2][0]], "不完整", "不完整"},
		{"truncated before the trailer", c[:l.trailer], "结尾记录", "结尾记录"},
		{"truncated in the signature", c[:len(c)-1], "不完整", "不完整"},
		{"empty", nil, "太短", "太短"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Inspect(bytes.NewReader(tc.data))
			wantInvalid(t, err, tc.inspect)
			_, err = Open(bytes.NewReader(tc.data), k, nil)
			wantInvalid(t, err, tc.open)
			if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) {
				t.Fatalf("Open: want ErrDamaged only, got %v", err)
			}
		})
	}
}

// Every truncation is refused, by both, as damage.
func TestEveryTruncation(t *testing.T) {
	_, c, k, _ := tamperContainer(t)
	for n := 0; n < len(c); n += 1 + n%13 {
		if _, err := Inspect(bytes.NewReader(c[:n])); !errs.Is(err, errs.Invalid) {
			t.Fatalf("Inspect of %d of %d bytes: %v", n, len(c), err)
		}
		if _, err := Open(bytes.NewReader(c[:n]), k, nil); !errs.Is(err, errs.Invalid) || !errors.Is(err, ErrDamaged) {
			t.Fatalf("Open of %d of %d bytes: %v", n, len(c), err)
		}
	}
}

// swapCertificate rebuilds the header of c with another certificate, keeping
// everything else (and so every signature) as it was.
func swapCertificate(t *testing.T, c, cert []byte) []byte {
	t.Helper()
	hlen := int(be32(c[12:]))
	h, err := parseHeader(c[preambleSize : preambleSize+hlen])
	if err != nil {
		t.Fatal(err)
	}
	h.cert = cert
	raw := h.encode()
	return splice(c, 0, preambleSize+hlen, raw)
}

func TestWrongKeyIsTheBiddersFault(t *testing.T) {
	_, c, k, l := tamperContainer(t)
	other := make([]byte, KeySize)
	rand.Read(other)
	_, c2, k2, _ := tamperContainer(t)
	for name, key := range map[string][]byte{
		"random key": other, "short key": k[:15], "long key": append(append([]byte(nil), k...), 0),
		"nil key": nil, "another container's key": k2,
	} {
		_, err := Open(bytes.NewReader(c), key, nil)
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != errs.Invalid || !errors.Is(err, ErrWrongKey) || errors.Is(err, ErrDamaged) ||
			errors.Is(err, ErrBadContent) || !strings.Contains(e.Message, "内容密钥") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// The right key on a damaged container is damage, not a wrong key,
	// wherever the damage is.
	for _, at := range []int{l.chunks[0][0] + 4, l.chunks[0][0] + 20, l.chunks[1][1] - 1, l.trailer + 40} {
		_, err := Open(bytes.NewReader(flip(c, at)), k, nil)
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) {
			t.Fatalf("damage at %d: %v", at, err)
		}
	}
	// And a wrong key on a damaged container is a wrong key: the key check
	// comes first and the header is intact.
	if _, err := Open(bytes.NewReader(flip(c, l.chunks[0][0]+20)), other, nil); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key, damaged chunk: %v", err)
	}
	if _, err := Open(bytes.NewReader(c2), k2, nil); err != nil {
		t.Fatal(err)
	}
}

func TestUnwrapKey(t *testing.T) {
	s, c, k, _ := tamperContainer(t)
	env, err := Inspect(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapKey(env, s.Key)
	if err != nil || !bytes.Equal(got, k) {
		t.Fatalf("UnwrapKey = %x, %v", got, err)
	}
	other := newSigner(t, "别人")
	if _, err := UnwrapKey(env, other.Key); !errs.Is(err, errs.Invalid) || !errors.Is(err, ErrWrongKey) {
		t.Fatalf("other key: %v", err)
	}
	// Without the certificate (an envelope rebuilt from storage), the SM2
	// decryption itself refuses the wrong key.
	bare := Envelope{WrappedKey: env.WrappedKey}
	if _, err := UnwrapKey(bare, other.Key); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("bare envelope, other key: %v", err)
	}
	if got, err := UnwrapKey(bare, s.Key); err != nil || !bytes.Equal(got, k) {
		t.Fatalf("bare envelope: %v", err)
	}
	bad := env
	bad.KeyCheck = make([]byte, 32)
	if _, err := UnwrapKey(bad, s.Key); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("key check: %v", err)
	}
	if _, err := UnwrapKey(env, nil); !errs.Is(err, errs.Invalid) {
		t.Fatalf("nil key: %v", err)
	}
}

// craft writes a container around a raw payload, as a faulty or dishonest
// sealing tool could, signed correctly by s.
func craft(t *testing.T, s Signer, lot int64, k, encKey []byte, payload []byte) []byte {
	t.Helper()
	h := header{lotID: lot, sealedAt: testTime.UnixMicro(), chunkSize: MinChunkSize, keyCheck: keyCheck(k),
		cert: s.Cert.Raw, fingerprint: "fp"}
	var err error
	if h.wrapped, err = sm2EncryptForTest(s, k); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := writeContainer(&buf, s.Key, h, encKey, func(c *chunkWriter) error {
		c.Write(payload)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// payloadBuilder writes payload entries.
type payloadBuilder struct{ bytes.Buffer }

func (p *payloadBuilder) form(json string) *payloadBuilder {
	p.WriteByte(entryForm)
	p.Write(u64(uint64(len(json))))
	p.WriteString(json)
	d := gm.SM3([]byte(json))
	p.Write(d[:])
	return p
}

func (p *payloadBuilder) file(name string, data []byte, digest []byte) *payloadBuilder {
	p.WriteByte(entryFile)
	p.Write([]byte{byte(len(name) >> 8), byte(len(name))})
	p.WriteString(name)
	p.Write(u64(uint64(len(data))))
	p.Write(data)
	if digest == nil {
		d := gm.SM3(data)
		digest = d[:]
	}
	p.Write(digest)
	return p
}

func (p *payloadBuilder) end(files uint32, total uint64) *payloadBuilder {
	p.WriteByte(entryEnd)
	p.Write([]byte{byte(files >> 24), byte(files >> 16), byte(files >> 8), byte(files)})
	p.Write(u64(total))
	return p
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b
}

const goodForm = `{"lot_id":5,"price":100,"duration_days":30,"quality":"合格","manager":"李四","manager_cert":""}`

// A container that is intact and signed, opened with the right key, but
// not a valid bid, is the bidder's fault (ErrBadContent and ErrWrongKey).
func TestBadContentIsTheBiddersFault(t *testing.T) {
	s := newSigner(t, "投标人丁")
	k := make([]byte, KeySize)
	rand.Read(k)
	k2 := make([]byte, KeySize)
	rand.Read(k2)
	ok := (&payloadBuilder{}).form(goodForm).file("a.pdf", []byte("x"), nil).end(1, 1).Bytes()
	if _, err := Open(bytes.NewReader(craft(t, s, 5, k, k, ok)), k, nil); err != nil {
		t.Fatalf("the crafted baseline does not open: %v", err)
	}
	big := pattern(3*MinChunkSize, 4)
	cases := []struct {
		name, lot, msg string
		payload        []byte
		encKey         []byte
	}{
		{"encrypted under another key than the key check says", "5", "第 1 块校验失败（文件完好且签名有效", ok, k2},
		{"no form", "5", "不以投标函开头", (&payloadBuilder{}).end(0, 0).Bytes(), nil},
		{"form for another lot", "6", "标段 5 与文件头的标段 6", ok, nil},
		{"invalid form", "5", "投标报价须大于零", (&payloadBuilder{}).form(strings.Replace(goodForm, `"price":100`, `"price":0`, 1)).end(0, 0).Bytes(), nil},
		{"form with unknown field", "5", "投标函无法解析", (&payloadBuilder{}).form(strings.Replace(goodForm, `"price"`, `"prise":1,"price"`, 1)).end(0, 0).Bytes(), nil},
		{"form digest", "5", "投标函的摘要不符", func() []byte {
			b := (&payloadBuilder{}).form(goodForm).end(0, 0).Bytes()
			b[1+8+len(goodForm)] ^= 1
			return b
		}(), nil},
		{"file digest", "5", `文件 "b.pdf" 的摘要不符`, (&payloadBuilder{}).form(goodForm).file("b.pdf", big, make([]byte, 32)).end(1, uint64(len(big))).Bytes(), nil},
		{"escaping name", "5", "“..”", (&payloadBuilder{}).form(goodForm).file("../../etc/passwd", []byte("x"), nil).end(1, 1).Bytes(), nil},
		{"absolute name", "5", "绝对路径", (&payloadBuilder{}).form(goodForm).file("/etc/passwd", []byte("x"), nil).end(1, 1).Bytes(), nil},
		{"duplicate name", "5", "重名", (&payloadBuilder{}).form(goodForm).file("A.pdf", nil, nil).file("a.PDF", nil, nil).end(2, 0).Bytes(), nil},
		{"file and folder", "5", "重名", (&payloadBuilder{}).form(goodForm).file("a", nil, nil).file("a/b", nil, nil).end(2, 0).Bytes(), nil},
		{"end count", "5", "文件数或总长度不符", (&payloadBuilder{}).form(goodForm).file("a", nil, nil).end(2, 0).Bytes(), nil},
		{"no end", "5", "结束标记之前就结束", (&payloadBuilder{}).form(goodForm).Bytes(), nil},
		{"data after end", "5", "结束标记之后还有数据", append((&payloadBuilder{}).form(goodForm).end(0, 0).Bytes(), 0), nil},
		{"data after end, next chunk", "5", "结束标记之后还有数据", append((&payloadBuilder{}).form(goodForm).end(0, 0).Bytes(), make([]byte, 2*MinChunkSize)...), nil},
		{"unknown entry", "5", "未知的内容类型 9", append((&payloadBuilder{}).form(goodForm).Bytes(), 9), nil},
		{"file cut short", "5", "结束标记之前就结束", (&payloadBuilder{}).form(goodForm).Bytes()[:40], nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lot := int64(5)
			if tc.lot == "6" {
				lot = 6
			}
			enc := tc.encKey
			if enc == nil {
				enc = k
			}
			c := craft(t, s, lot, k, enc, tc.payload)
			if _, err := Inspect(bytes.NewReader(c)); err != nil {
				t.Fatalf("Inspect refuses a correctly signed container: %v", err)
			}
			_, err := Open(bytes.NewReader(c), k, nil)
			wantInvalid(t, err, tc.msg)
			if !errors.Is(err, ErrWrongKey) || !errors.Is(err, ErrBadContent) || errors.Is(err, ErrDamaged) {
				t.Fatalf("want the bidder's fault, got %v", err)
			}
			// The same bad container, damaged afterwards, is damage.
			l := parseLayout(t, c)
			_, err = Open(bytes.NewReader(flip(c, l.chunks[len(l.chunks)-1][1]-1)), k, nil)
			if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) {
				t.Fatalf("damaged: %v", err)
			}
		})
	}
}

// Reader and writer failures are nobody's fault: Internal, no sentinel.
func TestIOFailuresAreInternal(t *testing.T) {
	_, c, k, _ := tamperContainer(t)
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(c[:len(c)/2]), iotestErr{boom})
	for _, err := range []error{
		func() error { _, err := Inspect(r); return err }(),
		func() error {
			_, err := Open(io.MultiReader(bytes.NewReader(c[:len(c)/2]), iotestErr{boom}), k, nil)
			return err
		}(),
		func() error {
			_, err := Open(bytes.NewReader(c), k, func(string) (io.Writer, error) { return failWriter{boom}, nil })
			return err
		}(),
		func() error {
			_, err := Open(bytes.NewReader(c), k, func(string) (io.Writer, error) { return nil, boom })
			return err
		}(),
	} {
		if !errs.Is(err, errs.Internal) || !errors.Is(err, boom) || errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) {
			t.Fatalf("got %v", err)
		}
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// A record claiming a huge chunk in a short file costs little memory.
func TestShortFileDoesNotAllocateTheClaimedChunk(t *testing.T) {
	s := newSigner(t, "投标人戊")
	k := make([]byte, KeySize)
	h := header{lotID: 1, sealedAt: 1, chunkSize: MaxChunkSize, keyCheck: keyCheck(k), cert: s.Cert.Raw, wrapped: []byte{1}}
	raw := h.encode()
	sig, _ := gm.Sign(s.Key, append([]byte(labelHeaderSig), raw...))
	c := append(raw, byte(len(sig)>>8), byte(len(sig)))
	c = append(c, sig...)
	c = append(c, u32(MaxChunkSize+tagSize)...)
	c = append(c, make([]byte, 100)...)
	for _, open := range []bool{false, true} {
		before := totalAlloc()
		var err error
		if open {
			_, err = Open(bytes.NewReader(c), k, nil)
		} else {
			_, err = Inspect(bytes.NewReader(c))
		}
		grew := totalAlloc() - before
		wantInvalid(t, err, "第 1 块处截断")
		if grew > 2<<20 {
			t.Fatalf("open=%v allocated %d bytes for a %d-byte file", open, grew, len(c))
		}
	}
}

func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func TestSealRefuses(t *testing.T) {
	s := newSigner(t, "投标人己")
	other := newSigner(t, "投标人庚")
	var buf bytes.Buffer
	bad := testForm(1)
	bad.Price = 0
	cases := []struct {
		name  string
		s     Signer
		form  Form
		files []source
		opt   Options
		msg   string
	}{
		{"key of another certificate", Signer{Cert: s.Cert, Key: other.Key}, testForm(1), nil, testOpts, "私钥与证书不匹配"},
		{"no key", Signer{Cert: s.Cert}, testForm(1), nil, testOpts, "缺少"},
		{"invalid form", s, bad, nil, testOpts, "投标报价须大于零"},
		{"tiny chunks", s, testForm(1), nil, Options{ChunkSize: 100}, "分块大小"},
		{"huge chunks", s, testForm(1), nil, Options{ChunkSize: MaxChunkSize + 1}, "分块大小"},
		{"bad fingerprint", s, testForm(1), nil, Options{Fingerprint: "有空 格"}, "机器特征码"},
		{"bad name", s, testForm(1), []source{memSource("a/../b", nil)}, testOpts, "“..”"},
		{"same name twice", s, testForm(1), []source{memSource("报价.pdf", nil), memSource("报价.PDF", nil)}, testOpts, "重名"},
		{"file changed while sealing", s, testForm(1), []source{{Name: "a", Size: 10, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("12345")), nil
		}}}, testOpts, "被修改"},
		{"file grew while sealing", s, testForm(1), []source{{Name: "a", Size: 2, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("12345")), nil
		}}}, testOpts, "被修改"},
	}
	for _, tc := range cases {
		_, err := seal(&buf, tc.s, tc.form, tc.files, tc.opt)
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Error(), tc.msg) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestSealFolderLinks(t *testing.T) {
	s := newSigner(t, "投标人辛")
	outside := writeTree(t, map[string]string{"secret.txt": "secret"})
	mk := func(t *testing.T, link, target string) string {
		dir := writeTree(t, map[string]string{"正文/投标函.pdf": "pdf"})
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skip("no symlinks here:", err)
		}
		return dir
	}
	// A link to a file inside the folder is sealed under the link's name.
	dir := mk(t, "副本.pdf", "正文/投标函.pdf")
	var buf bytes.Buffer
	sum, err := Seal(&buf, s, testForm(1), dir, testOpts)
	if err != nil || sum.Files != 2 {
		t.Fatalf("inner link: %+v %v", sum, err)
	}
	for name, target := range map[string]string{
		"out.txt": filepath.Join(outside, "secret.txt"), "up.txt": "../" + filepath.Base(outside) + "/secret.txt",
		"dir": "正文", "dangling": "nowhere",
	} {
		dir := mk(t, name, target)
		_, err := Seal(&buf, s, testForm(1), dir, testOpts)
		if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), name) {
			t.Errorf("link %s → %s: %v", name, target, err)
		}
	}
	// The folder itself may be reached through a link.
	link := filepath.Join(t.TempDir(), "bid")
	os.Symlink(dir, link)
	if _, err := Seal(&buf, s, testForm(1), link, testOpts); err != nil {
		t.Fatalf("folder through a link: %v", err)
	}
	if _, err := Seal(&buf, s, testForm(1), filepath.Join(dir, "no-such"), testOpts); !errs.Is(err, errs.Invalid) {
		t.Fatalf("missing folder: %v", err)
	}
	if _, err := Seal(&buf, s, testForm(1), filepath.Join(dir, "正文/投标函.pdf"), testOpts); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a file as the folder: %v", err)
	}
}

func TestValidName(t *testing.T) {
	for name, ok := range map[string]bool{
		"投标函.pdf": true, "技术标/第一章 概述.docx": true, "a/b/c": true, "..a": true, "a..": true,
		"": false, "/a": false, "a/": false, "a//b": false, "./a": false, "a/./b": false, "../a": false, "a/..": false,
		`a\b`: false, "a\x00b": false, "a\nb": false, "\xff": false, strings.Repeat("长", 400): false,
		strings.Repeat("a/", 32) + "b": false, strings.Repeat("a/", 31) + "b": true,
	} {
		if got := validName(name) == ""; got != ok {
			t.Errorf("validName(%q) = %q", name, validName(name))
		}
	}
	n := newNames()
	for name, clash := range map[string]bool{"A/b.pdf": false} {
		if (n.add(name) != "") != clash {
			t.Fatal(name)
		}
	}
	for name, clash := range map[string]bool{"a/B.PDF": true, "a": true, "A/b.pdf/c": true, "a/c.pdf": false, "b": false} {
		if (n.add(name) != "") != clash {
			t.Errorf("add(%q) clash = %v", name, !clash)
		}
	}
}

func TestFingerprint(t *testing.T) {
	fp := Fingerprint()
	if _, err := hex.DecodeString(fp); err != nil || len(fp) != 64 || fp != Fingerprint() {
		t.Fatalf("Fingerprint() = %q", fp)
	}
	a := fingerprintOf("host", []string{"00:11:22:33:44:55", "AA:BB:CC:DD:EE:FF"})
	if a != fingerprintOf("host", []string{"aa:bb:cc:dd:ee:ff", "00:11:22:33:44:55", "00:11:22:33:44:55"}) {
		t.Fatal("order, case or duplicates change the fingerprint")
	}
	if a == fingerprintOf("host2", []string{"00:11:22:33:44:55", "aa:bb:cc:dd:ee:ff"}) ||
		a == fingerprintOf("host", []string{"00:11:22:33:44:56", "aa:bb:cc:dd:ee:ff"}) {
		t.Fatal("host or MAC does not change the fingerprint")
	}
	// Seal records the machine's when none is given.
	s := newSigner(t, "投标人壬")
	var buf bytes.Buffer
	if _, err := Seal(&buf, s, testForm(1), "", Options{}); err != nil {
		t.Fatal(err)
	}
	env, err := Inspect(&buf)
	if err != nil || env.Fingerprint != fp {
		t.Fatalf("recorded %q, %v", env.Fingerprint, err)
	}
}
