package jsonld

import (
	"sort"
	"strconv"
	"strings"

	"talentloop/credential/internal/rdfc"
)

const (
	rdfType    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	xsdBoolean = "http://www.w3.org/2001/XMLSchema#boolean"
)

// emitter turns a JSON-LD document into RDF quads in one pass: it follows
// the JSON-LD 1.1 Expansion algorithm and emits each statement as soon as
// its subject and object are known, instead of building the expanded
// document and a node map. The statements are the same set.
type emitter struct {
	p      *Processor
	quads  []rdfc.Quad
	blanks map[string]string // document blank node labels -> generated labels
	nextBN int
}

func (e *emitter) newBlank() rdfc.Term {
	l := "b" + strconv.Itoa(e.nextBN)
	e.nextBN++
	return rdfc.Blank(l)
}

func (e *emitter) docBlank(label string) rdfc.Term {
	if e.blanks == nil {
		e.blanks = make(map[string]string)
	}
	l, ok := e.blanks[label]
	if !ok {
		l = "b" + strconv.Itoa(e.nextBN)
		e.nextBN++
		e.blanks[label] = l
	}
	return rdfc.Blank(l)
}

// iriTerm makes a term of an expanded IRI or blank node identifier, or
// fails if it is relative.
func (e *emitter) iriTerm(v, what string) (rdfc.Term, error) {
	if strings.HasPrefix(v, "_:") {
		return e.docBlank(v[2:]), nil
	}
	if !wellFormedIRI(v) {
		return rdfc.Term{}, errorf(CodeRelativeIRI, "%s %q is not an absolute IRI", what, v)
	}
	return rdfc.IRI(v), nil
}

// expandKey expands a key of a JSON object (vocab-relative).
func (e *emitter) expandKey(active *Context, key string) (string, error) {
	if d, ok := active.terms[key]; ok {
		if d.reverse {
			return "", unsupported()
		}
		return d.iri, nil
	}
	return e.p.expandIRI(active, key, false, true, nil, nil)
}

// node expands the top-level object or a property value object, emitting
// its statements, and returns the term that stands for it (ok=false when
// it expands to nothing). propDef is the definition of the property whose
// value elem is (nil at top level).
func (e *emitter) node(active *Context, propDef *termDef, elem map[string]any, top bool) (rdfc.Term, bool, error) {
	// Step 7: a type-scoped context does not apply to nested node objects.
	if active.previous != nil {
		revert := true
		for k := range elem {
			x, err := e.expandKey(active, k)
			if err != nil {
				return rdfc.Term{}, false, err
			}
			if x == "@value" || (x == "@id" && len(elem) == 1) {
				revert = false
				break
			}
		}
		if revert {
			active = active.previous
		}
	}
	// Step 8: property-scoped context.
	if propDef != nil && propDef.hasCtx {
		c, err := e.p.process(active, propDef.ctx, propDef, processOpts{override: true}, nil)
		if err != nil {
			return rdfc.Term{}, false, err
		}
		active = c
	}
	// Step 9: embedded context.
	if local, ok := elem["@context"]; ok {
		c, err := e.p.process(active, local, nil, processOpts{}, nil)
		if err != nil {
			return rdfc.Term{}, false, err
		}
		active = c
	}
	// Step 11: type-scoped contexts, by key then value in code point order.
	typeScoped := active
	var typeKeys []string
	for k := range elem {
		if k == "@context" {
			continue
		}
		x, err := e.expandKey(active, k)
		if err != nil {
			return rdfc.Term{}, false, err
		}
		if x == "@type" {
			typeKeys = append(typeKeys, k)
		}
	}
	sort.Strings(typeKeys)
	for _, k := range typeKeys {
		vals, err := stringList(elem[k], "@type")
		if err != nil {
			return rdfc.Term{}, false, err
		}
		sorted := append([]string(nil), vals...)
		sort.Strings(sorted)
		for _, t := range sorted {
			if d, ok := typeScoped.terms[t]; ok && d.hasCtx {
				c, err := e.p.process(active, d.ctx, d, processOpts{noPropagate: true}, nil)
				if err != nil {
					return rdfc.Term{}, false, err
				}
				active = c
			}
		}
	}

	// Classify the keys.
	type prop struct {
		key string
		def *termDef
		iri string
	}
	var (
		props    []prop
		idVal    any
		hasID    bool
		value    any
		hasValue bool
		valType  any
		hasVType bool
	)
	for k, v := range elem {
		if k == "@context" {
			continue
		}
		x, err := e.expandKey(active, k)
		if err != nil {
			return rdfc.Term{}, false, err
		}
		switch {
		case x == "":
			if hasKeywordForm(k) {
				return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "%q is not a JSON-LD keyword", k)
			}
			return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "term %q is not defined by the document's contexts", k)
		case x == "@id":
			if hasID {
				return rdfc.Term{}, false, errorf(CodeInvalid, "colliding @id keys")
			}
			idVal, hasID = v, true
		case x == "@type":
			if hasVType {
				// Several keys aliasing @type: the fast path keeps it simple.
				return rdfc.Term{}, false, unsupported()
			}
			valType, hasVType = v, true
		case x == "@value":
			value, hasValue = v, true
		case isKeyword(x):
			return rdfc.Term{}, false, unsupported()
		case strings.HasPrefix(x, "_:"):
			return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "property %q expands to a blank node", k)
		default:
			// A term's IRI was checked when the term was defined.
			def := active.terms[k]
			if def == nil && !isAbsoluteIRI(x) {
				return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "term %q is not defined by the document's contexts", k)
			}
			props = append(props, prop{k, def, x})
		}
	}

	if hasValue {
		if hasID || len(props) > 0 {
			return rdfc.Term{}, false, errorf(CodeInvalid, "a value object may only hold @value and @type")
		}
		if top {
			return rdfc.Term{}, false, nil
		}
		dt := ""
		if hasVType {
			s, ok := valType.(string)
			if !ok {
				return rdfc.Term{}, false, errorf(CodeInvalid, "the @type of a value object must be a string")
			}
			x, err := e.p.expandIRI(typeScoped, s, true, true, nil, nil)
			if err != nil {
				return rdfc.Term{}, false, err
			}
			if x == "@json" {
				return rdfc.Term{}, false, unsupported()
			}
			if !isAbsoluteIRI(x) {
				return rdfc.Term{}, false, errorf(CodeRelativeIRI, "value type %q is not an absolute IRI", s)
			}
			dt = x
		}
		return literal(value, dt)
	}

	// A node object.
	var subject rdfc.Term
	if hasID {
		s, ok := idVal.(string)
		if !ok {
			return rdfc.Term{}, false, errorf(CodeInvalid, "@id must be a string")
		}
		x, err := e.p.expandIRI(active, s, true, false, nil, nil)
		if err != nil {
			return rdfc.Term{}, false, err
		}
		if subject, err = e.iriTerm(x, "@id"); err != nil {
			return rdfc.Term{}, false, err
		}
	} else {
		subject = e.newBlank()
	}
	if hasVType {
		vals, err := stringList(valType, "@type")
		if err != nil {
			return rdfc.Term{}, false, err
		}
		for _, t := range vals {
			x, err := e.p.expandIRI(typeScoped, t, true, true, nil, nil)
			if err != nil {
				return rdfc.Term{}, false, err
			}
			if x == "" {
				return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "type %q is not defined", t)
			}
			o, err := e.iriTerm(x, "type")
			if err != nil {
				if ee, ok := err.(*Error); ok && ee.Code == CodeRelativeIRI {
					return rdfc.Term{}, false, errorf(CodeUndefinedTerm, "type %q is not defined by the document's contexts", t)
				}
				return rdfc.Term{}, false, err
			}
			e.quads = append(e.quads, rdfc.Quad{S: subject, P: rdfc.IRI(rdfType), O: o})
		}
	}
	for _, pr := range props {
		if pr.def != nil && (pr.def.reverse || pr.def.other || pr.def.container&^containerSet != 0) {
			return rdfc.Term{}, false, unsupported()
		}
		pred := rdfc.IRI(pr.iri)
		if err := e.values(active, pr.key, pr.def, elem[pr.key], func(o rdfc.Term) {
			e.quads = append(e.quads, rdfc.Quad{S: subject, P: pred, O: o})
		}); err != nil {
			return rdfc.Term{}, false, err
		}
	}
	if top && !hasVType && len(props) == 0 {
		return rdfc.Term{}, false, nil
	}
	return subject, true, nil
}

