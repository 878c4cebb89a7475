package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyActor
	keyCSRF
	keySession
)

const (
	sessionCookie = "ggzy_session"
	csrfCookie    = "ggzy_csrf"
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
	maxFormBytes  = 1 << 20 // forms and JSON bodies; file uploads have their own limits
)

func actorOf(r *http.Request) auth.Actor {
	a, _ := r.Context().Value(keyActor).(auth.Actor)
	return a
}

func csrfOf(r *http.Request) string {
	c, _ := r.Context().Value(keyCSRF).(string)
	return c
}

func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
	})
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: never the query string or body,
// which may carry tokens or personal data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.observe(r, sw.status, d)
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("request_id", requestIDOf(r)), slog.String("method", r.Method),
			slog.String("path", loggedPath(r)), slog.Int("status", sw.status),
			slog.Duration("duration", d), slog.String("ip", s.loggedIP(r)))
	})
}

// loggedIP is the address for the request log, except for tender-document
// downloads: who obtained the documents is secret until the bid deadline
// (RULES B3), and an address next to a download path would tell.
func (s *Server) loggedIP(r *http.Request) string {
	if strings.Contains(r.URL.Path, "/documents/") || isLotPath(r.URL.Path) {
		return "（开标前保密）"
	}
	return s.clientIP(r)
}

// isLotPath reports a path of a lot's bids or opening (API or pages).
func isLotPath(p string) bool {
	return strings.HasPrefix(p, "/api/v1/lots/") || strings.HasPrefix(p, "/workbench/lots/")
}

// loggedPath is the path for the request log. For a lot's bids and opening
// it is the route (PUT /api/v1/lots/{lot}/bid), not the lot: a log of
// uploads per lot would count the bidders before the deadline (RULES B3).
func loggedPath(r *http.Request) string {
	if !isLotPath(r.URL.Path) {
		return r.URL.Path
	}
	if r.Pattern != "" {
		return r.Pattern
	}
	return "/…/lots/{lot}/…"
}

// securityHeaders sets a strict policy: only our own scripts and styles, no
// framing (clickjacking on bid and approval pages), no MIME sniffing.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("panic", "request_id", requestIDOf(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				writeProblem(w, problemOf(errs.E(errs.Internal, "panic"), requestIDOf(r)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address; X-Forwarded-For is trusted only when the
// operator says a proxy sits in front.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// identify finds out who is asking (API token, session cookie, or nobody)
// and enforces CSRF on every state-changing request that a browser could
// forge: every page form, and API calls carrying a live session or the
// anonymous CSRF cookie. Bearer-token calls are exempt; they carry no
// ambient credentials.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := s.clientIP(r)
		actor := auth.Public(ip)
		ctx := r.Context()
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			a, err := s.Auth.TokenActor(ctx, strings.TrimSpace(bearer), ip)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ctx = context.WithValue(ctx, keyActor, a)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		var expected string
		if c, err := r.Cookie(sessionCookie); err == nil {
			a, csrf, err := s.Auth.SessionActor(ctx, c.Value, ip)
			if err == nil {
				actor, expected = a, csrf
				ctx = context.WithValue(ctx, keySession, c.Value)
			} else {
				s.clearSession(w)
			}
		}
		if expected == "" {
			if isAPI(r) {
				// The API does not hand out the anonymous cookie: an API
				// client could not learn its value from the API, so its
				// next unsafe call (a second sign-in attempt, a
				// registration) would fail the check below.
				expected = anonymousToken(r)
			} else {
				expected = s.anonymousCSRF(w, r)
			}
		}
		// Pages always check. API calls are checked when they carry a
		// credential a browser adds by itself: a live session or the
		// sign-in forms' CSRF cookie. A call with neither acts for nobody.
		if unsafeMethod(r.Method) && (expected != "" || !isAPI(r)) {
			given := r.Header.Get(csrfHeader)
			switch {
			case given != "" || isAPI(r):
			case isMultipart(r):
				// File uploads stream their body to the blob store, so the
				// token travels in the form's action URL instead of a field
				// that would force reading the whole upload first.
				given = r.URL.Query().Get(csrfField)
			default:
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
				given = r.PostFormValue(csrfField)
			}
			if subtle.ConstantTimeCompare([]byte(given), []byte(expected)) != 1 {
				s.fail(w, r, errs.E(errs.Forbidden, "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试"))
				return
			}
		}
		ctx = context.WithValue(ctx, keyActor, actor)
		ctx = context.WithValue(ctx, keyCSRF, expected)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// anonymousCSRF is the double-submit token for visitors without a session
// (sign-in and registration forms).
func (s *Server) anonymousCSRF(w http.ResponseWriter, r *http.Request) string {
	if v := anonymousToken(r); v != "" {
		return v
	}
	b := make([]byte, 24)
	rand.Read(b)
	v := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	return v
}

// anonymousToken is the visitor's double-submit token, or "" if it has
// none (or a malformed one).
func anonymousToken(r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	return ""
}

// setSession sets the session cookie. Its lifetime is relative (Max-Age),
// so a visitor's wrong clock cannot cut a session short or stretch it.
func (s *Server) setSession(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(expires.Sub(s.Clock.Now()).Seconds())})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// fail renders err as problem JSON for the API and as a page otherwise,
// logging internal causes with the request id.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err, requestIDOf(r))
	if p.Code == errs.Internal {
		s.Log.Error("internal error", "request_id", requestIDOf(r), "path", r.URL.Path, "err", err)
	}
	if isAPI(r) {
		writeProblem(w, p)
		return
	}
	if p.Code == errs.Unauthenticated && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.renderStatus(w, r, p.Status, "error", map[string]any{"Problem": p})
}
