package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestSignatureTable(t *testing.T) {
	now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	body := []byte(`{"call_id":"abcdefghijklmnop","result":"accepted"}`)
	good := Sign(testKey, now, body)
	for _, tc := range []struct {
		name   string
		key    []byte
		header string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"valid", testKey, good, body, now, true},
		{"valid, 4 minutes late", testKey, good, body, now.Add(4 * time.Minute), true},
		{"valid, clock 4 minutes behind", testKey, good, body, now.Add(-4 * time.Minute), true},
		{"too old (replayed later)", testKey, good, body, now.Add(6 * time.Minute), false},
		{"from the future", testKey, good, body, now.Add(-6 * time.Minute), false},
		{"body changed", testKey, good, []byte(`{"call_id":"abcdefghijklmnop","result":"declined"}`), now, false},
		{"other key", []byte("another-key-of-sixteen+"), good, body, now, false},
		{"empty header", testKey, "", body, now, false},
		{"no mac", testKey, "t=" + strings.Split(strings.TrimPrefix(good, "t="), ",")[0], body, now, false},
		{"timestamp changed", testKey, strings.Replace(good, "t=1", "t=2", 1), body, now, false},
		{"mac truncated", testKey, good[:len(good)-2], body, now, false},
		{"garbage", testKey, "hello", body, now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(tc.key, tc.header, tc.body, tc.at, DefaultWindow)
			if (err == nil) != tc.ok {
				t.Fatalf("VerifySignature = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("code %s, want unauthenticated", errs.CodeOf(err))
			}
		})
	}
}

