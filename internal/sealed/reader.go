package sealed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// scanner reads a container record by record, counting bytes and hashing
// the chunk section. It never allocates more than the limits allow: the
// header is at most MaxHeaderSize, a chunk buffer grows only as its bytes
// actually arrive and never beyond the header's chunk size.
//
// Errors are *faultError for anything wrong with the container (including a
// file that ends too early) and readError for the reader's own failures.
type scanner struct {
	br     *bufio.Reader
	n      int64     // bytes consumed
	sect   hash.Hash // SM3 over the chunk section
	sectW  io.Writer // sect, or sect and a copy of the section (InspectSection)
	sectN  int64
	copyBf []byte // buffer of skip
	broken bool   // a structural fault: nothing after it can be trusted or read

	env     Envelope
	head    header
	hd      [32]byte // header digest
	rawHead []byte   // the bytes before the chunk section, as read

	chunks   uint64 // records read
	payload  uint64 // plaintext bytes of the records read (length − tag)
	lastLen  int    // length of the last record read
	buf      []byte // chunk buffer (Open)
	lenBuf   [recordLenSize]byte
	finished bool // end marker read
}

// readError is a failure of the underlying reader (not of the container).
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func newScanner(r io.Reader) *scanner {
	s := &scanner{br: bufio.NewReaderSize(r, 64<<10), sect: sm3.New()}
	s.sectW = s.sect
	return s
}

// full reads exactly len(p) bytes.
func (s *scanner) full(p []byte, where string) error {
	n, err := io.ReadFull(s.br, p)
	s.n += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			s.broken = true
			return fault(fmt.Sprintf("文件不完整，在%s处截断（共 %d 字节）", where, s.n))
		}
		return readError{err}
	}
	return nil
}

// readHead reads and checks the preamble, the header and the header
// signature; it fills s.env except the fields the trailer gives.
func (s *scanner) readHead() error {
	var pre [preambleSize]byte
	if err := s.full(pre[:], "文件开头"); err != nil {
		if f, ok := asFault(err); ok && s.n < int64(len(magic)) {
			f.msg = "文件太短，不是加密投标文件"
		}
		return err
	}
	hlen, err := parsePreamble(pre[:])
	if err != nil {
		s.broken = true
		return err
	}
	raw := make([]byte, preambleSize+hlen)
	copy(raw, pre[:])
	if err := s.full(raw[preambleSize:], "文件头"); err != nil {
		return err
	}
	h, err := parseHeader(raw[preambleSize:])
	if err != nil {
		s.broken = true
		return err
	}
	cert, pub, err := certKey(h.cert)
	if err != nil {
		s.broken = true
		return err
	}
	var sl [2]byte
	if err := s.full(sl[:], "文件头签名"); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint16(sl[:]))
	if n == 0 || n > maxSigSize {
		s.broken = true
		return fault("文件头签名长度无效")
	}
	sig := make([]byte, n)
	if err := s.full(sig, "文件头签名"); err != nil {
		return err
	}
	if !gm.Verify(pub, append([]byte(labelHeaderSig), raw...), sig) {
		s.broken = true
		return fault("文件头签名验证失败（文件头被改动，或证书与签名私钥不符）")
	}
	s.head = h
	s.hd = gm.SM3(raw)
	s.rawHead = append(append(raw, sl[:]...), sig...)
	s.env = Envelope{
		Version:      Version,
		LotID:        h.lotID,
		CertDER:      h.cert,
		Cert:         cert,
		WrappedKey:   h.wrapped,
		ChunkSize:    int(h.chunkSize),
		SealedAt:     microsTime(h.sealedAt),
		Fingerprint:  h.fingerprint,
		KeyCheck:     append([]byte(nil), h.keyCheck[:]...),
		HeaderDigest: append([]byte(nil), s.hd[:]...),
		Head:         s.rawHead,
	}
	return nil
}

// next reads the length of the next record: 0 is the end marker. It checks
// the length against the chunk size and the rule that only the last chunk
// may be short.
func (s *scanner) next() (int, error) {
	if err := s.full(s.lenBuf[:], fmt.Sprintf("第 %d 块", s.chunks+1)); err != nil {
		return 0, err
	}
	s.sectW.Write(s.lenBuf[:]) // a failing copy is reported by InspectSection
	s.sectN += recordLenSize
	n := int(binary.BigEndian.Uint32(s.lenBuf[:]))
	full := int(s.head.chunkSize) + tagSize
	switch {
	case n == 0 && s.chunks == 0:
		s.broken = true
		return 0, fault("没有任何数据块")
	case n == 0:
		s.finished = true
		return 0, nil
	case s.chunks > 0 && s.lastLen != full:
		s.broken = true
		return 0, fault(fmt.Sprintf("第 %d 块不足分块大小却不是最后一块", s.chunks))
	case n <= tagSize || n > full:
		s.broken = true
		return 0, fault(fmt.Sprintf("第 %d 块长度 %d 字节无效", s.chunks+1, n))
	}
	return n, nil
}

