package credential

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"talentloop/credential/contexts"
	"talentloop/credential/internal/jsonld"
)

// CheckName names one of the checks a verification runs, in this order.
type CheckName string

// The checks.
const (
	CheckParse   CheckName = "parse"   // JSON object with the shape of a credential
	CheckContext CheckName = "context" // known contexts, every term defined, absolute IRIs
	CheckProof   CheckName = "proof"   // the eddsa-rdfc-2022 signature
	CheckDates   CheckName = "dates"   // validFrom / validUntil against the clock
	CheckStatus  CheckName = "status"  // Bitstring Status List: revoked or suspended
	CheckIssuer  CheckName = "issuer"  // the signing key belongs to the (trusted) issuer
)

var checkOrder = []CheckName{CheckParse, CheckContext, CheckProof, CheckDates, CheckStatus, CheckIssuer}

// Outcome is the result of one check.
type Outcome string

// Outcomes. A check is skipped when it does not apply (a credential without
// credentialStatus) or when a check it depends on failed.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

// Check is the outcome of one check, with the reason when it failed or was
// skipped.
type Check struct {
	Name    CheckName `json:"name"`
	Outcome Outcome   `json:"outcome"`
	Reason  *Reason   `json:"reason,omitempty"`
}

// StatusResult is the state of one credentialStatus entry.
type StatusResult struct {
	Purpose string `json:"purpose"`
	Index   int    `json:"index"`
	List    string `json:"list"`
	Set     bool   `json:"set"` // true: revoked / suspended
}

// Result is the outcome of verifying a credential.
type Result struct {
	// Verified is true when no check failed.
	Verified bool    `json:"verified"`
	Checks   []Check `json:"checks"`
	// Issuer is the issuer's id, when the document names one.
	Issuer string `json:"issuer,omitempty"`
	// Status lists the credential's status entries, when they were read.
	Status []StatusResult `json:"status,omitempty"`
	// Credential is the parsed document (nil if it did not parse).
	Credential map[string]any `json:"-"`
}

// Check returns the check called name.
func (r *Result) Check(name CheckName) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name, Outcome: Skipped}
}

// Failure returns the reason of the first failed check, or nil.
func (r *Result) Failure() *Reason {
	for _, c := range r.Checks {
		if c.Outcome == Failed {
			return c.Reason
		}
	}
	return nil
}

func (r *Result) set(name CheckName, o Outcome, reason *Reason) {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			r.Checks[i].Outcome, r.Checks[i].Reason = o, reason
			return
		}
	}
}

// StatusFetcher returns the bytes of the status list credential at url. The
// product reads its own lists from storage; other lists need HTTP, which the
// engine never does itself.
type StatusFetcher interface {
	FetchStatusList(ctx context.Context, url string) ([]byte, error)
}

// StatusFetcherFunc adapts a function to StatusFetcher.
type StatusFetcherFunc func(ctx context.Context, url string) ([]byte, error)

// FetchStatusList implements StatusFetcher.
func (f StatusFetcherFunc) FetchStatusList(ctx context.Context, url string) ([]byte, error) {
	return f(ctx, url)
}

// DefaultMaxBytes is the largest document a Verifier accepts by default.
const DefaultMaxBytes = 1 << 20

// DefaultClockSkew is how far in the future validFrom may be by default, so
// that a credential issued a moment ago on another machine verifies.
const DefaultClockSkew = 5 * time.Minute

// Verifier verifies credentials. Its zero value verifies did:key signed
// credentials without status lists; set fields before first use and do not
// change them after. It is safe for concurrent use, and keeps verified
// status lists in a small cache keyed by their bytes' hash.
type Verifier struct {
	// Resolver resolves issuer DIDs; nil means did:key only.
	Resolver Resolver
	// StatusFetcher fetches status list credentials; without it a credential
	// with credentialStatus fails the status check.
	StatusFetcher StatusFetcher
	// TrustedIssuers, when not empty, lists the only issuer ids accepted.
	TrustedIssuers []string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxBytes bounds the document size; 0 means DefaultMaxBytes.
	MaxBytes int
	// ClockSkew tolerates a validFrom slightly in the future; 0 means
	// DefaultClockSkew, a negative value none.
	ClockSkew time.Duration

	lists statusCache
}

