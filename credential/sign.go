package credential

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"talentloop/credential/contexts"
	"talentloop/credential/internal/jsonld"
)

// Data Integrity constants.
const (
	ProofType       = "DataIntegrityProof"
	Cryptosuite     = "eddsa-rdfc-2022"
	AssertionMethod = "assertionMethod"
)

// processor is the shared JSON-LD processor over the bundled contexts; its
// processed-context cache is what makes signing and verifying fast.
var processor = sync.OnceValue(func() *jsonld.Processor {
	p, err := jsonld.NewProcessor(contexts.Documents())
	if err != nil {
		panic(fmt.Sprintf("credential: bundled contexts: %v", err))
	}
	return p
})

// Signer signs with one key, named by its verification method id (for
// example "did:key:z6Mk...#z6Mk..." or "did:web:example.com#z6Mk...").
type Signer struct {
	Key                *KeyPair
	VerificationMethod string
}

// Proof is a Data Integrity proof.
type Proof struct {
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created,omitempty"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// FormatTime formats t as an XML Schema dateTime in UTC with second
// precision, the form credentials use.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// Sign adds an eddsa-rdfc-2022 Data Integrity proof to doc (a struct such as
// *OpenBadgeCredential, a map, or JSON bytes) and returns the signed
// document's JSON. The document is never modified, and the returned bytes are
// the credential: store and serve them as they are.
func Sign(doc any, s Signer, created time.Time) ([]byte, error) {
	if s.Key == nil || len(s.Key.Private) != ed25519.PrivateKeySize || s.VerificationMethod == "" {
		return nil, errors.New("credential: Sign needs a key and its verification method id")
	}
	var raw []byte
	switch d := doc.(type) {
	case []byte:
		raw = bytes.TrimSpace(d)
	case json.RawMessage:
		raw = bytes.TrimSpace(d)
	default:
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("credential: encode document: %w", err)
		}
		raw = b
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("credential: the document to sign must be a JSON object")
	}
	if _, ok := m["proof"]; ok {
		return nil, errors.New("credential: the document already has a proof")
	}
	ctxVal, ok := m["@context"]
	if !ok {
		return nil, errors.New("credential: the document has no @context")
	}
	proof := Proof{
		Type:               ProofType,
		Cryptosuite:        Cryptosuite,
		Created:            FormatTime(created),
		VerificationMethod: s.VerificationMethod,
		ProofPurpose:       AssertionMethod,
	}
	hash, err := signingInput(m, ctxVal, &proof)
	if err != nil {
		return nil, err
	}
	proof.ProofValue = "z" + base58Encode(ed25519.Sign(s.Key.Private, hash))
	pb, err := json.Marshal(proof)
	if err != nil {
		return nil, err
	}
	// Append the proof to the very bytes that were canonicalized.
	out := make([]byte, 0, len(raw)+len(pb)+12)
	out = append(out, raw[:len(raw)-1]...)
	if len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"proof":`...)
	out = append(out, pb...)
	out = append(out, '}')
	return out, nil
}

// signingInput returns sha256(canonical proof options) || sha256(canonical
// document), the data an eddsa-rdfc-2022 signature covers. doc must not
// hold the proof.
func signingInput(doc map[string]any, ctxVal any, p *Proof) ([]byte, error) {
	cfg := map[string]any{
		"@context":           ctxVal,
		"type":               p.Type,
		"cryptosuite":        p.Cryptosuite,
		"verificationMethod": p.VerificationMethod,
		"proofPurpose":       p.ProofPurpose,
	}
	if p.Created != "" {
		cfg["created"] = p.Created
	}
	return signingInputFor(processor(), doc, cfg)
}

func signingInputFor(p *jsonld.Processor, doc, proofConfig map[string]any) ([]byte, error) {
	pc, err := p.Canonicalize(proofConfig)
	if err != nil {
		return nil, fmt.Errorf("credential: canonicalize proof options: %w", err)
	}
	dc, err := p.Canonicalize(doc)
	if err != nil {
		return nil, fmt.Errorf("credential: canonicalize document: %w", err)
	}
	ph := sha256.Sum256(pc)
	dh := sha256.Sum256(dc)
	return append(ph[:], dh[:]...), nil
}
