package matching_test

import (
	"math"
	"slices"
	"testing"

	"talentloop/matching"
	"talentloop/matching/synth"
)

// eligibleRef is an independent statement of the hard filters.
func eligibleRef(l *matching.Learner, d *matching.Demand) bool {
	if !l.Available {
		return false
	}
	if d.Kind == matching.Gig && l.Load >= l.Capacity {
		return false
	}
	if !d.Remote && (l.City == "" || l.City != d.City) {
		return false
	}
	for _, q := range d.Required {
		if level(l, q.Skill) < q.Level {
			return false
		}
	}
	for _, p := range d.Certificates {
		ok := false
		for _, c := range l.Certificates {
			if c.Program == p && c.Status == matching.CertValid {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func level(l *matching.Learner, skill string) int {
	for _, s := range l.Skills {
		if s.Skill == skill {
			return s.Level
		}
	}
	return 0
}

func evidence(l *matching.Learner, skill string) int {
	for _, s := range l.Skills {
		if s.Skill == skill {
			return s.Evidence
		}
	}
	return 0
}

// scoreRef restates the base score formula of the package doc.
func scoreRef(l *matching.Learner, d *matching.Demand) float64 {
	o := matching.DefaultOptions()
	fit, proof := 0.0, 0.0
	for _, q := range d.Required {
		if q.Level == 5 {
			fit++
		} else {
			fit += float64(level(l, q.Skill)-q.Level) / float64(5-q.Level)
		}
		n := float64(evidence(l, q.Skill))
		proof += n / (n + o.ProofHalf)
	}
	fit /= float64(len(d.Required))
	proof /= float64(len(d.Required))
	pref := 0.0
	for _, q := range d.Preferred {
		pref += math.Min(1, float64(level(l, q.Skill))/float64(q.Level))
	}
	if len(d.Preferred) > 0 {
		pref /= float64(len(d.Preferred))
	}
	rating := (o.PriorReviews*o.PriorRating + float64(l.Ratings.Count)*l.Ratings.Mean) / (o.PriorReviews + float64(l.Ratings.Count))
	onTime := (float64(l.OnTime) + o.PriorDeliveries*o.PriorOnTime) / (float64(l.Deliveries) + o.PriorDeliveries)
	ev := o.RatingShare*(rating-1)/4 + (1-o.RatingShare)*proof
	w := o.Weights
	return w.Fit*fit + w.Preferred*pref + w.Evidence*ev + w.Reliability*onTime
}

func build(t testing.TB, ds *synth.Dataset) *matching.Index {
	t.Helper()
	ix, err := matching.NewIndex(ds.Catalog, ds.Learners, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.AddDemands(ds.Demands); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestLearnersForDemandProperties checks, for fairness off and on, that
// every returned learner is eligible, scores match the documented formula,
// and that no better learner is left out unless fairness explains it.
func TestLearnersForDemandProperties(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 11, Learners: 4000, Demands: 200, Cities: 4})
	ix := build(t, ds)
	byID := map[int64]*matching.Learner{}
	for i := range ds.Learners {
		byID[ds.Learners[i].ID] = &ds.Learners[i]
	}
	fairs := []matching.Fairness{{}, matching.DefaultFairness(), {Enabled: true, NewcomerShare: 0.5, MaxBoost: 0.2}}
	const k = 15
	quota, boosted := 0, 0
	for di := range ds.Demands {
		d := &ds.Demands[di]
		var want []int64
		newcomers := 0
		for i := range ds.Learners {
			if eligibleRef(&ds.Learners[i], d) {
				want = append(want, ds.Learners[i].ID)
				if ds.Learners[i].Newcomer() {
					newcomers++
				}
			}
		}
		for _, f := range fairs {
			// The full ranking, unpruned, is the reference.
			restore := matching.DisablePruning()
			all, err := ix.LearnersForDemand(*d, len(want)+5, f)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if all.Eligible != len(want) || len(all.Matches) != len(want) || all.EligibleNewcomers != newcomers {
				t.Fatalf("demand %d: eligible got %d (%d listed, %d newcomers), want %d (%d newcomers)", d.ID, all.Eligible, len(all.Matches), all.EligibleNewcomers, len(want), newcomers)
			}
			total := map[int64]float64{}
			for _, m := range all.Matches {
				l := byID[m.LearnerID]
				if !eligibleRef(l, d) {
					t.Fatalf("demand %d: learner %d returned but not eligible", d.ID, m.LearnerID)
				}
				if ref := scoreRef(l, d); math.Abs(ref-m.Score.Base) > 1e-6 {
					t.Fatalf("demand %d, learner %d: base score got %v, want %v", d.ID, m.LearnerID, m.Score.Base, ref)
				}
				if m.Score.Boost < 0 || m.Score.Boost > f.MaxBoost+1e-12 || (!f.Enabled && m.Score.Boost != 0) {
					t.Fatalf("demand %d, learner %d: boost got %v, want within 0..%v", d.ID, m.LearnerID, m.Score.Boost, f.MaxBoost)
				}
				total[m.LearnerID] = m.Score.Total
			}
			// Top k with pruning on, with and without level groups.
			for _, smallSet := range []uint64{0, 1 << 40} {
				restore = matching.SetSmallSet(smallSet)
				top, err := ix.LearnersForDemand(*d, k, f)
				restore()
				if err != nil {
					t.Fatal(err)
				}
				if want := min(k, len(want)); len(top.Matches) != want {
					t.Fatalf("demand %d: got %d matches, want %d", d.ID, len(top.Matches), want)
				}
				in := map[int64]bool{}
				nNew := 0
				for r, m := range top.Matches {
					in[m.LearnerID] = true
					if m.Newcomer {
						nNew++
					}
					if need := int(math.Floor(f.NewcomerShare*float64(r+1) + 1e-9)); f.Enabled && nNew < need && newcomers >= need {
						t.Fatalf("demand %d: prefix %d holds %d newcomers, want at least %d", d.ID, r+1, nNew, need)
					}
					if m.Placement == matching.PlacedByNewcomerShare {
						quota++
					}
					if m.Score.Boost > 0 {
						boosted++
					}
					if m.Placement == matching.PlacedByNewcomerShare && !m.Newcomer {
						t.Fatalf("demand %d: learner %d placed by newcomer share but is no newcomer", d.ID, m.LearnerID)
					}
				}
				// Pruning never changes the answer.
				got := ids(top.Matches)
				if wantIDs := ids(all.Matches[:len(top.Matches)]); !slices.Equal(got, wantIDs) {
					t.Fatalf("demand %d (fairness %v): pruned top %d got %v, want %v", d.ID, f, k, got, wantIDs)
				}
				for _, m := range all.Matches {
					if in[m.LearnerID] {
						continue
					}
					for _, r := range top.Matches {
						if total[m.LearnerID] > r.Score.Total && r.Placement != matching.PlacedByNewcomerShare {
							t.Fatalf("demand %d (fairness %v): learner %d (%.4f) left out while %d (%.4f) is in on score",
								d.ID, f, m.LearnerID, total[m.LearnerID], r.LearnerID, r.Score.Total)
						}
					}
				}
			}
		}
	}

	if quota == 0 || boosted == 0 {
		t.Errorf("fairness never acted: %d newcomer-share placements, %d boosted learners; the test data should exercise both", quota, boosted)
	}
}

func ids(ms []matching.LearnerMatch) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.LearnerID
	}
	return out
}

func TestDemandsForLearnerProperties(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 12, Learners: 600, Demands: 3000, Cities: 3})
	ix := build(t, ds)
	const k = 10
	for li := 0; li < len(ds.Learners); li += 3 {
		l := &ds.Learners[li]
		got, err := ix.DemandsForLearner(l.ID, k)
		if err != nil {
			t.Fatal(err)
		}
		type ref struct {
			id     int64
			score  float64
			budget int64
		}
		var want []ref
		for j := range ds.Demands {
			if eligibleRef(l, &ds.Demands[j]) {
				want = append(want, ref{ds.Demands[j].ID, scoreRef(l, &ds.Demands[j]), ds.Demands[j].Budget})
			}
		}
		if got.Eligible != len(want) {
			t.Fatalf("learner %d: eligible got %d, want %d", l.ID, got.Eligible, len(want))
		}
		if len(got.Matches) != min(k, len(want)) {
			t.Fatalf("learner %d: got %d matches, want %d", l.ID, len(got.Matches), min(k, len(want)))
		}
		for _, m := range got.Matches {
			d := ds.Demands[m.DemandID-1]
			if !eligibleRef(l, &d) {
				t.Fatalf("learner %d: demand %d returned but not eligible", l.ID, m.DemandID)
			}
			if math.Abs(m.Score.Total-scoreRef(l, &d)) > 1e-6 {
				t.Fatalf("learner %d, demand %d: score got %v, want %v", l.ID, m.DemandID, m.Score.Total, scoreRef(l, &d))
			}
		}
		if len(got.Matches) == 0 {
			if got.Explanation == "" {
				t.Fatalf("learner %d: empty list without an explanation", l.ID)
			}
			continue
		}
		last := got.Matches[len(got.Matches)-1].Score.Total
		returned := map[int64]bool{}
		for _, m := range got.Matches {
			returned[m.DemandID] = true
		}
		for _, w := range want {
			if !returned[w.id] && w.score > last+1e-6 {
				t.Fatalf("learner %d: demand %d (%.4f) left out, last returned scores %.4f", l.ID, w.id, w.score, last)
			}
		}
	}
}
