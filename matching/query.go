package matching

import (
	"fmt"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Placement says why a learner stands where they do in a ranking.
type Placement int

const (
	// PlacedByScore: the learner is there on their score (with any boost).
	PlacedByScore Placement = iota
	// PlacedByNewcomerShare: a newcomer moved ahead of a better-scored
	// established learner to keep the newcomer share of the prefix.
	PlacedByNewcomerShare
)

// String names the placement.
func (p Placement) String() string {
	if p == PlacedByNewcomerShare {
		return "newcomer-share"
	}
	return "score"
}

// LearnerMatch is one learner in a ranking for a demand.
type LearnerMatch struct {
	LearnerID int64
	// Rank is 1-based.
	Rank      int
	Newcomer  bool
	Placement Placement
	Score     Breakdown
}

// LearnerRanking is the answer to LearnersForDemand.
type LearnerRanking struct {
	DemandID int64
	// Eligible counts every learner who passes the hard filters, and
	// EligibleNewcomers the newcomers among them.
	Eligible          int
	EligibleNewcomers int
	Fairness          Fairness
	Matches           []LearnerMatch
	// Explanation says why the list is empty or shorter than asked, or why
	// the newcomer share could not be kept; "" when there is nothing to say.
	Explanation string
}

// LearnersForDemand ranks the learners eligible for d and returns the best
// k, with fair exposure as configured by f. d need not be in the index.
func (ix *Index) LearnersForDemand(d Demand, k int, f Fairness) (*LearnerRanking, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, invalidf(demandRecord(d.ID), "negative k %d", k)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rec, err := ix.compileDemand(&d)
	if err != nil {
		return nil, err
	}
	return ix.rankLearners(rec, k, f), nil
}

// LearnersForDemandID is LearnersForDemand for a demand in the index.
func (ix *Index) LearnersForDemandID(id int64, k int, f Fairness) (*LearnerRanking, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, invalidf(demandRecord(id), "negative k %d", k)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.demandBy[id]
	if !ok {
		return nil, notFoundDemand(id)
	}
	return ix.rankLearners(&ix.demands[i], k, f), nil
}

// filters returns the bitmaps whose intersection is the eligible set of d,
// in the order explanations name them, with a description of each.
func (ix *Index) filters(d *demandRec) ([]*roaring.Bitmap, []string) {
	var bms []*roaring.Bitmap
	var what []string
	for _, r := range d.req {
		bms = append(bms, ix.atLeast(r.skill, r.level))
		what = append(what, fmt.Sprintf("has %s at level ≥ %d", ix.skillNames[r.skill], r.level))
	}
	for _, p := range d.certs {
		bms = append(bms, ix.certs[p])
		what = append(what, fmt.Sprintf("holds a valid %s certificate", ix.programNames[p]))
	}
	if !d.remote {
		if d.city == noCity {
			bms = append(bms, roaring.New())
		} else {
			bms = append(bms, ix.cities[d.city])
		}
		what = append(what, fmt.Sprintf("works in %s", d.cityName))
	}
	if d.kind == Gig {
		bms = append(bms, ix.open)
		what = append(what, "is available with capacity left for a gig order")
	} else {
		bms = append(bms, ix.available)
		what = append(what, "is available for work")
	}
	return bms, what
}

// eligible returns the set of slots that pass every hard filter of d.
func (ix *Index) eligible(d *demandRec) *roaring.Bitmap {
	bms, _ := ix.filters(d)
	slices.SortFunc(bms, func(a, b *roaring.Bitmap) int {
		ca, cb := a.GetCardinality(), b.GetCardinality()
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	})
	e := roaring.And(bms[0], bms[1])
	for _, b := range bms[2:] {
		if e.IsEmpty() {
			break
		}
		e.And(b)
	}
	return e
}

// explainEmpty names the first filter, in reading order, that leaves no
// learner.
func (ix *Index) explainEmpty(d *demandRec) string {
	bms, what := ix.filters(d)
	cur := ix.alive.Clone()
	if cur.IsEmpty() {
		return "no learners in the index"
	}
	for i, b := range bms {
		next := roaring.And(cur, b)
		if next.IsEmpty() {
			if i == 0 {
				return fmt.Sprintf("no eligible learner: nobody %s", what[0])
			}
			return fmt.Sprintf("no eligible learner: %d learners pass (%s), but none of them %s",
				cur.GetCardinality(), joinAnd(what[:i]), what[i])
		}
		cur = next
	}
	return ""
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		s += ", " + x
	}
	return s + " and " + xs[len(xs)-1]
}

