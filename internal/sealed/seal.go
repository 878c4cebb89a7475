package sealed

import (
	"bufio"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// source is one document to seal. Seal lists a folder into sources; tests
// and benchmarks feed synthetic ones (a 1 GB reader without a 1 GB file).
type source struct {
	Name string // relative slash path
	Size int64
	Open func() (io.ReadCloser, error)
}

// Seal writes to w a container holding form and the files under dir (all
// of them, recursively, named by their slash path relative to dir; dir ""
// seals the form alone). The form must validate and name its lot.
//
// Symbolic links are followed only to regular files inside dir; a link out
// of dir, to a folder, or any special file is refused, as are names that
// could not be extracted side by side (see docs/sealed-bid-format.md). A
// file that changes size while being sealed is an error.
//
// Seal streams: it holds about two chunks in memory whatever the size of the
// documents. On error, what was written to w is not a container.
func Seal(w io.Writer, s Signer, form Form, dir string, opt Options) (Summary, error) {
	var files []source
	if dir != "" {
		var err error
		if files, err = listDir(dir); err != nil {
			return Summary{}, err
		}
	}
	return seal(w, s, form, files, opt)
}

// listDir lists the regular files under dir, in lexical order of the walk.
func listDir(dir string) ([]source, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, fmt.Sprintf("无法打开投标文件夹 %s", dir))
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, errs.E(errs.Invalid, "%s 不是文件夹", dir)
	}
	var out []source
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("读取 %s: %w", path, err)
		}
		if path == root || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		name := filepath.ToSlash(rel)
		target := path
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			if target, err = filepath.EvalSymlinks(path); err != nil {
				return errs.Wrap(errs.Invalid, err, fmt.Sprintf("符号链接 %s 无法解析", name))
			}
			if !within(root, target) {
				return errs.E(errs.Invalid, "符号链接 %s 指向投标文件夹之外，已拒绝", name)
			}
		case !t.IsRegular():
			return errs.E(errs.Invalid, "%s 不是普通文件（设备、管道等不能封装）", name)
		}
		fi, err := os.Stat(target)
		if err != nil {
			return fmt.Errorf("读取 %s: %w", name, err)
		}
		if fi.IsDir() {
			return errs.E(errs.Invalid, "符号链接 %s 指向文件夹，不支持；请直接放入文件", name)
		}
		if !fi.Mode().IsRegular() {
			return errs.E(errs.Invalid, "%s 不是普通文件（设备、管道等不能封装）", name)
		}
		out = append(out, source{Name: name, Size: fi.Size(), Open: func() (io.ReadCloser, error) { return os.Open(target) }})
		if len(out) > MaxFiles {
			return errs.E(errs.Invalid, "文件超过 %d 个，请压缩打包后再封装", MaxFiles)
		}
		return nil
	})
	return out, err
}

// within reports whether path is root or below it (both absolute, clean).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && !filepath.IsAbs(rel) && rel != ".." &&
		!strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// seal is Seal over a list of sources, under a fresh random content key.
func seal(w io.Writer, s Signer, form Form, files []source, opt Options) (Summary, error) {
	// The content key leaves this function only wrapped to the bidder's
	// own certificate.
	k := make([]byte, KeySize)
	rand.Read(k)
	defer clear(k)
	return sealWith(w, s, form, files, opt, k)
}

