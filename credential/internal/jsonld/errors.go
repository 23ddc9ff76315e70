package jsonld

import (
	"errors"
	"fmt"
)

// Code classifies why a document could not be turned into RDF.
type Code string

// Error codes returned by the processor.
const (
	// CodeUnknownContext: a context URL that no bundled document serves.
	CodeUnknownContext Code = "unknown_context"
	// CodeUndefinedTerm: a property or type the active contexts do not define
	// (JSON-LD would drop it silently, so it would not be signed).
	CodeUndefinedTerm Code = "undefined_term"
	// CodeRelativeIRI: an identifier, type or IRI value that is not an
	// absolute IRI (JSON-LD would drop it from the RDF silently).
	CodeRelativeIRI Code = "relative_iri"
	// CodeInvalid: the document or one of its contexts is not valid JSON-LD.
	CodeInvalid Code = "invalid_jsonld"
	// CodeTooComplex: canonicalization would take more work than allowed.
	CodeTooComplex Code = "too_complex"
)

// Error is a processing failure with a stable code.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("jsonld: %s: %s", e.Code, e.Message) }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// errUnsupported makes the fast path hand a document to the general
// json-gold based path.
var errUnsupported = errors.New("jsonld: feature outside the fast path")

func unsupported() error { return errUnsupported }