// body reads the n bytes of the current record into s.buf, hashing them.
// The buffer grows as data arrives, so a record that claims 16 MiB in a
// file of a few bytes costs a few bytes.
func (s *scanner) body(n int) ([]byte, error) {
	where := fmt.Sprintf("第 %d 块", s.chunks+1)
	s.buf = s.buf[:0]
	for len(s.buf) < n {
		if len(s.buf) == cap(s.buf) {
			nb := make([]byte, len(s.buf), min(n, max(2*cap(s.buf), 256<<10)))
			copy(nb, s.buf)
			s.buf = nb
		}
		end := min(n, cap(s.buf))
		if err := s.full(s.buf[len(s.buf):end], where); err != nil {
			return nil, err
		}
		s.buf = s.buf[:end]
	}
	s.record(n)
	s.sect.Write(s.buf)
	return s.buf, nil
}

// skip reads the n bytes of the current record into the section hash (and
// the section's copy) only.
func (s *scanner) skip(n int) error {
	if s.copyBf == nil {
		s.copyBf = make([]byte, 64<<10)
	}
	c, err := io.CopyBuffer(s.sectW, io.LimitReader(s.br, int64(n)), s.copyBf)
	s.n += c
	if err == nil && c < int64(n) {
		err = io.EOF
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			s.broken = true
			return fault(fmt.Sprintf("文件不完整，在第 %d 块处截断（共 %d 字节）", s.chunks+1, s.n))
		}
		return readError{err}
	}
	s.record(n)
	return nil
}

func (s *scanner) record(n int) {
	s.sectN += int64(n)
	s.chunks++
	s.payload += uint64(n - tagSize)
	s.lastLen = n
}

// skipRest reads the remaining records after one whose length next gave,
// up to and including the end marker.
func (s *scanner) skipRest(n int) error {
	for n != 0 {
		if err := s.skip(n); err != nil {
			return err
		}
		var err error
		if n, err = s.next(); err != nil {
			return err
		}
	}
	return nil
}

// readTrailer reads the trailer after the end marker, checks it against
// what was read and verifies the bidder's signature, then requires the end
// of the file. It completes s.env.
func (s *scanner) readTrailer() error {
	var tb [trailerFixed + 2]byte
	if err := s.full(tb[:], "结尾记录"); err != nil {
		return err
	}
	t := parseTrailer(tb[:])
	n := int(binary.BigEndian.Uint16(tb[trailerFixed:]))
	if n == 0 || n > maxSigSize {
		s.broken = true
		return fault("结尾签名长度无效")
	}
	sig := make([]byte, n)
	if err := s.full(sig, "结尾签名"); err != nil {
		return err
	}
	var cd [32]byte
	s.sect.Sum(cd[:0])
	switch {
	case t.headerDigest != s.hd:
		return fault("结尾记录与文件头不符")
	case t.chunks != s.chunks:
		return fault(fmt.Sprintf("结尾记录的块数 %d 与实际 %d 不符（有块被删除或增加）", t.chunks, s.chunks))
	case t.sectionBytes != uint64(s.sectN) || t.payloadBytes != s.payload:
		return fault("结尾记录的长度与实际不符")
	case t.cipherDigest != cd:
		return fault("密文摘要与签名不符（数据块被改动、调换或重复）")
	case !gm.Verify(s.env.PublicKey(), append([]byte(labelTrailerSig), tb[:trailerFixed]...), sig):
		return fault("签名验证失败")
	}
	if _, err := s.br.ReadByte(); err == nil {
		return fault("签名之后还有多余数据")
	} else if !errors.Is(err, io.EOF) {
		return readError{err}
	}
	s.env.Chunks = int(s.chunks)
	s.env.Size = s.n
	s.env.CipherDigest = cd[:]
	s.env.Trailer = append(tb[:], sig...)
	s.env.PayloadBytes = int64(s.payload)
	return nil
}

// failure turns what went wrong into the error callers see: a fault with
// the given cause, or an internal error for a reader failure.
func failure(err error, cause error) error {
	if f, ok := asFault(err); ok {
		return invalid(f, cause)
	}
	var re readError
	if errors.As(err, &re) {
		return errs.Wrap(errs.Internal, re.err, "读取加密投标文件失败")
	}
	return err
}
