package credential

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// StoredKey is a signing key with its lifetime.
type StoredKey struct {
	*KeyPair
	Created time.Time
	// Retired is when the key stopped signing; zero for the active key.
	// A retired key still verifies what it signed.
	Retired time.Time
}

// Keystore keeps the issuer's Ed25519 keys in a directory, one file per
// key, readable by the owner only (files 0600, directory 0700). Rotation
// adds a key and retires the previous one; no key is ever deleted, so
// every certificate issued stays verifiable. It is safe for concurrent use
// within one process.
type Keystore struct {
	dir  string
	rand io.Reader
	now  func() time.Time
	mu   sync.RWMutex
	keys []StoredKey // oldest first; the last is active
}

// KeystoreOptions tune OpenKeystore; the zero value is fine.
type KeystoreOptions struct {
	Rand io.Reader        // key generation; nil means crypto/rand
	Now  func() time.Time // nil means time.Now
}

type keyFile struct {
	Type               string     `json:"type"`
	PublicKeyMultibase string     `json:"publicKeyMultibase"`
	SecretKeyMultibase string     `json:"secretKeyMultibase"`
	Created            time.Time  `json:"created"`
	Retired            *time.Time `json:"retired,omitempty"`
}

// OpenKeystore loads the keys in dir, creating the directory and a first
// key when there are none.
func OpenKeystore(dir string, opts *KeystoreOptions) (*Keystore, error) {
	ks := &Keystore{dir: dir, now: time.Now}
	if opts != nil {
		ks.rand = opts.Rand
		if opts.Now != nil {
			ks.now = opts.Now
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("credential: keystore: %w", err)
	}
	// Tighten a directory created earlier with looser permissions.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("credential: keystore: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("credential: keystore: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "ed25519-") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("credential: keystore: %w", err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("credential: keystore: %w", err)
		}
		var kf keyFile
		if err := json.Unmarshal(b, &kf); err != nil {
			return nil, fmt.Errorf("credential: keystore: %s: %w", e.Name(), err)
		}
		kp, err := ParseSecretKeyMultibase(kf.SecretKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("credential: keystore: %s: %w", e.Name(), err)
		}
		if kp.PublicKeyMultibase() != kf.PublicKeyMultibase {
			return nil, fmt.Errorf("credential: keystore: %s: public key does not match the secret key", e.Name())
		}
		sk := StoredKey{KeyPair: kp, Created: kf.Created}
		if kf.Retired != nil {
			sk.Retired = *kf.Retired
		}
		ks.keys = append(ks.keys, sk)
	}
	sort.SliceStable(ks.keys, func(i, j int) bool {
		a, b := ks.keys[i], ks.keys[j]
		// Active (unretired) last, then by creation.
		if a.Retired.IsZero() != b.Retired.IsZero() {
			return !a.Retired.IsZero()
		}
		return a.Created.Before(b.Created)
	})
	if len(ks.keys) == 0 {
		if _, err := ks.addKey(); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Dir returns the keystore's directory.
func (ks *Keystore) Dir() string { return ks.dir }

// Active returns the key that signs new credentials.
func (ks *Keystore) Active() StoredKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.keys[len(ks.keys)-1]
}

// Keys returns every key, oldest first; the last one is active.
func (ks *Keystore) Keys() []StoredKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return append([]StoredKey(nil), ks.keys...)
}

// Lookup returns the key whose public key is pub.
func (ks *Keystore) Lookup(pub ed25519.PublicKey) (StoredKey, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	for _, k := range ks.keys {
		if k.Public.Equal(pub) {
			return k, true
		}
	}
	return StoredKey{}, false
}

// Rotate creates a new active key and retires the previous one.
func (ks *Keystore) Rotate() (StoredKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	prev := ks.keys[len(ks.keys)-1]
	next, err := ks.addKeyLocked()
	if err != nil {
		return StoredKey{}, err
	}
	prev.Retired = next.Created
	if err := ks.write(prev); err != nil {
		return StoredKey{}, err
	}
	ks.keys[len(ks.keys)-2] = prev
	return next, nil
}

func (ks *Keystore) addKey() (StoredKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.addKeyLocked()
}

func (ks *Keystore) addKeyLocked() (StoredKey, error) {
	kp, err := GenerateKey(ks.rand)
	if err != nil {
		return StoredKey{}, err
	}
	sk := StoredKey{KeyPair: kp, Created: ks.now().UTC().Truncate(time.Second)}
	if err := ks.write(sk); err != nil {
		return StoredKey{}, err
	}
	ks.keys = append(ks.keys, sk)
	return sk, nil
}

func (ks *Keystore) fileName(k StoredKey) string {
	mb := k.PublicKeyMultibase()
	return filepath.Join(ks.dir, "ed25519-"+mb[len(mb)-16:]+".json")
}

