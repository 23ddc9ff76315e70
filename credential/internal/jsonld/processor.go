// Package jsonld turns JSON-LD documents into RDF for canonicalization,
// offline and fast.
//
// Context documents come only from a fixed, bundled set: a context URL
// outside it is an error, never a network request. Processed contexts are
// cached, keyed by the active context and the local context, which is where
// a general processor spends most of its time on Verifiable Credentials.
//
// The fast path implements the parts of JSON-LD 1.1 expansion and RDF
// deserialization that credentials use (node objects, value objects, @id
// and @type, @set containers, property-, type- and embedded contexts,
// protected terms). A document that needs anything else (lists, graphs,
// language maps, numbers, @reverse, @nest, ...) is handed to the general
// path built on json-gold, with the same strictness checks.
//
// Both paths reject what a JSON-LD processor would otherwise drop silently,
// so that nothing a reader sees goes unsigned: properties and types the
// contexts do not define, and identifiers that are not absolute IRIs.
package jsonld

import (
	"encoding/json"
	"errors"
	"fmt"

	"talentloop/credential/internal/rdfc"
)

// Processor converts JSON-LD documents to RDF. It is safe for concurrent
// use.
type Processor struct {
	raw   map[string][]byte
	docs  map[string]any
	cache contextCache
	root  *Context
	// DisableFastPath sends every document to the general path (for
	// comparisons and benchmarks).
	DisableFastPath bool
}

// NewProcessor returns a processor that loads contexts only from docs, a
// map from context URL to the JSON context document.
func NewProcessor(docs map[string][]byte) (*Processor, error) {
	p := &Processor{
		raw:   docs,
		docs:  make(map[string]any, len(docs)),
		cache: contextCache{m: make(map[cacheKey]*Context)},
		root:  &Context{id: nextID(), terms: map[string]*termDef{}, cacheable: true},
	}
	for url, b := range docs {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("jsonld: context %s: %w", url, err)
		}
		p.docs[url] = v
	}
	return p, nil
}

// ToRDF returns the RDF statements of doc, a JSON object decoded with
// encoding/json. The document is not modified.
func (p *Processor) ToRDF(doc map[string]any) ([]rdfc.Quad, error) {
	if !p.DisableFastPath {
		q, err := p.fastToRDF(doc)
		if !errors.Is(err, errUnsupported) {
			return q, err
		}
	}
	return p.generalToRDF(doc)
}

// Canonicalize returns the RDFC-1.0 canonical N-Quads of doc.
func (p *Processor) Canonicalize(doc map[string]any) ([]byte, error) {
	q, err := p.ToRDF(doc)
	if err != nil {
		return nil, err
	}
	out, err := rdfc.Canonicalize(q, nil)
	if errors.Is(err, rdfc.ErrTooComplex) {
		return nil, errorf(CodeTooComplex, "%v", err)
	}
	return out, err
}

// FastPathSupports reports whether the fast path handles doc by itself.
func (p *Processor) FastPathSupports(doc map[string]any) bool {
	_, err := p.fastToRDF(doc)
	return !errors.Is(err, errUnsupported)
}

// GeneralToRDF converts doc with the general (json-gold) path only.
func (p *Processor) GeneralToRDF(doc map[string]any) ([]rdfc.Quad, error) {
	return p.generalToRDF(doc)
}

func (p *Processor) fastToRDF(doc map[string]any) ([]rdfc.Quad, error) {
	e := emitter{p: p, quads: make([]rdfc.Quad, 0, 64)}
	if _, _, err := e.node(p.root, nil, doc, true); err != nil {
		return nil, err
	}
	return e.quads, nil
}