// sealWith checks the input and writes the container under content key k.
func sealWith(w io.Writer, s Signer, form Form, files []source, opt Options, k []byte) (Summary, error) {
	chunkSize := opt.ChunkSize
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	if chunkSize < MinChunkSize || chunkSize > MaxChunkSize {
		return Summary{}, errs.E(errs.Invalid, "分块大小须在 %d 与 %d 字节之间", MinChunkSize, MaxChunkSize)
	}
	pub, err := signerKey(s)
	if err != nil {
		return Summary{}, err
	}
	if err := form.Validate(); err != nil {
		return Summary{}, err
	}
	formJSON, err := json.Marshal(form)
	if err != nil || len(formJSON) > MaxFormSize {
		return Summary{}, errs.E(errs.Invalid, "投标函内容过长")
	}
	if len(files) > MaxFiles {
		return Summary{}, errs.E(errs.Invalid, "文件超过 %d 个，请压缩打包后再封装", MaxFiles)
	}
	ns := newNames()
	for _, f := range files {
		if why := validName(f.Name); why != "" {
			return Summary{}, errs.E(errs.Invalid, "文件 %q 不能封装：%s", f.Name, why)
		}
		if why := ns.add(f.Name); why != "" {
			return Summary{}, errs.E(errs.Invalid, "文件 %q 不能封装：%s", f.Name, why)
		}
		if f.Size < 0 {
			return Summary{}, errs.E(errs.Invalid, "文件 %q 大小无效", f.Name)
		}
	}
	fp := opt.Fingerprint
	if fp == "" {
		fp = Fingerprint()
	}
	if !validFingerprint(fp) {
		return Summary{}, errs.E(errs.Invalid, "机器特征码须为不超过 %d 个可见 ASCII 字符", maxFingerprint)
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	h := header{lotID: form.LotID, sealedAt: now.UnixMicro(), chunkSize: uint32(chunkSize),
		keyCheck: keyCheck(k), cert: s.Cert.Raw, fingerprint: fp}
	rand.Read(h.noncePrefix[:])
	if h.wrapped, err = sm2.EncryptASN1(rand.Reader, pub, k); err != nil {
		return Summary{}, fmt.Errorf("封装内容密钥: %w", err)
	}

	plain := int64(len(formJSON))
	sum, err := writeContainer(w, s.Key, h, k, func(c *chunkWriter) error {
		// The payload: the form, every file, the end entry; each followed
		// by its SM3, so that the digests stay inside the encryption.
		c.Write([]byte{entryForm})
		c.Write(binary.BigEndian.AppendUint64(nil, uint64(len(formJSON))))
		c.Write(formJSON)
		fd := gm.SM3(formJSON)
		c.Write(fd[:])
		buf := make([]byte, 256<<10)
		for _, f := range files {
			c.Write([]byte{entryFile})
			c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(f.Name))))
			c.Write([]byte(f.Name))
			c.Write(binary.BigEndian.AppendUint64(nil, uint64(f.Size)))
			d, err := copyFile(c, f, buf)
			if err != nil {
				return err
			}
			c.Write(d)
			plain += f.Size
		}
		c.Write([]byte{entryEnd})
		c.Write(binary.BigEndian.AppendUint32(nil, uint32(len(files))))
		c.Write(binary.BigEndian.AppendUint64(nil, uint64(plain-int64(len(formJSON)))))
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	sum.Files, sum.PlainBytes = len(files), plain
	return sum, nil
}

// writeContainer writes a container with header h (complete but for the
// signature), the payload that fill writes encrypted under content key k,
// and the signed trailer.
func writeContainer(w io.Writer, key *sm2.PrivateKey, h header, k []byte, fill func(*chunkWriter) error) (Summary, error) {
	raw := h.encode()
	if len(raw)-preambleSize > MaxHeaderSize || len(h.cert) > 0xffff {
		return Summary{}, errs.E(errs.Invalid, "证书过大（文件头不能超过 %d 字节）", MaxHeaderSize)
	}
	hsig, err := gm.Sign(key, append([]byte(labelHeaderSig), raw...))
	if err != nil {
		return Summary{}, fmt.Errorf("签名: %w", err)
	}
	aead, err := newAEAD(k)
	if err != nil {
		return Summary{}, err
	}
	hd := gm.SM3(raw)

	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	head := append(binary.BigEndian.AppendUint16(raw, uint16(len(hsig))), hsig...)
	bw.Write(head)

	c := &chunkWriter{w: bw, aead: aead, p: newChunkParams(h.noncePrefix, hd),
		size: int(h.chunkSize), buf: make([]byte, 0, int(h.chunkSize)+tagSize), sect: sm3.New()}
	if err := fill(c); err != nil {
		if c.err != nil {
			return Summary{}, fmt.Errorf("写出加密投标文件: %w", c.err)
		}
		return Summary{}, err
	}
	c.close()
	if c.err != nil {
		return Summary{}, fmt.Errorf("写出加密投标文件: %w", c.err)
	}

	t := trailer{chunks: c.idx, payloadBytes: uint64(c.payload), sectionBytes: uint64(c.sectN), headerDigest: hd}
	c.sect.Sum(t.cipherDigest[:0])
	tb := t.encode()
	tsig, err := gm.Sign(key, append([]byte(labelTrailerSig), tb...))
	if err != nil {
		return Summary{}, fmt.Errorf("签名: %w", err)
	}
	tail := append(binary.BigEndian.AppendUint16(tb, uint16(len(tsig))), tsig...)
	bw.Write(tail)
	if err := bw.Flush(); err != nil {
		return Summary{}, fmt.Errorf("写出加密投标文件: %w", err)
	}
	env := Envelope{Head: head, CipherDigest: t.cipherDigest[:], Trailer: tail}
	return Summary{Size: cw.n, ContainerDigest: env.ContainerDigest(), CipherDigest: t.cipherDigest[:], Chunks: int(c.idx)}, nil
}

