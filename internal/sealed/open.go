package sealed

import (
	"crypto/cipher"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Open decrypts the container in r with its content key and verifies
// everything: the structure and both signatures as Inspect does, the key
// check value, every chunk (SM4-GCM, bound to its place and to the header),
// the digest of the form and of every file, and that the form is valid and
// names the container's lot.
//
// out is called once per file, in order, with its name (a relative slash
// path already checked to stay inside any folder it is joined to); the
// file's bytes go to the writer it returns. A nil out, or a nil writer,
// discards them. Bytes are written as they are decrypted, before the end of
// the container is verified: when Open returns an error, throw away what
// the writers received.
//
// Errors, all *errs.Error:
//   - code errs.Invalid matching ErrWrongKey: the bidder's fault — the key
//     is not this container's, or the intact, correctly signed container
//     does not decrypt or is not a valid bid (then also ErrBadContent);
//   - code errs.Invalid matching ErrDamaged: the container is not as the
//     bidder signed it (damaged or tampered with after sealing);
//   - code errs.Internal: r or a writer failed; nothing is known about the
//     container, try again.
func Open(r io.Reader, contentKey []byte, out func(name string) (io.Writer, error)) (Contents, error) {
	s := newScanner(r)
	if err := s.readHead(); err != nil {
		return Contents{}, failure(err, ErrDamaged)
	}
	// The header is as the bidder signed it, so a key that does not match
	// its key check value is the wrong key, whatever else may be wrong.
	kc := keyCheck(contentKey)
	if len(contentKey) != KeySize || !hmac.Equal(kc[:], s.head.keyCheck[:]) {
		return Contents{}, &errs.Error{Code: errs.Invalid, Err: ErrWrongKey,
			Message: "提供的内容密钥不能解开此加密投标文件（密钥与文件头的密钥校验值不符）"}
	}
	aead, err := newAEAD(contentKey)
	if err != nil {
		return Contents{}, err
	}
	p := &plainReader{s: s, aead: aead, p: newChunkParams(s.head.noncePrefix, s.hd)}
	c, err := readPayload(p, s.env.LotID, out)
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return Contents{}, p.classify(err)
	}
	if err := s.readTrailer(); err != nil {
		return Contents{}, failure(err, ErrDamaged)
	}
	c.Envelope = s.env
	return c, nil
}

// classify decides whose fault err is. A reader or writer failure is
// nobody's (Internal). After a structural fault nothing more can be read:
// damage. Otherwise the rest of the container is read and its trailer and
// signature checked: if the container is exactly what the bidder signed,
// the failure is the bidder's; if not, it is damage.
func (p *plainReader) classify(err error) error {
	f, ok := asFault(err)
	if !ok {
		var oe outputError
		if errors.As(err, &oe) {
			return errs.Wrap(errs.Internal, oe.err, "写出投标文件内容失败")
		}
		return failure(err, nil)
	}
	if p.s.broken {
		return invalid(f, ErrDamaged)
	}
	if err := p.drain(); err == nil {
		err = p.s.readTrailer()
		if err == nil {
			if !f.content {
				f = &faultError{msg: f.msg + "（文件完好且签名有效，是投标人封装时的问题）"}
			}
			return invalid(f, badContent)
		}
		if _, isFault := asFault(err); !isFault {
			return failure(err, nil)
		}
	} else if _, isFault := asFault(err); !isFault {
		return failure(err, nil)
	}
	return invalid(f, ErrDamaged)
}

// outputError is a failure of a writer from out.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }

// plainReader decrypts chunk after chunk and hands out the plaintext.
type plainReader struct {
	s       *scanner
	aead    cipher.AEAD
	p       *chunkParams
	cur     []byte // plaintext of the current chunk not yet taken
	next    int    // length of the next record, read ahead
	started bool   // the first record's length has been read
	done    bool   // the final chunk has been decrypted
}

