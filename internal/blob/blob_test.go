package blob_test

import (
	"context"
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
