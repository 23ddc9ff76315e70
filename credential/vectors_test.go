package credential

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"talentloop/credential/contexts"
	"talentloop/credential/internal/jsonld"
)

// TestW3CSignatureVector signs the eddsa-rdfc-2022 test vector credential
// of the W3C Data Integrity EdDSA Cryptosuites spec with its key and
// reproduces every published value byte for byte: the canonical proof
// options and document, both hashes and the proofValue.
func TestW3CSignatureVector(t *testing.T) {
	dir := filepath.Join("testdata", "w3c")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	docs := contexts.Documents()
	docs["https://www.w3.org/ns/credentials/examples/v2"] = read("examples-v2.jsonld")
	p, err := jsonld.NewProcessor(docs)
	if err != nil {
		t.Fatal(err)
	}
	var keys struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	if err := json.Unmarshal(read("keyPair.json"), &keys); err != nil {
		t.Fatal(err)
	}
	kp, err := ParseSecretKeyMultibase(keys.PrivateKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if got := kp.PublicKeyMultibase(); got != keys.PublicKeyMultibase {
		t.Fatalf("public key: got %s, want %s", got, keys.PublicKeyMultibase)
	}
	if got := kp.SecretKeyMultibase(); got != keys.PrivateKeyMultibase {
		t.Fatalf("secret key round trip: got %s, want %s", got, keys.PrivateKeyMultibase)
	}
	var signed map[string]any
	if err := json.Unmarshal(read("signed.json"), &signed); err != nil {
		t.Fatal(err)
	}
	want := signed["proof"].(map[string]any)
	delete(signed, "proof")
	var cfg map[string]any
	if err := json.Unmarshal(read("proofConfig.json"), &cfg); err != nil {
		t.Fatal(err)
	}

	canonCfg, err := p.Canonicalize(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := read("proofCanon.txt"); !bytes.Equal(canonCfg, want) {
		t.Errorf("canonical proof options:\ngot  %s\nwant %s", canonCfg, want)
	}
	canonDoc, err := p.Canonicalize(signed)
	if err != nil {
		t.Fatal(err)
	}
	if want := read("canonDoc.txt"); !bytes.Equal(canonDoc, want) {
		t.Errorf("canonical document:\ngot  %s\nwant %s", canonDoc, want)
	}
	hash, err := signingInputFor(p, signed, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ph := sha256.Sum256(canonCfg)
	if got, want := hex.EncodeToString(ph[:]), strings.TrimSpace(string(read("proofHash.txt"))); got != want {
		t.Errorf("proof hash: got %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(hash), strings.TrimSpace(string(read("combinedHash.txt"))); got != want {
		t.Errorf("combined hash: got %s, want %s", got, want)
	}
	sig := ed25519Sign(kp, hash)
	if got, want := "z"+base58Encode(sig), want["proofValue"].(string); got != want {
		t.Errorf("proofValue: got %s, want %s", got, want)
	}
}

func TestBase58(t *testing.T) {
	tests := []struct {
		hex, b58 string
	}{
		{"", ""},
		{"00", "1"},
		{"0000", "11"},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"00000000000000000000", "1111111111"},
		{"516b6fcd0f", "ABnLTmg"},
		{"572e4794", "3EFU7m"},
		{"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
		{"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		if got := base58Encode(b); got != tt.b58 {
			t.Errorf("encode %s: got %s, want %s", tt.hex, got, tt.b58)
		}
		got, err := base58Decode(tt.b58)
		if err != nil || hex.EncodeToString(got) != tt.hex {
			t.Errorf("decode %s: got %x, %v, want %s", tt.b58, got, err, tt.hex)
		}
	}
	if _, err := base58Decode("0OIl"); err == nil {
		t.Error("decode of characters outside the alphabet: got no error")
	}
}
