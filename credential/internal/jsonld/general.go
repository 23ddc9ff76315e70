package jsonld

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"

	"talentloop/credential/internal/rdfc"
)

// loader serves bundled context documents to json-gold and refuses every
// other URL, so the general path never reaches the network either.
type loader struct{ p *Processor }

func (l loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	b, ok := l.p.raw[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Sprintf("unknown context %q", u))
	}
	// A fresh copy each time: the caller may modify what it gets.
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, err.Error())
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: v}, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func (p *Processor) generalToRDF(doc map[string]any) (quads []rdfc.Quad, err error) {
	// json-gold is a large general library; whatever it does with hostile
	// input must not take the verifier down.
	defer func() {
		if r := recover(); r != nil {
			quads, err = nil, errorf(CodeInvalid, "JSON-LD processing failed: %v", r)
		}
	}()
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader{p}
	opts.SafeMode = true
	opts.ProcessingMode = ld.JsonLd_1_1
	expanded, err := ld.NewJsonLdProcessor().Expand(deepCopy(doc), opts)
	if err != nil {
		return nil, classifyGoldError(err)
	}
	// json-gold leaves relative IRIs out of the RDF without a word: find
	// them in the expanded form first.
	if err := checkExpandedIRIs(expanded); err != nil {
		return nil, err
	}
	ds, err := ld.NewJsonLdApi().ToRDF(expanded, opts)
	if err != nil {
		return nil, classifyGoldError(err)
	}
	for graph, list := range ds.Graphs {
		var g rdfc.Term
		if graph != "@default" {
			if strings.HasPrefix(graph, "_:") {
				g = rdfc.Blank(graph[2:])
			} else {
				g = rdfc.IRI(graph)
			}
		}
		for _, q := range list {
			s, err := goldTerm(q.Subject)
			if err != nil {
				return nil, err
			}
			pr, err := goldTerm(q.Predicate)
			if err != nil {
				return nil, err
			}
			o, err := goldTerm(q.Object)
			if err != nil {
				return nil, err
			}
			quads = append(quads, rdfc.Quad{S: s, P: pr, O: o, G: g})
		}
	}
	return quads, nil
}

func goldTerm(n ld.Node) (rdfc.Term, error) {
	switch x := n.(type) {
	case ld.IRI:
		if !wellFormedIRI(x.Value) {
			return rdfc.Term{}, errorf(CodeRelativeIRI, "%q is not an absolute IRI", x.Value)
		}
		return rdfc.IRI(x.Value), nil
	case ld.BlankNode:
		return rdfc.Blank(strings.TrimPrefix(x.Attribute, "_:")), nil
	case ld.Literal:
		if x.Datatype != "" && !isAbsoluteIRI(x.Datatype) {
			return rdfc.Term{}, errorf(CodeRelativeIRI, "datatype %q is not an absolute IRI", x.Datatype)
		}
		t := rdfc.Literal(x.Value, x.Datatype)
		t.Language = x.Language
		return t, nil
	}
	return rdfc.Term{}, errorf(CodeInvalid, "unexpected RDF term %T", n)
}

func classifyGoldError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unknown context"):
		return errorf(CodeUnknownContext, "%s", msg)
	case strings.Contains(msg, "Dropping property"):
		return errorf(CodeUndefinedTerm, "a property is not defined by the document's contexts")
	}
	return errorf(CodeInvalid, "%s", msg)
}

// checkExpandedIRIs walks an expanded JSON-LD document and fails on the
// first @id or @type value that is neither an absolute IRI nor a blank node
// identifier.
func checkExpandedIRIs(v any) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := checkExpandedIRIs(e); err != nil {
				return err
			}
		}
	case map[string]any:
		_, isValue := x["@value"]
		for k, e := range x {
			switch k {
			case "@id":
				if s, ok := e.(string); !ok || !(wellFormedIRI(s) || strings.HasPrefix(s, "_:")) {
					return errorf(CodeRelativeIRI, "@id %v is not an absolute IRI", e)
				}
			case "@type":
				list, ok := e.([]any)
				if !ok {
					list = []any{e}
				}
				for _, t := range list {
					s, ok := t.(string)
					if isValue && s == "@json" {
						continue
					}
					if !ok || !(wellFormedIRI(s) || strings.HasPrefix(s, "_:")) {
						if isValue {
							return errorf(CodeRelativeIRI, "datatype %v is not an absolute IRI", t)
						}
						return errorf(CodeUndefinedTerm, "type %v is not defined by the document's contexts", t)
					}
				}
			case "@value":
			default:
				if err := checkExpandedIRIs(e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
