package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"

	"talentloop/credential/internal/rdfc"
)

// TestFastPathMatchesGeneral canonicalizes issued credentials (and their
// proof options and status lists) with the fast JSON-LD path and with the
// general json-gold path: the bytes must be identical, and our documents
// must take the fast path.
func TestFastPathMatchesGeneral(t *testing.T) {
	f := newIssuerFixture(t, "")
	p := f.params(t, 1)
	docs := [][]byte{f.issue(t, p)}
	p.ValidUntil = fixedNow.AddDate(1, 0, 0)
	p.OmitSchema = true
	p.Evidence = nil
	p.Achievement.Alignments = nil
	p.Achievement.Image = "https://tl.example/badges/go.png"
	p.Achievement.CriteriaURL = "https://tl.example/programs/go-backend#criteria"
	p.Achievement.Tags = []string{"go", "后端"}
	p.Description = "Line one\nline \"two\"\t\\ with control \u0001 chars"
	docs = append(docs, f.issue(t, p), f.lists.m[f.revocation.ID])
	for i, raw := range docs {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		proof := m["proof"].(map[string]any)
		delete(m, "proof")
		delete(proof, "proofValue")
		proof["@context"] = m["@context"]
		for _, doc := range []map[string]any{m, proof} {
			if !processor().FastPathSupports(doc) {
				t.Errorf("doc %d: not on the fast path", i)
			}
			fq, err := processor().ToRDF(doc)
			if err != nil {
				t.Fatal(err)
			}
			gq, err := processor().GeneralToRDF(doc)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := rdfc.Canonicalize(fq, nil)
			if err != nil {
				t.Fatal(err)
			}
			general, err := rdfc.Canonicalize(gq, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, general) {
				t.Errorf("doc %d:\nfast    %s\ngeneral %s", i, fast, general)
			}
		}
	}
}

// TestConcurrentVerify shares one Verifier (and the context cache) between
// goroutines; run with -race.
func TestConcurrentVerify(t *testing.T) {
	f := newIssuerFixture(t, "")
	var raws [][]byte
	for i := range 4 {
		raws = append(raws, f.issue(t, f.params(t, i)))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				raw := raws[(g+i)%len(raws)]
				if res := f.verifier.Verify(context.Background(), raw); !res.Verified {
					t.Errorf("goroutine %d: %+v", g, res.Failure())
					return
				}
			}
		}()
	}
	wg.Wait()
}
