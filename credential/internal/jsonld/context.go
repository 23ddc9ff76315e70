package jsonld

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Container flags of a term definition.
const (
	containerSet uint8 = 1 << iota
	containerList
	containerGraph
	containerIndex
	containerLanguage
	containerID
	containerType
)

var lastID atomic.Uint64

func nextID() uint64 { return lastID.Add(1) }

// termDef is a JSON-LD term definition. Term definitions are immutable once
// added to a context and are shared between contexts.
type termDef struct {
	id        uint64 // identifies the definition (and its scoped context) in caches
	iri       string // "" means a null mapping
	prefix    bool
	protected bool
	typ       string
	container uint8
	hasCtx    bool
	ctx       any // scoped context, as found in the defining context
	baseURL   string
	// Features the fast path does not implement: a term using one of them
	// makes the document go to the general path.
	reverse bool
	other   bool
	// trusted: the definition comes from a bundled context, so its scoped
	// context may be cached.
	trusted bool
}

func (d *termDef) sameAs(o *termDef) bool {
	return d.iri == o.iri && d.prefix == o.prefix && d.typ == o.typ &&
		d.container == o.container && d.hasCtx == o.hasCtx && d.reverse == o.reverse &&
		d.other == o.other && (!d.hasCtx || reflect.DeepEqual(d.ctx, o.ctx))
}

// Context is an active context. It is immutable after processing, so that
// processed contexts can be cached and shared by concurrent callers.
type Context struct {
	id        uint64
	terms     map[string]*termDef
	vocab     string
	hasVocab  bool
	previous  *Context
	cacheable bool // built only from bundled documents and their scoped contexts
}

func (c *Context) clone() *Context {
	n := &Context{id: nextID(), terms: make(map[string]*termDef, len(c.terms)+8),
		vocab: c.vocab, hasVocab: c.hasVocab, previous: c.previous, cacheable: c.cacheable}
	for k, v := range c.terms {
		n.terms[k] = v
	}
	return n
}

func (c *Context) hasProtected() bool {
	for _, d := range c.terms {
		if d.protected {
			return true
		}
	}
	return false
}

type cacheKey struct {
	ctx   uint64
	def   uint64 // the term definition holding a scoped context, or 0
	local string // a context URL, or URLs joined by NUL
	flags uint8
}

const (
	flagOverride uint8 = 1 << iota
	flagNoPropagate
	flagNoValidate
)

// maxCached bounds the processed-context cache; past it, results are
// computed but not kept, so hostile documents cannot grow memory.
const maxCached = 4096

type contextCache struct {
	mu sync.RWMutex
	m  map[cacheKey]*Context
}

func (c *contextCache) get(k cacheKey) *Context {
	c.mu.RLock()
	v := c.m[k]
	c.mu.RUnlock()
	return v
}

func (c *contextCache) put(k cacheKey, v *Context) {
	c.mu.Lock()
	if len(c.m) < maxCached {
		c.m[k] = v
	}
	c.mu.Unlock()
}

// localKey returns the cache key of a local context, or ok=false when it
// cannot be cached (an inline context from a document).
func localKey(local any, def *termDef) (defID uint64, key string, ok bool) {
	if def != nil {
		return def.id, "", true
	}
	switch v := local.(type) {
	case string:
		return 0, v, true
	case []any:
		if len(v) == 1 {
			if s, ok := v[0].(string); ok {
				return 0, s, true
			}
		}
		// Arrays get a prefix no URL has, so that [] and "" differ.
		var b strings.Builder
		b.WriteByte(1)
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return 0, "", false
			}
			b.WriteString(s)
			b.WriteByte(0)
		}
		return 0, b.String(), true
	}
	return 0, "", false
}

type processOpts struct {
	override    bool
	noPropagate bool
	noValidate  bool
	// trusted marks a local context that comes from a bundled document
	// (or a scoped context defined in one); it is not part of cache keys.
	trusted bool
}

func (o processOpts) flags() uint8 {
	var f uint8
	if o.override {
		f |= flagOverride
	}
	if o.noPropagate {
		f |= flagNoPropagate
	}
	if o.noValidate {
		f |= flagNoValidate
	}
	return f
}

const maxRemoteDepth = 16

