package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// Voice places automated calls through an HTTP voice gateway. For each
// message it POSTs a CallRequest as JSON, signed (see Sign), to URL; the
// gateway answers 2xx at once and later POSTs a signed Callback with the
// result to CallbackURL, which the platform passes to ParseCallback.
type Voice struct {
	URL         string        // the gateway's call endpoint
	Key         []byte        // shared HMAC-SM3 key, both directions
	CallbackURL string        // where the gateway reports results
	Client      *http.Client  // nil: a client with a 10-second timeout
	Clock       clock.Clock   // nil: the system clock
	Window      time.Duration // accepted clock skew of callbacks; 0: DefaultWindow
}

// CallRequest is what the platform asks the gateway to do.
type CallRequest struct {
	CallID      string `json:"call_id"`
	Phone       string `json:"phone"`
	TextToSpeak string `json:"text_to_speak"`
	CallbackURL string `json:"callback_url"`
}

// Callback is what the gateway reports about a call.
type Callback struct {
	CallID string `json:"call_id"`
	Result Result `json:"result"`
}

func (v *Voice) Name() string { return "voice" }

func (v *Voice) now() time.Time {
	if v.Clock == nil {
		return time.Now()
	}
	return v.Clock.Now()
}

func (v *Voice) window() time.Duration {
	if v.Window <= 0 {
		return DefaultWindow
	}
	return v.Window
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

// Send asks the gateway to call m.Phone and speak m.Text.
func (v *Voice) Send(ctx context.Context, m Message) error {
	if strings.TrimSpace(m.Phone) == "" {
		return ErrNoAddress
	}
	if v.URL == "" || len(v.Key) < MinKeyLen {
		return fmt.Errorf("notify: 语音网关未配置")
	}
	body, err := json.Marshal(CallRequest{CallID: m.CallID, Phone: m.Phone, TextToSpeak: m.Text, CallbackURL: v.CallbackURL})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(v.Key, v.now(), body))
	c := v.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("notify: 语音网关不可达: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: 语音网关拒绝呼叫请求（HTTP %d）", resp.StatusCode)
	}
	return nil
}

// ParseCallback checks a callback's signature and timestamp and decodes it.
// The caller must still refuse a second callback for the same call id.
func (v *Voice) ParseCallback(header string, body []byte) (Callback, error) {
	return ParseCallback(v.Key, header, body, v.now(), v.window())
}

// MaxCallbackBytes bounds a callback body.
const MaxCallbackBytes = 4096

// ParseCallback verifies and decodes a gateway callback: the signature
// header must match body under key within window of now, and body must be
// one JSON object with a well-formed call id and a known result.
func ParseCallback(key []byte, header string, body []byte, now time.Time, window time.Duration) (Callback, error) {
	if len(body) > MaxCallbackBytes {
		return Callback{}, errs.E(errs.Invalid, "回调内容过长")
	}
	if err := VerifySignature(key, header, body, now, window); err != nil {
		return Callback{}, err
	}
	return DecodeCallback(body)
}

// DecodeCallback decodes a callback body without checking any signature.
func DecodeCallback(body []byte) (Callback, error) {
	var cb Callback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cb); err != nil {
		return Callback{}, errs.E(errs.Invalid, "回调内容不是有效的 JSON 对象")
	}
	if dec.More() {
		return Callback{}, errs.E(errs.Invalid, "回调只能包含一个 JSON 对象")
	}
	var f errs.Fields
	if !ValidCallID(cb.CallID) {
		f.Add("call_id", "呼叫编号格式不正确")
	}
	if !cb.Result.Valid() {
		f.Add("result", "结果须为 accepted、declined、no_answer、busy 或 failed")
	}
	if err := f.Err(); err != nil {
		return Callback{}, err
	}
	return cb, nil
}

// ValidCallID reports whether id looks like a call id: 16 to 64 of
// [0-9a-zA-Z_-].
func ValidCallID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