// signerKey checks that the certificate holds an SM2 key and that the
// private key belongs to it.
func signerKey(s Signer) (*ecdsa.PublicKey, error) {
	if s.Cert == nil || s.Key == nil {
		return nil, errs.E(errs.Invalid, "缺少投标人证书或私钥")
	}
	pub, ok := s.Cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(pub) {
		return nil, errs.E(errs.Invalid, "证书的公钥不是 SM2 公钥")
	}
	if !s.Key.PublicKey.Equal(pub) {
		return nil, errs.E(errs.Invalid, "私钥与证书不匹配")
	}
	return pub, nil
}

// copyFile streams one document into the payload and returns its SM3. It
// insists on exactly the size listed: a file that grows or shrinks while
// being sealed would make the bid ambiguous.
func copyFile(c *chunkWriter, f source, buf []byte) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("打开 %s: %w", f.Name, err)
	}
	defer r.Close()
	h := sm3.New()
	n, err := io.CopyBuffer(io.MultiWriter(c, h), io.LimitReader(r, f.Size), buf)
	if err != nil {
		if c.err != nil {
			return nil, fmt.Errorf("写出加密投标文件: %w", c.err)
		}
		return nil, fmt.Errorf("读取 %s: %w", f.Name, err)
	}
	var one [1]byte
	if extra, _ := io.ReadFull(r, one[:]); n != f.Size || extra != 0 {
		return nil, errs.E(errs.Invalid, "文件 %s 在封装过程中被修改，请关闭正在编辑它的程序后重新封装", f.Name)
	}
	return h.Sum(nil), nil
}

// chunkWriter cuts the payload into chunks, encrypts each and writes it as
// a record. The last chunk is only known at close, so a full buffer is
// written when the next byte arrives, not before.
type chunkWriter struct {
	w       io.Writer
	aead    cipher.AEAD
	p       *chunkParams
	size    int
	buf     []byte
	sect    hash.Hash
	sectN   int64
	idx     uint64
	payload int64
	err     error
}

func (c *chunkWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n := len(b)
	for len(b) > 0 {
		if len(c.buf) == c.size {
			c.flush(false)
			if c.err != nil {
				return 0, c.err
			}
		}
		k := copy(c.buf[len(c.buf):c.size], b)
		c.buf, b = c.buf[:len(c.buf)+k], b[k:]
	}
	c.payload += int64(n)
	return n, nil
}

func (c *chunkWriter) flush(final bool) {
	c.p.set(c.idx, final)
	ct := c.aead.Seal(c.buf[:0], c.p.nonce[:], c.buf, c.p.aad[:])
	c.record(ct)
	c.buf = c.buf[:0]
	c.idx++
}

func (c *chunkWriter) record(b []byte) {
	var l [recordLenSize]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(b)))
	c.sect.Write(l[:])
	c.sect.Write(b)
	c.sectN += int64(len(l) + len(b))
	if _, err := c.w.Write(l[:]); err != nil && c.err == nil {
		c.err = err
	}
	if _, err := c.w.Write(b); err != nil && c.err == nil {
		c.err = err
	}
}

// close writes the last chunk and the end marker.
func (c *chunkWriter) close() {
	if c.err != nil {
		return
	}
	c.flush(true)
	c.record(nil)
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
