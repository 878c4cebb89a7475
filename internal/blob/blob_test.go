package blob_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/blob"
	"ggzy/internal/errs"
)

func TestDiskPutOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := blob.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := d.Put(ctx, strings.NewReader("abc"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// SM3("abc") from GB/T 32905-2016, appendix A.
	if ref.Key != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" || ref.Size != 3 {
		t.Fatalf("ref %+v", ref)
	}
	r, err := d.Open(ctx, ref.Key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "abc" {
		t.Fatalf("content %q", b)
	}
	if _, err := d.Put(ctx, strings.NewReader(strings.Repeat("x", 11)), 10); !errs.Is(err, errs.Invalid) {
		t.Fatalf("over the limit: %v", err)
	}
	for _, key := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 64)} {
		if _, err := d.Open(ctx, key); !errs.Is(err, errs.NotFound) {
			t.Errorf("Open(%q): %v", key, err)
		}
	}
	left, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
}

// TestDiskPutHashed: the caller's key names what it wrote; the limit, a
// failure of the caller and a key that is not an SM3 store nothing; Verify
// tells a blob whose content is not its key's.
func TestDiskPutHashed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := blob.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	const abc = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" // SM3("abc")
	write := func(content, key string) func(io.Writer) (string, error) {
		return func(w io.Writer) (string, error) {
			for i := range len(content) { // byte by byte: the size is counted across writes
				if _, err := w.Write([]byte{content[i]}); err != nil {
					return "", err
				}
			}
			return key, nil
		}
	}
	ref, err := d.PutHashed(ctx, 3, write("abc", abc))
	if err != nil || ref.Key != abc || ref.Size != 3 {
		t.Fatalf("PutHashed: %+v %v", ref, err)
	}
	if err := blob.Verify(ctx, d, abc); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	r, err := d.Open(ctx, abc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "abc" {
		t.Fatalf("content %q", b)
	}

	other := strings.Repeat("0", 64)
	_, err = d.PutHashed(ctx, 3, write("abcd", other))
	if e := errs.As(err); e == nil || e.Code != errs.Invalid || !strings.Contains(e.Message, "大小上限") {
		t.Fatalf("over the limit: %v", err)
	}
	failed := errors.New("the caller gave up")
	if _, err := d.PutHashed(ctx, 10, func(w io.Writer) (string, error) { w.Write([]byte("ab")); return other, failed }); !errors.Is(err, failed) {
		t.Fatalf("a failing writer: %v", err)
	}
	if _, err := d.PutHashed(ctx, 10, write("abc", "../../x")); err == nil {
		t.Fatal("a key that is not an SM3 was taken")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.PutHashed(cancelled, 10, write("abc", other)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := d.Open(ctx, other); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a refused blob was stored: %v", err)
	}
	left, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}

	// A caller that names its content wrongly is found out by Verify.
	if _, err := d.PutHashed(ctx, 10, write("abd", abc)); err != nil {
		t.Fatal(err)
	}
	if err := blob.Verify(ctx, d, abc); !errs.Is(err, errs.Internal) {
		t.Fatalf("Verify of a wrongly named blob: %v", err)
	}
}
