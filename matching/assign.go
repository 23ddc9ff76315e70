package matching

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// AssignOptions configure batch assignment of gig orders.
type AssignOptions struct {
	// Candidates is how many of its best eligible learners each order
	// considers (by score, fairness off); 0 means 20.
	Candidates int
	// FillBonus is the value of filling a seat, in score points; 0 means
	// ScorePoints, which makes filling one more seat worth more than any
	// score difference.
	FillBonus int64
	// Congestion is the cost, in score points, of each order a learner
	// already holds when given another; 0 means 1500 (0.15 of a perfect
	// score). Set NoCongestion to use 0.
	Congestion   int64
	NoCongestion bool
}

func (o AssignOptions) withDefaults() AssignOptions {
	if o.Candidates == 0 {
		o.Candidates = 20
	}
	if o.FillBonus == 0 {
		o.FillBonus = ScorePoints
	}
	if o.NoCongestion {
		o.Congestion = 0
	} else if o.Congestion == 0 {
		o.Congestion = 1500
	}
	return o
}

// Assigned is one learner given one seat of a gig order.
type Assigned struct {
	OrderID   int64
	LearnerID int64
	Score     float64
}

// Unfilled is a gig order left with empty seats.
type Unfilled struct {
	OrderID int64
	Seats   int
	Reason  string
}

// Assignment is the result of AssignOrders: the pairs, the seats left
// empty with a reason, and the problem and solution behind them.
type Assignment struct {
	Pairs    []Assigned
	Unfilled []Unfilled
	Problem  *Problem
	Solution *Solution
}

// BuildProblem turns gig orders in the index into an assignment problem:
// each order is linked to its best Candidates eligible learners with an
// edge worth round(ScorePoints·score); each learner gets the slots their
// capacity leaves. The index is not changed.
func (ix *Index) BuildProblem(orderIDs []int64, opt AssignOptions) (*Problem, error) {
	if opt.Candidates < 0 || opt.FillBonus < 0 || opt.Congestion < 0 {
		return nil, invalidf("assign options", "negative option in %+v", opt)
	}
	opt = opt.withDefaults()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	p := &Problem{FillBonus: opt.FillBonus, Congestion: opt.Congestion}
	recs := make([]*demandRec, len(orderIDs))
	seen := make(map[int64]bool, len(orderIDs))
	for j, id := range orderIDs {
		di, ok := ix.demandBy[id]
		if !ok {
			return nil, notFoundDemand(id)
		}
		if seen[id] {
			return nil, &Error{Code: ECONFLICT, Record: demandRecord(id), Message: "listed twice"}
		}
		seen[id] = true
		d := &ix.demands[di]
		if d.kind != Gig {
			return nil, invalidf(demandRecord(id), "is a job opening, not a gig order; match it with MatchJobs")
		}
		recs[j] = d
		p.Orders = append(p.Orders, ProblemOrder{ID: id, Seats: int(d.seats)})
	}
	cands := make([][]cand, len(recs))
	parallelFor(len(recs), func(j int) {
		cands[j] = first(ix.topLearners(ix.eligible(recs[j]), recs[j], opt.Candidates, 0, false))
	})
	learnerOf := map[uint32]int32{}
	for j, cs := range cands {
		for _, c := range cs {
			li, ok := learnerOf[c.ref]
			if !ok {
				li = int32(len(p.Learners))
				learnerOf[c.ref] = li
				load, capa := int(ix.load[c.ref]), int(ix.capacity[c.ref])
				p.Learners = append(p.Learners, ProblemLearner{ID: c.id, Load: load, Slots: max(0, capa-load)})
			}
			p.Edges = append(p.Edges, Edge{Order: int32(j), Learner: li, Score: int64(math.Round(c.score * ScorePoints))})
		}
	}
	return p, nil
}

// parallelFor runs f(0) … f(n−1) on all cores; queries only read the
// index, so candidate searches run side by side under one read lock.
func parallelFor(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// AssignOrders assigns learners to the seats of the given gig orders,
// maximising the problem value of BuildProblem exactly (SolveFlow). It
// only computes: the caller records accepted offers with StartOrder.
func (ix *Index) AssignOrders(orderIDs []int64, opt AssignOptions) (*Assignment, error) {
	p, err := ix.BuildProblem(orderIDs, opt)
	if err != nil {
		return nil, err
	}
	sol, err := SolveFlow(p)
	if err != nil {
		return nil, err
	}
	return ix.explainAssignment(p, sol), nil
}

func (ix *Index) explainAssignment(p *Problem, sol *Solution) *Assignment {
	a := &Assignment{Problem: p, Solution: sol}
	filled := make([]int, len(p.Orders))
	cands := make([]int, len(p.Orders))
	for _, e := range p.Edges {
		cands[e.Order]++
	}
	for _, ei := range sol.Edges {
		e := p.Edges[ei]
		filled[e.Order]++
		a.Pairs = append(a.Pairs, Assigned{OrderID: p.Orders[e.Order].ID, LearnerID: p.Learners[e.Learner].ID, Score: float64(e.Score) / ScorePoints})
	}
	slices.SortFunc(a.Pairs, func(x, y Assigned) int {
		if x.OrderID != y.OrderID {
			if x.OrderID < y.OrderID {
				return -1
			}
			return 1
		}
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for j, o := range p.Orders {
		left := o.Seats - filled[j]
		if left <= 0 {
			continue
		}
		u := Unfilled{OrderID: o.ID, Seats: left}
		switch {
		case cands[j] == 0:
			u.Reason = "no eligible learner"
			if di, ok := ix.demandBy[o.ID]; ok {
				if why := ix.explainEmpty(&ix.demands[di]); why != "" {
					u.Reason = why
				}
			}
		case cands[j] < o.Seats:
			u.Reason = fmt.Sprintf("only %d eligible candidates for %d seats", cands[j], o.Seats)
		default:
			u.Reason = fmt.Sprintf("all %d candidates are at capacity in this batch, or too congested to be worth the seat", cands[j])
		}
		a.Unfilled = append(a.Unfilled, u)
	}
	return a
}
