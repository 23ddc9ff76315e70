package credential

import "fmt"

// Code is a stable, machine-readable reason why a check failed. The product
// localizes messages by code; Reason.Message is plain English.
type Code string

// Reason codes.
const (
	// parse
	CodeMalformedJSON Code = "malformed_json" // the bytes are not one JSON value
	CodeNotObject     Code = "not_an_object"  // the JSON value is not an object
	CodeTooLarge      Code = "too_large"      // more bytes than the verifier accepts
	CodeWrongType     Code = "wrong_type"     // a field has the wrong JSON type
	CodeMissingField  Code = "missing_field"  // a required field is absent
	CodeNotCredential Code = "not_a_credential"

	// context
	CodeMissingContext Code = "missing_context" // no @context, or VC 2.0 not first
	CodeUnknownContext Code = "unknown_context" // a context URL that is not bundled
	CodeUndefinedTerm  Code = "undefined_term"  // a term no context defines
	CodeRelativeIRI    Code = "relative_iri"    // an id or IRI that is not absolute
	CodeInvalidJSONLD  Code = "invalid_jsonld"  // otherwise invalid JSON-LD
	CodeTooComplex     Code = "too_complex"     // canonicalization would take too long

	// proof
	CodeMissingProof       Code = "missing_proof"
	CodeMultipleProofs     Code = "multiple_proofs"
	CodeUnsupportedProof   Code = "unsupported_proof_type"
	CodeUnknownCryptosuite Code = "unknown_cryptosuite"
	CodeWrongProofPurpose  Code = "wrong_proof_purpose"
	CodeBadMultibase       Code = "bad_multibase"
	CodeKeyNotFound        Code = "key_not_found" // the verification method does not resolve
	CodeKeyMismatch        Code = "key_mismatch"  // the method names a key that is not its DID's
	CodeSignatureInvalid   Code = "signature_invalid"
	CodeProofExpired       Code = "proof_expired"

	// dates
	CodeInvalidDate Code = "invalid_date"
	CodeNotYetValid Code = "not_yet_valid"
	CodeExpired     Code = "expired"

	// status
	CodeRevoked           Code = "revoked"
	CodeSuspended         Code = "suspended"
	CodeStatusUnavailable Code = "status_unavailable" // the status list could not be fetched
	CodeStatusInvalid     Code = "status_invalid"     // the entry or list is malformed
	CodeStatusUnverified  Code = "status_unverified"  // the status list credential does not verify

	// issuer
	CodeIssuerMismatch  Code = "issuer_mismatch" // the signing key does not belong to the issuer
	CodeUntrustedIssuer Code = "untrusted_issuer"

	// CodeInternal reports a bug in the engine met while verifying; the
	// document is not verified. The fuzz target makes sure it never happens.
	CodeInternal Code = "internal_error"
)

// Reason explains a failed check.
type Reason struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (r *Reason) Error() string { return string(r.Code) + ": " + r.Message }

func reasonf(code Code, format string, args ...any) *Reason {
	return &Reason{Code: code, Message: fmt.Sprintf(format, args...)}
}
