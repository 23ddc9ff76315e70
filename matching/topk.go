package matching

// cand is a scored candidate: a learner slot or a demand index.
type cand struct {
	score float64
	id    int64 // external id, the tie-break: lower wins
	ref   uint32
	aux   int64 // demand budget for demand rankings (higher wins a tie)
}

// better reports whether a ranks strictly before b.
func better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.aux != b.aux {
		return a.aux > b.aux
	}
	return a.id < b.id
}

// topK keeps the k best candidates in a min-heap whose root is the worst.
type topK struct {
	k int
	h []cand
}

func newTopK(k int) *topK { return &topK{k: k, h: make([]cand, 0, min(k, 1024))} }

// full reports whether the heap holds k candidates; a heap for k = 0 is
// never full, so callers never ask it for a bar.
func (t *topK) full() bool { return t.k > 0 && len(t.h) >= t.k }

// worst is the k-th best score so far; only valid when full.
func (t *topK) worst() float64 { return t.h[0].score }

func (t *topK) push(c cand) {
	if t.k <= 0 {
		return
	}
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		t.up(len(t.h) - 1)
		return
	}
	if !better(c, t.h[0]) {
		return
	}
	t.h[0] = c
	t.down(0)
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(t.h[p], t.h[i]) {
			break
		}
		t.h[p], t.h[i] = t.h[i], t.h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && better(t.h[l], t.h[r]) {
			w = r
		}
		if !better(t.h[i], t.h[w]) {
			return
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

// sorted empties the heap and returns the candidates best first.
func (t *topK) sorted() []cand {
	out := make([]cand, len(t.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = t.h[0]
		last := len(t.h) - 1
		t.h[0] = t.h[last]
		t.h = t.h[:last]
		t.down(0)
	}
	return out
}

// first returns its first argument.
func first(a, _ []cand) []cand { return a }
