package credential

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// deterministicFixture is an issuer whose keys, salts and status indexes
// come from a fixed seed, so that committed fuzz seeds stay valid.
func deterministicFixture(t testing.TB) (*issuerFixture, []byte) {
	t.Helper()
	rnd := rand.NewChaCha8([32]byte{'t', 'a', 'l', 'e', 'n', 't', 'l', 'o', 'o', 'p'})
	ks, err := OpenKeystore(t.TempDir(), &KeystoreOptions{Rand: rnd, Now: func() time.Time { return fixedNow.Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := NewIdentity(ks, "")
	f := &issuerFixture{ks: ks, id: id, lists: &memLists{}}
	f.revocation, _ = NewStatusList("https://tl.example/status/revocation/1", id.DID(), Revocation, 0)
	f.suspension, _ = NewStatusList("https://tl.example/status/suspension/1", id.DID(), Suspension, 0)
	ri, _ := f.revocation.Allocate(rnd)
	si, _ := f.suspension.Allocate(rnd)
	p := f.params(t, 1)
	p.Status = []StatusEntry{f.revocation.Entry(ri), f.suspension.Entry(si)}
	raw := f.issue(t, p)
	f.publish(t)
	f.verifier = &Verifier{Resolver: id.Resolver(), StatusFetcher: f.lists, Now: func() time.Time { return fixedNow }}
	return f, raw
}

// FuzzVerify feeds the verifier arbitrary bytes: no input may panic, a
// failed check always names its reason, and the verdict agrees with the
// checks.
func FuzzVerify(f *testing.F) {
	fx, good := deterministicFixture(f)
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"@context": "https://www.w3.org/ns/credentials/v2", "type": "VerifiableCredential"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res := fx.verifier.Verify(context.Background(), raw)
		if len(res.Checks) != len(checkOrder) {
			t.Fatalf("got %d checks, want %d", len(res.Checks), len(checkOrder))
		}
		failed := false
		for _, c := range res.Checks {
			if c.Outcome == Failed {
				failed = true
				if c.Reason == nil || c.Reason.Code == "" || c.Reason.Message == "" {
					t.Fatalf("check %s failed without a reason", c.Name)
				}
				if c.Reason.Code == CodeInternal {
					t.Fatalf("internal error: %s", c.Reason.Message)
				}
			}
		}
		if res.Verified == failed {
			t.Fatalf("verified=%v but a check failed=%v", res.Verified, failed)
		}
		if res.Verified && res.Check(CheckProof).Outcome != Passed {
			t.Fatal("verified without a passing proof")
		}
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpus of FuzzVerify
// (testdata/fuzz/FuzzVerify) when TALENTLOOP_WRITE_FUZZ_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("TALENTLOOP_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set TALENTLOOP_WRITE_FUZZ_SEEDS=1 to rewrite the seed corpus")
	}
	fx, good := deterministicFixture(t)
	var m map[string]any
	json.Unmarshal(good, &m)
	variant := func(change func(m map[string]any)) []byte {
		var c map[string]any
		json.Unmarshal(good, &c)
		change(c)
		b, _ := json.Marshal(c)
		return b
	}
	seeds := map[string][]byte{
		"valid":          good,
		"tampered":       variant(func(c map[string]any) { c["name"] = "x" }),
		"no-proof":       variant(func(c map[string]any) { delete(c, "proof") }),
		"undefined-term": variant(func(c map[string]any) { c["extra"] = true }),
		"unknown-context": variant(func(c map[string]any) {
			c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://x.example/c"}
		}),
		"unknown-cryptosuite": variant(func(c map[string]any) { c["proof"].(map[string]any)["cryptosuite"] = "ecdsa-rdfc-2019" }),
		"bad-multibase":       variant(func(c map[string]any) { c["proof"].(map[string]any)["proofValue"] = "z0" }),
		"status-array-number": variant(func(c map[string]any) { c["credentialStatus"] = []any{1.5} }),
		"number-value":        variant(func(c map[string]any) { c["credentialSubject"].(map[string]any)["creditsEarned"] = 3.5 }),
		"status-list":         fx.lists.m[fx.revocation.ID],
		"malformed":           []byte(`{"@context": ["https://www.w3.org/ns/credentials/v2"`),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFuzzSeedsVerify makes sure the committed "valid" seed still verifies,
// so that fuzzing starts from a credential that reaches every check.
func TestFuzzSeedsVerify(t *testing.T) {
	fx, good := deterministicFixture(t)
	b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzVerify", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	lines := string(b)
	start, end := len("go test fuzz v1\n[]byte("), len(lines)-len(")\n")
	seed, err := strconv.Unquote(lines[start:end])
	if err != nil {
		t.Fatal(err)
	}
	if seed != string(good) {
		t.Fatal("the committed valid seed differs from the deterministic fixture: rerun with TALENTLOOP_WRITE_FUZZ_SEEDS=1")
	}
	if res := fx.verifier.Verify(context.Background(), []byte(seed)); !res.Verified {
		t.Fatalf("valid seed: got %+v", res.Checks)
	}
}
