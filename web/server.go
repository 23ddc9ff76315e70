// Package web serves talentloop over HTTP: the server-rendered HTML UI in
// 简体中文 and English, the JSON API under /api/v1 with its OpenAPI document,
// health and metrics. Every route is declared in routes.go with the roles
// that may call it, and that declaration is enforced here, on the server.
package web

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"talentloop"
)

//go:embed templates/*.html static
var assets embed.FS

// Database is what the server needs of the database beyond the services.
type Database interface {
	Ping(ctx context.Context) error
	Stats() (write, read sql.DBStats)
}

// Config holds the server's settings, built in cmd/talentloop.
type Config struct {
	// BaseURL is the public URL of the site, e.g. https://talentloop.example;
	// empty means the request's own host.
	BaseURL string
	// SecureCookies forces the Secure flag on cookies; it is set anyway when
	// the request came over TLS.
	SecureCookies bool
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// MaxBodyBytes limits request bodies (413 past it).
	MaxBodyBytes int64
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// Version is shown in the footer and /healthz.
	Version string
	// MaxFileBytes limits each submitted file (default 20 MB).
	MaxFileBytes int64
}

// Services are the domain services the server calls.
type Services struct {
	Users    talentloop.UserService
	Auth     talentloop.AuthService
	Catalog  talentloop.CatalogService
	Learning talentloop.LearningService
	// Certs issues and verifies certificates; CertStore lists and keeps them.
	Certs     talentloop.CertificateService
	CertStore talentloop.CertificateStore
}

// Server is the HTTP front of talentloop.
type Server struct {
	Services
	DB     Database
	Logger *slog.Logger
	Config Config

	mux     *http.ServeMux
	routes  []*route
	pages   map[string]*template.Template
	metrics *metrics
	static  http.Handler
}

