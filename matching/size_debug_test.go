package matching_test

import (
	"os"
	"testing"

	"talentloop/matching"
	"talentloop/matching/synth"
)

func TestSizeDebug(t *testing.T) {
	if os.Getenv("SIZE_DEBUG") == "" {
		t.Skip()
	}
	ds := synth.Generate(synth.Config{Seed: 1, Learners: 1000000, Demands: 100000})
	ix := build(t, ds)
	matching.DebugSizes(ix, t)
}
