package gm

import (
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/mod/sumdb/note"
)

// NoteName is the signer name on notes the platform signs (audit
// checkpoints, receipts). It appears in every signed note and verifier key.
const NoteName = "ggzy"

// Key file names inside <dir>/keys.
const (
	PlatformKeyFile = "platform-sm2.pem" // PKCS#8 SM2 signing key
	piiKeyFile      = "pii-master.pem"   // 32-byte master key for Box
	pemPII          = "GGZY PII MASTER KEY"
	piiKeyLen       = 32
)

// Keys are the platform's long-lived secrets. Print or log none of the
// fields except VerifierKey, which is public.
type Keys struct {
	Platform    *sm2.PrivateKey // signs checkpoints and receipts
	PII         *Box            // encrypts personal data at rest
	NoteSigner  note.Signer     // Platform as a signed-note signer named NoteName
	VerifierKey string          // public verifier key for NoteSigner
}

// LoadOrCreateKeys reads the keys from dir/keys, creating any missing key on
// first start (folder 0700, files 0600). Several nodes starting at once on a
// shared folder agree on one key: a new file is published with a hard link,
// which fails if another node got there first, and then that key is loaded.
//
// Back up dir/keys: losing the PII key makes encrypted personal data
// unreadable; losing the platform key does not break the audit log (its
// public key is in the database) but new checkpoints get a new key.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	kd := filepath.Join(dir, "keys")
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, fmt.Errorf("创建密钥目录: %w", err)
	}
	platPEM, err := loadOrCreate(filepath.Join(kd, PlatformKeyFile), func() ([]byte, error) {
		k, err := GenerateKey()
		if err != nil {
			return nil, err
		}
		return MarshalPrivateKeyPEM(k)
	})
	if err != nil {
		return nil, err
	}
	plat, err := ParsePrivateKeyPEM(platPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PlatformKeyFile, err)
	}
	piiPEM, err := loadOrCreate(filepath.Join(kd, piiKeyFile), func() ([]byte, error) {
		b := make([]byte, piiKeyLen)
		rand.Read(b)
		return pem.EncodeToMemory(&pem.Block{Type: pemPII, Bytes: b}), nil
	})
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(piiPEM)
	if block == nil || block.Type != pemPII || len(block.Bytes) != piiKeyLen {
		return nil, fmt.Errorf("%s: 文件格式不对", piiKeyFile)
	}
	box, err := NewBox(block.Bytes)
	if err != nil {
		return nil, err
	}
	vkey, err := VerifierKey(NoteName, &plat.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Keys{
		Platform:    plat,
		PII:         box,
		NoteSigner:  NewNoteSigner(NoteName, plat),
		VerifierKey: vkey,
	}, nil
}

// loadOrCreate returns the contents of path, first writing generate()'s output
// there if the file does not exist. Errors name the file, never its content.
func loadOrCreate(path string, generate func() ([]byte, error)) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("读取密钥文件 %s: %w", path, err)
	}
	data, err = generate()
	if err != nil {
		return nil, err
	}
	// Write a private temporary file completely, then link it into place so
	// no one ever reads a half-written key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-key-*")
	if err != nil {
		return nil, fmt.Errorf("写密钥文件: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("写密钥文件: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return os.ReadFile(path)
		}
		return nil, fmt.Errorf("写密钥文件 %s: %w", path, err)
	}
	return data, nil
}

// String, GoString and LogValue keep key material out of logs and error
// messages even when a Keys value is printed by mistake (fmt prints
// unexported fields and the private scalar otherwise).
func (k *Keys) String() string {
	if k == nil {
		return "gm.Keys(nil)"
	}
	return "gm.Keys{VerifierKey: " + k.VerifierKey + "}"
}

func (k *Keys) GoString() string { return k.String() }

func (k *Keys) LogValue() slog.Value { return slog.StringValue(k.String()) }