// NewServer builds the server and its routes.
func NewServer(svc Services, db Database, logger *slog.Logger, cfg Config) (*Server, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = 20 << 20
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{Services: svc, DB: db, Logger: logger, Config: cfg, mux: http.NewServeMux(), metrics: newMetrics()}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	staticFS, _ := fs.Sub(assets, "static")
	s.static = http.StripPrefix("/static/", http.FileServerFS(staticFS))
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// ServeHTTP serves a request, recording its metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: 200}
	defer func() {
		if v := recover(); v != nil {
			s.Logger.Error("panic", "path", r.URL.Path, "panic", v)
			if !sw.wrote {
				http.Error(sw, "internal error", http.StatusInternalServerError)
			}
		}
		pattern := r.Pattern
		if pattern == "" || pattern == "/" {
			pattern = "other"
		}
		elapsed := time.Since(start)
		s.metrics.observe(pattern, sw.status, elapsed)
		level := slog.LevelInfo
		if strings.HasPrefix(pattern, "GET /static/") || pattern == "GET /healthz" || pattern == "GET /metrics" {
			level = slog.LevelDebug
		}
		s.Logger.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "route", pattern, "status", sw.status, "ms", elapsed.Milliseconds())
	}()
	sw.Header().Set("X-Content-Type-Options", "nosniff")
	sw.Header().Set("X-Frame-Options", "DENY")
	sw.Header().Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(sw, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// ctxKey keys the request state in a context.
type ctxKey struct{}

// reqState is what the server learns of a request before its handler runs.
type reqState struct {
	user         *talentloop.User
	session      *talentloop.Session
	sessionToken string
	viaToken     bool // authenticated by an API bearer token
	lang         string
	csrf         string
	api          bool
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{lang: "zh"}
}

// wrap returns the handler of a route: it authenticates the caller, enforces
// the route's access rule and CSRF, limits the body, and renders errors.
func (s *Server) wrap(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{api: rt.api}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		st.lang = s.language(r)
		if err := s.authenticate(w, r, st); err != nil {
			s.fail(w, r, err)
			return
		}
		if !rt.api {
			st.csrf = s.csrfCookie(w, r)
		}
		if err := rt.access.check(st.user); err != nil {
			s.fail(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			limit := s.Config.MaxBodyBytes
			if rt.upload {
				// Up to ten files of the configured size, plus the form.
				limit = 10*s.Config.MaxFileBytes + s.Config.MaxBodyBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := s.checkCSRF(r, st); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if err := rt.handler(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authenticate finds the caller from a bearer token or a session cookie.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, st *reqState) error {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.bad_token")
		}
		u, err := s.Auth.FindUserByAPIToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		st.user, st.viaToken = u, true
		return nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	sess, u, err := s.Auth.FindSession(r.Context(), c.Value)
	if talentloop.ErrorCode(err) == talentloop.EUNAUTHORIZED || talentloop.ErrorCode(err) == talentloop.ENOTFOUND {
		s.clearCookie(w, r, sessionCookie)
		return nil
	} else if err != nil {
		return err
	}
	st.user, st.session, st.sessionToken = u, sess, c.Value
	return nil
}

const (
	sessionCookie = "tl_session"
	csrfCookie    = "tl_csrf"
	langCookie    = "tl_lang"
)

func (s *Server) secure(r *http.Request) bool { return s.Config.SecureCookies || r.TLS != nil }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()), HttpOnly: httpOnly,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// csrfCookie returns the double-submit token of the browser, setting one
// when it has none. Forms carry it in a hidden field; scripts in a header.
func (s *Server) csrfCookie(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	v := randomToken()
	s.setCookie(w, r, csrfCookie, v, 365*24*time.Hour, true)
	return v
}

// checkCSRF rejects a state-changing request that rides on browser cookies
// without the matching token. Bearer-token API calls carry no cookies.
func (s *Server) checkCSRF(r *http.Request, st *reqState) error {
	if st.viaToken {
		return nil
	}
	if st.api && st.user == nil {
		// Anonymous API calls (register, token) act on no one's cookies.
		return nil
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return talentloop.Errorf(talentloop.EFORBIDDEN, "err.csrf")
	}
	sent := r.Header.Get("X-CSRF-Token")
	if sent == "" && !st.api {
		sent = r.PostFormValue("csrf")
	}
	if !constantEqual(sent, c.Value) {
		return talentloop.Errorf(talentloop.EFORBIDDEN, "err.csrf")
	}
	return nil
}

// clientIP is the address a request came from.
func (s *Server) clientIP(r *http.Request) string {
	if s.Config.TrustProxy {
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

// statusOf maps an application error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case talentloop.EINVALID:
		return http.StatusBadRequest
	case talentloop.ENOTFOUND:
		return http.StatusNotFound
	case talentloop.ECONFLICT:
		return http.StatusConflict
	case talentloop.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case talentloop.EFORBIDDEN:
		return http.StatusForbidden
	case talentloop.ETOOMANY:
		return http.StatusTooManyRequests
	case talentloop.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// fail renders an error as JSON for the API and as a page for the UI. An
// internal error is logged once, here, and shown without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = talentloop.Errorf(talentloop.ETOOLARGE, "err.too_large")
	}
	code := talentloop.ErrorCode(err)
	if code == talentloop.EINTERNAL {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	st := state(r)
	status := statusOf(code)
	msg := s.errorText(st.lang, err)
	if st.api || strings.HasPrefix(r.URL.Path, "/api/") {
		body := map[string]any{"code": code, "message": msg}
		var e *talentloop.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			fields := map[string]string{}
			for k, v := range e.Fields {
				fields[k] = tr(st.lang, v)
			}
			body["fields"] = fields
		}
		writeJSON(w, status, map[string]any{"error": body})
		return
	}
	if code == talentloop.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error", &page{Title: tr(st.lang, "title.error"), Data: map[string]any{"Status": status, "Message": msg}})
}

// errorText translates an error for the user.
func (s *Server) errorText(lang string, err error) string {
	var e *talentloop.Error
	if errors.As(err, &e) {
		return fmt.Sprintf(tr(lang, e.Message), e.Args...)
	}
	return tr(lang, "err.internal")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		// "/" is routed in the table; reaching here means a method mismatch.
		s.fail(w, r, talentloop.Errorf(talentloop.ENOTFOUND, "err.page_not_found"))
		return
	}
	st := &reqState{lang: s.language(r), api: strings.HasPrefix(r.URL.Path, "/api/")}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	if !st.api {
		s.authenticate(w, r, st)
	}
	s.fail(w, r, talentloop.Errorf(talentloop.ENOTFOUND, "err.page_not_found"))
}
