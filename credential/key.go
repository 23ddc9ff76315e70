package credential

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
)

// Multicodec prefixes of Ed25519 keys in Multikey encoding.
var (
	ed25519PubPrefix  = []byte{0xed, 0x01}
	ed25519PrivPrefix = []byte{0x80, 0x26}
)

// KeyPair is an Ed25519 key pair.
type KeyPair struct {
	Public  ed25519.PublicKey
	Private ed25519.PrivateKey
}

// GenerateKey creates a key pair from r (crypto/rand when r is nil).
func GenerateKey(r io.Reader) (*KeyPair, error) {
	if r == nil {
		r = rand.Reader
	}
	pub, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("credential: generate key: %w", err)
	}
	return &KeyPair{Public: pub, Private: priv}, nil
}

// KeyPairFromSeed returns the key pair of a 32-byte Ed25519 seed.
func KeyPairFromSeed(seed []byte) (*KeyPair, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("credential: an Ed25519 seed has %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return &KeyPair{Public: priv.Public().(ed25519.PublicKey), Private: priv}, nil
}

// PublicKeyMultibase returns the public key in Multikey form ("z6Mk...").
func (k *KeyPair) PublicKeyMultibase() string { return EncodePublicKeyMultibase(k.Public) }

// SecretKeyMultibase returns the private key seed in Multikey form
// ("z3u2..."). Keep it secret.
func (k *KeyPair) SecretKeyMultibase() string {
	return "z" + base58Encode(append(append([]byte{}, ed25519PrivPrefix...), k.Private.Seed()...))
}

// EncodePublicKeyMultibase returns an Ed25519 public key in Multikey form.
func EncodePublicKeyMultibase(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// ParsePublicKeyMultibase decodes an Ed25519 public key in Multikey form.
func ParsePublicKeyMultibase(s string) (ed25519.PublicKey, error) {
	b, err := decodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.PublicKeySize || b[0] != ed25519PubPrefix[0] || b[1] != ed25519PubPrefix[1] {
		return nil, fmt.Errorf("not an Ed25519 public key in Multikey form")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// ParseSecretKeyMultibase decodes an Ed25519 private key in Multikey form.
func ParseSecretKeyMultibase(s string) (*KeyPair, error) {
	b, err := decodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.SeedSize || b[0] != ed25519PrivPrefix[0] || b[1] != ed25519PrivPrefix[1] {
		return nil, fmt.Errorf("not an Ed25519 private key in Multikey form")
	}
	return KeyPairFromSeed(b[2:])
}

func decodeMultibase58(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("not a base58btc multibase value (it must start with 'z')")
	}
	b, err := base58Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("bad multibase value: %w", err)
	}
	return b, nil
}

func ed25519Sign(k *KeyPair, msg []byte) []byte { return ed25519.Sign(k.Private, msg) }