// process runs the JSON-LD 1.1 Context Processing algorithm, with results
// cached when active and local contexts both come from bundled documents.
// def, when set, is the term definition whose scoped context local is.
func (p *Processor) process(active *Context, local any, def *termDef, o processOpts, remote []string) (*Context, error) {
	var key cacheKey
	cache := false
	defID, lk, keyed := localKey(local, def)
	if def != nil {
		o.trusted = def.trusted
	} else if keyed {
		// URLs are trusted: only bundled documents are ever loaded.
		o.trusted = true
	}
	if active.cacheable && o.trusted {
		if keyed {
			key = cacheKey{ctx: active.id, def: defID, local: lk, flags: o.flags()}
			if c := p.cache.get(key); c != nil {
				return c, nil
			}
			cache = true
		}
	}
	res, err := p.processUncached(active, local, def, o, remote)
	if err != nil {
		return nil, err
	}
	if cache && res.cacheable {
		p.cache.put(key, res)
	}
	return res, nil
}

func (p *Processor) processUncached(active *Context, local any, def *termDef, o processOpts, remote []string) (*Context, error) {
	result := active.clone()
	result.cacheable = active.cacheable && o.trusted
	propagate := !o.noPropagate
	if m, ok := local.(map[string]any); ok {
		if v, ok := m["@propagate"]; ok {
			b, ok := v.(bool)
			if !ok {
				return nil, errorf(CodeInvalid, "@propagate must be true or false")
			}
			propagate = b
		}
	}
	if !propagate && result.previous == nil {
		result.previous = active
	}
	items, ok := local.([]any)
	if !ok {
		items = []any{local}
	}
	for _, item := range items {
		switch ctx := item.(type) {
		case nil:
			if !o.override && result.hasProtected() {
				return nil, errorf(CodeInvalid, "a context may not be nulled while protected terms are defined")
			}
			prev := result.previous
			result = &Context{id: nextID(), terms: map[string]*termDef{}, cacheable: result.cacheable}
			if !propagate {
				result.previous = prev
			}
		case string:
			if o.noValidate && contains(remote, ctx) {
				continue
			}
			if len(remote) >= maxRemoteDepth {
				return nil, errorf(CodeInvalid, "too many nested remote contexts")
			}
			doc, err := p.loadContext(ctx)
			if err != nil {
				return nil, err
			}
			r, err := p.processUncached(result, doc, nil, processOpts{noValidate: o.noValidate, trusted: true}, append(slicesClone(remote), ctx))
			if err != nil {
				return nil, err
			}
			r.cacheable = result.cacheable
			result = r
		case map[string]any:
			if err := p.processObject(result, ctx, o, remote); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(CodeInvalid, "a context must be a URL, an object or null")
		}
	}
	return result, nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// loadContext returns the @context value of a bundled context document.
func (p *Processor) loadContext(url string) (any, error) {
	doc, ok := p.docs[url]
	if !ok {
		return nil, errorf(CodeUnknownContext, "unknown context %q: only bundled contexts are loaded", url)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, errorf(CodeInvalid, "context document %q is not an object", url)
	}
	c, ok := m["@context"]
	if !ok {
		return nil, errorf(CodeInvalid, "context document %q has no @context", url)
	}
	return c, nil
}

func (p *Processor) processObject(result *Context, ctx map[string]any, o processOpts, remote []string) error {
	if v, ok := ctx["@version"]; ok {
		if f, ok := v.(float64); !ok || f != 1.1 {
			return errorf(CodeInvalid, "invalid @version")
		}
	}
	for _, k := range [...]string{"@import", "@base", "@language", "@direction"} {
		if _, ok := ctx[k]; ok {
			return unsupported()
		}
	}
	if v, ok := ctx["@vocab"]; ok {
		switch s := v.(type) {
		case nil:
			result.vocab, result.hasVocab = "", false
		case string:
			iri, err := p.expandIRIIn(result, s, true, ctx, map[string]bool{}, o.trusted)
			if err != nil {
				return err
			}
			if !isAbsoluteIRI(iri) && !strings.HasPrefix(iri, "_:") {
				return unsupported()
			}
			result.vocab, result.hasVocab = iri, true
		default:
			return errorf(CodeInvalid, "@vocab must be a string or null")
		}
	}
	protected := false
	if v, ok := ctx["@protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return errorf(CodeInvalid, "@protected must be true or false")
		}
		protected = b
	}
	defined := make(map[string]bool, len(ctx))
	// Sorted for deterministic errors; definitions do not depend on order.
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "@base", "@direction", "@import", "@language", "@propagate", "@protected", "@version", "@vocab":
			continue
		}
		if err := p.createTerm(result, ctx, k, defined, protected, o, remote); err != nil {
			return err
		}
	}
	return nil
}