// values expands the value of property key (defined by def in active) and
// calls emit with the term of each resulting object.
func (e *emitter) values(active *Context, key string, def *termDef, v any, emit func(rdfc.Term)) error {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		for _, item := range x {
			if err := e.values(active, key, def, item, emit); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		t, ok, err := e.node(active, def, x, false)
		if err != nil {
			return err
		}
		if ok {
			emit(t)
		}
		return nil
	}
	// A scalar: the property-scoped context applies to its value expansion.
	if def != nil && def.hasCtx {
		c, err := e.p.process(active, def.ctx, def, processOpts{override: true}, nil)
		if err != nil {
			return err
		}
		active = c
		def = active.terms[key]
		if def != nil && (def.reverse || def.other) {
			return unsupported()
		}
	}
	typ := ""
	if def != nil {
		typ = def.typ
	}
	if s, ok := v.(string); ok && (typ == "@id" || typ == "@vocab") {
		x, err := e.p.expandIRI(active, s, true, typ == "@vocab", nil, nil)
		if err != nil {
			return err
		}
		t, err := e.iriTerm(x, "IRI value of "+key)
		if err != nil {
			return err
		}
		emit(t)
		return nil
	}
	dt := ""
	if typ != "" && typ != "@id" && typ != "@vocab" && typ != "@none" {
		dt = typ
	}
	t, ok, err := literal(v, dt)
	if err != nil {
		return err
	}
	if ok {
		emit(t)
	}
	return nil
}

// literal converts a JSON scalar to an RDF literal. Numbers go to the
// general path, whose number formatting is the reference.
func literal(v any, datatype string) (rdfc.Term, bool, error) {
	switch x := v.(type) {
	case nil:
		return rdfc.Term{}, false, nil
	case string:
		return rdfc.Literal(x, datatype), true, nil
	case bool:
		if datatype == "" {
			datatype = xsdBoolean
		}
		return rdfc.Literal(strconv.FormatBool(x), datatype), true, nil
	case float64:
		return rdfc.Term{}, false, unsupported()
	}
	return rdfc.Term{}, false, errorf(CodeInvalid, "a value object's @value must be a string, number, boolean or null")
}

func stringList(v any, what string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				return nil, errorf(CodeInvalid, "%s values must be strings", what)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errorf(CodeInvalid, "%s must be a string or an array of strings", what)
}
