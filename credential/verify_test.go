package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// mutate returns raw with f applied to its parsed form (no re-signing).
func mutate(t *testing.T, raw []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func proofOf(m map[string]any) map[string]any { return m["proof"].(map[string]any) }

// resign signs the document again after f changed it, with the fixture's
// key: the signature is right, so only the change itself can fail.
func (f *issuerFixture) resign(t *testing.T, raw []byte, change func(m map[string]any)) []byte {
	t.Helper()
	return f.sign(t, mutate(t, raw, func(m map[string]any) {
		delete(m, "proof")
		change(m)
	}))
}

func (f *issuerFixture) sign(t *testing.T, doc []byte) []byte {
	t.Helper()
	b, err := Sign(doc, f.id.Signer(), fixedNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyRejects(t *testing.T) {
	f := newIssuerFixture(t, "")
	good := f.issue(t, f.params(t, 1))
	other, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		raw   []byte
		check CheckName
		code  Code
	}{
		{"malformed JSON", []byte(`{"@context": [`), CheckParse, CodeMalformedJSON},
		{"empty input", nil, CheckParse, CodeMalformedJSON},
		{"trailing garbage", append(append([]byte{}, good...), "x"...), CheckParse, CodeMalformedJSON},
		{"array", []byte(`[1, 2]`), CheckParse, CodeNotObject},
		{"string", []byte(`"a credential"`), CheckParse, CodeNotObject},
		{"type is a number", mutate(t, good, func(m map[string]any) { m["type"] = 7 }), CheckParse, CodeWrongType},
		{"not a credential", mutate(t, good, func(m map[string]any) { m["type"] = "OpenBadgeCredential" }), CheckParse, CodeNotCredential},
		{"issuer is a number", mutate(t, good, func(m map[string]any) { m["issuer"] = 1 }), CheckParse, CodeWrongType},
		{"no subject", mutate(t, good, func(m map[string]any) { delete(m, "credentialSubject") }), CheckParse, CodeMissingField},
		{"validFrom is a number", mutate(t, good, func(m map[string]any) { m["validFrom"] = 2024 }), CheckParse, CodeWrongType},
		{"too large", bytes.Repeat([]byte(" "), DefaultMaxBytes+1), CheckParse, CodeTooLarge},
		{"no context", mutate(t, good, func(m map[string]any) { delete(m, "@context") }), CheckContext, CodeMissingContext},
		{"unknown context", mutate(t, good, func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://evil.example/context.json")
		}), CheckContext, CodeUnknownContext},
		{"undefined term", mutate(t, good, func(m map[string]any) { m["grade"] = "A+" }), CheckContext, CodeUndefinedTerm},
		{"undefined nested term", mutate(t, good, func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["grade"] = "A+"
		}), CheckContext, CodeUndefinedTerm},
		{"relative id", mutate(t, good, func(m map[string]any) { m["id"] = "certificates/1" }), CheckContext, CodeRelativeIRI},
		{"missing proof", mutate(t, good, func(m map[string]any) { delete(m, "proof") }), CheckProof, CodeMissingProof},
		{"two proofs", mutate(t, good, func(m map[string]any) { m["proof"] = []any{m["proof"], m["proof"]} }), CheckProof, CodeMultipleProofs},
		{"proof is a string", mutate(t, good, func(m map[string]any) { m["proof"] = "signed" }), CheckProof, CodeWrongType},
		{"unknown cryptosuite", mutate(t, good, func(m map[string]any) { proofOf(m)["cryptosuite"] = "eddsa-jcs-2022" }), CheckProof, CodeUnknownCryptosuite},
		{"unsupported proof type", mutate(t, good, func(m map[string]any) { proofOf(m)["type"] = "Ed25519Signature2020" }), CheckProof, CodeUnsupportedProof},
		{"wrong purpose", mutate(t, good, func(m map[string]any) { proofOf(m)["proofPurpose"] = "authentication" }), CheckProof, CodeWrongProofPurpose},
		{"bad multibase prefix", mutate(t, good, func(m map[string]any) { proofOf(m)["proofValue"] = "u" + proofOf(m)["proofValue"].(string)[1:] }), CheckProof, CodeBadMultibase},
		{"bad base58", mutate(t, good, func(m map[string]any) { proofOf(m)["proofValue"] = "z0OIl" }), CheckProof, CodeBadMultibase},
		{"short signature", mutate(t, good, func(m map[string]any) { proofOf(m)["proofValue"] = "z" + base58Encode([]byte("short")) }), CheckProof, CodeBadMultibase},
		{"proofValue is a number", mutate(t, good, func(m map[string]any) { proofOf(m)["proofValue"] = 12 }), CheckProof, CodeWrongType},
		{"key that does not match", mutate(t, good, func(m map[string]any) {
			// A well-formed key of another issuer, with the issuer changed to match.
			proofOf(m)["verificationMethod"] = DIDKeyVerificationMethod(other.Public)
		}), CheckProof, CodeSignatureInvalid},
		{"did:key fragment of another key", mutate(t, good, func(m map[string]any) {
			vm := proofOf(m)["verificationMethod"].(string)
			did, _, _ := strings.Cut(vm, "#")
			proofOf(m)["verificationMethod"] = did + "#" + EncodePublicKeyMultibase(other.Public)
		}), CheckProof, CodeKeyMismatch},
		{"unresolvable DID", mutate(t, good, func(m map[string]any) {
			proofOf(m)["verificationMethod"] = "did:web:nowhere.example#key-1"
		}), CheckProof, CodeKeyNotFound},
		{"tampered name", mutate(t, good, func(m map[string]any) { m["name"] = "Go 后端开发微专业 (with honours)" }), CheckProof, CodeSignatureInvalid},
		{"tampered holder", mutate(t, good, func(m map[string]any) {
			id := m["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)
			id["identityHash"] = HashIdentity("someone@else.example", id["salt"].(string))
		}), CheckProof, CodeSignatureInvalid},
		{"tampered proof date", mutate(t, good, func(m map[string]any) { proofOf(m)["created"] = "2020-01-01T00:00:00Z" }), CheckProof, CodeSignatureInvalid},
		{"extra proof term", mutate(t, good, func(m map[string]any) { proofOf(m)["nonsense"] = "x" }), CheckProof, CodeUndefinedTerm},
		{"expired", f.resign(t, good, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" }), CheckDates, CodeExpired},
		{"not yet valid", f.resign(t, good, func(m map[string]any) { m["validFrom"] = "2027-01-01T00:00:00Z" }), CheckDates, CodeNotYetValid},
		{"bad date", f.resign(t, good, func(m map[string]any) {
			m["validFrom"] = "2027-01-01T00:00:00Z"
			m["validUntil"] = "2028-02-30T00:00:00Z"
		}), CheckDates, CodeNotYetValid},
		{"issuer not the signer", f.resign(t, good, func(m map[string]any) {
			m["issuer"].(map[string]any)["id"] = DIDKey(other.Public)
		}), CheckIssuer, CodeIssuerMismatch},
		{"status list unknown", f.resign(t, good, func(m map[string]any) {
			m["credentialStatus"].([]any)[0].(map[string]any)["statusListCredential"] = "https://tl.example/status/missing"
		}), CheckStatus, CodeStatusUnavailable},
		{"status index not a string", f.resign(t, good, func(m map[string]any) {
			m["credentialStatus"].([]any)[0].(map[string]any)["statusListIndex"] = "-4"
		}), CheckStatus, CodeStatusInvalid},
		{"status index beyond the list", f.resign(t, good, func(m map[string]any) {
			m["credentialStatus"].([]any)[0].(map[string]any)["statusListIndex"] = "99999999"
		}), CheckStatus, CodeStatusInvalid},
		{"status purpose not the list's", f.resign(t, good, func(m map[string]any) {
			m["credentialStatus"].([]any)[0].(map[string]any)["statusPurpose"] = "suspension"
		}), CheckStatus, CodeStatusInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.verifier.Verify(context.Background(), tt.raw)
			if res.Verified {
				t.Fatalf("got verified, want the %s check to fail with %s", tt.check, tt.code)
			}
			c := res.Check(tt.check)
			if c.Outcome != Failed || c.Reason == nil || c.Reason.Code != tt.code {
				t.Fatalf("check %s: got %s %+v, want failed with %s; all: %+v", tt.check, c.Outcome, c.Reason, tt.code, res.Checks)
			}
			if c.Reason.Message == "" {
				t.Error("a failure has no message")
			}
		})
	}
}

func TestStatusRevokeAndSuspend(t *testing.T) {
	f := newIssuerFixture(t, "")
	p := f.params(t, 1)
	raw := f.issue(t, p)
	ctx := context.Background()
	ri, _ := strconvAtoi(p.Status[0].StatusListIndex)
	si, _ := strconvAtoi(p.Status[1].StatusListIndex)

	steps := []struct {
		name   string
		change func() error
		want   Code // "" means verified
	}{
		{"fresh", func() error { return nil }, ""},
		{"suspended", func() error { return f.suspension.Set(si, true) }, CodeSuspended},
		{"suspension lifted", func() error { return f.suspension.Set(si, false) }, ""},
		{"revoked", func() error { return f.revocation.Set(ri, true) }, CodeRevoked},
		{"revocation cannot be undone", func() error {
			if err := f.revocation.Set(ri, false); !errors.Is(err, ErrRevocationFinal) {
				return errors.New("clearing a revocation did not fail")
			}
			return nil
		}, CodeRevoked},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		f.publish(t)
		res := f.verifier.Verify(ctx, raw)
		c := res.Check(CheckStatus)
		if s.want == "" {
			if !res.Verified || c.Outcome != Passed {
				t.Errorf("%s: got %+v, want verified", s.name, res.Checks)
			}
			continue
		}
		if res.Verified || c.Reason == nil || c.Reason.Code != s.want {
			t.Errorf("%s: got status %+v, want %s", s.name, c, s.want)
		}
		// The signature stays valid: only the status changed.
		if res.Check(CheckProof).Outcome != Passed {
			t.Errorf("%s: proof check: got %+v", s.name, res.Check(CheckProof))
		}
	}
}

func strconvAtoi(s string) (int, error) {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func TestStatusListFailures(t *testing.T) {
	f := newIssuerFixture(t, "")
	raw := f.issue(t, f.params(t, 1))
	ctx := context.Background()
	listURL := f.revocation.ID
	slc := f.lists.m[listURL]
	foreign := newIssuerFixture(t, "")

	tests := []struct {
		name string
		list []byte
		want Code
	}{
		{"not JSON", []byte("<html>502 Bad Gateway</html>"), CodeStatusUnverified},
		{"tampered list", mutate(t, slc, func(m map[string]any) {
			bits := make([]byte, MinStatusListSize/8)
			bits[0] = 0x80
			m["credentialSubject"].(map[string]any)["encodedList"] = EncodeBitstring(bits)
		}), CodeStatusUnverified},
		{"undecodable list", f.sign(t, mutate(t, slc, func(m map[string]any) {
			delete(m, "proof")
			m["credentialSubject"].(map[string]any)["encodedList"] = "u%%%not-base64"
		})), CodeStatusInvalid},
		{"not gzip", f.sign(t, mutate(t, slc, func(m map[string]any) {
			delete(m, "proof")
			m["credentialSubject"].(map[string]any)["encodedList"] = "uAAAA"
		})), CodeStatusInvalid},
		{"too short", f.sign(t, mutate(t, slc, func(m map[string]any) {
			delete(m, "proof")
			m["credentialSubject"].(map[string]any)["encodedList"] = EncodeBitstring(make([]byte, 1024))
		})), CodeStatusInvalid},
		{"other issuer", func() []byte {
			l, _ := NewStatusList(listURL, foreign.id.DID(), Revocation, 0)
			b, err := l.SignedCredential(foreign.id, fixedNow.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), CodeStatusUnverified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lists := &memLists{}
			for k, v := range f.lists.m {
				lists.put(k, v)
			}
			lists.put(listURL, tt.list)
			v := &Verifier{Resolver: f.id.Resolver(), StatusFetcher: lists, Now: func() time.Time { return fixedNow }}
			res := v.Verify(ctx, raw)
			c := res.Check(CheckStatus)
			if res.Verified || c.Outcome != Failed || c.Reason.Code != tt.want {
				t.Fatalf("got %+v, want status failed with %s", c, tt.want)
			}
		})
	}

	t.Run("no fetcher", func(t *testing.T) {
		res := (&Verifier{Now: func() time.Time { return fixedNow }}).Verify(ctx, raw)
		if c := res.Check(CheckStatus); res.Verified || c.Reason.Code != CodeStatusUnavailable {
			t.Fatalf("got %+v, want status_unavailable", c)
		}
	})
	t.Run("fetch error", func(t *testing.T) {
		v := &Verifier{StatusFetcher: StatusFetcherFunc(func(context.Context, string) ([]byte, error) {
			return nil, errors.New("connection refused")
		}), Now: func() time.Time { return fixedNow }}
		res := v.Verify(ctx, raw)
		c := res.Check(CheckStatus)
		if res.Verified || c.Reason.Code != CodeStatusUnavailable || !strings.Contains(c.Reason.Message, "connection refused") {
			t.Fatalf("got %+v, want status_unavailable naming the error", c)
		}
	})
}

func TestNoStatusIsSkipped(t *testing.T) {
	f := newIssuerFixture(t, "")
	p := f.params(t, 1)
	p.Status = nil
	res := f.verifier.Verify(context.Background(), f.issue(t, p))
	if !res.Verified || res.Check(CheckStatus).Outcome != Skipped {
		t.Fatalf("got %+v, want verified with the status check skipped", res.Checks)
	}
}

func TestTrustedIssuers(t *testing.T) {
	f := newIssuerFixture(t, "")
	raw := f.issue(t, f.params(t, 1))
	v := &Verifier{StatusFetcher: f.lists, Now: func() time.Time { return fixedNow }, TrustedIssuers: []string{"did:web:someone.else"}}
	res := v.Verify(context.Background(), raw)
	if c := res.Check(CheckIssuer); res.Verified || c.Reason.Code != CodeUntrustedIssuer {
		t.Fatalf("got %+v, want untrusted_issuer", c)
	}
	v = &Verifier{StatusFetcher: f.lists, Now: func() time.Time { return fixedNow }, TrustedIssuers: f.id.DIDs()}
	if res := v.Verify(context.Background(), raw); !res.Verified {
		t.Fatalf("trusted: got %+v", res.Checks)
	}
}

// TestRotation issues under a key, rotates, issues again, and checks that
// both certificates still verify, for did:web and for did:key.
func TestRotation(t *testing.T) {
	for _, base := range []string{"https://tl.example", ""} {
		f := newIssuerFixture(t, base)
		before := f.issue(t, f.params(t, 1))
		oldVM := f.id.Signer().VerificationMethod
		if _, err := f.ks.Rotate(); err != nil {
			t.Fatal(err)
		}
		if f.id.Signer().VerificationMethod == oldVM {
			t.Fatal("rotation did not change the signing key")
		}
		f.publish(t)
		if base == "" {
			// did:key: the new DID gets its own lists.
			f.revocation, _ = NewStatusList("https://tl.example/status/revocation/2", f.id.DID(), Revocation, 0)
			f.suspension, _ = NewStatusList("https://tl.example/status/suspension/2", f.id.DID(), Suspension, 0)
			f.publish(t)
		}
		after := f.issue(t, f.params(t, 2))
		f.verifier.TrustedIssuers = f.id.DIDs()
		for name, raw := range map[string][]byte{"before": before, "after": after} {
			if res := f.verifier.Verify(context.Background(), raw); !res.Verified {
				t.Errorf("base %q, issued %s rotation: got %+v", base, name, res.Checks)
			}
		}
		if base != "" {
			doc := f.id.DIDDocument()
			if len(doc.VerificationMethod) != 2 || len(doc.AssertionMethod) != 2 {
				t.Errorf("DID document after rotation: got %+v, want both keys", doc)
			}
			if doc.AssertionMethod[0] != f.id.Signer().VerificationMethod {
				t.Errorf("DID document: the active key should come first, got %v", doc.AssertionMethod)
			}
		}
	}
}

func TestVerifyNeverMutatesOrPanicsOnOddJSON(t *testing.T) {
	f := newIssuerFixture(t, "")
	inputs := []string{
		`{}`, `null`, `true`, `{"type": null}`, `{"type": ["VerifiableCredential"], "issuer": "did:key:z", "credentialSubject": {}}`,
		`{"@context": {"@vocab": "https://x.example/"}, "type": "VerifiableCredential", "issuer": "x", "credentialSubject": {}, "proof": {}}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2", null], "type": "VerifiableCredential", "issuer": {"id": "did:key:z6Mk"}, "credentialSubject": [], "proof": [{}]}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential", "issuer": "did:key:z6Mk", "credentialSubject": {"id": 5}, "credentialStatus": [7]}`,
	}
	for _, in := range inputs {
		res := f.verifier.Verify(context.Background(), []byte(in))
		if res.Verified {
			t.Errorf("%s: verified", in)
		}
		if res.Failure() == nil {
			t.Errorf("%s: no failure reason", in)
		}
	}
}