// write saves a key atomically: a temporary file, synced, then renamed.
func (ks *Keystore) write(k StoredKey) error {
	kf := keyFile{Type: "Ed25519", PublicKeyMultibase: k.PublicKeyMultibase(), SecretKeyMultibase: k.SecretKeyMultibase(), Created: k.Created}
	if !k.Retired.IsZero() {
		r := k.Retired
		kf.Retired = &r
	}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(ks.dir, ".key-*.tmp")
	if err != nil {
		return fmt.Errorf("credential: keystore: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("credential: keystore: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("credential: keystore: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("credential: keystore: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("credential: keystore: %w", err)
	}
	if err := os.Rename(tmp, ks.fileName(k)); err != nil {
		return fmt.Errorf("credential: keystore: %w", err)
	}
	return nil
}

// Identity is the issuer's decentralized identity over a keystore: did:web
// when the platform has a public base URL, otherwise did:key (one DID per
// key, so a rotation changes the DID; earlier DIDs stay verifiable because
// did:key resolves from the DID itself).
type Identity struct {
	ks     *Keystore
	webDID string
}

// NewIdentity returns the identity for ks: did:web of publicBaseURL when it
// is set (an https URL), did:key otherwise.
func NewIdentity(ks *Keystore, publicBaseURL string) (*Identity, error) {
	if ks == nil {
		return nil, errors.New("credential: NewIdentity needs a keystore")
	}
	id := &Identity{ks: ks}
	if publicBaseURL != "" {
		did, err := DIDWeb(publicBaseURL)
		if err != nil {
			return nil, err
		}
		id.webDID = did
	}
	return id, nil
}

// DID returns the DID that issues new credentials.
func (id *Identity) DID() string {
	if id.webDID != "" {
		return id.webDID
	}
	return DIDKey(id.ks.Active().Public)
}

// IsWeb reports whether the identity is a did:web.
func (id *Identity) IsWeb() bool { return id.webDID != "" }

// Signer returns the signer for new credentials: the active key under the
// current DID.
func (id *Identity) Signer() Signer {
	k := id.ks.Active()
	if id.webDID != "" {
		return Signer{Key: k.KeyPair, VerificationMethod: VerificationMethodID(id.webDID, k.Public)}
	}
	return Signer{Key: k.KeyPair, VerificationMethod: DIDKeyVerificationMethod(k.Public)}
}

// SignerFor returns the signer for documents issued by did: for did:web the
// active key; for a did:key the stored key behind it, even a retired one
// (status lists of credentials issued before a rotation are re-signed with
// the key that issued them).
func (id *Identity) SignerFor(did string) (Signer, error) {
	if id.webDID != "" && did == id.webDID {
		return id.Signer(), nil
	}
	if mb, ok := strings.CutPrefix(did, "did:key:"); ok {
		if pub, err := ParsePublicKeyMultibase(mb); err == nil {
			if k, ok := id.ks.Lookup(pub); ok {
				return Signer{Key: k.KeyPair, VerificationMethod: DIDKeyVerificationMethod(k.Public)}, nil
			}
		}
	}
	return Signer{}, fmt.Errorf("credential: no key for issuer %q", did)
}

// DIDs returns every DID this identity has issued under (for a verifier's
// TrustedIssuers): the did:web, or the did:key of every key.
func (id *Identity) DIDs() []string {
	if id.webDID != "" {
		return []string{id.webDID}
	}
	var out []string
	for _, k := range id.ks.Keys() {
		out = append(out, DIDKey(k.Public))
	}
	return out
}

// DIDDocument returns the did:web document to serve at
// WebDIDDocumentURL(id.DID()), usually /.well-known/did.json: the active
// key first, then every retired key, all as Multikey assertion methods. It
// is nil for a did:key identity, which needs no document.
func (id *Identity) DIDDocument() *DIDDocument {
	if id.webDID == "" {
		return nil
	}
	keys := id.ks.Keys()
	pubs := make([]ed25519.PublicKey, 0, len(keys))
	for i := len(keys) - 1; i >= 0; i-- {
		pubs = append(pubs, keys[i].Public)
	}
	return NewDIDDocument(id.webDID, pubs...)
}

// Resolver returns a resolver for this identity's own DIDs (its did:web
// document, from the keystore) and for every did:key.
func (id *Identity) Resolver() Resolver {
	if id.webDID == "" {
		return KeyResolver{}
	}
	return MultiResolver{identityResolver{id}, KeyResolver{}}
}

type identityResolver struct{ id *Identity }

func (r identityResolver) Resolve(_ context.Context, did string) (*DIDDocument, error) {
	if did != r.id.webDID {
		return nil, ErrDIDNotFound
	}
	return r.id.DIDDocument(), nil
}
