package credential

import (
	"context"
	"testing"
)

func BenchmarkVerify(b *testing.B) {
	f := newIssuerFixture(b, "")
	raw := f.issue(b, f.params(b, 1))
	ctx := context.Background()
	if res := f.verifier.Verify(ctx, raw); !res.Verified {
		b.Fatalf("not verified: %+v", res.Checks)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !f.verifier.Verify(ctx, raw).Verified {
			b.Fatal("not verified")
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	f := newIssuerFixture(b, "")
	p := f.params(b, 1)
	signer := f.id.Signer()
	b.ReportAllocs()
	for b.Loop() {
		vc, err := BuildOpenBadge(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sign(vc, signer, fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}