// take returns between 1 and n bytes of plaintext.
func (p *plainReader) take(n int) ([]byte, error) {
	for len(p.cur) == 0 {
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
	n = min(n, len(p.cur))
	b := p.cur[:n]
	p.cur = p.cur[n:]
	return b, nil
}

// fill decrypts the next chunk. Whether it is the last is known by reading
// the next record's length first (0 is the end marker), so a chunk is
// always opened with the final flag it was sealed with — or fails.
func (p *plainReader) fill() error {
	if p.done {
		return contentFault("内容在结束标记之前就结束了")
	}
	if !p.started {
		n, err := p.s.next()
		if err != nil {
			return err
		}
		p.next, p.started = n, true
	}
	idx := p.s.chunks
	ct, err := p.s.body(p.next)
	if err != nil {
		return err
	}
	if p.next, err = p.s.next(); err != nil {
		return err
	}
	final := p.next == 0
	p.p.set(idx, final)
	pt, err := p.aead.Open(ct[:0], p.p.nonce[:], ct, p.p.aad[:])
	if err != nil {
		return fault(fmt.Sprintf("第 %d 块校验失败", idx+1))
	}
	p.cur, p.done = pt, final
	return nil
}

// full reads exactly len(b) bytes of plaintext.
func (p *plainReader) full(b []byte) error {
	for len(b) > 0 {
		t, err := p.take(len(b))
		if err != nil {
			return err
		}
		b = b[copy(b, t):]
	}
	return nil
}

// end requires the plaintext to end right after the end entry.
func (p *plainReader) end() error {
	if len(p.cur) > 0 || !p.done {
		return contentFault("结束标记之后还有数据")
	}
	return nil
}

// drain reads the records not yet read, up to the end marker.
func (p *plainReader) drain() error {
	if !p.started {
		n, err := p.s.next()
		if err != nil {
			return err
		}
		p.next, p.started = n, true
	}
	if p.s.finished {
		return nil
	}
	return p.s.skipRest(p.next)
}

// readPayload parses the decrypted payload: the form, the files, the end.
func readPayload(p *plainReader, lotID int64, out func(string) (io.Writer, error)) (Contents, error) {
	var c Contents
	var kind [1]byte
	var u16 [2]byte
	var u64 [8]byte
	var sum [digestSize]byte
	if err := p.full(kind[:]); err != nil {
		return c, err
	}
	if kind[0] != entryForm {
		return c, contentFault("内容不以投标函开头")
	}
	if err := p.full(u64[:]); err != nil {
		return c, err
	}
	n := binary.BigEndian.Uint64(u64[:])
	if n == 0 || n > MaxFormSize {
		return c, contentFault("投标函长度无效")
	}
	formJSON := make([]byte, n)
	if err := p.full(formJSON); err != nil {
		return c, err
	}
	if err := p.full(sum[:]); err != nil {
		return c, err
	}
	if gm.SM3(formJSON) != sum {
		return c, contentFault("投标函的摘要不符")
	}
	form, err := ParseForm(formJSON)
	if err != nil {
		return c, contentFault("投标函无法解析")
	}
	if err := form.Validate(); err != nil {
		return c, contentFault("投标函内容无效：" + errs.As(err).Message)
	}
	if form.LotID != lotID {
		return c, contentFault(fmt.Sprintf("投标函中的标段 %d 与文件头的标段 %d 不符", form.LotID, lotID))
	}
	c.Form = form

	ns := newNames()
	var total uint64
	for {
		if err := p.full(kind[:]); err != nil {
			return c, err
		}
		switch kind[0] {
		case entryFile:
		case entryEnd:
			var end [12]byte
			if err := p.full(end[:]); err != nil {
				return c, err
			}
			if int(binary.BigEndian.Uint32(end[:])) != len(c.Files) || binary.BigEndian.Uint64(end[4:]) != total {
				return c, contentFault("结束标记中的文件数或总长度不符")
			}
			return c, nil
		default:
			return c, contentFault(fmt.Sprintf("未知的内容类型 %d", kind[0]))
		}
		if len(c.Files) >= MaxFiles {
			return c, contentFault(fmt.Sprintf("文件超过 %d 个", MaxFiles))
		}
		if err := p.full(u16[:]); err != nil {
			return c, err
		}
		nl := int(binary.BigEndian.Uint16(u16[:]))
		if nl == 0 || nl > MaxNameLen {
			return c, contentFault("文件名长度无效")
		}
		nb := make([]byte, nl)
		if err := p.full(nb); err != nil {
			return c, err
		}
		name := string(nb)
		if why := validName(name); why != "" {
			return c, contentFault(fmt.Sprintf("文件名 %q 无效：%s", name, why))
		}
		if why := ns.add(name); why != "" {
			return c, contentFault(fmt.Sprintf("文件 %q %s", name, why))
		}
		if err := p.full(u64[:]); err != nil {
			return c, err
		}
		size := binary.BigEndian.Uint64(u64[:])
		if size > math.MaxInt64-total {
			return c, contentFault(fmt.Sprintf("文件 %q 的长度无效", name))
		}
		var w io.Writer = io.Discard
		if out != nil {
			ow, err := out(name)
			if err != nil {
				return c, outputError{err}
			}
			if ow != nil {
				w = ow
			}
		}
		h := sm3.New()
		for left := size; left > 0; {
			b, err := p.take(int(min(left, 1<<30)))
			if err != nil {
				return c, err
			}
			h.Write(b)
			if _, err := w.Write(b); err != nil {
				return c, outputError{err}
			}
			left -= uint64(len(b))
		}
		if err := p.full(sum[:]); err != nil {
			return c, err
		}
		d := h.Sum(nil)
		if !hmac.Equal(d, sum[:]) {
			return c, contentFault(fmt.Sprintf("文件 %q 的摘要不符", name))
		}
		total += size
		c.Files = append(c.Files, File{Name: name, Size: int64(size), Digest: d})
	}
}