// Verify checks raw with a Verifier configured by v's fields. It is a
// shorthand for one-off checks; reuse a Verifier to share its caches.
func Verify(ctx context.Context, raw []byte, v *Verifier) *Result {
	if v == nil {
		v = &Verifier{}
	}
	return v.Verify(ctx, raw)
}

// Verify checks a credential. It never panics and never reports a document
// as verified unless every check passed (or did not apply).
func (v *Verifier) Verify(ctx context.Context, raw []byte) *Result {
	return v.verify(ctx, raw, true)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) verify(ctx context.Context, raw []byte, withStatus bool) (res *Result) {
	res = &Result{Checks: make([]Check, len(checkOrder))}
	for i, n := range checkOrder {
		res.Checks[i] = Check{Name: n, Outcome: Skipped}
	}
	defer func() {
		// A bug must not turn into a crash of the caller, nor a pass.
		if r := recover(); r != nil {
			res.Verified = false
			res.set(CheckParse, Failed, reasonf(CodeInternal, "the document could not be processed: %v", r))
		}
	}()
	defer func() {
		res.Verified = true
		for _, c := range res.Checks {
			if c.Outcome == Failed {
				res.Verified = false
			}
		}
	}()

	// parse
	doc, reason := v.parse(raw)
	if reason != nil {
		res.set(CheckParse, Failed, reason)
		for _, n := range checkOrder[1:] {
			res.set(n, Skipped, reasonf(reason.Code, "not checked: the document did not parse"))
		}
		return res
	}
	res.Credential = doc
	res.Issuer = issuerID(doc)
	res.set(CheckParse, Passed, nil)

	// context: canonicalize the document without its proof.
	unsigned := make(map[string]any, len(doc))
	for k, val := range doc {
		if k != "proof" {
			unsigned[k] = val
		}
	}
	var docCanon []byte
	if reason = checkContextList(doc["@context"]); reason == nil {
		var err error
		docCanon, err = processor().Canonicalize(unsigned)
		if err != nil {
			reason = jsonldReason(err)
		}
	}
	if reason != nil {
		res.set(CheckContext, Failed, reason)
		res.set(CheckProof, Skipped, reasonf(reason.Code, "not checked: the document's JSON-LD is not valid"))
	} else {
		res.set(CheckContext, Passed, nil)
	}

	// proof
	proof, reason := extractProof(doc)
	signerDID := ""
	if reason == nil {
		if vm, ok := proof["verificationMethod"].(string); ok {
			signerDID, _, _ = strings.Cut(vm, "#")
		}
		if docCanon != nil {
			reason = v.checkProof(ctx, doc, proof, docCanon)
		}
	}
	if reason != nil {
		res.set(CheckProof, Failed, reason)
	} else if docCanon != nil {
		res.set(CheckProof, Passed, nil)
	}

	// dates
	if reason = v.checkDates(doc); reason != nil {
		res.set(CheckDates, Failed, reason)
	} else {
		res.set(CheckDates, Passed, nil)
	}

	// status
	if withStatus {
		statuses, reason := v.checkStatus(ctx, doc, res.Issuer)
		res.Status = statuses
		switch {
		case reason != nil:
			res.set(CheckStatus, Failed, reason)
		case statuses == nil:
			res.set(CheckStatus, Skipped, &Reason{Code: "no_status", Message: "the credential has no status entry"})
		default:
			res.set(CheckStatus, Passed, nil)
		}
	}

	// issuer
	switch {
	case res.Issuer == "":
		res.set(CheckIssuer, Failed, reasonf(CodeMissingField, "the credential names no issuer"))
	case signerDID == "":
		res.set(CheckIssuer, Skipped, reasonf(CodeMissingProof, "not checked: no signing key to compare"))
	case signerDID != res.Issuer:
		res.set(CheckIssuer, Failed, reasonf(CodeIssuerMismatch, "signed by %q, but the issuer is %q", signerDID, res.Issuer))
	case len(v.TrustedIssuers) > 0 && !contains(v.TrustedIssuers, res.Issuer):
		res.set(CheckIssuer, Failed, reasonf(CodeUntrustedIssuer, "issuer %q is not trusted", res.Issuer))
	default:
		res.set(CheckIssuer, Passed, nil)
	}
	return res
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *Verifier) parse(raw []byte) (map[string]any, *Reason) {
	max := v.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	if len(raw) > max {
		return nil, reasonf(CodeTooLarge, "the document has %d bytes; at most %d are accepted", len(raw), max)
	}
	var val any
	if err := json.Unmarshal(raw, &val); err != nil {
		return nil, reasonf(CodeMalformedJSON, "the document is not valid JSON: %v", err)
	}
	doc, ok := val.(map[string]any)
	if !ok {
		return nil, reasonf(CodeNotObject, "the document is not a JSON object")
	}
	types, ok := stringOrStrings(doc["type"])
	if !ok {
		if _, has := doc["type"]; !has {
			return nil, reasonf(CodeMissingField, "the document has no type")
		}
		return nil, reasonf(CodeWrongType, "type must be a string or an array of strings")
	}
	if !contains(types, "VerifiableCredential") {
		return nil, reasonf(CodeNotCredential, "the document's type does not include VerifiableCredential")
	}
	switch iss := doc["issuer"].(type) {
	case string:
	case map[string]any:
		if _, ok := iss["id"].(string); !ok {
			return nil, reasonf(CodeWrongType, "issuer.id must be a string")
		}
	case nil:
		return nil, reasonf(CodeMissingField, "the credential has no issuer")
	default:
		return nil, reasonf(CodeWrongType, "issuer must be a string or an object")
	}
	switch doc["credentialSubject"].(type) {
	case map[string]any, []any:
	case nil:
		return nil, reasonf(CodeMissingField, "the credential has no credentialSubject")
	default:
		return nil, reasonf(CodeWrongType, "credentialSubject must be an object")
	}
	for _, k := range []string{"validFrom", "validUntil", "id", "name", "description"} {
		if x, ok := doc[k]; ok {
			if _, ok := x.(string); !ok && k != "name" && k != "description" {
				return nil, reasonf(CodeWrongType, "%s must be a string", k)
			}
		}
	}
	return doc, nil
}