func TestDecodeCallback(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"call_id":"abcdefghijklmnop","result":"accepted"}`, true},
		{`{"call_id":"abcdefghijklmnop","result":"busy"}`, true},
		{`{"call_id":"abcdefghijklmnop","result":"maybe"}`, false},
		{`{"call_id":"short","result":"accepted"}`, false},
		{`{"call_id":"abcdefghijklmnop<script>","result":"accepted"}`, false},
		{`{"call_id":"abcdefghijklmnop","result":"accepted","extra":1}`, false},
		{`{"call_id":"abcdefghijklmnop","result":"accepted"}{}`, false},
		{`[]`, false},
		{``, false},
	} {
		_, err := DecodeCallback([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
}

// FuzzParseCallback: whatever arrives at the callback URL, the parser
// never panics, accepts only correctly signed bodies, and what it accepts
// is a well-formed callback.
func FuzzParseCallback(f *testing.F) {
	now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	good := []byte(`{"call_id":"abcdefghijklmnop","result":"accepted"}`)
	f.Add(Sign(testKey, now, good), good)
	f.Add("t=1,v1=00", []byte(`{}`))
	f.Add("", []byte(`{"call_id":"abcdefghijklmnop","result":"declined"}`))
	f.Add("t=99999999999,v1=zz", []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		cb, err := ParseCallback(testKey, header, body, now, DefaultWindow)
		if err != nil {
			if errs.CodeOf(err) == errs.Internal {
				t.Fatalf("internal error for outside input: %v", err)
			}
			return
		}
		if VerifySignature(testKey, header, body, now, DefaultWindow) != nil {
			t.Fatal("accepted a body whose signature does not verify")
		}
		if !ValidCallID(cb.CallID) || !cb.Result.Valid() {
			t.Fatalf("accepted a malformed callback %+v", cb)
		}
		// Whatever the fuzzer finds, it can also be checked unsigned.
		if _, err := DecodeCallback(body); err != nil {
			t.Fatalf("signed body decodes differently: %v", err)
		}
	})
}

func TestVoiceRoundTrip(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var got []Callback
	cbServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cb, err := ParseCallback(testKey, r.Header.Get(SignatureHeader), body, clk.Now(), DefaultWindow)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		got = append(got, cb)
		mu.Unlock()
	}))
	defer cbServer.Close()
	gw := NewFakeGateway(testKey, clk, func(r CallRequest) Result {
		switch r.Phone {
		case "13800000001":
			return Accepted
		case "13800000002":
			return Declined
		}
		return "" // no answer
	})
	defer gw.Close()
	v := &Voice{URL: gw.URL(), Key: testKey, CallbackURL: cbServer.URL + "/cb", Clock: clk}
	ctx := context.Background()
	for i, phone := range []string{"13800000001", "13800000002", "13800000003"} {
		if err := v.Send(ctx, Message{CallID: strings.Repeat("c", 15) + string(rune('a'+i)), Phone: phone, Text: "请接听"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Send(ctx, Message{CallID: strings.Repeat("d", 16)}); !errors.Is(err, ErrNoAddress) {
		t.Fatalf("no phone: %v", err)
	}
	calls := gw.Calls()
	if len(calls) != 3 || calls[0].TextToSpeak != "请接听" || calls[0].CallbackURL != cbServer.URL+"/cb" {
		t.Fatalf("gateway saw %+v", calls)
	}
	if len(got) != 0 {
		t.Fatal("callbacks before Flush")
	}
	n, err := gw.Flush(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Flush = %d, %v", n, err)
	}
	if len(got) != 2 || got[0].Result != Accepted || got[1].Result != Declined || got[1].CallID != calls[1].CallID {
		t.Fatalf("callbacks %+v", got)
	}

	// A gateway that refuses, or a request signed with another key.
	bad := &Voice{URL: gw.URL(), Key: []byte("wrong-key-wrong-key"), CallbackURL: cbServer.URL, Clock: clk}
	if err := bad.Send(ctx, Message{CallID: strings.Repeat("e", 16), Phone: "13800000001"}); err == nil {
		t.Fatal("gateway accepted a request signed with the wrong key")
	}
	down := &Voice{URL: cbServer.URL + "/nowhere-" + "x", Key: testKey, Clock: clk}
	cbServer.Config.Handler = http.NotFoundHandler()
	if err := down.Send(ctx, Message{CallID: strings.Repeat("f", 16), Phone: "13800000001"}); err == nil {
		t.Fatal("a 404 from the gateway is not an error")
	}
}

// smtpSink is a real SMTP server (github.com/emersion/go-smtp) that keeps
// what it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs []sunk
}

type sunk struct {
	from string
	to   []string
	data string
}

type sinkSession struct {
	sink *smtpSink
	cur  sunk
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }
func (s *sinkSession) Reset()                                   { s.cur = sunk{} }
func (s *sinkSession) Logout() error                            { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.cur)
	s.sink.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T) (*smtpSink, string) {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink, ln.Addr().String()
}

func TestMailThroughRealSMTPServer(t *testing.T) {
	sink, addr := startSMTP(t)
	m := &Mail{Addr: addr, From: "公共资源交易平台 <noreply@ggzy.test>",
		Clock: clock.NewFake(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC))}
	msg := Message{CallID: "abcdefghijklmnop", Email: "expert@example.cn", Subject: "评标邀请\r\nBcc: evil@example.cn",
		Text: "评标时间：2026年12月3日 09:00；地点：第一评标室；专业：A0801。", Link: "https://ggzy.test/workbench/invitations/abc"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), Message{Text: "x"}); !errors.Is(err, ErrNoAddress) {
		t.Fatalf("no address: %v", err)
	}
	if err := m.Send(context.Background(), Message{Email: "not an address", Text: "x"}); err == nil {
		t.Fatal("bad address accepted")
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.msgs) != 1 {
		t.Fatalf("server received %d messages", len(sink.msgs))
	}
	got := sink.msgs[0]
	if got.from != "noreply@ggzy.test" || len(got.to) != 1 || got.to[0] != "expert@example.cn" {
		t.Fatalf("envelope %q → %q", got.from, got.to)
	}
	head, body, _ := strings.Cut(got.data, "\r\n\r\n")
	if strings.Contains(strings.ToLower(head), "\r\nbcc:") {
		t.Fatalf("subject injected a header:\n%s", head)
	}
	var subject string
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			subject, _ = new(mime.WordDecoder).DecodeHeader(v)
		}
	}
	if !strings.HasPrefix(subject, "评标邀请") {
		t.Fatalf("subject %q", subject)
	}
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSpace(body), "\r\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "专业：A0801") || !strings.Contains(string(text), msg.Link) {
		t.Fatalf("body %q", text)
	}
}

func TestMailServerDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	m := &Mail{Addr: addr, From: "noreply@ggzy.test", Timeout: time.Second}
	if err := m.Send(context.Background(), Message{Email: "a@b.cn", Text: "x"}); err == nil {
		t.Fatal("sent to a closed port")
	}
}

func TestResultLabels(t *testing.T) {
	for _, r := range []Result{Accepted, Declined, NoAnswer, Busy, Failed} {
		if !r.Valid() || r.Label() == "" {
			t.Errorf("%s has no label", r)
		}
		b, _ := json.Marshal(r)
		if string(b) != `"`+string(r)+`"` {
			t.Errorf("%s marshals as %s", r, b)
		}
	}
	if Result("x").Valid() {
		t.Error("unknown result valid")
	}
	if err := (InApp{}).Send(context.Background(), Message{}); err != nil {
		t.Error(err)
	}
}
