package credential

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeystorePersistsWithOwnerOnlyPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ks, err := OpenKeystore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := ks.Active()
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	second := ks.Active()

	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o700); got != want {
		t.Errorf("directory mode: got %v, want %v", got, want)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("got files %v, want one per key", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := st.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Errorf("%s mode: got %v, want %v", f, got, want)
		}
	}

	again, err := OpenKeystore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := again.Keys()
	if len(keys) != 2 {
		t.Fatalf("reopened: got %d keys, want 2", len(keys))
	}
	if !keys[0].Public.Equal(first.Public) || keys[0].Retired.IsZero() {
		t.Errorf("reopened: the first key should be the retired one, got %+v", keys[0])
	}
	if !again.Active().Public.Equal(second.Public) || !again.Active().Retired.IsZero() {
		t.Errorf("reopened: the active key changed")
	}
	if _, ok := again.Lookup(first.Public); !ok {
		t.Error("the retired key is not found by Lookup")
	}
}

func TestKeystoreTightensLoosePermissions(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenKeystore(dir, nil); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ed25519-*.json"))
	if err := os.Chmod(files[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeystore(dir, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(files[0])
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode after reopening: got %v, want 0600", got)
	}
	st, _ = os.Stat(dir)
	if got := st.Mode().Perm(); got != 0o700 {
		t.Errorf("directory mode after reopening: got %v, want 0700", got)
	}
}

func TestKeystoreRejectsCorruptKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ed25519-bad.json"), []byte(`{"secretKeyMultibase": "z123"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeystore(dir, nil); err == nil {
		t.Fatal("got no error for a corrupt key file")
	}
}

func TestDIDs(t *testing.T) {
	kp, err := ParseSecretKeyMultibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := DIDKey(kp.Public), "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"; got != want {
		t.Errorf("did:key: got %s, want %s", got, want)
	}
	web := []struct{ url, did, doc string }{
		{"https://talentloop.example", "did:web:talentloop.example", "https://talentloop.example/.well-known/did.json"},
		{"https://talentloop.example:8443/", "did:web:talentloop.example%3A8443", "https://talentloop.example:8443/.well-known/did.json"},
		{"https://Example.COM/org/cn", "did:web:example.com:org:cn", "https://example.com/org/cn/did.json"},
	}
	for _, tt := range web {
		did, err := DIDWeb(tt.url)
		if err != nil || did != tt.did {
			t.Errorf("DIDWeb(%s): got %s, %v, want %s", tt.url, did, err, tt.did)
			continue
		}
		if doc, err := WebDIDDocumentURL(did); err != nil || doc != tt.doc {
			t.Errorf("WebDIDDocumentURL(%s): got %s, %v, want %s", did, doc, err, tt.doc)
		}
	}
	for _, bad := range []string{"http://talentloop.example", "talentloop.example", "https://x.example/?q=1", ""} {
		if _, err := DIDWeb(bad); err == nil {
			t.Errorf("DIDWeb(%q): got no error", bad)
		}
	}
}

func TestWebDIDDocument(t *testing.T) {
	ks, err := OpenKeystore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(ks, "https://talentloop.example")
	if err != nil {
		t.Fatal(err)
	}
	doc := id.DIDDocument()
	if doc.ID != "did:web:talentloop.example" || len(doc.VerificationMethod) != 1 {
		t.Fatalf("got %+v", doc)
	}
	vm := doc.VerificationMethod[0]
	if vm.Type != "Multikey" || vm.Controller != doc.ID || vm.ID != id.Signer().VerificationMethod ||
		vm.PublicKeyMultibase != ks.Active().PublicKeyMultibase() {
		t.Errorf("verification method: got %+v", vm)
	}
	if len(doc.AssertionMethod) != 1 || doc.AssertionMethod[0] != vm.ID {
		t.Errorf("assertionMethod: got %v", doc.AssertionMethod)
	}
	if want := []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}; len(doc.Context) != 2 || doc.Context[0] != want[0] || doc.Context[1] != want[1] {
		t.Errorf("@context: got %v, want %v", doc.Context, want)
	}
	keyID, _ := NewIdentity(ks, "")
	if keyID.DIDDocument() != nil {
		t.Error("a did:key identity should have no document to serve")
	}
}