func stringOrStrings(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func issuerID(doc map[string]any) string {
	switch iss := doc["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		s, _ := iss["id"].(string)
		return s
	}
	return ""
}

func checkContextList(c any) *Reason {
	switch x := c.(type) {
	case nil:
		return reasonf(CodeMissingContext, "the document has no @context")
	case string:
		if x != contexts.CredentialsV2 {
			return reasonf(CodeMissingContext, "the first @context must be %s", contexts.CredentialsV2)
		}
	case []any:
		if len(x) == 0 || x[0] != contexts.CredentialsV2 {
			return reasonf(CodeMissingContext, "the first @context must be %s", contexts.CredentialsV2)
		}
	default:
		return reasonf(CodeWrongType, "@context must be a URL or an array")
	}
	return nil
}

func jsonldReason(err error) *Reason {
	var e *jsonld.Error
	if errors.As(err, &e) {
		code := CodeInvalidJSONLD
		switch e.Code {
		case jsonld.CodeUnknownContext:
			code = CodeUnknownContext
		case jsonld.CodeUndefinedTerm:
			code = CodeUndefinedTerm
		case jsonld.CodeRelativeIRI:
			code = CodeRelativeIRI
		case jsonld.CodeTooComplex:
			code = CodeTooComplex
		}
		return &Reason{Code: code, Message: e.Message}
	}
	return reasonf(CodeInvalidJSONLD, "%v", err)
}

func extractProof(doc map[string]any) (map[string]any, *Reason) {
	p, ok := doc["proof"]
	if !ok || p == nil {
		return nil, reasonf(CodeMissingProof, "the credential has no proof")
	}
	if list, ok := p.([]any); ok {
		if len(list) != 1 {
			return nil, reasonf(CodeMultipleProofs, "the credential has %d proofs; exactly one is supported", len(list))
		}
		p = list[0]
	}
	proof, ok := p.(map[string]any)
	if !ok {
		return nil, reasonf(CodeWrongType, "proof must be an object")
	}
	return proof, nil
}

func (v *Verifier) checkProof(ctx context.Context, doc, proof map[string]any, docCanon []byte) *Reason {
	str := func(k string) (string, *Reason) {
		x, ok := proof[k]
		if !ok {
			return "", reasonf(CodeMissingField, "the proof has no %s", k)
		}
		s, ok := x.(string)
		if !ok {
			return "", reasonf(CodeWrongType, "proof.%s must be a string", k)
		}
		return s, nil
	}
	typ, r := str("type")
	if r != nil {
		return r
	}
	if typ != ProofType {
		return reasonf(CodeUnsupportedProof, "proof type %q is not supported; only %s is", typ, ProofType)
	}
	suite, r := str("cryptosuite")
	if r != nil {
		return r
	}
	if suite != Cryptosuite {
		return reasonf(CodeUnknownCryptosuite, "cryptosuite %q is not supported; only %s is", suite, Cryptosuite)
	}
	purpose, r := str("proofPurpose")
	if r != nil {
		return r
	}
	if purpose != AssertionMethod {
		return reasonf(CodeWrongProofPurpose, "proof purpose %q is not %s", purpose, AssertionMethod)
	}
	vm, r := str("verificationMethod")
	if r != nil {
		return r
	}
	value, r := str("proofValue")
	if r != nil {
		return r
	}
	sig, err := decodeMultibase58(value)
	if err != nil {
		return reasonf(CodeBadMultibase, "proofValue: %v", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return reasonf(CodeBadMultibase, "proofValue holds %d bytes, not a %d-byte Ed25519 signature", len(sig), ed25519.SignatureSize)
	}
	if c, ok := proof["created"]; ok {
		s, ok := c.(string)
		if !ok {
			return reasonf(CodeWrongType, "proof.created must be a string")
		}
		if _, err := parseDateTime(s); err != nil {
			return reasonf(CodeInvalidDate, "proof.created %q is not a valid date-time", s)
		}
	}
	if e, ok := proof["expires"]; ok {
		s, _ := e.(string)
		t, err := parseDateTime(s)
		if err != nil {
			return reasonf(CodeInvalidDate, "proof.expires %v is not a valid date-time", e)
		}
		if v.now().After(t) {
			return reasonf(CodeProofExpired, "the proof expired at %s", s)
		}
	}
	// The proof options: the proof without its value, in the document's
	// context. A proof that carries its own @context must agree with it.
	cfg := make(map[string]any, len(proof))
	for k, x := range proof {
		if k != "proofValue" {
			cfg[k] = x
		}
	}
	if pc, ok := proof["@context"]; ok && !contextPrefix(pc, doc["@context"]) {
		return reasonf(CodeInvalidJSONLD, "the proof's @context does not match the document's")
	}
	cfg["@context"] = doc["@context"]
	pcanon, err := processor().Canonicalize(cfg)
	if err != nil {
		r := jsonldReason(err)
		r.Message = "proof: " + r.Message
		return r
	}
	pub, _, reason := resolveAssertionKey(ctx, v.Resolver, vm)
	if reason != nil {
		return reason
	}
	ph := sha256.Sum256(pcanon)
	dh := sha256.Sum256(docCanon)
	if !ed25519.Verify(pub, append(ph[:], dh[:]...), sig) {
		return reasonf(CodeSignatureInvalid, "the signature does not match the document and the key %s", vm)
	}
	return nil
}

func contextPrefix(proofCtx, docCtx any) bool {
	pl, ok1 := proofCtx.([]any)
	if !ok1 {
		pl = []any{proofCtx}
	}
	dl, ok2 := docCtx.([]any)
	if !ok2 {
		dl = []any{docCtx}
	}
	if len(pl) > len(dl) {
		return false
	}
	for i := range pl {
		a, ok := pl[i].(string)
		if !ok || a != dl[i] {
			return false
		}
	}
	return true
}

// parseDateTime parses an XML Schema dateTimeStamp (RFC 3339 with a zone).
func parseDateTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

func (v *Verifier) checkDates(doc map[string]any) *Reason {
	now := v.now()
	skew := v.ClockSkew
	if skew == 0 {
		skew = DefaultClockSkew
	} else if skew < 0 {
		skew = 0
	}
	if s, ok := doc["validFrom"].(string); ok {
		t, err := parseDateTime(s)
		if err != nil {
			return reasonf(CodeInvalidDate, "validFrom %q is not a valid date-time", s)
		}
		if now.Add(skew).Before(t) {
			return reasonf(CodeNotYetValid, "the credential is valid only from %s", s)
		}
	}
	if s, ok := doc["validUntil"].(string); ok {
		t, err := parseDateTime(s)
		if err != nil {
			return reasonf(CodeInvalidDate, "validUntil %q is not a valid date-time", s)
		}
		if now.After(t) {
			return reasonf(CodeExpired, "the credential expired at %s", s)
		}
	}
	return nil
}
