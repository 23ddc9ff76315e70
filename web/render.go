package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"talentloop"
)

// page is what every template receives.
type page struct {
	Title string
	Lang  string
	User  *talentloop.User
	CSRF  string
	Path  string
	Flash string
	// FlashError shows the flash as an error.
	FlashError bool
	// Unread counts the user's unread notifications, for the bell.
	Unread int
	Errors map[string]string // field → translated message
	Form   map[string]string // the user's input, to re-render a form
	Data   map[string]any
	Config Config
}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	files, err := assets.ReadDir("templates")
	if err != nil {
		return err
	}
	layout, err := assets.ReadFile("templates/layout.html")
	if err != nil {
		return err
	}
	partials, err := assets.ReadFile("templates/partials.html")
	if err != nil {
		return err
	}
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		body, err := assets.ReadFile("templates/" + f.Name())
		if err != nil {
			return err
		}
		t := template.New("layout").Funcs(s.funcs())
		if _, err := t.Parse(string(layout)); err != nil {
			return fmt.Errorf("layout.html: %w", err)
		}
		if _, err := t.Parse(string(partials)); err != nil {
			return fmt.Errorf("partials.html: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		s.pages[name] = t
	}
	return nil
}

var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
var sanitizer = bluemonday.UGCPolicy()

// renderMarkdown turns untrusted Markdown into sanitized HTML.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}

// yuan formats an amount in fen as a price.
func yuan(fen int64, currency string) string {
	sym := "¥"
	if currency == "USD" {
		sym = "$"
	}
	neg := ""
	if fen < 0 {
		neg, fen = "-", -fen
	}
	whole, cents := fen/100, fen%100
	ws := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, c := range ws {
		if i > 0 && (len(ws)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if cents == 0 {
		return neg + sym + b.String()
	}
	return fmt.Sprintf("%s%s%s.%02d", neg, sym, b.String(), cents)
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t": func(lang, key string, args ...any) string {
			if len(args) > 0 {
				return fmt.Sprintf(tr(lang, key), args...)
			}
			return tr(lang, key)
		},
		"in":    func(t talentloop.Text, lang string) string { return t.In(lang) },
		"md":    func(t talentloop.Text, lang string) template.HTML { return renderMarkdown(t.In(lang)) },
		"price": yuan,
		"initial": func(name string) string {
			for _, r := range strings.TrimSpace(name) {
				return strings.ToUpper(string(r))
			}
			return "?"
		},
		"dict2": func(v any, lang string) map[string]any { return map[string]any{"V": v, "Lang": lang} },
		"add":   func(a, b int) int { return a + b },
		"pct": func(a, b int) int {
			if b == 0 {
				return 0
			}
			return a * 100 / b
		},
		"date":     func(t any) string { return formatTime(t, "2006-01-02") },
		"datetime": func(t any) string { return formatTime(t, "2006-01-02 15:04") },
		"deref":    func(b *bool) bool { return b != nil && *b },
		"deref64": func(n *int64) int64 {
			if n == nil {
				return 0
			}
			return *n
		},
		"mdText": func(src string) template.HTML { return renderMarkdown(src) },
		"bytes":  humanBytes,
		"list":   func(xs ...string) []string { return xs },
		"since":  func(lang string, t time.Time) string { return since(lang, time.Since(t)) },
		// with returns the current query with key set to value, as a link.
		"withQuery": func(q url.Values, key, value string) template.URL {
			c := url.Values{}
			for k, v := range q {
				c[k] = v
			}
			c.Set(key, value)
			return template.URL("?" + c.Encode())
		},
		"reason": func(lang, code, message string) string {
			if m, ok := messages["reason."+code]; ok {
				if lang == "en" {
					return m[1]
				}
				return m[0]
			}
			return message
		},
		"notice": func(lang string, n *talentloop.Notification) string { return noticeText(lang, n) },
		"hours": func(lang string, h float64, n int) string {
			if n == 0 {
				return "—"
			}
			return fmt.Sprintf(tr(lang, "qa.hours"), h)
		},
		"hasRole":   func(u *talentloop.User, r string) bool { return u.HasRole(talentloop.Role(r)) },
		"roleName":  func(lang string, r talentloop.Role) string { return tr(lang, "role."+string(r)) },
		"chainName": func(lang, code string) string { return tr(lang, "chain."+code) },
		"levelName": func(lang, level string) string { return tr(lang, "level."+level) },
		"stars": func(n int) []bool {
			out := make([]bool, 5)
			for i := range out {
				out[i] = i < n
			}
			return out
		},
		"otherLang": func(lang string) string {
			if lang == "en" {
				return "zh"
			}
			return "en"
		},
		"json": func(v any) string { b, _ := json.MarshalIndent(v, "", "  "); return string(b) },
		"contains": func(list []talentloop.Role, r talentloop.Role) bool {
			for _, x := range list {
				if x == r {
					return true
				}
			}
			return false
		},
	}
}