var allowedDefKeys = map[string]bool{
	"@id": true, "@reverse": true, "@container": true, "@context": true, "@direction": true,
	"@index": true, "@language": true, "@nest": true, "@prefix": true, "@protected": true, "@type": true,
}

// createTerm implements the Create Term Definition algorithm.
func (p *Processor) createTerm(active *Context, local map[string]any, term string, defined map[string]bool, protected bool, o processOpts, remote []string) error {
	if done, ok := defined[term]; ok {
		if done {
			return nil
		}
		return errorf(CodeInvalid, "cyclic IRI mapping for term %q", term)
	}
	if term == "" {
		return errorf(CodeInvalid, "empty term")
	}
	defined[term] = false
	value := local[term]
	if term == "@type" {
		return unsupported()
	}
	if isKeyword(term) {
		return errorf(CodeInvalid, "keyword %q cannot be redefined", term)
	}
	if hasKeywordForm(term) {
		defined[term] = true
		return nil
	}
	previous := active.terms[term]
	delete(active.terms, term)
	simple := false
	var m map[string]any
	switch v := value.(type) {
	case nil:
		m = map[string]any{"@id": nil}
	case string:
		m = map[string]any{"@id": v}
		simple = true
	case map[string]any:
		m = v
	default:
		return errorf(CodeInvalid, "invalid definition of term %q", term)
	}
	def := &termDef{id: nextID(), protected: protected, trusted: o.trusted}
	if v, ok := m["@protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return errorf(CodeInvalid, "invalid @protected in term %q", term)
		}
		def.protected = b
	}
	if v, ok := m["@type"]; ok {
		s, ok := v.(string)
		if !ok {
			return errorf(CodeInvalid, "invalid type mapping of term %q", term)
		}
		t, err := p.expandIRIIn(active, s, true, local, defined, o.trusted)
		if err != nil {
			return err
		}
		switch {
		case isKeyword(t) && t != s:
			// A keyword reached through an alias: processors disagree.
			return unsupported()
		case t == "@id" || t == "@vocab" || t == "@none":
		case t == "@json":
			def.other = true
		case isAbsoluteIRI(t):
		default:
			return errorf(CodeInvalid, "invalid type mapping %q of term %q", s, term)
		}
		def.typ = t
	}
	if _, ok := m["@reverse"]; ok {
		def.reverse = true
	}
	idVal, hasID := m["@id"]
	switch {
	case def.reverse:
	case hasID && idVal != term:
		if idVal == nil {
			// A null mapping: the term is explicitly undefined.
			break
		}
		s, ok := idVal.(string)
		if !ok {
			return errorf(CodeInvalid, "invalid IRI mapping of term %q", term)
		}
		if !isKeyword(s) && hasKeywordForm(s) {
			defined[term] = true
			return nil
		}
		iri, err := p.expandIRIIn(active, s, true, local, defined, o.trusted)
		if err != nil {
			return err
		}
		if !isKeyword(iri) && !isAbsoluteIRI(iri) && !strings.HasPrefix(iri, "_:") {
			return errorf(CodeInvalid, "term %q maps to %q, which is not an absolute IRI", term, s)
		}
		if iri == "@context" {
			return errorf(CodeInvalid, "term %q may not map to @context", term)
		}
		def.iri = iri
		if i := strings.IndexByte(term, ':'); (i > 0 && i < len(term)-1) || strings.Contains(term, "/") {
			defined[term] = true
			exp, err := p.expandIRIIn(active, term, true, local, defined, o.trusted)
			if err != nil {
				return err
			}
			if exp != iri {
				return errorf(CodeInvalid, "term %q looks like an IRI but maps elsewhere", term)
			}
		}
		if !strings.Contains(term, ":") && !strings.Contains(term, "/") && simple &&
			(strings.HasPrefix(iri, "_:") || endsWithGenDelim(iri)) {
			def.prefix = true
		}
	case strings.Contains(term[1:], ":"):
		i := strings.IndexByte(term, ':')
		prefix, suffix := term[:i], term[i+1:]
		if _, ok := local[prefix]; ok {
			if err := p.createTerm(active, local, prefix, defined, protected, o, remote); err != nil {
				return err
			}
		}
		if pd := active.terms[prefix]; pd != nil && pd.iri != "" {
			def.iri = pd.iri + suffix
		} else {
			def.iri = term
		}
	case strings.Contains(term, "/"):
		return unsupported()
	case active.hasVocab:
		def.iri = active.vocab + term
	default:
		return errorf(CodeInvalid, "term %q has no IRI mapping and no @vocab applies", term)
	}
	if def.iri != "" && !def.reverse && !isKeyword(def.iri) && !strings.HasPrefix(def.iri, "_:") && !isAbsoluteIRI(def.iri) {
		return errorf(CodeInvalid, "term %q maps to %q, which is not an absolute IRI", term, def.iri)
	}
	if v, ok := m["@container"]; ok {
		var list []any
		switch c := v.(type) {
		case string:
			list = []any{c}
		case []any:
			list = c
		default:
			return errorf(CodeInvalid, "invalid @container of term %q", term)
		}
		for _, item := range list {
			s, _ := item.(string)
			switch s {
			case "@set":
				def.container |= containerSet
			case "@list":
				def.container |= containerList
			case "@graph":
				def.container |= containerGraph
			case "@index":
				def.container |= containerIndex
			case "@language":
				def.container |= containerLanguage
			case "@id":
				def.container |= containerID
			case "@type":
				def.container |= containerType
			default:
				return errorf(CodeInvalid, "invalid @container of term %q", term)
			}
		}
		if def.container&containerList != 0 && def.container != containerList {
			return errorf(CodeInvalid, "@list cannot be combined with other containers in term %q", term)
		}
	}
	for _, k := range [...]string{"@index", "@language", "@direction", "@nest"} {
		if _, ok := m[k]; ok {
			def.other = true
		}
	}
	if v, ok := m["@prefix"]; ok {
		b, ok := v.(bool)
		if !ok || strings.Contains(term, ":") || strings.Contains(term, "/") {
			return errorf(CodeInvalid, "invalid @prefix in term %q", term)
		}
		def.prefix = b
	}
	if v, ok := m["@context"]; ok {
		// Validate the scoped context now, as the algorithm requires; the
		// result is cached, so bundled contexts pay this once.
		if _, err := p.process(active, v, nil, processOpts{override: true, noValidate: true}, remote); err != nil {
			if err == errUnsupported {
				return err
			}
			return errorf(CodeInvalid, "invalid scoped context in term %q: %v", term, err)
		}
		def.hasCtx, def.ctx = true, v
	}
	for k := range m {
		if !allowedDefKeys[k] {
			return errorf(CodeInvalid, "invalid key %q in definition of term %q", k, term)
		}
	}
	if previous != nil && previous.protected && !o.override {
		if !def.sameAs(previous) {
			return errorf(CodeInvalid, "protected term %q cannot be redefined", term)
		}
		def = previous
	}
	active.terms[term] = def
	defined[term] = true
	return nil
}

