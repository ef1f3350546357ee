package httpserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/relay"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "hh_session"

type requestIDKey struct{}

// RequestID returns the request's ID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogHandler adds the request ID to every log record made with a request's context.
type LogHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
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
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (WebSocket hijacking, flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestLog gives every request an ID, logs it when done, and records metrics.
func (s *Server) requestLog(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(ctx, "panic", "panic", p)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			s.metrics.observeHTTP(route, r.Method, sw.status, d)
			level := slog.LevelInfo
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				level = slog.LevelDebug
			}
			s.log.Log(ctx, level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// securityHeaders sets headers every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// limitBody caps the size of request bodies.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, "err_too_large", "BAD_REQUEST")
			return
		}
		if r.Body != nil && r.Body != http.NoBody && !isWebSocket(r) {
			// Read the (bounded) body first, so that a too large one gets a clear 413
			// whether or not it announced its length.
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, "err_too_large", "BAD_REQUEST")
				} else {
					writeGraphQLError(w, r, http.StatusBadRequest, "err_bad_request", "BAD_REQUEST")
				}
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// authenticate finds the viewer from the bearer token or the session cookie, and
// decides the request's language. A bad bearer token is refused with UNAUTHENTICATED; a
// stale cookie is cleared and the request goes on anonymously.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang, fromHeader := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
		ctx = i18n.WithLanguage(ctx, lang)
		var viewer *accounts.Viewer
		if tok, present := bearerToken(r); present {
			v, err := s.accounts.Authenticate(ctx, tok)
			if err != nil {
				s.logAuthError(ctx, err)
				writeGraphQLError(w, r.WithContext(ctx), http.StatusUnauthorized, "err_unauthenticated", "UNAUTHENTICATED")
				return
			}
			viewer = v
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			v, err := s.accounts.Authenticate(ctx, c.Value)
			if err != nil {
				s.logAuthError(ctx, err)
				s.clearCookie(w)
			} else {
				viewer = v
				ctx = context.WithValue(ctx, cookieAuthKey{}, true)
			}
		}
		if viewer != nil && !fromHeader {
			lang = viewer.PreferredLanguage
			ctx = i18n.WithLanguage(ctx, lang)
		}
		if h := r.Header.Get("Act-On-Behalf-Of"); h != "" {
			v, ok := s.actOnBehalf(ctx, viewer, h)
			if !ok {
				writeGraphQLError(w, r.WithContext(ctx), http.StatusForbidden, "err_forbidden", "FORBIDDEN")
				return
			}
			viewer = v
		}
		w.Header().Set("Content-Language", lang)
		ctx = accounts.WithViewer(ctx, viewer)
		ctx = accounts.WithClientMeta(ctx, accounts.ClientMeta{IP: clientIP(r), UserAgent: r.UserAgent()})
		ctx = withResponseWriter(ctx, w)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) logAuthError(ctx context.Context, err error) {
	if !isUnauthenticated(err) {
		s.log.ErrorContext(ctx, "authenticate", "err", err)
	}
}

type cookieAuthKey struct{}

// csrf refuses cookie-authenticated requests that a browser could send cross-site
// without a CORS preflight (GET, or a form/multipart/text content type) unless they
// carry a header only scripts can set — as Apollo Server does.
func csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cookie, _ := r.Context().Value(cookieAuthKey{}).(bool); cookie && !isWebSocket(r) && needsPreflightHeader(r) {
			writeGraphQLError(w, r, http.StatusBadRequest, "err_bad_request", "CSRF_PREVENTION")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func needsPreflightHeader(r *http.Request) bool {
	if r.Header.Get("Apollo-Require-Preflight") != "" || r.Header.Get("X-Apollo-Operation-Name") != "" ||
		r.Header.Get("GraphQL-Require-Preflight") != "" {
		return false
	}
	if r.Method == http.MethodOptions {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true
	}
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

type responseWriterKey struct{}

func withResponseWriter(ctx context.Context, w http.ResponseWriter) context.Context {
	return context.WithValue(ctx, responseWriterKey{}, w)
}

// cookies implements graph.SessionCookies on the current response.
type cookies struct{ s *Server }

func (c cookies) Set(ctx context.Context, token string, expires time.Time) {
	if w, ok := ctx.Value(responseWriterKey{}).(http.ResponseWriter); ok {
		http.SetCookie(w, &http.Cookie{
			Name: SessionCookie, Value: token, Path: "/", Expires: expires, HttpOnly: true,
			Secure: c.s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode,
		})
	}
}

func (c cookies) Clear(ctx context.Context) {
	if w, ok := ctx.Value(responseWriterKey{}).(http.ResponseWriter); ok {
		c.s.clearCookie(w)
	}
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode})
}

// actOnBehalf turns a matchmaker's request into one on behalf of the person named in the
// Act-On-Behalf-Of header (a Person ID), when the person's consent holds.
func (s *Server) actOnBehalf(ctx context.Context, viewer *accounts.Viewer, personID string) (*accounts.Viewer, bool) {
	if viewer == nil || !viewer.IsMatchmaker || s.onBehalf == nil {
		return nil, false
	}
	key, err := relay.FromID("Person", personID)
	if err != nil {
		return nil, false
	}
	ok, err := s.onBehalf.ActiveConsent(ctx, viewer.PersonID, key)
	if err != nil {
		s.log.ErrorContext(ctx, "check on-behalf consent", "err", err)
		return nil, false
	}
	if !ok {
		return nil, false
	}
	return &accounts.Viewer{PersonID: key, OnBehalfOf: viewer.PersonID, SessionID: viewer.SessionID,
		PreferredLanguage: viewer.PreferredLanguage}, true
}
