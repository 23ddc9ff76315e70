package cbc_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"talentloop/matching"
	"talentloop/matching/cbc"
)

// TestSolveFlowEqualsCBC checks the exact solver against CBC's optimum on
// random instances, and that CBC's own assignment is feasible and worth
// what it says.
func TestSolveFlowEqualsCBC(t *testing.T) {
	bin, err := cbc.Find()
	if err != nil {
		t.Skip("skipping: cbc not on PATH; install Debian's coinor-cbc to compare with CBC")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 12; trial++ {
		p := randomProblem(r, 5+r.IntN(60), 5+r.IntN(40), 400)
		got, err := matching.SolveFlow(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := cbc.Solve(context.Background(), bin, p, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != "Optimal" {
			t.Fatalf("trial %d: cbc status got %q, want Optimal", trial, res.Status)
		}
		if got.Objective != res.Objective {
			t.Fatalf("trial %d: objective got %d, want CBC's %d", trial, got.Objective, res.Objective)
		}
		check, err := p.Evaluate(res.Edges)
		if err != nil {
			t.Fatalf("trial %d: CBC's assignment: %v", trial, err)
		}
		if check.Objective != res.Objective {
			t.Fatalf("trial %d: CBC's assignment is worth %d, CBC said %d", trial, check.Objective, res.Objective)
		}
	}
}

func randomProblem(r *rand.Rand, orders, learners, edges int) *matching.Problem {
	p := &matching.Problem{FillBonus: int64(r.IntN(3000)), Congestion: int64(1 + r.IntN(2000))}
	for j := 0; j < orders; j++ {
		p.Orders = append(p.Orders, matching.ProblemOrder{ID: int64(j), Seats: r.IntN(4)})
	}
	for i := 0; i < learners; i++ {
		p.Learners = append(p.Learners, matching.ProblemLearner{ID: int64(i), Load: r.IntN(3), Slots: r.IntN(4)})
	}
	edges = min(edges, orders*learners/2)
	seen := map[[2]int32]bool{}
	for len(p.Edges) < edges {
		e := matching.Edge{Order: int32(r.IntN(orders)), Learner: int32(r.IntN(learners)), Score: int64(r.IntN(matching.ScorePoints))}
		if !seen[[2]int32{e.Order, e.Learner}] {
			seen[[2]int32{e.Order, e.Learner}] = true
			p.Edges = append(p.Edges, e)
		}
	}
	return p
}
