package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Canonical encoding of an event (version 1). It is what the chain hash and
// the Merkle leaf cover, so it must never change; a new format gets a new tag.
//
//	body   = "ggzy-audit-v1\n"
//	         i64(seq) i64(at) i64(actor_id) str(actor_name) i64(org_id) str(ip)
//	         str(action) str(object_type) str(object_id) str(region) str(industry)
//	         str(details)
//	hash   = SM3(prev_hash || body)
//	record = body || prev_hash || hash          (the tlog record data)
//
// i64 is 8 bytes big-endian two's complement; at is Unix microseconds UTC;
// str is a 4-byte big-endian byte length followed by the UTF-8 bytes, so no
// field can bleed into the next. details is canonical JSON (see canonical):
// exactly the text stored in audit_events.details.
const encodingTag = "ggzy-audit-v1\n"

// zeroHash is the PrevHash of event 0.
var zeroHash = make([]byte, 32)

// body returns the canonical body of e with the given details JSON.
func body(e Event, atMicros int64, details []byte) []byte {
	var b bytes.Buffer
	b.WriteString(encodingTag)
	i64 := func(v int64) { b.Write(binary.BigEndian.AppendUint64(nil, uint64(v))) }
	str := func(s []byte) {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		b.Write(s)
	}
	i64(e.Seq)
	i64(atMicros)
	i64(e.ActorID)
	str([]byte(e.ActorName))
	i64(e.OrgID)
	str([]byte(e.IP))
	str([]byte(e.Action))
	str([]byte(e.ObjectType))
	str([]byte(e.ObjectID))
	str([]byte(e.Region))
	str([]byte(e.Industry))
	str(details)
	return b.Bytes()
}

// chainHash is SM3(prev || body).
func chainHash(prev, body []byte) []byte {
	h := gm.SM3(prev, body)
	return h[:]
}

// record is the tlog leaf data: body, then both chain hashes.
func record(body, prev, hash []byte) []byte {
	r := make([]byte, 0, len(body)+len(prev)+len(hash))
	return append(append(append(r, body...), prev...), hash...)
}

// canonical returns details as canonical JSON: objects with keys sorted
// (encoding/json sorts map keys), no HTML escaping, numbers kept as written.
// Round-tripping through a generic value turns structs into maps, so any Go
// value gets the same bytes for the same content. nil is "{}".
func canonical(details map[string]any) ([]byte, error) {
	if len(details) == 0 {
		return []byte("{}"), nil
	}
	first, err := marshal(details)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.UseNumber() // keep 64-bit ids exact
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return marshal(generic)
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeDetails parses stored details JSON for reading.
func decodeDetails(s string) map[string]any {
	m := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		// Stored text is ours and canonical; if it was edited into
		// garbage, Verify reports it. Show what is there.
		return map[string]any{"_raw": s}
	}
	return m
}

// maxDetails bounds the details JSON: events are small facts, documents go
// to blob storage and are referred to by digest.
const maxDetails = 16 << 10

// forbiddenKeys are details keys that would carry personal data or secrets
// (compared after lower-casing and dropping '_' and '-').
var forbiddenKeys = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "token": true, "secret": true,
	"privatekey": true, "idnumber": true, "idcard": true, "idno": true,
	"phone": true, "mobile": true, "tel": true, "telephone": true,
	"身份证": true, "身份证号": true, "手机": true, "手机号": true, "电话": true, "密码": true,
}

// keySeparators drops what forbiddenKeys are compared without; built once
// because every appended event's keys go through it.
var keySeparators = strings.NewReplacer("_", "", "-", "")

// validate checks what the caller filled in.
func validate(e Event, details []byte) error {
	var f errs.Fields
	f.Required("action", "操作", e.Action)
	f.Required("object_type", "对象类型", e.ObjectType)
	f.Required("object_id", "对象编号", e.ObjectID)
	for _, s := range []struct{ name, v string }{
		{"actor_name", e.ActorName}, {"ip", e.IP}, {"action", e.Action},
		{"object_type", e.ObjectType}, {"object_id", e.ObjectID},
		{"region", e.Region}, {"industry", e.Industry},
	} {
		// PostgreSQL TEXT rejects NUL and invalid UTF-8; fail the same on both.
		if !utf8.ValidString(s.v) || strings.ContainsRune(s.v, 0) {
			f.Add(s.name, "含有无效字符")
		}
		f.MaxLen(s.name, s.name, s.v, 256)
	}
	if len(details) > maxDetails {
		f.Add("details", "详情过长（不超过 %d 字节）", maxDetails)
	}
	// Check the canonical form, where structs have become maps.
	if k := personalKey(decodeDetails(string(details))); k != "" {
		f.Add("details", "审计详情不得包含个人信息或密钥（字段 %s）", k)
	}
	return f.Err()
}

// personalKey returns the first forbidden key found at any depth, or "".
func personalKey(v any) string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			n := keySeparators.Replace(strings.ToLower(k))
			if forbiddenKeys[n] {
				return k
			}
			if bad := personalKey(x); bad != "" {
				return bad
			}
		}
	case []any:
		for _, x := range v {
			if bad := personalKey(x); bad != "" {
				return bad
			}
		}
	}
	return ""
}
