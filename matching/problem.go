package matching

import (
	"cmp"
	"fmt"
	"slices"
)

// ScorePoints is what a score of 1.0 is worth in an assignment problem:
// scores are rounded to integer points so that solvers agree exactly.
const ScorePoints = 10000

// maxPoints bounds edge scores, bonuses and congestion costs so that no
// objective can overflow int64.
const maxPoints = 1 << 30

// Problem is one batch-assignment instance: orders with seats, learners
// with free slots, and candidate edges between them. Its value (to be
// maximised) is
//
//	Σ over chosen edges (FillBonus + Score)
//	− Σ over learners Congestion·(Load + Load+1 + … + Load+f−1)
//
// where f is the number of orders the learner gets in the batch: the t-th
// concurrent order of a learner (counting from 0, including the Load they
// already carry) costs Congestion·t, a convex cost in f.
type Problem struct {
	Orders   []ProblemOrder
	Learners []ProblemLearner
	Edges    []Edge
	// FillBonus is earned by every filled seat.
	FillBonus int64
	// Congestion is the marginal cost per order a learner already holds.
	Congestion int64
}

// ProblemOrder is a gig order with Seats learners wanted.
type ProblemOrder struct {
	ID    int64
	Seats int
}

// ProblemLearner is a learner who carries Load orders and may take Slots
// more.
type ProblemLearner struct {
	ID    int64
	Load  int
	Slots int
}

// Edge lets a learner fill one seat of an order, for Score points.
type Edge struct {
	Order   int32
	Learner int32
	Score   int64
}

// Solution is a feasible assignment with its value.
type Solution struct {
	// Edges are indices into Problem.Edges, ascending.
	Edges []int32
	// Objective is the problem's value of the assignment.
	Objective int64
	// Score sums the scores of the chosen edges.
	Score int64
	// Filled counts filled seats; Learners the distinct learners assigned.
	Filled   int
	Learners int
}

// Validate checks the problem's shape, naming the first bad record.
func (p *Problem) Validate() error {
	if p.FillBonus < 0 || p.FillBonus > maxPoints {
		return invalidf("problem", "FillBonus %d is outside 0..%d", p.FillBonus, maxPoints)
	}
	if p.Congestion < 0 || p.Congestion > maxPoints {
		return invalidf("problem", "Congestion %d is outside 0..%d", p.Congestion, maxPoints)
	}
	for i, o := range p.Orders {
		if o.Seats < 0 || o.Seats > maxCount {
			return invalidf(fmt.Sprintf("order %d (id %d)", i, o.ID), "seats %d outside 0..%d", o.Seats, maxCount)
		}
	}
	for i, l := range p.Learners {
		rec := fmt.Sprintf("learner %d (id %d)", i, l.ID)
		if l.Slots < 0 || l.Slots > maxCount {
			return invalidf(rec, "slots %d outside 0..%d", l.Slots, maxCount)
		}
		if l.Load < 0 || l.Load > maxCount {
			return invalidf(rec, "load %d outside 0..%d", l.Load, maxCount)
		}
	}
	seen := make(map[[2]int32]bool, len(p.Edges))
	for i, e := range p.Edges {
		rec := fmt.Sprintf("edge %d", i)
		if e.Order < 0 || int(e.Order) >= len(p.Orders) {
			return invalidf(rec, "order %d out of range", e.Order)
		}
		if e.Learner < 0 || int(e.Learner) >= len(p.Learners) {
			return invalidf(rec, "learner %d out of range", e.Learner)
		}
		if e.Score < 0 || e.Score > maxPoints {
			return invalidf(rec, "score %d outside 0..%d", e.Score, maxPoints)
		}
		k := [2]int32{e.Order, e.Learner}
		if seen[k] {
			return invalidf(rec, "duplicates order %d, learner %d", e.Order, e.Learner)
		}
		seen[k] = true
	}
	return nil
}

// congestionCost is the cost of f batch orders on top of load.
func (p *Problem) congestionCost(load, f int) int64 {
	// Σ_{t=load}^{load+f-1} t
	n := int64(f)
	return p.Congestion * (n*int64(load) + n*(n-1)/2)
}

// Evaluate checks that edges form a feasible assignment (no seat or slot
// exceeded, no edge twice) and returns its value.
func (p *Problem) Evaluate(edges []int32) (*Solution, error) {
	seats := make([]int, len(p.Orders))
	taken := make([]int, len(p.Learners))
	used := make(map[int32]bool, len(edges))
	s := &Solution{Edges: slices.Clone(edges)}
	slices.Sort(s.Edges)
	for _, ei := range s.Edges {
		if ei < 0 || int(ei) >= len(p.Edges) {
			return nil, invalidf("solution", "edge %d out of range", ei)
		}
		if used[ei] {
			return nil, invalidf("solution", "edge %d chosen twice", ei)
		}
		used[ei] = true
		e := p.Edges[ei]
		seats[e.Order]++
		if seats[e.Order] > p.Orders[e.Order].Seats {
			return nil, invalidf("solution", "order %d (id %d) gets more than its %d seats", e.Order, p.Orders[e.Order].ID, p.Orders[e.Order].Seats)
		}
		taken[e.Learner]++
		if taken[e.Learner] > p.Learners[e.Learner].Slots {
			return nil, invalidf("solution", "learner %d (id %d) gets more than their %d slots", e.Learner, p.Learners[e.Learner].ID, p.Learners[e.Learner].Slots)
		}
		s.Objective += p.FillBonus + e.Score
		s.Score += e.Score
		s.Filled++
	}
	for i, f := range taken {
		if f > 0 {
			s.Learners++
			s.Objective -= p.congestionCost(p.Learners[i].Load, f)
		}
	}
	return s, nil
}

// SolveGreedy is the best-first baseline: it walks the edges from the
// highest score down and takes each one whose order has a seat and whose
// learner has a slot left. It ignores congestion.
func SolveGreedy(p *Problem) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	idx := make([]int32, len(p.Edges))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		ea, eb := p.Edges[a], p.Edges[b]
		if c := cmp.Compare(eb.Score, ea.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(ea.Order, eb.Order); c != 0 {
			return c
		}
		return cmp.Compare(ea.Learner, eb.Learner)
	})
	seats := make([]int, len(p.Orders))
	slots := make([]int, len(p.Learners))
	for i, o := range p.Orders {
		seats[i] = o.Seats
	}
	for i, l := range p.Learners {
		slots[i] = l.Slots
	}
	var chosen []int32
	for _, ei := range idx {
		e := p.Edges[ei]
		if seats[e.Order] > 0 && slots[e.Learner] > 0 {
			seats[e.Order]--
			slots[e.Learner]--
			chosen = append(chosen, ei)
		}
	}
	return p.Evaluate(chosen)
}
