package matching_test

import (
	"math/rand/v2"
	"testing"

	"talentloop/matching"
	"talentloop/matching/synth"
)

// TestAssignOrdersRespectsLimits assigns every gig order of a synthetic
// market and checks seats, capacities, eligibility and exact optimality.
func TestAssignOrdersRespectsLimits(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 31, Learners: 2000, Demands: 600, AllGigs: true, Cities: 3})
	ix := build(t, ds)
	var orders []int64
	for _, d := range ds.Demands {
		orders = append(orders, d.ID)
	}
	a, err := ix.AssignOrders(orders, matching.AssignOptions{Candidates: 10})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*matching.Learner{}
	for i := range ds.Learners {
		byID[ds.Learners[i].ID] = &ds.Learners[i]
	}
	seats := map[int64]int{}
	taken := map[int64]int{}
	for _, p := range a.Pairs {
		d := &ds.Demands[p.OrderID-1]
		l := byID[p.LearnerID]
		if !eligibleRef(l, d) {
			t.Fatalf("learner %d assigned to order %d but not eligible", l.ID, d.ID)
		}
		seats[d.ID]++
		taken[l.ID]++
		if seats[d.ID] > d.Seats {
			t.Fatalf("order %d got %d learners for %d seats", d.ID, seats[d.ID], d.Seats)
		}
		if l.Load+taken[l.ID] > l.Capacity {
			t.Fatalf("learner %d got %d orders on top of %d with capacity %d", l.ID, taken[l.ID], l.Load, l.Capacity)
		}
	}
	filled := 0
	for _, u := range a.Unfilled {
		if u.Reason == "" {
			t.Fatalf("order %d unfilled without a reason", u.OrderID)
		}
		filled += u.Seats
	}
	total := 0
	for _, d := range ds.Demands {
		total += d.Seats
	}
	if filled+len(a.Pairs) != total {
		t.Fatalf("assigned %d + unfilled %d seats, want %d in all", len(a.Pairs), filled, total)
	}
	greedy, err := matching.SolveGreedy(a.Problem)
	if err != nil {
		t.Fatal(err)
	}
	if a.Solution.Objective < greedy.Objective {
		t.Fatalf("flow objective %d below greedy %d", a.Solution.Objective, greedy.Objective)
	}
	if a.Solution.Learners < greedy.Learners {
		t.Errorf("flow reached %d learners, greedy %d: congestion cost should spread work", a.Solution.Learners, greedy.Learners)
	}
	t.Logf("flow: %d filled, %d learners, objective %d; greedy: %d filled, %d learners, objective %d",
		a.Solution.Filled, a.Solution.Learners, a.Solution.Objective, greedy.Filled, greedy.Learners, greedy.Objective)

	if _, err := ix.AssignOrders([]int64{orders[0], orders[0]}, matching.AssignOptions{}); err == nil {
		t.Fatal("an order listed twice was accepted")
	}
	if _, err := ix.AssignOrders([]int64{123456789}, matching.AssignOptions{}); err == nil {
		t.Fatal("an unknown order was accepted")
	}
}

// randomMarket makes a market with random acceptable pairs and ranks.
func randomMarket(r *rand.Rand, learners, jobs int) *matching.JobMarket {
	m := &matching.JobMarket{LearnerPrefs: make([][]int32, learners)}
	for j := 0; j < jobs; j++ {
		m.Seats = append(m.Seats, r.IntN(4))
		ranks := map[int32]int32{}
		for _, i := range r.Perm(learners)[:r.IntN(learners+1)] {
			ranks[int32(i)] = int32(len(ranks))
		}
		m.JobRanks = append(m.JobRanks, ranks)
	}
	for i := range m.LearnerPrefs {
		for _, j := range r.Perm(jobs)[:r.IntN(jobs+1)] {
			m.LearnerPrefs[i] = append(m.LearnerPrefs[i], int32(j))
		}
	}
	return m
}

func TestDeferredAcceptanceIsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 500; trial++ {
		m := randomMarket(r, 1+r.IntN(30), 1+r.IntN(10))
		match, err := matching.DeferredAcceptance(m)
		if err != nil {
			t.Fatal(err)
		}
		count := make([]int, len(m.Seats))
		for i, j := range match {
			if j < 0 {
				continue
			}
			count[j]++
			if _, ok := m.JobRanks[j][int32(i)]; !ok {
				t.Fatalf("trial %d: learner %d matched to job %d that does not accept them", trial, i, j)
			}
			accepts := false
			for _, p := range m.LearnerPrefs[i] {
				accepts = accepts || p == j
			}
			if !accepts {
				t.Fatalf("trial %d: learner %d matched to job %d they did not list", trial, i, j)
			}
		}
		for j, c := range count {
			if c > m.Seats[j] {
				t.Fatalf("trial %d: job %d holds %d learners for %d seats", trial, j, c, m.Seats[j])
			}
		}
		if bp := m.BlockingPairs(match); len(bp) > 0 {
			t.Fatalf("trial %d: blocking pairs %v in %v", trial, bp, match)
		}
	}
}

func TestBlockingPairsFindsInstability(t *testing.T) {
	// Learner 0 and job 0 prefer each other, but 0 got job 1.
	m := &matching.JobMarket{
		Seats:        []int{1, 1},
		LearnerPrefs: [][]int32{{0, 1}, {1, 0}},
		JobRanks:     []map[int32]int32{{0: 0, 1: 1}, {1: 0, 0: 1}},
	}
	got := m.BlockingPairs([]int32{1, 0})
	if len(got) == 0 {
		t.Fatal("got no blocking pair for a swapped matching, want (0, 0) and (1, 1)")
	}
	match, _ := matching.DeferredAcceptance(m)
	if match[0] != 0 || match[1] != 1 {
		t.Fatalf("got %v, want [0 1]", match)
	}
}

func TestMatchJobsIsStable(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 51, Learners: 3000, Demands: 400, GigShare: 0.01, Cities: 3})
	ix := build(t, ds)
	var jobs []int64
	for _, d := range ds.Demands {
		if d.Kind == matching.Job {
			jobs = append(jobs, d.ID)
		}
	}
	res, err := ix.MatchJobs(jobs, matching.JobOptions{Candidates: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hires) == 0 {
		t.Fatal("no hires")
	}
	match := make([]int32, len(res.LearnerIDs))
	for i := range match {
		match[i] = -1
	}
	li := map[int64]int32{}
	for i, id := range res.LearnerIDs {
		li[id] = int32(i)
	}
	ji := map[int64]int32{}
	for j, id := range res.JobIDs {
		ji[id] = int32(j)
	}
	hired := map[int64]bool{}
	for _, h := range res.Hires {
		if hired[h.LearnerID] {
			t.Fatalf("learner %d hired twice", h.LearnerID)
		}
		hired[h.LearnerID] = true
		if !eligibleRef(&ds.Learners[h.LearnerID-1], &ds.Demands[h.JobID-1]) {
			t.Fatalf("learner %d hired for job %d without being eligible", h.LearnerID, h.JobID)
		}
		match[li[h.LearnerID]] = ji[h.JobID]
	}
	if bp := res.Market.BlockingPairs(match); len(bp) > 0 {
		t.Fatalf("blocking pairs: %v", bp)
	}
	if _, err := ix.MatchJobs([]int64{jobs[0], jobs[0]}, matching.JobOptions{}); err == nil {
		t.Fatal("a job listed twice was accepted")
	}
}
