package credential

import (
	"context"
	"testing"
)

func TestIssueAndVerify(t *testing.T) {
	for _, base := range []string{"", "https://tl.example"} {
		f := newIssuerFixture(t, base)
		b := f.issue(t, f.params(t, 1))
		res := f.verifier.Verify(context.Background(), b)
		if !res.Verified {
			t.Fatalf("base %q: not verified: %+v\n%s", base, res.Checks, b)
		}
		for _, c := range res.Checks {
			if c.Outcome != Passed {
				t.Errorf("base %q: check %s: got %s (%v), want passed", base, c.Name, c.Outcome, c.Reason)
			}
		}
	}
}
