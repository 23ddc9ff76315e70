package credential

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fixedNow is the clock of the tests.
var fixedNow = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// memLists is an in-memory StatusFetcher.
type memLists struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (f *memLists) FetchStatusList(_ context.Context, url string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.m[url]
	if !ok {
		return nil, errors.New("not found")
	}
	return b, nil
}

func (f *memLists) put(url string, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string][]byte{}
	}
	f.m[url] = b
}

// issuerFixture is an issuer with a keystore, two status lists and a
// verifier that knows them.
type issuerFixture struct {
	ks         *Keystore
	id         *Identity
	revocation *StatusList
	suspension *StatusList
	lists      *memLists
	verifier   *Verifier
}

func newIssuerFixture(t testing.TB, publicBaseURL string) *issuerFixture {
	t.Helper()
	ks, err := OpenKeystore(t.TempDir(), &KeystoreOptions{Now: func() time.Time { return fixedNow.Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(ks, publicBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	f := &issuerFixture{ks: ks, id: id, lists: &memLists{}}
	f.revocation, err = NewStatusList("https://tl.example/status/revocation/1", id.DID(), Revocation, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.suspension, err = NewStatusList("https://tl.example/status/suspension/1", id.DID(), Suspension, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.publish(t)
	f.verifier = &Verifier{Resolver: id.Resolver(), StatusFetcher: f.lists, Now: func() time.Time { return fixedNow }}
	return f
}

// publish signs both status lists and makes them fetchable.
func (f *issuerFixture) publish(t testing.TB) {
	t.Helper()
	for _, l := range []*StatusList{f.revocation, f.suspension} {
		b, err := l.SignedCredential(f.id, fixedNow.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.lists.put(l.ID, b)
	}
}

func (f *issuerFixture) params(t testing.TB, n int) OpenBadgeParams {
	t.Helper()
	ri, err := f.revocation.Allocate(nil)
	if err != nil {
		t.Fatal(err)
	}
	si, err := f.suspension.Allocate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return OpenBadgeParams{
		ID:          fmt.Sprintf("https://tl.example/certificates/%d", n),
		Issuer:      Issuer{ID: f.id.DID(), Name: "talentloop 人才培养", URL: "https://tl.example"},
		ValidFrom:   fixedNow.Add(-time.Hour),
		HolderEmail: "Learner@Example.com",
		Salt:        "c0ffee",
		Achievement: AchievementParams{
			ID:                "https://tl.example/programs/go-backend",
			Name:              "Go 后端开发微专业",
			Description:       "Builds and operates production Go services.",
			CriteriaNarrative: "Complete the four courses and score at least 80 on two real projects.",
			Alignments: []Alignment{
				{TargetName: "Go programming", TargetURL: "https://tl.example/skills/go", TargetType: AlignSkill},
				{TargetName: "Software developer", TargetURL: "https://tl.example/occupations/2-02-10-03", TargetFramework: "职业分类大典 2022", TargetCode: "2-02-10-03", TargetType: AlignOccupation},
			},
		},
		Evidence: []Evidence{
			{ID: "https://tl.example/submissions/41", Name: "Order service", Narrative: "Reviewed by an engineer: 92/100.", Genre: "Real project"},
			{Name: "Load test report", Narrative: "Reviewed: 85/100."},
		},
		Status: []StatusEntry{f.revocation.Entry(ri), f.suspension.Entry(si)},
	}
}

func (f *issuerFixture) issue(t testing.TB, p OpenBadgeParams) []byte {
	t.Helper()
	vc, err := BuildOpenBadge(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sign(vc, f.id.Signer(), fixedNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