func (p *Processor) expandIRI(active *Context, value string, docRelative, vocab bool, local map[string]any, defined map[string]bool) (string, error) {
	return p.expandIRIIn(active, value, vocab, local, defined, false)
}

// expandIRIIn is expandIRI during context processing, where trusted tells
// whether local comes from a bundled document.
func (p *Processor) expandIRIIn(active *Context, value string, vocab bool, local map[string]any, defined map[string]bool, trusted bool) (string, error) {
	if isKeyword(value) {
		return value, nil
	}
	if hasKeywordForm(value) {
		return "", nil
	}
	if local != nil {
		if _, ok := local[value]; ok && !defined[value] {
			if err := p.createTerm(active, local, value, defined, protectedOf(local), processOpts{trusted: trusted}, nil); err != nil {
				return "", err
			}
		}
	}
	if vocab {
		if d, ok := active.terms[value]; ok {
			if d.reverse {
				return "", unsupported()
			}
			return d.iri, nil
		}
	}
	if i := strings.IndexByte(value, ':'); i >= 1 {
		prefix, suffix := value[:i], value[i+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, nil
		}
		if local != nil {
			if _, ok := local[prefix]; ok && !defined[prefix] {
				if err := p.createTerm(active, local, prefix, defined, protectedOf(local), processOpts{trusted: trusted}, nil); err != nil {
					return "", err
				}
			}
		}
		if d, ok := active.terms[prefix]; ok && d.iri != "" && d.prefix {
			return d.iri + suffix, nil
		}
		if isAbsoluteIRI(value) {
			return value, nil
		}
	}
	if vocab && active.hasVocab {
		return active.vocab + value, nil
	}
	return value, nil
}

func protectedOf(local map[string]any) bool {
	b, _ := local["@protected"].(bool)
	return b
}
