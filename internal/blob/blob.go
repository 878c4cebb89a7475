// Package blob stores files (project materials, notice attachments, tender
// documents, later sealed bids) by content: the key is the SM3 digest of
// the bytes, computed while streaming, so a file is never held in memory
// and a stored file can always be checked against its key.
package blob

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/errs"
)

// Ref describes a stored file.
type Ref struct {
	Key  string // hex SM3 of the content
	Size int64
}

// Store keeps blobs. Local disk is the default; an S3-compatible store can
// implement the same interface for several server nodes.
type Store interface {
	// Put streams r into the store, refusing more than limit bytes.
	Put(ctx context.Context, r io.Reader, limit int64) (Ref, error)
	// Open returns the content of key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Disk stores blobs under a directory as ab/cd/<key>.
type Disk struct{ dir string }

// NewDisk makes (if needed) and uses dir.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, err
	}
	return &Disk{dir: dir}, nil
}

func validKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil && strings.ToLower(key) == key
}

func (d *Disk) path(key string) string {
	return filepath.Join(d.dir, key[:2], key[2:4], key)
}

// Put writes to a temporary file while hashing, then renames it into place;
// a crash leaves at most a temporary file, never a half blob under a key.
func (d *Disk) Put(ctx context.Context, r io.Reader, limit int64) (Ref, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "tmp"), "put-*")
	if err != nil {
		return Ref{}, err
	}
	defer os.Remove(tmp.Name())
	h := sm3.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(&ctxReader{ctx, r}, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Ref{}, err
	}
	if n > limit {
		return Ref{}, errs.E(errs.Invalid, "文件超过大小上限 %d MB", limit>>20)
	}
	ref := Ref{Key: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst := d.path(ref.Key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Ref{}, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Ref{}, err
	}
	return ref, nil
}

// Open opens the blob with key.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !validKey(key) {
		return nil, errs.E(errs.NotFound, "文件不存在")
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "文件不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("打开文件 %s: %w", key, err)
	}
	return f, nil
}

// ctxReader stops a long copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
