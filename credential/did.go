package credential

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DID document contexts.
const (
	didContextV1      = "https://www.w3.org/ns/did/v1"
	multikeyContextV1 = "https://w3id.org/security/multikey/v1"
)

// DIDKey returns the did:key DID of an Ed25519 public key.
func DIDKey(pub ed25519.PublicKey) string { return "did:key:" + EncodePublicKeyMultibase(pub) }

// DIDKeyVerificationMethod returns the verification method id of an Ed25519
// did:key ("did:key:z6Mk...#z6Mk...").
func DIDKeyVerificationMethod(pub ed25519.PublicKey) string {
	mb := EncodePublicKeyMultibase(pub)
	return "did:key:" + mb + "#" + mb
}

// DIDWeb returns the did:web DID for a public https base URL, for example
// "https://talentloop.example/org" gives "did:web:talentloop.example:org".
// The DID document is then served at WebDIDDocumentURL(did).
func DIDWeb(publicBaseURL string) (string, error) {
	u, err := url.Parse(publicBaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("credential: did:web needs an https base URL without query or fragment, not %q", publicBaseURL)
	}
	did := "did:web:" + strings.ReplaceAll(url.PathEscape(strings.ToLower(u.Host)), ":", "%3A")
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg == "" {
			continue
		}
		did += ":" + url.PathEscape(seg)
	}
	return did, nil
}

// WebDIDDocumentURL returns where the DID document of a did:web DID lives:
// https://host/.well-known/did.json without a path, https://host/path/did.json
// with one.
func WebDIDDocumentURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("credential: %q is not a did:web DID", did)
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return "", fmt.Errorf("credential: bad did:web host: %w", err)
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json", nil
}

// DIDDocument is a DID document with Multikey verification methods.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
	Authentication     []string             `json:"authentication,omitempty"`
}

// VerificationMethod is a Multikey verification method.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// VerificationMethodID returns the id of the verification method for pub
// under did: for did:key the key's own fragment; for other DIDs the Multikey
// value as fragment, so that every key (current or retired) keeps its id.
func VerificationMethodID(did string, pub ed25519.PublicKey) string {
	return did + "#" + EncodePublicKeyMultibase(pub)
}

// NewDIDDocument returns the DID document of did with one Multikey
// verification method per key, all usable for assertions (signing
// credentials). List retired keys too: credentials they signed stay
// verifiable only while their method resolves. The first key is the one
// listed first.
func NewDIDDocument(did string, keys ...ed25519.PublicKey) *DIDDocument {
	doc := &DIDDocument{Context: []string{didContextV1, multikeyContextV1}, ID: did}
	for _, k := range keys {
		id := VerificationMethodID(did, k)
		doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{
			ID: id, Type: "Multikey", Controller: did, PublicKeyMultibase: EncodePublicKeyMultibase(k),
		})
		doc.AssertionMethod = append(doc.AssertionMethod, id)
		doc.Authentication = append(doc.Authentication, id)
	}
	return doc
}

// ErrDIDNotFound is returned by resolvers for a DID they do not know.
var ErrDIDNotFound = errors.New("credential: DID not found")

// Resolver resolves a DID to its DID document. The engine does no network
// access: did:web documents come from a Resolver the caller provides.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*DIDDocument, error)
}

// KeyResolver resolves did:key DIDs (Ed25519 only), locally.
type KeyResolver struct{}

// Resolve implements Resolver.
func (KeyResolver) Resolve(_ context.Context, did string) (*DIDDocument, error) {
	mb, ok := strings.CutPrefix(did, "did:key:")
	if !ok {
		return nil, ErrDIDNotFound
	}
	pub, err := ParsePublicKeyMultibase(mb)
	if err != nil {
		return nil, fmt.Errorf("credential: bad did:key %q: %w", did, err)
	}
	return NewDIDDocument(did, pub), nil
}

// StaticResolver resolves the DIDs whose documents it holds.
type StaticResolver map[string]*DIDDocument

// Resolve implements Resolver.
func (s StaticResolver) Resolve(_ context.Context, did string) (*DIDDocument, error) {
	if d, ok := s[did]; ok {
		return d, nil
	}
	return nil, ErrDIDNotFound
}

// MultiResolver asks each resolver in turn and returns the first document
// found.
type MultiResolver []Resolver

// Resolve implements Resolver.
func (m MultiResolver) Resolve(ctx context.Context, did string) (*DIDDocument, error) {
	for _, r := range m {
		d, err := r.Resolve(ctx, did)
		if errors.Is(err, ErrDIDNotFound) {
			continue
		}
		return d, err
	}
	return nil, ErrDIDNotFound
}

// resolveAssertionKey resolves a verification method id to its Ed25519
// public key, checking that its controller lists it for assertions.
func resolveAssertionKey(ctx context.Context, r Resolver, vmID string) (ed25519.PublicKey, string, *Reason) {
	did, frag, ok := strings.Cut(vmID, "#")
	if !ok || frag == "" || !strings.HasPrefix(did, "did:") {
		return nil, "", reasonf(CodeKeyNotFound, "verification method %q is not a DID URL with a fragment", vmID)
	}
	if strings.HasPrefix(did, "did:key:") && frag != strings.TrimPrefix(did, "did:key:") {
		return nil, "", reasonf(CodeKeyMismatch, "verification method %q names a key other than its did:key", vmID)
	}
	if r == nil {
		r = KeyResolver{}
	}
	doc, err := r.Resolve(ctx, did)
	if err != nil || doc == nil {
		if errors.Is(err, ErrDIDNotFound) || doc == nil {
			return nil, "", reasonf(CodeKeyNotFound, "the DID %q could not be resolved", did)
		}
		return nil, "", reasonf(CodeKeyNotFound, "the DID %q could not be resolved: %v", did, err)
	}
	if doc.ID != did {
		return nil, "", reasonf(CodeKeyNotFound, "the DID document for %q has id %q", did, doc.ID)
	}
	var vm *VerificationMethod
	for i := range doc.VerificationMethod {
		m := &doc.VerificationMethod[i]
		if m.ID == vmID || m.ID == "#"+frag {
			vm = m
			break
		}
	}
	if vm == nil {
		return nil, "", reasonf(CodeKeyNotFound, "the DID document of %q has no verification method %q", did, vmID)
	}
	listed := false
	for _, a := range doc.AssertionMethod {
		if a == vmID || a == "#"+frag {
			listed = true
			break
		}
	}
	if !listed {
		return nil, "", reasonf(CodeKeyNotFound, "verification method %q is not authorized for assertions", vmID)
	}
	if vm.Controller != "" && vm.Controller != did {
		return nil, "", reasonf(CodeKeyNotFound, "verification method %q is controlled by %q", vmID, vm.Controller)
	}
	if vm.Type != "Multikey" && vm.Type != "Ed25519VerificationKey2020" {
		return nil, "", reasonf(CodeKeyNotFound, "verification method %q has unsupported type %q", vmID, vm.Type)
	}
	pub, err := ParsePublicKeyMultibase(vm.PublicKeyMultibase)
	if err != nil {
		return nil, "", reasonf(CodeBadMultibase, "verification method %q: %v", vmID, err)
	}
	return pub, did, nil
}
