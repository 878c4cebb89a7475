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
	"ggzy/internal/blob"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/money"
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

// TestReceiveStream: a container of many buffers' worth arrives intact,
// stored split: its chunk section in the file store under its SM3 (the
// bidder's signed cipher digest), the rest nowhere in the file store; the
// receipt names its container digest and size. One over the size limit is
// refused with the limit's message; a connection dropped half-way is
// refused as an unfinished upload, and nothing is kept in either case.
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
	env, err := sealed.Inspect(bytes.NewReader(container))
	f.Must(err)
	section := container[len(env.Head) : len(container)-len(env.Trailer)]
	sectionKey := hex.EncodeToString(env.CipherDigest)
	if sum := gm.SM3(section); sectionKey != hex.EncodeToString(sum[:]) {
		t.Fatal("the cipher digest is not the SM3 of the section")
	}

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
	if rc.Receipt.Version != 2 || rc.Receipt.Digest != hex.EncodeToString(env.ContainerDigest()) || rc.Receipt.Size != int64(len(container)) {
		t.Fatalf("receipt %+v for %d bytes with container digest %x", rc.Receipt, len(container), env.ContainerDigest())
	}
	stored, err := f.Blobs.Open(f.Ctx, sectionKey)
	f.Must(err)
	got, err := io.ReadAll(stored)
	stored.Close()
	f.Must(err)
	if !bytes.Equal(got, section) {
		t.Fatal("the stored section differs from the one sent")
	}
	f.Must(blob.Verify(f.Ctx, f.Blobs, sectionKey))
	// Nothing else of it is in the file store: not the whole container
	// (the receipt's digest is no key there), not the header, not the
	// trailer.
	if _, err := f.Blobs.Open(f.Ctx, rc.Receipt.Digest); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a blob under the receipt's digest: %v", err)
	}
	filepath.WalkDir(filepath.Join(f.DataDir, "blobs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		f.Must(err)
		if bytes.Contains(data, env.Head[:64]) || bytes.Contains(data, env.Trailer) || bytes.Contains(data, b.cert.Raw[:64]) {
			t.Errorf("%s holds the container's envelope", path)
		}
		return nil
	})
}

// TestConcurrentFirstUploads: the first uploads to a lot arriving together
// add the lot's decoys once, not once each (on PostgreSQL they run in
// parallel; the decoy lock is taken only while the lot has no rows).
func TestConcurrentFirstUploads(t *testing.T) {
	f := newFixture(t, 5)
	f.Bidding.DecoysMin, f.Bidding.DecoysMax = 4, 4
	containers := make([][]byte, len(f.bidders))
	for i, b := range f.bidders {
		containers[i] = f.seal(b, money.Fen(800+i)*money.OneWan)
	}
	errc := make(chan error, len(f.bidders))
	for i, b := range f.bidders {
		go func() {
			_, err := f.submit(b, containers[i])
			errc <- err
		}()
	}
	for range f.bidders {
		f.Must(<-errc)
	}
	var rows int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT COUNT(*) FROM bids WHERE lot_id = ? AND state = 'active'", f.lot.ID).Scan(&rows))
	if rows != len(f.bidders)+4 {
		t.Fatalf("%d active rows for %d bids and 4 decoys", rows, len(f.bidders))
	}
}
