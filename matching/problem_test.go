package matching

import (
	"math/rand/v2"
	"testing"
)

// randomProblem makes a small random instance with tight capacities, so
// that congestion and seat limits bind.
func randomProblem(r *rand.Rand, orders, learners, edges int) *Problem {
	p := &Problem{FillBonus: int64(r.IntN(3000)), Congestion: int64(r.IntN(2000))}
	for j := 0; j < orders; j++ {
		p.Orders = append(p.Orders, ProblemOrder{ID: int64(100 + j), Seats: r.IntN(3)})
	}
	for i := 0; i < learners; i++ {
		p.Learners = append(p.Learners, ProblemLearner{ID: int64(500 + i), Load: r.IntN(3), Slots: r.IntN(3)})
	}
	seen := map[[2]int32]bool{}
	for len(p.Edges) < edges {
		e := Edge{Order: int32(r.IntN(orders)), Learner: int32(r.IntN(learners)), Score: int64(r.IntN(ScorePoints))}
		if seen[[2]int32{e.Order, e.Learner}] {
			continue
		}
		seen[[2]int32{e.Order, e.Learner}] = true
		p.Edges = append(p.Edges, e)
	}
	return p
}

// bruteForce tries every subset of edges.
func bruteForce(p *Problem) int64 {
	best := int64(-1 << 62)
	for mask := 0; mask < 1<<len(p.Edges); mask++ {
		var chosen []int32
		for e := range p.Edges {
			if mask&(1<<e) != 0 {
				chosen = append(chosen, int32(e))
			}
		}
		s, err := p.Evaluate(chosen)
		if err != nil {
			continue
		}
		best = max(best, s.Objective)
	}
	return best
}

func TestSolveFlowMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		p := randomProblem(r, 1+r.IntN(4), 1+r.IntN(4), 0)
		maxEdges := len(p.Orders) * len(p.Learners)
		p = randomProblem(r, len(p.Orders), len(p.Learners), min(maxEdges, r.IntN(13)))
		got, err := SolveFlow(p)
		if err != nil {
			t.Fatalf("trial %d: SolveFlow: %v", trial, err)
		}
		if want := bruteForce(p); got.Objective != want {
			t.Fatalf("trial %d: objective got %d, want %d (problem %+v)", trial, got.Objective, want, p)
		}
	}
}

func TestSolveFlowBeatsGreedy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		p := randomProblem(r, 40, 30, 300)
		flow, err := SolveFlow(p)
		if err != nil {
			t.Fatal(err)
		}
		greedy, err := SolveGreedy(p)
		if err != nil {
			t.Fatal(err)
		}
		if flow.Objective < greedy.Objective {
			t.Fatalf("trial %d: flow objective %d below greedy %d", trial, flow.Objective, greedy.Objective)
		}
	}
}

func TestProblemValidate(t *testing.T) {
	ok := func() *Problem {
		return &Problem{
			Orders:   []ProblemOrder{{ID: 1, Seats: 1}},
			Learners: []ProblemLearner{{ID: 2, Slots: 1}},
			Edges:    []Edge{{Order: 0, Learner: 0, Score: 5}},
		}
	}
	tests := []struct {
		name   string
		change func(p *Problem)
		want   string
	}{
		{"negative seats", func(p *Problem) { p.Orders[0].Seats = -1 }, "matching: order 0 (id 1): seats -1 outside 0..10000"},
		{"negative slots", func(p *Problem) { p.Learners[0].Slots = -2 }, "matching: learner 0 (id 2): slots -2 outside 0..10000"},
		{"edge out of range", func(p *Problem) { p.Edges[0].Learner = 3 }, "matching: edge 0: learner 3 out of range"},
		{"duplicate edge", func(p *Problem) { p.Edges = append(p.Edges, p.Edges[0]) }, "matching: edge 1: duplicates order 0, learner 0"},
		{"negative score", func(p *Problem) { p.Edges[0].Score = -1 }, "matching: edge 0: score -1 outside 0..1073741824"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.change(p)
			err := p.Validate()
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			if _, err := SolveFlow(p); err == nil {
				t.Errorf("SolveFlow accepted an invalid problem")
			}
		})
	}
}

func TestEvaluateRejectsOverCapacity(t *testing.T) {
	p := &Problem{
		Orders:   []ProblemOrder{{ID: 1, Seats: 2}, {ID: 2, Seats: 1}},
		Learners: []ProblemLearner{{ID: 9, Slots: 1}},
		Edges:    []Edge{{Order: 0, Learner: 0, Score: 5}, {Order: 1, Learner: 0, Score: 5}},
	}
	if _, err := p.Evaluate([]int32{0, 1}); err == nil {
		t.Fatal("got a solution giving a one-slot learner two orders, want an error")
	}
}
