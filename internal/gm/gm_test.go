package gm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestSM3KnownAnswer(t *testing.T) {
	// GB/T 32905-2016 example 1: SM3("abc").
	want := "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
	got := SM3([]byte("a"), []byte("bc"))
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("SM3(abc) = %x", got)
	}
	if HMAC([]byte("k1"), []byte("x")) == HMAC([]byte("k2"), []byte("x")) {
		t.Fatal("HMAC ignores the key")
	}
}

func TestBox(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("53060219900101123X")
	aad := []byte("users.id_number:42")
	s1, s2 := b.Seal(plain, aad), b.Seal(plain, aad)
	if bytes.Equal(s1, s2) {
		t.Fatal("two seals are equal: nonce not random")
	}
	if bytes.Contains(s1, plain) {
		t.Fatal("plaintext visible in sealed value")
	}
	got, err := b.Open(s1, aad)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(s1, []byte("users.id_number:43")); err != ErrOpen {
		t.Fatalf("wrong aad: %v", err)
	}
	bad := append([]byte(nil), s1...)
	bad[len(bad)-1] ^= 1
	if _, err := b.Open(bad, aad); err != ErrOpen {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := b.Open(s1[:10], aad); err != ErrOpen {
		t.Fatalf("short: %v", err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(s1, aad); err != ErrOpen {
		t.Fatalf("other key: %v", err)
	}

	// Index: deterministic, keyed, hex, and not the encryption key's output.
	if b.Index("x") != b.Index("x") || b.Index("x") == b.Index("y") || b.Index("x") == other.Index("x") {
		t.Fatal("index not deterministic or not keyed")
	}
	if len(b.Index("x")) != 64 {
		t.Fatalf("index length %d", len(b.Index("x")))
	}
	if _, err := NewBox(make([]byte, 8)); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestSM2PEMAndSign(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := MarshalPrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParsePrivateKeyPEM(p)
	if err != nil || !k2.Equal(k) {
		t.Fatalf("private PEM round trip: %v", err)
	}
	pp, err := MarshalPublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(pp)
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Fatalf("public PEM round trip: %v", err)
	}
	raw, err := PublicKeyBytes(pub)
	if err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("PublicKeyBytes: %x %v", raw, err)
	}
	pub2, err := ParsePublicKeyBytes(raw)
	if err != nil || !pub2.Equal(pub) {
		t.Fatalf("ParsePublicKeyBytes: %v", err)
	}
	raw[10] ^= 1
	if _, err := ParsePublicKeyBytes(raw); err == nil {
		t.Fatal("point off the curve accepted")
	}

	msg := []byte("开标记录")
	sig, err := Sign(k, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(&k.PublicKey, msg, sig) {
		t.Fatal("signature does not verify")
	}
	if Verify(&k.PublicKey, []byte("开标记录!"), sig) {
		t.Fatal("signature verifies for other message")
	}
	other, _ := GenerateKey()
	if Verify(&other.PublicKey, msg, sig) {
		t.Fatal("signature verifies under other key")
	}
	if _, err := ParsePrivateKeyPEM(pp); err == nil {
		t.Fatal("public PEM parsed as private")
	}
}

func TestNote(t *testing.T) {
	k, _ := GenerateKey()
	signer := NewNoteSigner("ggzy.test", k)
	vkey, err := VerifierKey("ggzy.test", &k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vkey, "ggzy.test+") {
		t.Fatalf("vkey %q", vkey)
	}
	v, err := NewNoteVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyHash() != signer.KeyHash() || v.Name() != signer.Name() {
		t.Fatal("signer and verifier disagree on name or key hash")
	}
	msg, err := note.Sign(&note.Note{Text: "go.sum database tree\n3\nabc=\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil || n.Text != "go.sum database tree\n3\nabc=\n" || len(n.Sigs) != 1 {
		t.Fatalf("Open: %v", err)
	}

	// Tampered text.
	bad := bytes.Replace(msg, []byte("\n3\n"), []byte("\n4\n"), 1)
	if _, err := note.Open(bad, note.VerifierList(v)); err == nil {
		t.Fatal("tampered note verified")
	}
	// Wrong key with the same name: its key hash differs, so the signature is unknown.
	k2, _ := GenerateKey()
	vkey2, _ := VerifierKey("ggzy.test", &k2.PublicKey)
	v2, _ := NewNoteVerifier(vkey2)
	if _, err := note.Open(msg, note.VerifierList(v2)); err == nil {
		t.Fatal("note verified under another key")
	}
	// A forged signature from k2 claiming k's key hash fails.
	forger := &noteSigner{name: "ggzy.test", hash: signer.KeyHash(), key: k2}
	forged, _ := note.Sign(&note.Note{Text: "go.sum database tree\n3\nabc=\n"}, forger)
	if _, err := note.Open(forged, note.VerifierList(v)); err == nil {
		t.Fatal("forged signature verified")
	}

	// Malformed verifier keys.
	for _, s := range []string{
		"", "ggzy", "ggzy+1234", vkey + "x",
		strings.Replace(vkey, "+", "+0", 1),
		"a b" + vkey[strings.Index(vkey, "+"):],
	} {
		if _, err := NewNoteVerifier(s); err == nil {
			t.Errorf("NewNoteVerifier(%q) accepted", s)
		}
	}
	// An Ed25519 key is not ours.
	if _, err := NewNoteVerifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"); err == nil {
		t.Fatal("Ed25519 key accepted")
	}
}

func TestLoadOrCreateKeys(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "keys"))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("keys dir mode %v %v", st.Mode(), err)
	}
	for _, f := range []string{PlatformKeyFile, piiKeyFile} {
		st, err := os.Stat(filepath.Join(dir, "keys", f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v %v", f, st.Mode(), err)
		}
	}
	k2, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Platform.Equal(k2.Platform) || k1.VerifierKey != k2.VerifierKey {
		t.Fatal("platform key changed on reload")
	}
	sealed := k1.PII.Seal([]byte("13800000000"), nil)
	if got, err := k2.PII.Open(sealed, nil); err != nil || string(got) != "13800000000" {
		t.Fatal("PII key changed on reload")
	}
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, k2.NoteSigner)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewNoteVerifier(k1.VerifierKey)
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatal(err)
	}
	// No temporary files left behind.
	ents, _ := os.ReadDir(filepath.Join(dir, "keys"))
	if len(ents) != 2 {
		t.Fatalf("keys dir has %d entries", len(ents))
	}
}

func TestKeysDoNotPrintSecrets(t *testing.T) {
	k, err := LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := k.Platform.D.String()
	for _, s := range []string{
		fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), fmt.Sprint(*k),
		fmt.Sprintf("%+v", k.PII), fmt.Sprintf("%#v", k.PII),
	} {
		if strings.Contains(s, d) || strings.Contains(s, "indexKey") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}