func (ix *Index) rankLearners(d *demandRec, k int, f Fairness) *LearnerRanking {
	out := &LearnerRanking{DemandID: d.id, Fairness: f}
	e := ix.eligible(d)
	out.Eligible = int(e.GetCardinality())
	if out.Eligible == 0 {
		out.Explanation = ix.explainEmpty(d)
		return out
	}
	maxBoost := 0.0
	if f.Enabled {
		maxBoost = f.MaxBoost
	}
	var cands []cand
	var places []Placement
	out.EligibleNewcomers = int(e.AndCardinality(ix.newcomer))
	if f.Enabled {
		co, cn := ix.topLearners(e, d, k, maxBoost, true)
		cands, places = fairMerge(cn, co, k, f.NewcomerShare)
	} else {
		cands, _ = ix.topLearners(e, d, k, 0, false)
		places = make([]Placement, len(cands))
	}
	out.Matches = make([]LearnerMatch, len(cands))
	for i, c := range cands {
		out.Matches[i] = LearnerMatch{
			LearnerID: c.id,
			Rank:      i + 1,
			Newcomer:  ix.hot[c.ref].newcomer,
			Placement: places[i],
			Score:     ix.breakdown(c.ref, d, maxBoost),
		}
	}
	switch {
	case len(cands) < k:
		out.Explanation = fmt.Sprintf("only %d learners are eligible", out.Eligible)
	case f.Enabled && f.NewcomerShare > 0:
		if need := int(math.Floor(f.NewcomerShare*float64(k) + 1e-9)); out.EligibleNewcomers < need {
			out.Explanation = fmt.Sprintf("only %d eligible newcomers, fewer than the %d the newcomer share asks for in the top %d", out.EligibleNewcomers, need, k)
		}
	}
	return out
}

// smallSet is the eligible-set size under which a ranking is not split
// into level groups; prune is off only in tests, for a reference ranking.
var (
	smallSet uint64 = 4096
	prune           = true
)

// boundSlack absorbs rounding differences between a bound and a score
// summed in another order.
const boundSlack = 1e-6

// rankSet collects the best candidates of an eligible set: with split,
// newcomers go to their own top-k heap, so one scan yields both lists the
// fair merge needs.
type rankSet struct {
	heaps [2]*topK // [0] everyone (or established learners), [1] newcomers
	split bool
}

// heapFor is the heap a slot competes in.
func (r *rankSet) heapFor(ix *Index, s uint32) *topK {
	if r.split && ix.hot[s].newcomer {
		return r.heaps[1]
	}
	return r.heaps[0]
}

// bar is the lowest k-th score among the heaps in use; ok is false while
// any of them still has room.
func (r *rankSet) bar() (bar float64, ok bool) {
	bar = math.Inf(1)
	for _, t := range r.heaps {
		if t == nil || t.k == 0 {
			continue
		}
		if !t.full() {
			return 0, false
		}
		bar = min(bar, t.worst())
	}
	return bar, true
}

// topLearners ranks e for d. Without split it returns the k best, best
// first; with split, the k best established learners and the k best
// newcomers. Large sets are scanned level group by level group of one
// requirement, best first; a learner is scored only if their static part
// plus the best dynamic part their group allows could still enter their
// top k.
func (ix *Index) topLearners(e *roaring.Bitmap, d *demandRec, k int, maxBoost float64, split bool) (best, newcomers []cand) {
	if k == 0 || e.IsEmpty() {
		return nil, nil
	}
	rs := &rankSet{split: split}
	if split {
		nNew := int(e.AndCardinality(ix.newcomer))
		rs.heaps[0] = newTopK(min(k, int(e.GetCardinality())-nNew))
		rs.heaps[1] = newTopK(min(k, nNew))
	} else {
		rs.heaps[0] = newTopK(min(k, int(e.GetCardinality())))
	}
	defer func() {
		best = rs.heaps[0].sorted()
		if split {
			newcomers = rs.heaps[1].sorted()
		}
	}()
	if !prune {
		var buf [256]uint32
		it := e.ManyIterator()
		for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
			for _, s := range buf[:n] {
				rs.heapFor(ix, s).push(cand{score: ix.score(s, d, maxBoost), id: ix.ids[s], ref: s})
			}
		}
		return
	}
	primary := d.req[0]
	for _, r := range d.req[1:] {
		if r.level < primary.level {
			primary = r
		}
	}
	if e.GetCardinality() <= smallSet {
		// Too few to split by level: one group, bounded as the best level.
		ix.scanGroup(e, d, rs, ix.dynamicBound(d, primary, MaxLevel)+maxBoost+boundSlack, maxBoost, k)
		return
	}
	var prev *roaring.Bitmap
	for lv := MaxLevel; lv >= int(primary.level); lv-- {
		bound := ix.dynamicBound(d, primary, uint8(lv)) + maxBoost + boundSlack
		if bar, ok := rs.bar(); ok && ix.maxStatic+bound < bar {
			break
		}
		cum := e
		if lv > int(primary.level) {
			cum = roaring.And(e, ix.levels[primary.skill][lv])
		}
		group := cum
		if prev != nil {
			group = roaring.AndNot(cum, prev)
		}
		prev = cum
		ix.scanGroup(group, d, rs, bound, maxBoost, k)
	}
	return
}

