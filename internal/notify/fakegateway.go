package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"ggzy/internal/clock"
)

// FakeGateway is a voice gateway for the demo and for tests that speaks
// the real protocol: it checks the signature of each call request, records
// it, decides the answer with Answer, and reports it by POSTing a signed
// Callback to the request's callback URL.
//
// Callbacks wait in a queue until Flush delivers them (tests: deterministic,
// no sleeping), or are delivered right away in the background when Auto is
// set (the demo).
type FakeGateway struct {
	Key    []byte
	Clock  clock.Clock
	Answer func(CallRequest) Result // "" = never call back (the expert does not answer)
	Auto   bool

	srv     *httptest.Server
	client  *http.Client
	mu      sync.Mutex
	calls   []CallRequest
	pending []answered
	wg      sync.WaitGroup
}

// NewFakeGateway starts a fake gateway on a local port.
func NewFakeGateway(key []byte, clk clock.Clock, answer func(CallRequest) Result) *FakeGateway {
	g := &FakeGateway{Key: key, Clock: clk, Answer: answer, client: &http.Client{Timeout: 10 * time.Second}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// URL is the call endpoint to configure in Voice.URL.
func (g *FakeGateway) URL() string { return g.srv.URL + "/calls" }

// Close stops the gateway after any background callbacks finished.
func (g *FakeGateway) Close() {
	g.wg.Wait()
	g.srv.Close()
}

// Calls returns every call request received, in order.
func (g *FakeGateway) Calls() []CallRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]CallRequest(nil), g.calls...)
}

func (g *FakeGateway) now() time.Time {
	if g.Clock == nil {
		return time.Now()
	}
	return g.Clock.Now()
}

func (g *FakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/calls" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if err := VerifySignature(g.Key, r.Header.Get(SignatureHeader), body, g.now(), DefaultWindow); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var req CallRequest
	if err := json.Unmarshal(body, &req); err != nil || !ValidCallID(req.CallID) || req.Phone == "" || req.CallbackURL == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.calls = append(g.calls, req)
	answer, auto := g.Answer, g.Auto
	g.mu.Unlock()
	// The answer is decided outside the lock: it may look at Calls.
	if answer != nil {
		if res := answer(req); res != "" {
			a := answered{req, res}
			if auto {
				g.wg.Add(1)
				go func() {
					defer g.wg.Done()
					g.deliver(context.Background(), a)
				}()
			} else {
				g.mu.Lock()
				g.pending = append(g.pending, a)
				g.mu.Unlock()
			}
		}
	}
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprint(w, `{"accepted":true}`)
}

// Flush delivers every queued callback, including those queued by calls
// that the callbacks themselves cause, and returns how many it delivered.
func (g *FakeGateway) Flush(ctx context.Context) (int, error) {
	n := 0
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.mu.Unlock()
			return n, nil
		}
		a := g.pending[0]
		g.pending = g.pending[1:]
		g.mu.Unlock()
		if err := g.deliver(ctx, a); err != nil {
			return n, err
		}
		n++
	}
}

// Pending is the number of callbacks waiting for Flush.
func (g *FakeGateway) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pending)
}

// answered is a call with the answer decided when it came in.
type answered struct {
	req CallRequest
	res Result
}

func (g *FakeGateway) deliver(ctx context.Context, a answered) error {
	body, _ := json.Marshal(Callback{CallID: a.req.CallID, Result: a.res})
	return PostCallback(ctx, g.client, a.req.CallbackURL, g.Key, g.now(), body)
}

// PostCallback sends a signed callback body to url as a gateway would.
func PostCallback(ctx context.Context, c *http.Client, url string, key []byte, at time.Time, body []byte) error {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(SignatureHeader, Sign(key, at, body))
	resp, err := c.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback %s: HTTP %d: %s", url, resp.StatusCode, msg)
	}
	return nil
}
