package notify

import (
	"crypto/hmac"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Both directions of the voice-gateway protocol are signed the same way:
//
//	X-GGZY-Signature: t=<unix seconds>,v1=<hex HMAC-SM3(key, "<t>." || body)>
//
// The timestamp is inside the MAC, so a captured request cannot be replayed
// outside the window; within the window a callback is still accepted at
// most once per call id, which the receiver checks against its own state
// (internal/draw keeps the outcome of every call).

// SignatureHeader carries the signature of a request body.
const SignatureHeader = "X-GGZY-Signature"

// DefaultWindow is how far a signature's timestamp may be from the
// receiver's clock.
const DefaultWindow = 5 * time.Minute

// MinKeyLen is the shortest shared key accepted.
const MinKeyLen = 16

// Sign returns the signature header value for body sent at t.
func Sign(key []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := gm.HMAC(key, append([]byte(ts+"."), body...))
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac[:])
}

// VerifySignature checks header against body: a well-formed header, a MAC
// made with key, and a timestamp within window of now.
func VerifySignature(key []byte, header string, body []byte, now time.Time, window time.Duration) error {
	bad := errs.E(errs.Unauthenticated, "回调签名无效")
	if len(key) < MinKeyLen {
		return errs.E(errs.Internal, "语音网关密钥未配置")
	}
	if len(header) > 200 {
		return bad
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return bad
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	if ts == "" || sig == "" || len(ts) > 12 {
		return bad
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return bad
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != 32 {
		return bad
	}
	want := gm.HMAC(key, append([]byte(ts+"."), body...))
	if !hmac.Equal(got, want[:]) {
		return bad
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return errs.E(errs.Unauthenticated, "回调时间戳超出允许范围（可能是重放）")
	}
	return nil
}
