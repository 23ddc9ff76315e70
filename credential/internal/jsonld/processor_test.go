package jsonld

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"talentloop/credential/contexts"
	"talentloop/credential/internal/rdfc"
)

const w3cDir = "../../testdata/w3c"

func testProcessor(t testing.TB) *Processor {
	t.Helper()
	docs := contexts.Documents()
	ex, err := os.ReadFile(filepath.Join(w3cDir, "examples-v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	docs["https://www.w3.org/ns/credentials/examples/v2"] = ex
	p, err := NewProcessor(docs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func parse(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// canonBoth canonicalizes doc with the fast path and with the general path.
func canonBoth(t *testing.T, p *Processor, doc map[string]any) (fast, general []byte) {
	t.Helper()
	q, err := p.fastToRDF(doc)
	if err != nil {
		t.Fatalf("fast path: %v", err)
	}
	if fast, err = rdfc.Canonicalize(q, nil); err != nil {
		t.Fatal(err)
	}
	q, err = p.generalToRDF(doc)
	if err != nil {
		t.Fatalf("general path: %v", err)
	}
	if general, err = rdfc.Canonicalize(q, nil); err != nil {
		t.Fatal(err)
	}
	return fast, general
}

func TestW3CVectors(t *testing.T) {
	p := testProcessor(t)
	signed := readJSON(t, filepath.Join(w3cDir, "signed.json"))
	delete(signed, "proof")
	tests := []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"document", signed, "canonDoc.txt"},
		{"proof options", readJSON(t, filepath.Join(w3cDir, "proofConfig.json")), "proofCanon.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(w3cDir, tt.want))
			if err != nil {
				t.Fatal(err)
			}
			fast, general := canonBoth(t, p, tt.doc)
			if !bytes.Equal(fast, want) {
				t.Errorf("fast path:\ngot  %s\nwant %s", fast, want)
			}
			if !bytes.Equal(general, want) {
				t.Errorf("general path:\ngot  %s\nwant %s", general, want)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	p := testProcessor(t)
	const ctx = `"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]`
	tests := []struct {
		name string
		doc  string
		want Code
	}{
		{"undefined property", `{` + ctx + `, "type": "VerifiableCredential", "secretBonus": "yes"}`, CodeUndefinedTerm},
		{"undefined nested property", `{` + ctx + `, "type": "VerifiableCredential", "credentialSubject": {"type": "AchievementSubject", "grade": "A"}}`, CodeUndefinedTerm},
		{"undefined type", `{` + ctx + `, "type": ["VerifiableCredential", "Diploma"]}`, CodeUndefinedTerm},
		{"unknown keyword form", `{` + ctx + `, "@foo": "bar"}`, CodeUndefinedTerm},
		{"relative id", `{` + ctx + `, "id": "certs/1", "type": "VerifiableCredential"}`, CodeRelativeIRI},
		{"relative IRI value", `{` + ctx + `, "type": "VerifiableCredential", "issuer": "issuers/1"}`, CodeRelativeIRI},
		{"unknown context", `{"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx.json"], "type": "VerifiableCredential"}`, CodeUnknownContext},
		{"protected redefinition", `{"@context": ["https://www.w3.org/ns/credentials/v2", {"name": "https://evil.example/name"}], "type": "VerifiableCredential", "name": "x"}`, CodeInvalid},
		{"bad @id type", `{` + ctx + `, "id": 5, "type": "VerifiableCredential"}`, CodeInvalid},
		{"bad context value", `{"@context": 5, "name": "x"}`, CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, tt.doc)
			for _, path := range []struct {
				name string
				f    func(map[string]any) ([]rdfc.Quad, error)
			}{{"fast", p.ToRDF}, {"general", p.generalToRDF}} {
				_, err := path.f(doc)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s path: got %v, want a *Error with code %s", path.name, err, tt.want)
				}
				if path.name == "fast" && e.Code != tt.want {
					t.Errorf("%s path: got code %s (%v), want %s", path.name, e.Code, e.Message, tt.want)
				}
			}
		})
	}
}

// TestFastMatchesGeneral compares the two paths on documents that exercise
// scoped contexts, aliases, blank nodes and values.
func TestFastMatchesGeneral(t *testing.T) {
	p := testProcessor(t)
	for i, s := range fastGeneralSeeds {
		doc := parse(t, s)
		fast, general := canonBoth(t, p, doc)
		if !bytes.Equal(fast, general) {
			t.Errorf("doc %d:\nfast    %s\ngeneral %s", i, fast, general)
		}
	}
}

// fastGeneralSeeds exercise scoped contexts, aliases, blank nodes and
// values; the fuzz target starts from them too.
var fastGeneralSeeds = []string{
	`{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
		  "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:key:z6Mk", "type": "Profile", "name": "TL", "url": "https://tl.example"},
		  "validFrom": "2024-01-01T00:00:00Z", "name": "Cert",
		  "credentialSubject": {"type": ["AchievementSubject"], "identifier": [{"type": "IdentityObject", "hashed": true, "identityHash": "sha256$abc", "identityType": "emailAddress", "salt": "s"}],
		    "achievement": {"id": "https://tl.example/a/1", "type": ["Achievement"], "achievementType": "Certificate", "name": "A", "description": "D", "criteria": {"narrative": "N"},
		      "alignment": [{"type": ["Alignment"], "targetName": "Go", "targetUrl": "https://tl.example/s/go", "targetType": "ceterms:Skill"}, {"type": ["Alignment"], "targetName": "Go", "targetUrl": "https://tl.example/s/go2"}]}},
		  "evidence": [{"id": "https://tl.example/p/1", "type": ["Evidence"], "name": "P"}, {"type": ["Evidence"], "name": "Q"}]}`,
	`{"@context": ["https://www.w3.org/ns/credentials/v2", {"ex": "https://ex.example/#", "Thing": "ex:Thing", "knows": {"@id": "ex:knows", "@type": "@id"}}],
		  "@id": "_:me", "type": "Thing", "knows": ["_:you", "_:me"], "ex:name": {"@value": "Me", "@type": "ex:Name"}}`,
	`{"@context": "https://www.w3.org/ns/credentials/v2", "type": "VerifiableCredential", "credentialSubject": [{}, {}, {"name": "same"}, {"name": "same"}]}`,
	`{"@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2"], "type": "DataIntegrityProof", "proofPurpose": "authentication", "cryptosuite": "eddsa-rdfc-2022", "created": "2024-01-01T00:00:00Z"}`,
	`{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "BitstringStatusListCredential"], "id": "https://tl.example/status/1",
		  "credentialSubject": {"id": "https://tl.example/status/1#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": "uH4sIAAAAAAAAA"},
		  "credentialStatus": {"id": "https://tl.example/status/1#5", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://tl.example/status/1"}}`,
	"{\"@context\": \"https://www.w3.org/ns/credentials/v2\", \"type\": \"VerifiableCredential\", \"name\": \"tab\\tquote\\\" back\\\\ nl\\n cr\\r bell\\u0007 \\u007f 中文 😀\"}",
}

// TestContextCacheKeys checks that differently shaped contexts never share
// a cache entry: an empty array is fine, an empty URL is unknown, whatever
// was processed before.
func TestContextCacheKeys(t *testing.T) {
	p := testProcessor(t)
	if _, err := p.ToRDF(parse(t, `{"@context": []}`)); err != nil {
		t.Fatalf("empty context array: %v", err)
	}
	for _, doc := range []string{`{"@context": [""]}`, `{"@context": ""}`} {
		var e *Error
		if _, err := p.ToRDF(parse(t, doc)); !errors.As(err, &e) || e.Code != CodeUnknownContext {
			t.Errorf("%s: got %v, want unknown_context", doc, err)
		}
	}
}
