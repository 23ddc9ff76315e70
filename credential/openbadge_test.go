package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"talentloop/credential/contexts"
)

func TestBuildOpenBadgeShape(t *testing.T) {
	f := newIssuerFixture(t, "")
	p := f.params(t, 1)
	p.ValidUntil = fixedNow.AddDate(2, 0, 0)
	raw := f.issue(t, p)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	ctx := m["@context"].([]any)
	if len(ctx) != 3 || ctx[0] != contexts.CredentialsV2 || ctx[1] != contexts.OpenBadgesV3 || ctx[2] != contexts.OpenBadgesExt {
		t.Errorf("@context: got %v", ctx)
	}
	if _, ok := m["issuanceDate"]; ok {
		t.Error("issuanceDate is VC 1.1; VC 2.0 uses validFrom")
	}
	if m["validUntil"] != FormatTime(p.ValidUntil) {
		t.Errorf("validUntil: got %v", m["validUntil"])
	}
	subj := m["credentialSubject"].(map[string]any)
	ach := subj["achievement"].(map[string]any)
	if ach["achievementType"] != "Certificate" || ach["criteria"].(map[string]any)["narrative"] == nil {
		t.Errorf("achievement: got %v", ach)
	}
	if len(ach["alignment"].([]any)) != 2 || len(m["evidence"].([]any)) != 2 || len(m["credentialStatus"].([]any)) != 2 {
		t.Error("alignments, evidence or status entries missing")
	}
	id := subj["identifier"].([]any)[0].(map[string]any)
	if id["identityType"] != "emailAddress" || id["hashed"] != true || !strings.HasPrefix(id["identityHash"].(string), "sha256$") {
		t.Errorf("identifier: got %v", id)
	}
	if strings.Contains(string(raw), "learner@example.com") || strings.Contains(string(raw), "Learner@Example.com") {
		t.Error("the holder's email appears in clear")
	}
	schema := m["credentialSchema"].([]any)[0].(map[string]any)
	if schema["id"] != AchievementCredentialSchema || schema["type"] != SchemaValidatorType {
		t.Errorf("credentialSchema: got %v", schema)
	}
	if !MatchIdentity(m, "  LEARNER@example.com ") {
		t.Error("MatchIdentity: the holder does not match")
	}
	if MatchIdentity(m, "someone@example.com") {
		t.Error("MatchIdentity: another address matches")
	}
	if res := f.verifier.Verify(context.Background(), raw); !res.Verified {
		t.Fatalf("not verified: %+v", res.Checks)
	}

	p.OmitSchema = true
	vc, err := BuildOpenBadge(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(vc.Context) != 2 || vc.CredentialSchema != nil {
		t.Errorf("without schema: got %v %v", vc.Context, vc.CredentialSchema)
	}
}

func TestHashIdentity(t *testing.T) {
	// sha256("learner@example.com" + "salt")
	got := HashIdentity(" Learner@Example.com", "salt")
	want := "sha256$196c0dd3a4f25e50c07a34c54160a30442e718bfc57215302d12c4aed9ecdd16"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if HashIdentity("learner@example.com", "salt") != got {
		t.Error("normalization: case and spaces change the hash")
	}
	if HashIdentity("learner@example.com", "pepper") == got {
		t.Error("the salt does not change the hash")
	}
}

func TestBuildOpenBadgeValidation(t *testing.T) {
	f := newIssuerFixture(t, "")
	base := f.params(t, 1)
	tests := []struct {
		name   string
		change func(p *OpenBadgeParams)
	}{
		{"http id", func(p *OpenBadgeParams) { p.ID = "http://tl.example/c/1" }},
		{"relative id", func(p *OpenBadgeParams) { p.ID = "/c/1" }},
		{"issuer not a DID", func(p *OpenBadgeParams) { p.Issuer.ID = "https://tl.example" }},
		{"no issuer name", func(p *OpenBadgeParams) { p.Issuer.Name = " " }},
		{"no validFrom", func(p *OpenBadgeParams) { p.ValidFrom = time.Time{} }},
		{"validUntil before validFrom", func(p *OpenBadgeParams) { p.ValidUntil = p.ValidFrom.Add(-time.Hour) }},
		{"no achievement name", func(p *OpenBadgeParams) { p.Achievement.Name = "" }},
		{"no criteria", func(p *OpenBadgeParams) { p.Achievement.CriteriaNarrative = "" }},
		{"no holder", func(p *OpenBadgeParams) { p.HolderEmail = "" }},
		{"alignment without URL", func(p *OpenBadgeParams) { p.Achievement.Alignments[0].TargetURL = "" }},
		{"evidence with a bad URL", func(p *OpenBadgeParams) { p.Evidence[0].ID = "project 41" }},
		{"empty evidence", func(p *OpenBadgeParams) { p.Evidence = append(p.Evidence, Evidence{}) }},
		{"status not from a list", func(p *OpenBadgeParams) { p.Status = []StatusEntry{{Type: "RevocationList2020"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Achievement.Alignments = append([]Alignment(nil), base.Achievement.Alignments...)
			p.Evidence = append([]Evidence(nil), base.Evidence...)
			tt.change(&p)
			if _, err := BuildOpenBadge(p); err == nil {
				t.Fatal("got no error")
			}
		})
	}
}

// TestSignLeavesInputAlone checks that signing neither changes its input
// nor re-encodes it: the signed bytes are the input bytes plus the proof.
func TestSignLeavesInputAlone(t *testing.T) {
	f := newIssuerFixture(t, "")
	vc, err := BuildOpenBadge(f.params(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(vc)
	signed, err := Sign(vc, f.id.Signer(), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(vc)
	if !bytes.Equal(before, after) {
		t.Error("Sign changed its input")
	}
	if !bytes.HasPrefix(signed, before[:len(before)-1]) || !bytes.Contains(signed, []byte(`,"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022"`)) {
		t.Errorf("signed document is not the input plus a proof:\n%s", signed)
	}
	if _, err := Sign(signed, f.id.Signer(), fixedNow); err == nil {
		t.Error("signing a signed document: got no error")
	}
	if _, err := Sign(map[string]any{"@context": contexts.CredentialsV2, "type": "VerifiableCredential", "secret": 1}, f.id.Signer(), fixedNow); err == nil {
		t.Error("signing a document with an undefined term: got no error")
	}
}
