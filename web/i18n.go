package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// tr translates a message key into lang ("zh" or "en"). A missing key shows
// itself, and a test fails on any key used but not defined.
func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// language picks the UI language: the remembered switch, then the browser's
// Accept-Language, then 简体中文.
func (s *Server) language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}

// handleLang remembers the chosen language and goes back where the user was.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if lang != "zh" && lang != "en" {
		lang = "zh"
	}
	s.setCookie(w, r, langCookie, lang, 365*24*time.Hour, false)
	next := r.URL.Query().Get("next")
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// Message translates a message key, with its arguments, into lang; the
// command line uses it to explain errors.
func Message(lang, key string, args ...any) string {
	if len(args) > 0 {
		return fmt.Sprintf(tr(lang, key), args...)
	}
	return tr(lang, key)
}
