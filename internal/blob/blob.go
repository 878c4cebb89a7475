// Package blob stores files (project materials, notice attachments, tender
// documents, the chunk sections of sealed bids) by content: the key is the
// SM3 digest of the bytes, computed while streaming — by Put, or by the
// caller of PutHashed on its own way through the bytes — so a file is never
// held in memory and a stored file can always be checked against its key
// (Verify).
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
	// PutHashed stores what write writes to w, refusing more than limit
	// bytes, under the key write returns: the hex SM3 of exactly the bytes
	// it wrote, which the caller computes on the way (package sealed
	// hashes a bid's chunk section while parsing it, for the bidder's
	// signature), so the bytes are hashed once, not twice. The store does
	// not hash them again: a key that is not the SM3 of the content is the
	// caller's bug, and Verify finds it. If write fails, nothing is stored.
	PutHashed(ctx context.Context, limit int64, write func(w io.Writer) (key string, err error)) (Ref, error)
	// Open returns the content of key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// errTooLarge is the store's refusal of more than the limit.
func errTooLarge(limit int64) error {
	return errs.E(errs.Invalid, "文件超过大小上限 %d MB", limit>>20)
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
		return Ref{}, errTooLarge(limit)
	}
	ref := Ref{Key: hex.EncodeToString(h.Sum(nil)), Size: n}
	return ref, d.place(tmp.Name(), ref.Key)
}

// place renames a complete temporary file to key.
func (d *Disk) place(tmp, key string) error {
	dst := d.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// PutHashed writes to a temporary file what write writes, then renames it
// to the key write returns (see Store). Like Put, a crash or a failure
// leaves no blob under a key.
func (d *Disk) PutHashed(ctx context.Context, limit int64, write func(io.Writer) (string, error)) (Ref, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "tmp"), "put-*")
	if err != nil {
		return Ref{}, err
	}
	defer os.Remove(tmp.Name())
	w := &limitWriter{ctx: ctx, w: tmp, limit: limit}
	key, err := write(w)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case w.err != nil:
		return Ref{}, w.err // the store's own failure (or the limit), whatever write made of it
	case err != nil:
		return Ref{}, err
	case !validKey(key):
		return Ref{}, fmt.Errorf("blob: PutHashed: %q is not a hex SM3 key", key)
	}
	return Ref{Key: key, Size: w.n}, d.place(tmp.Name(), key)
}

// limitWriter writes at most limit bytes to w, and stops when ctx ends.
type limitWriter struct {
	ctx   context.Context
	w     io.Writer
	limit int64
	n     int64 // written
	err   error // the first failure, kept for PutHashed
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if err := l.ctx.Err(); err != nil {
		l.err = err
		return 0, err
	}
	if int64(len(p)) > l.limit-l.n {
		l.err = errTooLarge(l.limit)
		return 0, l.err
	}
	n, err := l.w.Write(p)
	l.n += int64(n)
	if err != nil {
		l.err = err
	}
	return n, err
}

// Verify reads the blob of key and checks that its SM3 is the key (an
// integrity check of the store, and of PutHashed's callers).
func Verify(ctx context.Context, s Store, key string) error {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sm3.New()
	if _, err := io.Copy(h, &ctxReader{ctx, rc}); err != nil {
		return fmt.Errorf("读取文件 %s: %w", key, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != key {
		return errs.E(errs.Internal, "文件 %s 的内容与其 SM3 不符（已损坏或被替换）", key)
	}
	return nil
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