// scanGroup offers the members of one level group to their heaps. A large
// group is scanned twice: first only the members whose static part is in
// the top few percent of a sample, which fills the heaps with strong
// candidates and so raises their bar, then the rest, most of which the bar
// now prunes.
func (ix *Index) scanGroup(group *roaring.Bitmap, d *demandRec, rs *rankSet, bound, maxBoost float64, k int) {
	var buf [256]uint32
	offer := func(s uint32, sp float64) {
		t := rs.heapFor(ix, s)
		if !t.full() || sp+bound >= t.worst() {
			t.push(cand{score: ix.score(s, d, maxBoost), id: ix.ids[s], ref: s})
		}
	}
	cut := math.Inf(1) // pass two takes static parts below cut
	if n := group.GetCardinality(); n > smallSet && n > uint64(16*k) {
		var sample [1024]uint32
		m := group.ManyIterator().NextMany(sample[:])
		st := make([]float64, m)
		for i, s := range sample[:m] {
			st[i] = ix.staticPart(s)
		}
		slices.Sort(st)
		want := 4 * float64(k) / float64(n) // share of the group for pass one
		cut = st[max(0, m-1-int(want*float64(m)))]
		it := group.ManyIterator()
		for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
			for _, s := range buf[:n] {
				if sp := ix.staticPart(s); sp >= cut {
					offer(s, sp)
				}
			}
		}
	}
	it := group.ManyIterator()
	for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
		for _, s := range buf[:n] {
			if sp := ix.staticPart(s); sp < cut {
				offer(s, sp)
			}
		}
	}
}

// fairMerge interleaves the best newcomers and established learners into
// one list of up to k: at each rank t it takes the better head of the two
// lists, unless the prefix would hold fewer than floor(share·t) newcomers,
// in which case it takes the best newcomer left (Geyik et al. 2019,
// DetGreedy for one protected group with a minimum share).
func fairMerge(newc, others []cand, k int, share float64) ([]cand, []Placement) {
	var out []cand
	var places []Placement
	i, j, nNew := 0, 0, 0
	for t := 1; t <= k && (i < len(newc) || j < len(others)); t++ {
		need := int(math.Floor(share*float64(t) + 1e-9))
		takeNew := false
		place := PlacedByScore
		switch {
		case i >= len(newc):
		case j >= len(others):
			takeNew = true
		case better(newc[i], others[j]):
			takeNew = true
		case nNew < need:
			takeNew = true
			place = PlacedByNewcomerShare
		}
		if takeNew {
			out = append(out, newc[i])
			i++
			nNew++
		} else {
			out = append(out, others[j])
			j++
		}
		places = append(places, place)
	}
	return out, places
}

// EligibleLearners returns the ids of every learner who passes the hard
// filters of d, unranked: the population a ranking is drawn from, for
// audits and reports.
func (ix *Index) EligibleLearners(d Demand) ([]int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rec, err := ix.compileDemand(&d)
	if err != nil {
		return nil, err
	}
	e := ix.eligible(rec)
	out := make([]int64, 0, e.GetCardinality())
	it := e.ManyIterator()
	var buf [256]uint32
	for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
		for _, s := range buf[:n] {
			out = append(out, ix.ids[s])
		}
	}
	return out, nil
}
