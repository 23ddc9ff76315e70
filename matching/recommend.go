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
	var buf [256]uint32
	for _, e := range entries {
		for m := MinLevel; m <= int(e.level); m++ {
			it := ix.anchors[e.skill][m].ManyIterator()
			for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
				for _, di := range buf[:n] {
					d := &ix.demands[di]
					if !ix.qualifies(slot, entries, d, gigOK, myCity) {
						continue
					}
					out.Eligible++
					t.push(cand{score: ix.score(slot, d, 0), id: d.id, ref: di, aux: d.budget})
				}
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
