package synth

import (
	"reflect"
	"testing"

	"talentloop/matching"
)

func TestGenerateIsSeeded(t *testing.T) {
	a := Generate(Config{Seed: 3, Learners: 300, Demands: 50})
	b := Generate(Config{Seed: 3, Learners: 300, Demands: 50})
	if !reflect.DeepEqual(a.Learners, b.Learners) || !reflect.DeepEqual(a.Demands, b.Demands) {
		t.Fatal("same seed gave different data")
	}
	c := Generate(Config{Seed: 4, Learners: 300, Demands: 50})
	if reflect.DeepEqual(a.Learners, c.Learners) {
		t.Fatal("different seeds gave the same learners")
	}
}

func TestGenerateIsValidAndMixed(t *testing.T) {
	ds := Generate(Config{Seed: 1, Learners: 5000, Demands: 1000})
	ix, err := matching.NewIndex(ds.Catalog, ds.Learners, matching.DefaultOptions())
	if err != nil {
		t.Fatalf("generated learners are invalid: %v", err)
	}
	if err := ix.AddDemands(ds.Demands); err != nil {
		t.Fatalf("generated demands are invalid: %v", err)
	}
	newcomers, jobs := 0, 0
	for i := range ds.Learners {
		if ds.Learners[i].Newcomer() {
			newcomers++
		}
	}
	chains := map[string]int{}
	for _, d := range ds.Demands {
		if d.Kind == matching.Job {
			jobs++
		}
		for _, c := range Chains {
			if len(d.Required[0].Skill) > len(c) && d.Required[0].Skill[:len(c)+1] == c+"/" {
				chains[c]++
			}
		}
	}
	if got := float64(newcomers) / 5000; got < 0.25 || got > 0.35 {
		t.Errorf("newcomer share got %.2f, want about 0.30", got)
	}
	if got := float64(jobs) / 1000; got < 0.15 || got > 0.25 {
		t.Errorf("job share got %.2f, want about 0.20", got)
	}
	if len(chains) != len(Chains) {
		t.Errorf("demands cover chains %v, want all five", chains)
	}
	for j := 0; j < 20; j++ {
		for i := 0; i < 20; i++ {
			if x := ds.Truth(i, j); x < 0 || x > 1 {
				t.Fatalf("Truth(%d, %d) got %v, want within 0..1", i, j, x)
			}
		}
	}
}