// render writes a page with the layout.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	st := state(r)
	p.Lang, p.User, p.CSRF, p.Path, p.Config = st.lang, st.user, st.csrf, r.URL.RequestURI(), s.Config
	if r.Method != http.MethodGet {
		// The language switch returns to Path: after a form post, that is
		// the page the form came from, not the POST-only address.
		p.Path = "/"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") {
			p.Path = ref.RequestURI()
		}
	}
	if st.user != nil && s.Learning != nil {
		p.Unread, _ = s.Learning.UnreadCount(r.Context(), st.user.ID)
	}
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	if c, err := r.Cookie("tl_flash"); err == nil && p.Flash == "" {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			p.Flash = tr(st.lang, v)
		}
		s.clearCookie(w, r, "tl_flash")
	}
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.Error("render", "template", name, "err", err)
		http.Error(w, tr(st.lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages run no script; styles are ours (plus the width of bars).
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	w.Header().Set("Content-Language", map[string]string{"zh": "zh-CN", "en": "en"}[st.lang])
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// redirect sends the browser on after a successful form, with a flash
// message key shown on the next page.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		s.setCookie(w, r, "tl_flash", url.QueryEscape(flash), time.Minute, true)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// formError re-renders a form with the user's input and translated field
// errors, or returns the error when it is not about the input.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) error {
	var e *talentloop.Error
	if !errors.As(err, &e) || (e.Code != talentloop.EINVALID && e.Code != talentloop.ECONFLICT && e.Code != talentloop.ETOOMANY && e.Code != talentloop.EUNAUTHORIZED) {
		return err
	}
	lang := state(r).lang
	p.Errors = map[string]string{}
	for k, v := range e.Fields {
		p.Errors[k] = tr(lang, v)
	}
	p.Flash, p.FlashError = s.errorText(lang, err), true
	if p.Form == nil {
		p.Form = formValues(r)
	}
	s.render(w, r, statusOf(e.Code), name, p)
	return nil
}

// formValues copies a posted form, minus secrets, for re-rendering.
func formValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.PostForm {
		if strings.Contains(k, "password") || k == "csrf" {
			continue
		}
		out[k] = strings.Join(v, "\n")
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads a JSON body into v, rejecting unknown fields and trailing
// data with a clear message.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return jsonError(err)
	}
	if dec.More() {
		return talentloop.Errorf(talentloop.EINVALID, "err.json_trailing")
	}
	return nil
}

// pathID parses a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, talentloop.Errorf(talentloop.ENOTFOUND, "err.page_not_found")
	}
	return id, nil
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func constantEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/dashboard"
	}
	return path.Clean("/"+strings.SplitN(next, "?", 2)[0]) + func() string {
		if i := strings.Index(next, "?"); i >= 0 {
			return next[i:]
		}
		return ""
	}()
}

// beijing is the time zone the UI shows times in: China Standard Time has
// no daylight saving, so a fixed offset is exact.
var beijing = time.FixedZone("CST", 8*3600)

// formatTime formats a time or *time.Time in Beijing time; nil is "—".
func formatTime(v any, layout string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "—"
		}
		t = *x
	default:
		return ""
	}
	return t.In(beijing).Format(layout)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// noticeText words a notification in lang from its kind and parameters.
func noticeText(lang string, n *talentloop.Notification) string {
	p := func(key string) string {
		if lang == "en" && n.Params[key+"_en"] != "" {
			return n.Params[key+"_en"]
		}
		return n.Params[key]
	}
	switch n.Kind {
	case talentloop.NotifyReview:
		return fmt.Sprintf(tr(lang, "notice.review"), p("project"), tr(lang, "review."+n.Params["result"]), n.Params["total"], n.Params["max"])
	case talentloop.NotifyAnswer:
		return fmt.Sprintf(tr(lang, "notice.answer"), n.Params["question"])
	case talentloop.NotifyQuestion:
		return fmt.Sprintf(tr(lang, "notice.question"), n.Params["question"])
	case talentloop.NotifyOrderPaid:
		return fmt.Sprintf(tr(lang, "notice.order_paid"), p("program"))
	case talentloop.NotifyRefund:
		return fmt.Sprintf(tr(lang, "notice.refund"), p("program"))
	case talentloop.NotifyCertStatus:
		return fmt.Sprintf(tr(lang, "notice.cert_"+n.Params["status"]), p("program"))
	case talentloop.NotifyCertificate:
		return fmt.Sprintf(tr(lang, "notice.certificate"), p("program"))
	case talentloop.NotifyCompletion:
		return fmt.Sprintf(tr(lang, "notice.completion_"+n.Params["what"]), p("title"))
	}
	return n.Kind
}

// jsonError explains a JSON decoding failure in the caller's terms: where
// the syntax broke, which field has the wrong type, which field is unknown.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return talentloop.Errorf(talentloop.EINVALID, "err.json_empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return talentloop.Errorf(talentloop.EINVALID, "err.json_truncated")
	case errors.As(err, &syn):
		return talentloop.Errorf(talentloop.EINVALID, "err.json_syntax", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &talentloop.Error{Code: talentloop.EINVALID, Message: "err.json_type", Args: []any{field, jsonKind(typ.Type.Kind().String())},
			Fields: map[string]string{field: "err.json_type_field"}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &talentloop.Error{Code: talentloop.EINVALID, Message: "err.json_unknown_field", Args: []any{field}, Fields: map[string]string{field: "err.json_unknown_field_short"}}
	}
	return talentloop.Errorf(talentloop.EINVALID, "err.json_syntax", 0)
}

// jsonKind names a Go kind as a JSON type.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "string":
		return "string"
	case kind == "bool":
		return "boolean"
	case kind == "slice" || kind == "array":
		return "array"
	}
	return "object"
}

// since words a waiting time: minutes, hours, or days and hours.
func since(lang string, d time.Duration) string {
	h := int(d.Hours())
	switch {
	case h < 1:
		return fmt.Sprintf(tr(lang, "time.minutes"), int(d.Minutes()))
	case h < 48:
		return fmt.Sprintf(tr(lang, "time.hours"), h)
	}
	return fmt.Sprintf(tr(lang, "time.days_hours"), h/24, h%24)
}
