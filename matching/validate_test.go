package matching_test

import (
	"errors"
	"strings"
	"testing"

	"talentloop/matching"
)

func asError(err error, target **matching.Error) bool { return errors.As(err, target) }

var catalog = matching.Catalog{
	Skills:   []string{"visual-art/illustration", "sound/voice-dubbing", "it/front-end"},
	Programs: []string{"visual-art/program-1"},
}

func goodLearner(id int64) matching.Learner {
	return matching.Learner{
		ID:        id,
		Skills:    []matching.SkillLevel{{Skill: "visual-art/illustration", Level: 4, Evidence: 3}},
		Capacity:  2,
		Available: true,
		City:      "hangzhou",
	}
}

func TestNewIndexRejectsBadLearners(t *testing.T) {
	tests := []struct {
		name   string
		change func(ls []matching.Learner)
		want   string
	}{
		{"unknown skill", func(ls []matching.Learner) { ls[1].Skills[0].Skill = "cooking" }, `matching: learner 2: unknown skill "cooking"`},
		{"level 0", func(ls []matching.Learner) { ls[1].Skills[0].Level = 0 }, `matching: learner 2: skill "visual-art/illustration" has level 0, outside 1..5`},
		{"level 6", func(ls []matching.Learner) { ls[0].Skills[0].Level = 6 }, `matching: learner 1: skill "visual-art/illustration" has level 6, outside 1..5`},
		{"negative capacity", func(ls []matching.Learner) { ls[1].Capacity = -1 }, `matching: learner 2: negative capacity -1`},
		{"duplicate id", func(ls []matching.Learner) { ls[1].ID = 1 }, `matching: learner 1: duplicate learner id`},
		{"skill twice", func(ls []matching.Learner) { ls[0].Skills = append(ls[0].Skills, ls[0].Skills[0]) }, `matching: learner 1: skill "visual-art/illustration" is listed twice`},
		{"unknown program", func(ls []matching.Learner) {
			ls[0].Certificates = []matching.Certificate{{Program: "x"}}
		}, `matching: learner 1: unknown certificate program "x"`},
		{"rating out of range", func(ls []matching.Learner) { ls[0].Ratings = matching.Ratings{Count: 2, Mean: 7} }, `matching: learner 1: mean rating 7 is outside 1..5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := []matching.Learner{goodLearner(1), goodLearner(2)}
			tt.change(ls)
			ix, err := matching.NewIndex(catalog, ls, matching.DefaultOptions())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if ix != nil {
				t.Fatal("got an index along with the error")
			}
		})
	}
}

func TestBadDemands(t *testing.T) {
	ix, err := matching.NewIndex(catalog, []matching.Learner{goodLearner(1)}, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	good := func() matching.Demand {
		return matching.Demand{ID: 7, Kind: matching.Gig, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 3}}, Seats: 1, Remote: true}
	}
	tests := []struct {
		name   string
		change func(d *matching.Demand)
		want   string
	}{
		{"unknown skill", func(d *matching.Demand) { d.Required[0].Skill = "juggling" }, `matching: demand 7: unknown required skill "juggling"`},
		{"level 9", func(d *matching.Demand) { d.Required[0].Level = 9 }, `matching: demand 7: required skill "visual-art/illustration" has level 9, outside 1..5`},
		{"preferred level 0", func(d *matching.Demand) {
			d.Preferred = []matching.Requirement{{Skill: "it/front-end", Level: 0}}
		}, `matching: demand 7: preferred skill "it/front-end" has level 0, outside 1..5`},
		{"negative seats", func(d *matching.Demand) { d.Seats = -2 }, `matching: demand 7: negative seats -2`},
		{"no required skill", func(d *matching.Demand) { d.Required = nil }, `matching: demand 7: no required skill`},
		{"on site without city", func(d *matching.Demand) { d.Remote = false }, `matching: demand 7: an on-site demand needs a city`},
		{"unknown kind", func(d *matching.Demand) { d.Kind = 5 }, `matching: demand 7: unknown kind 5 (want gig or job)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.change(&d)
			if err := ix.AddDemand(d); err == nil || err.Error() != tt.want {
				t.Fatalf("AddDemand: got %v, want %q", err, tt.want)
			}
			if _, err := ix.LearnersForDemand(d, 5, matching.DefaultFairness()); err == nil || err.Error() != tt.want {
				t.Fatalf("LearnersForDemand: got %v, want %q", err, tt.want)
			}
		})
	}
	if err := ix.AddDemands([]matching.Demand{good(), good()}); err == nil || err.Error() != "matching: demand 7: duplicate demand id" {
		t.Fatalf("duplicate demands: got %v", err)
	}
	if _, n := ix.Len(); n != 0 {
		t.Fatalf("after rejected batches the index holds %d demands, want 0", n)
	}
}

