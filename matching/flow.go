package matching

// SolveFlow finds an assignment of maximum value, exactly, as a min-cost
// flow (see the package doc for the network). It runs successive shortest
// paths with node potentials: each unit of an order's supply travels the
// shortest residual path to the sink, found by a Dijkstra search that
// starts at that order and stops as soon as the sink is settled, so a
// search only explores the neighbourhood the augmentation can reach.
// Reduced costs stay non-negative throughout; when every supply has
// reached the sink they certify optimality.
func SolveFlow(p *Problem) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := newFlowSolver(p)
	s.run()
	var chosen []int32
	for e, x := range s.x {
		if x {
			chosen = append(chosen, int32(e))
		}
	}
	return p.Evaluate(chosen)
}

type flowSolver struct {
	p      *Problem
	nO, nL int
	sink   int32
	// edge costs: maxScore − Score, so all ≥ 0
	cost     []int64
	unfilled int64 // cost of the order→sink arc: a seat left empty
	// CSR adjacency: edges by order, edges by learner
	ordStart, ordEdges []int32
	lrnStart, lrnEdges []int32
	x                  []bool  // edge carries flow
	excess             []int32 // per order: seats not yet routed
	u                  []int32 // per order: seats left empty
	f                  []int32 // per learner: batch orders taken
	pot                []int64
	// Dijkstra state, reset lazily by stamp
	dist    []int64
	pred    []int32 // learner: forward edge in; order: backward edge in
	seen    []uint32
	settled []uint32
	stamp   uint32
	heap    distHeap
	popped  []int32
}

func newFlowSolver(p *Problem) *flowSolver {
	nO, nL := len(p.Orders), len(p.Learners)
	n := nO + nL + 1
	s := &flowSolver{
		p: p, nO: nO, nL: nL, sink: int32(nO + nL),
		cost:     make([]int64, len(p.Edges)),
		ordStart: make([]int32, nO+1),
		ordEdges: make([]int32, len(p.Edges)),
		lrnStart: make([]int32, nL+1),
		lrnEdges: make([]int32, len(p.Edges)),
		x:        make([]bool, len(p.Edges)),
		excess:   make([]int32, nO),
		u:        make([]int32, nO),
		f:        make([]int32, nL),
		pot:      make([]int64, n),
		dist:     make([]int64, n),
		pred:     make([]int32, n),
		seen:     make([]uint32, n),
		settled:  make([]uint32, n),
	}
	var maxScore int64
	for _, e := range p.Edges {
		maxScore = max(maxScore, e.Score)
		s.ordStart[e.Order+1]++
		s.lrnStart[e.Learner+1]++
	}
	for i := range p.Edges {
		s.cost[i] = maxScore - p.Edges[i].Score
	}
	s.unfilled = maxScore + p.FillBonus
	for j := 0; j < nO; j++ {
		s.ordStart[j+1] += s.ordStart[j]
	}
	for i := 0; i < nL; i++ {
		s.lrnStart[i+1] += s.lrnStart[i]
	}
	oPos := append([]int32(nil), s.ordStart[:nO]...)
	lPos := append([]int32(nil), s.lrnStart[:nL]...)
	for i, e := range p.Edges {
		s.ordEdges[oPos[e.Order]] = int32(i)
		oPos[e.Order]++
		s.lrnEdges[lPos[e.Learner]] = int32(i)
		lPos[e.Learner]++
	}
	for j, o := range p.Orders {
		s.excess[j] = int32(o.Seats)
	}
	return s
}

// slotCost is the cost of the learner's next batch order.
func (s *flowSolver) slotCost(i int32) int64 {
	return s.p.Congestion * int64(s.p.Learners[i].Load+int(s.f[i]))
}

func (s *flowSolver) run() {
	for j := int32(0); j < int32(s.nO); j++ {
		for s.excess[j] > 0 {
			s.augment(j)
		}
	}
}

// augment routes one unit (or, straight to the sink, all) of order start's
// excess along a shortest residual path and updates the potentials.
func (s *flowSolver) augment(start int32) {
	s.stamp++
	st := s.stamp
	s.heap = s.heap[:0]
	s.popped = s.popped[:0]
	s.dist[start] = 0
	s.seen[start] = st
	s.heap.push(0, start)
	nO := int32(s.nO)
	sink := s.sink
	var sinkPred int32 = -1
	for len(s.heap) > 0 {
		d, v := s.heap.pop()
		if s.settled[v] == st || d > s.dist[v] {
			continue
		}
		s.settled[v] = st
		s.popped = append(s.popped, v)
		if v == sink {
			break
		}
		pv := s.pot[v]
		if v < nO {
			// Order: forward edges to learners, and leave a seat empty.
			for _, e := range s.ordEdges[s.ordStart[v]:s.ordStart[v+1]] {
				if s.x[e] {
					continue
				}
				w := nO + s.p.Edges[e].Learner
				s.relax(w, d+s.cost[e]+pv-s.pot[w], e, st)
			}
			if s.u[v] < int32(s.p.Orders[v].Seats) {
				if nd := d + s.unfilled + pv - s.pot[sink]; s.seen[sink] != st || nd < s.dist[sink] {
					s.dist[sink], s.seen[sink] = nd, st
					sinkPred = v
					s.heap.push(nd, sink)
				}
			}
			continue
		}
		// Learner: next slot to the sink, and give back an order.
		i := v - nO
		if s.f[i] < int32(s.p.Learners[i].Slots) {
			if nd := d + s.slotCost(i) + pv - s.pot[sink]; s.seen[sink] != st || nd < s.dist[sink] {
				s.dist[sink], s.seen[sink] = nd, st
				sinkPred = v
				s.heap.push(nd, sink)
			}
		}
		for _, e := range s.lrnEdges[s.lrnStart[i]:s.lrnStart[i+1]] {
			if !s.x[e] {
				continue
			}
			w := s.p.Edges[e].Order
			s.relax(w, d-s.cost[e]+pv-s.pot[w], e, st)
		}
	}
	// Potentials: settled nodes move by dist − D; the rest by 0, which
	// keeps every residual reduced cost non-negative (see package doc).
	D := s.dist[sink]
	for _, v := range s.popped {
		s.pot[v] += s.dist[v] - D
	}
	// Walk back from the sink and flip the path.
	amount := int32(1)
	v := sinkPred
	if v < nO {
		if v == start {
			amount = s.excess[start]
		}
		s.u[v] += amount
	} else {
		s.f[v-nO]++
	}
	for v != start {
		e := s.pred[v]
		if v >= nO {
			s.x[e] = true
			v = s.p.Edges[e].Order
		} else {
			s.x[e] = false
			v = nO + s.p.Edges[e].Learner
		}
	}
	s.excess[start] -= amount
}

func (s *flowSolver) relax(w int32, nd int64, e int32, st uint32) {
	if s.settled[w] == st {
		return
	}
	if s.seen[w] != st || nd < s.dist[w] {
		s.dist[w], s.seen[w], s.pred[w] = nd, st, e
		s.heap.push(nd, w)
	}
}

// distHeap is a binary min-heap of (distance, node) with lazy deletion.
type distHeap []distItem

type distItem struct {
	d int64
	v int32
}

func (h *distHeap) push(d int64, v int32) {
	*h = append(*h, distItem{d, v})
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].d <= a[i].d {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *distHeap) pop() (int64, int32) {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a[r].d < a[l].d {
			m = r
		}
		if a[i].d <= a[m].d {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top.d, top.v
}
