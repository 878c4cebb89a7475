package bidding_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/bidding"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/sealed"
)

// brokenReader delivers the first n bytes of r, then fails like a dropped
// connection.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	p = p[:min(len(p), b.n)]
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

// TestReceiveStream: a container of many buffers' worth arrives intact in
// the file store (the receipt's digest is the SM3 of the bytes sent); one
// over the size limit is refused with the store's message; a connection
// dropped half-way is refused, and nothing is
// stored in either case.
func TestReceiveStream(t *testing.T) {
	f := newFixture(t, 1)
	b := f.bidders[0]
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	writeDocs(t, docs, 3<<20)
	path := filepath.Join(dir, "bid.gsb")
	_, _, err := sealFile(sealed.Signer{Cert: b.cert, Key: b.key}, f.lot.ID, docs, path, f.Clock.Now(), false)
	f.Must(err)
	container, err := os.ReadFile(path)
	f.Must(err)
	sum := gm.SM3(container)

	f.Bidding.MaxBidBytes = int64(len(container)) - 1
	_, err = f.submit(b, container)
	if e := wantCode(t, err, errs.Invalid); !strings.Contains(e.Message, "大小上限") {
		t.Fatalf("too large: %v", err)
	}
	f.Bidding.MaxBidBytes = bidding.DefaultMaxBidBytes

	// A dropped connection is an unfinished upload, told as such.
	_, err = f.Bidding.Submit(f.Ctx, b.actor, f.lot.ID, &brokenReader{bytes.NewReader(container), len(container) / 2}, bidding.Upload{})
	if e := wantCode(t, err, errs.Invalid); !strings.Contains(e.Message, "上传未完成") || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("dropped connection: %v", err)
	}
	if m, err := f.Bidding.Mine(f.Ctx, b.actor, f.lot.ID); err != nil || m.Active {
		t.Fatalf("after refused uploads: %+v %v", m, err)
	}

	rc, err := f.submit(b, container)
	f.Must(err)
	if rc.Receipt.Digest != hex.EncodeToString(sum[:]) || rc.Receipt.Size != int64(len(container)) {
		t.Fatalf("receipt %+v for %d bytes with SM3 %x", rc.Receipt, len(container), sum)
	}
	stored, err := f.Blobs.Open(f.Ctx, rc.Receipt.Digest)
	f.Must(err)
	got, err := io.ReadAll(stored)
	stored.Close()
	f.Must(err)
	if !bytes.Equal(got, container) {
		t.Fatal("the stored container differs from the one sent")
	}
}