func TestEmptyResultsAreExplained(t *testing.T) {
	busy := goodLearner(2)
	busy.Load = 2
	ix, err := matching.NewIndex(catalog, []matching.Learner{goodLearner(1), busy}, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		d    matching.Demand
		want string
	}{
		{"nobody has the skill", matching.Demand{ID: 1, Required: []matching.Requirement{{Skill: "sound/voice-dubbing", Level: 2}}, Seats: 1, Remote: true},
			"no eligible learner: nobody has sound/voice-dubbing at level ≥ 2"},
		{"level too high", matching.Demand{ID: 2, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 5}}, Seats: 1, Remote: true},
			"no eligible learner: nobody has visual-art/illustration at level ≥ 5"},
		{"certificate", matching.Demand{ID: 3, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 2}}, Certificates: []string{"visual-art/program-1"}, Seats: 1, Remote: true},
			"no eligible learner: 2 learners pass (has visual-art/illustration at level ≥ 2), but none of them holds a valid visual-art/program-1 certificate"},
		{"city", matching.Demand{ID: 4, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 2}}, Seats: 1, City: "chengdu"},
			"no eligible learner: 2 learners pass (has visual-art/illustration at level ≥ 2), but none of them works in chengdu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.LearnersForDemand(tt.d, 10, matching.DefaultFairness())
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Matches) != 0 || got.Eligible != 0 {
				t.Fatalf("got %d matches, want none", len(got.Matches))
			}
			if got.Explanation != tt.want {
				t.Fatalf("explanation got %q, want %q", got.Explanation, tt.want)
			}
		})
	}
	// The busy learner is skipped for gigs but not for jobs.
	gig := matching.Demand{ID: 5, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 2}}, Seats: 1, Remote: true}
	got, _ := ix.LearnersForDemand(gig, 10, matching.Fairness{})
	if len(got.Matches) != 1 || got.Matches[0].LearnerID != 1 || !strings.Contains(got.Explanation, "only 1") {
		t.Fatalf("gig: got %+v, want learner 1 alone with an explanation", got)
	}
	if !strings.Contains(got.Matches[0].Score.Explain(), "visual-art/illustration level 4, needs 2") {
		t.Fatalf("explanation %q does not name the skill", got.Matches[0].Score.Explain())
	}
	gig.Kind = matching.Job
	if got, _ := ix.LearnersForDemand(gig, 10, matching.Fairness{}); len(got.Matches) != 2 {
		t.Fatalf("job: got %d matches, want 2", len(got.Matches))
	}
	// Assigning an order nobody can take leaves it unfilled, explained.
	if err := ix.AddDemand(matching.Demand{ID: 9, Required: []matching.Requirement{{Skill: "sound/voice-dubbing", Level: 1}}, Seats: 2, Remote: true}); err != nil {
		t.Fatal(err)
	}
	a, err := ix.AssignOrders([]int64{9}, matching.AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Pairs) != 0 || len(a.Unfilled) != 1 || a.Unfilled[0].Seats != 2 || !strings.Contains(a.Unfilled[0].Reason, "nobody has sound/voice-dubbing") {
		t.Fatalf("got %+v, want order 9 unfilled with a reason", a)
	}
	// k = 0 asks for nothing and gets nothing, without a panic.
	if err := ix.AddDemand(matching.Demand{ID: 10, Required: []matching.Requirement{{Skill: "visual-art/illustration", Level: 2}}, Seats: 1, Remote: true}); err != nil {
		t.Fatal(err)
	}
	if got, err := ix.DemandsForLearner(1, 0); err != nil || len(got.Matches) != 0 || got.Eligible != 1 {
		t.Fatalf("DemandsForLearner(1, 0): got %+v, %v; want no matches and 1 eligible demand", got, err)
	}
	if _, err := ix.DemandsForLearner(1, -1); err == nil {
		t.Fatal("DemandsForLearner with k = -1: got no error")
	}
	// An empty index answers too.
	empty, err := matching.NewIndex(catalog, nil, matching.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := empty.LearnersForDemand(gig, 10, matching.DefaultFairness()); err != nil || got.Explanation == "" {
		t.Fatalf("empty index: got %+v, %v", got, err)
	}
}

// FuzzLearnersForDemand feeds arbitrary demands to a small index: every
// input gives an error or an answer no longer than k, never a panic.
func FuzzLearnersForDemand(f *testing.F) {
	f.Add(0, 3, 1, 0, true, "", 5, 1, 2)
	f.Add(2, 9, -1, 1, false, "hangzhou", 0, 0, 0)
	f.Add(-1, 0, 0, 7, false, "", -3, 4, 6)
	ls := []matching.Learner{goodLearner(1), goodLearner(2), goodLearner(3)}
	ls[1].Skills = append(ls[1].Skills, matching.SkillLevel{Skill: "it/front-end", Level: 2})
	ls[2].FirstOrder = ls[2].FirstOrder.AddDate(2020, 0, 0)
	ix, err := matching.NewIndex(catalog, ls, matching.DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, skill, level, seats, kind int, remote bool, city string, k, pref, prefLevel int) {
		name := func(i int) string {
			if i >= 0 && i < len(catalog.Skills) {
				return catalog.Skills[i]
			}
			return "unknown"
		}
		d := matching.Demand{ID: 1, Kind: matching.Kind(kind), Seats: seats, Remote: remote, City: city,
			Required:  []matching.Requirement{{Skill: name(skill), Level: level}},
			Preferred: []matching.Requirement{{Skill: name(pref), Level: prefLevel}}}
		for _, fair := range []matching.Fairness{{}, matching.DefaultFairness()} {
			res, err := ix.LearnersForDemand(d, k, fair)
			if err != nil {
				continue
			}
			if len(res.Matches) > k {
				t.Fatalf("got %d matches for k = %d", len(res.Matches), k)
			}
			if len(res.Matches) == 0 && res.Explanation == "" && k > 0 {
				t.Fatalf("empty answer without explanation for %+v", d)
			}
		}
		if err := ix.UpsertDemand(d); err != nil {
			return
		}
		for _, id := range []int64{1, 2, 3} {
			res, err := ix.DemandsForLearner(id, k)
			if k < 0 {
				if err == nil {
					t.Fatalf("DemandsForLearner(%d, %d): got no error", id, k)
				}
				continue
			}
			if err != nil || len(res.Matches) > k {
				t.Fatalf("DemandsForLearner(%d, %d): got %+v, %v", id, k, res, err)
			}
		}
	})
}
