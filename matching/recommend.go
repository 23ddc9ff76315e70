package matching

import "fmt"

// DemandMatch is one demand recommended to a learner.
type DemandMatch struct {
	DemandID int64
	Kind     Kind
	Budget   int64
	// Rank is 1-based.
	Rank  int
	Score Breakdown
}

// DemandRanking is the answer to DemandsForLearner.
type DemandRanking struct {
	LearnerID int64
	// Eligible counts the open demands the learner qualifies for.
	Eligible    int
	Matches     []DemandMatch
	Explanation string
}

// DemandsForLearner returns the best k open demands the learner qualifies
// for, by the same score (without fairness boost; ties go to the higher
// budget, then the lower id).
func (ix *Index) DemandsForLearner(id int64, k int) (*DemandRanking, error) {
	if k < 0 {
		return nil, invalidf(learnerRecord(id), "negative k %d", k)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return nil, err
	}
	out := &DemandRanking{LearnerID: id}
	if !ix.available.Contains(slot) {
		out.Explanation = "the learner is not available for work"
		return out, nil
	}
	gigOK := ix.open.Contains(slot)
	myCity := int32(ix.hot[slot].city)
	entries := ix.skills(slot)
	t := newTopK(k)
	for _, e := range entries {
		for m := MinLevel; m <= int(e.level); m++ {
			for i := range ix.anchors[e.skill][m] {
				a := &ix.anchors[e.skill][m][i]
				if !ix.quickQualifies(entries, a, gigOK, myCity) {
					continue
				}
				d := &ix.demands[a.demand]
				if (a.nreq > inlineReqs || a.certs) && !ix.qualifies(slot, entries, d, gigOK, myCity) {
					continue
				}
				out.Eligible++
				if t.full() && a.nreq <= inlineReqs && ix.entryBound(slot, entries, a)+boundSlack < t.worst() {
					continue
				}
				t.push(cand{score: ix.score(slot, d, 0), id: d.id, ref: a.demand, aux: d.budget})
			}
		}
	}
	cands := t.sorted()
	out.Matches = make([]DemandMatch, len(cands))
	for i, c := range cands {
		d := &ix.demands[c.ref]
		out.Matches[i] = DemandMatch{DemandID: d.id, Kind: d.kind, Budget: d.budget, Rank: i + 1, Score: ix.breakdown(slot, d, 0)}
	}
	if len(cands) < k {
		switch {
		case out.Eligible == 0 && !gigOK:
			out.Explanation = "no open job fits, and the learner has no capacity left for gig orders"
		case out.Eligible == 0:
			out.Explanation = "no open demand fits the learner's skills, certificates and location"
		default:
			out.Explanation = fmt.Sprintf("only %d open demands fit", out.Eligible)
		}
	}
	return out, nil
}

// quickQualifies checks kind, location and the inlined requirements of an
// anchored demand; qualifies does the rest when the entry says so.
func (ix *Index) quickQualifies(entries []skillEntry, a *anchorEntry, gigOK bool, city int32) bool {
	if Kind(a.kind) == Gig && !gigOK {
		return false
	}
	if a.city != remoteCity && (a.city != city || city == 0) {
		return false
	}
	if a.nreq > inlineReqs {
		return true
	}
	j := 0
	for _, r := range a.req[:a.nreq] {
		for j < len(entries) && entries[j].skill < r.skill {
			j++
		}
		if j == len(entries) || entries[j].skill != r.skill || entries[j].level < r.level {
			return false
		}
	}
	return true
}

// entryBound bounds the score of a qualifying slot for an anchored demand
// from the entry alone: fit and proof are exact, preferred counts as full.
func (ix *Index) entryBound(slot uint32, entries []skillEntry, a *anchorEntry) float64 {
	var fit, proof float64
	j := 0
	for _, r := range a.req[:a.nreq] {
		for entries[j].skill < r.skill {
			j++
		}
		fit += ix.fitTab[entries[j].level][r.level]
		proof += ix.proofTab[entries[j].evidence]
	}
	n := float64(a.nreq)
	w := ix.opt.Weights
	b := ix.staticPart(slot) + w.Fit*fit/n + w.Evidence*(1-ix.opt.RatingShare)*proof/n
	if a.pref {
		b += w.Preferred
	}
	return b
}

// qualifies checks every hard filter of d for a slot.
func (ix *Index) qualifies(slot uint32, entries []skillEntry, d *demandRec, gigOK bool, city int32) bool {
	if d.kind == Gig && !gigOK {
		return false
	}
	if !d.remote && (d.city != city || city == 0) {
		return false
	}
	j := 0
	for _, r := range d.req {
		for j < len(entries) && entries[j].skill < r.skill {
			j++
		}
		if j == len(entries) || entries[j].skill != r.skill || entries[j].level < r.level {
			return false
		}
	}
	for _, p := range d.certs {
		if !ix.certs[p].Contains(slot) {
			return false
		}
	}
	return true
}
