package matching_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"talentloop/matching"
	"talentloop/matching/synth"
)

func cloneLearner(l matching.Learner) matching.Learner {
	l.Skills = slices.Clone(l.Skills)
	l.Certificates = slices.Clone(l.Certificates)
	return l
}

// TestIncrementalEqualsFresh applies random updates to an index and to a
// plain list of records, then checks that the updated index answers every
// query exactly like an index built fresh from the records.
func TestIncrementalEqualsFresh(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 21, Learners: 3000, Demands: 400, Cities: 3})
	r := rand.New(rand.NewPCG(21, 22))
	// Start with two thirds of the learners; the rest arrive as updates.
	model := map[int64]*matching.Learner{}
	var start []matching.Learner
	for i := range ds.Learners {
		if i%3 != 0 {
			l := cloneLearner(ds.Learners[i])
			start = append(start, l)
			model[l.ID] = &l
		}
	}
	ix, err := matching.NewIndex(ds.Catalog, start, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.AddDemands(ds.Demands); err != nil {
		t.Fatal(err)
	}
	pick := func() *matching.Learner {
		for {
			id := ds.Learners[r.IntN(len(ds.Learners))].ID
			if l, ok := model[id]; ok {
				return l
			}
		}
	}
	ops := map[string]int{}
	open := map[int64]bool{}
	for _, d := range ds.Demands {
		open[d.ID] = true
	}
	for step := 0; step < 6000; step++ {
		var err error
		switch op := r.IntN(12); op {
		case 10: // a demand is filled or withdrawn
			d := ds.Demands[r.IntN(len(ds.Demands))]
			if !open[d.ID] {
				continue
			}
			err = ix.RemoveDemand(d.ID)
			delete(open, d.ID)
			ops["close"]++
		case 11: // a demand is posted again, or replaced
			d := ds.Demands[r.IntN(len(ds.Demands))]
			err = ix.UpsertDemand(d)
			open[d.ID] = true
			ops["post"]++
		case 0: // a new learner arrives, or an old one returns
			l := cloneLearner(ds.Learners[r.IntN(len(ds.Learners))])
			if _, ok := model[l.ID]; ok {
				continue
			}
			err = ix.UpsertLearner(l)
			model[l.ID] = &l
			ops["add"]++
		case 1: // gain or change a skill
			l := pick()
			s := matching.SkillLevel{Skill: ds.Catalog.Skills[r.IntN(12)], Level: 1 + r.IntN(5), Evidence: r.IntN(9)}
			err = ix.SetSkill(l.ID, s)
			if i := slices.IndexFunc(l.Skills, func(x matching.SkillLevel) bool { return x.Skill == s.Skill }); i >= 0 {
				l.Skills[i] = s
			} else {
				l.Skills = append(l.Skills, s)
			}
			ops["skill"]++
		case 2: // take an order
			l := pick()
			if l.Load >= l.Capacity {
				if ix.StartOrder(l.ID) == nil {
					t.Fatalf("StartOrder(%d) at capacity %d succeeded", l.ID, l.Capacity)
				}
				continue
			}
			err = ix.StartOrder(l.ID)
			l.Load++
			if l.FirstOrder.IsZero() {
				l.FirstOrder = synth.Epoch
			}
			ops["start"]++
		case 3: // finish an order
			l := pick()
			if l.Load == 0 {
				continue
			}
			err = ix.FinishOrder(l.ID)
			l.Load--
			ops["finish"]++
		case 4: // a certificate is revoked, suspended or reinstated
			l := pick()
			c := matching.Certificate{Program: ds.Catalog.Programs[r.IntN(len(ds.Catalog.Programs))], Status: matching.CertStatus(r.IntN(3))}
			err = ix.SetCertificate(l.ID, c)
			l.Certificates = slices.DeleteFunc(l.Certificates, func(x matching.Certificate) bool { return x.Program == c.Program })
			l.Certificates = append(l.Certificates, c)
			ops["cert"]++
		case 5:
			l := pick()
			l.Available = !l.Available
			err = ix.SetAvailable(l.ID, l.Available)
			ops["avail"]++
		case 6:
			l := pick()
			a, rel := float64(r.IntN(2000))/1000, float64(r.IntN(3000))/1000
			err = ix.AddExposure(l.ID, a, rel)
			l.Exposure.Attention += a
			l.Exposure.Relevance += rel
			ops["exposure"]++
		case 7: // ratings, city and capacity change through a full record
			l := pick()
			l.Deliveries++
			l.OnTime += r.IntN(2)
			l.Ratings = matching.Ratings{Count: l.Ratings.Count + 1, Mean: 1 + 4*r.Float64()}
			l.City = []string{"", "city-01", "city-02"}[r.IntN(3)]
			l.Capacity = r.IntN(5)
			l.Load = min(l.Load, l.Capacity)
			l.Skills = l.Skills[:len(l.Skills)/2+1]
			err = ix.UpsertLearner(cloneLearner(*l))
			ops["upsert"]++
		case 8:
			l := pick()
			err = ix.RemoveLearner(l.ID)
			delete(model, l.ID)
			ops["remove"]++
		case 9:
			l := pick()
			if len(l.Skills) < 2 {
				continue
			}
			s := l.Skills[r.IntN(len(l.Skills))].Skill
			err = ix.RemoveSkill(l.ID, s)
			l.Skills = slices.DeleteFunc(l.Skills, func(x matching.SkillLevel) bool { return x.Skill == s })
			ops["unskill"]++
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	var final []matching.Learner
	for _, l := range model {
		final = append(final, *l)
	}
	fresh, err := matching.NewIndex(ds.Catalog, final, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var openDemands []matching.Demand
	for _, d := range ds.Demands {
		if open[d.ID] {
			openDemands = append(openDemands, d)
		}
	}
	if err := fresh.AddDemands(openDemands); err != nil {
		t.Fatal(err)
	}
	for _, restoreTo := range []uint64{0, 1 << 40} {
		restore := matching.SetSmallSet(restoreTo)
		for _, f := range []matching.Fairness{{}, matching.DefaultFairness()} {
			for _, d := range openDemands {
				got, err := ix.LearnersForDemandID(d.ID, 20, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.LearnersForDemandID(d.ID, 20, f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("demand %d, fairness %v: incremental index got\n%+v\nfresh index got\n%+v", d.ID, f, got, want)
				}
			}
		}
		restore()
	}
	for id := range model {
		got, err := ix.DemandsForLearner(id, 10)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.DemandsForLearner(id, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("learner %d: incremental index got %+v, fresh index got %+v", id, got, want)
		}
	}
	gotN, gotD := ix.Len()
	wantN, wantD := fresh.Len()
	if gotN != wantN || gotD != wantD {
		t.Fatalf("learners, demands got %d, %d, want %d, %d", gotN, gotD, wantN, wantD)
	}
	t.Logf("operations applied: %v", ops)
}

func TestUpdatesOfUnknownLearner(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 1, Learners: 10, Demands: 1})
	ix := build(t, ds)
	for name, err := range map[string]error{
		"StartOrder":    ix.StartOrder(999),
		"FinishOrder":   ix.FinishOrder(999),
		"SetAvailable":  ix.SetAvailable(999, true),
		"RemoveLearner": ix.RemoveLearner(999),
	} {
		var me *matching.Error
		if !asError(err, &me) || me.Code != matching.ENOTFOUND || me.Record != "learner 999" {
			t.Errorf("%s: got %v, want a not-found error for learner 999", name, err)
		}
	}
}

// TestConcurrentQueriesAndUpdates runs queries while updates land; run it
// with -race.
func TestConcurrentQueriesAndUpdates(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 61, Learners: 2000, Demands: 200, Cities: 3})
	ix := build(t, ds)
	done := make(chan error, 3)
	for g := 0; g < 2; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				if _, err := ix.LearnersForDemandID(ds.Demands[(i*7+g)%len(ds.Demands)].ID, 10, matching.DefaultFairness()); err != nil {
					done <- err
					return
				}
				if _, err := ix.DemandsForLearner(ds.Learners[(i*13+g)%len(ds.Learners)].ID, 10); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(g)
	}
	go func() {
		for i := 0; i < 400; i++ {
			l := ds.Learners[i%len(ds.Learners)]
			var err error
			if l.Load < l.Capacity && i%2 == 0 {
				err = ix.StartOrder(l.ID)
			} else {
				err = ix.SetAvailable(l.ID, i%3 != 0)
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 3; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestExposureBoost checks the boost: full for a relevant learner never
// shown, none for one shown more than their share, and shrinking once the
// under-exposed learner's rankings are recorded.
func TestExposureBoost(t *testing.T) {
	// Equal learners: without the boost the tie goes to the lower id, 1.
	a, b := goodLearner(2), goodLearner(1)
	a.Exposure = matching.Exposure{Relevance: 10}
	b.Exposure = matching.Exposure{Relevance: 10, Attention: 10}
	ix, err := matching.NewIndex(catalog, []matching.Learner{a, b}, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	d := matching.Demand{ID: 1, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 1}}, Seats: 1, Remote: true}
	f := matching.DefaultFairness()
	boosts := func() map[int64]float64 {
		r, err := ix.LearnersForDemand(d, 2, f)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]float64{}
		for _, m := range r.Matches {
			out[m.LearnerID] = m.Score.Boost
		}
		return out
	}
	got := boosts()
	if got[2] != f.MaxBoost || got[1] != 0 {
		t.Fatalf("boosts got %v, want learner 2 at %v and learner 1 at 0", got, f.MaxBoost)
	}
	// Learner 2 ranks first on the boost; record that ranking a few times.
	for i := 0; i < 3; i++ {
		r, _ := ix.LearnersForDemand(d, 2, f)
		if r.Matches[0].LearnerID != 2 {
			t.Fatalf("rank 1 got learner %d, want the boosted learner 2", r.Matches[0].LearnerID)
		}
		if err := ix.RecordExposure(r); err != nil {
			t.Fatal(err)
		}
	}
	if after := boosts(); after[2] >= got[2] {
		t.Fatalf("learner 2's boost got %v after being shown first three times, want below %v", after[2], got[2])
	}
	if r, _ := ix.LearnersForDemand(d, 2, matching.Fairness{}); r.Matches[0].LearnerID != 1 {
		t.Fatalf("fairness off: rank 1 got learner %d, want 1", r.Matches[0].LearnerID)
	}
}
