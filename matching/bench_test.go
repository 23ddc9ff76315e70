package matching_test

import (
	"fmt"
	"sync"
	"testing"

	"talentloop/matching"
	"talentloop/matching/synth"
)

var (
	benchOnce sync.Once
	benchDS   *synth.Dataset
	benchIx   *matching.Index
)

// benchIndex is 200,000 learners and 20,000 demands; the full-scale run is
// "talentloop bench matching".
func benchIndex(b *testing.B) (*synth.Dataset, *matching.Index) {
	benchOnce.Do(func() {
		benchDS = synth.Generate(synth.Config{Seed: 1, Learners: 200_000, Demands: 20_000})
		benchIx = build(b, benchDS)
	})
	return benchDS, benchIx
}

func BenchmarkLearnersForDemand(b *testing.B) {
	ds, ix := benchIndex(b)
	for _, f := range []matching.Fairness{{}, matching.DefaultFairness()} {
		b.Run(fmt.Sprintf("fair=%v", f.Enabled), func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := ix.LearnersForDemandID(ds.Demands[i%len(ds.Demands)].ID, 50, f); err != nil {
					b.Fatal(err)
				}
				i += 7
			}
		})
	}
}

func BenchmarkDemandsForLearner(b *testing.B) {
	ds, ix := benchIndex(b)
	i := 0
	for b.Loop() {
		if _, err := ix.DemandsForLearner(ds.Learners[i%len(ds.Learners)].ID, 50); err != nil {
			b.Fatal(err)
		}
		i += 13
	}
}

func BenchmarkNewIndex(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 2, Learners: 100_000, Demands: 1})
	for b.Loop() {
		if _, err := matching.NewIndex(ds.Catalog, ds.Learners, matching.DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssign(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 3, Learners: 20_000, Demands: 2_000, AllGigs: true})
	ix := build(b, ds)
	var orders []int64
	for _, d := range ds.Demands {
		orders = append(orders, d.ID)
	}
	p, err := ix.BuildProblem(orders, matching.AssignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("flow", func(b *testing.B) {
		for b.Loop() {
			if _, err := matching.SolveFlow(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("greedy", func(b *testing.B) {
		for b.Loop() {
			if _, err := matching.SolveGreedy(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
