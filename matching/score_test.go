package matching

import "testing"

func TestBreakdownExplain(t *testing.T) {
	tests := []struct {
		name string
		b    Breakdown
		want string
	}{
		{
			name: "required and preferred skills with a boost",
			b: Breakdown{
				Total: 0.798, Fit: 0.6667, Preferred: 0.5, Evidence: 0.79, Reliability: 0.84, Rating: 4.29, Proof: 0.75, Boost: 0.007,
				Weights: DefaultOptions().Weights,
				Skills: []SkillFit{
					{Skill: "games/level-design", Need: 2, Have: 4},
					{Skill: "games/unity", Preferred: true, Need: 3, Have: 3},
					{Skill: "games/shader", Preferred: true, Need: 4},
				},
			},
			want: "0.798 = fit 0.40×0.67 [games/level-design level 4, needs 2] + preferred 0.20×0.50 [games/unity level 3, wants 3, games/shader missing, wants 4]" +
				" + evidence 0.25×0.79 [rating 4.29 after shrinkage, skill proof 0.75] + reliability 0.15×0.84 [on-time rate after shrinkage] + exposure boost 0.007",
		},
		{
			name: "no preferred skills, no boost",
			b:    Breakdown{Total: 0.5, Fit: 1, Weights: DefaultOptions().Weights, Rating: 4, Skills: []SkillFit{{Skill: "sound/voice-dubbing", Need: 5, Have: 5}}},
			want: "0.500 = fit 0.40×1.00 [sound/voice-dubbing level 5, needs 5] + preferred 0.20×0.00 + evidence 0.25×0.00 [rating 4.00 after shrinkage, skill proof 0.00] + reliability 0.15×0.00 [on-time rate after shrinkage]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Explain(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestFairMerge(t *testing.T) {
	// Established learners 2,4,6,8 outscore newcomers 1,3,5.
	others := []cand{{score: 0.9, id: 2}, {score: 0.8, id: 4}, {score: 0.7, id: 6}, {score: 0.6, id: 8}}
	newc := []cand{{score: 0.5, id: 1}, {score: 0.4, id: 3}, {score: 0.3, id: 5}}
	tests := []struct {
		name  string
		share float64
		k     int
		newc  []cand
		want  []int64
		quota []bool
	}{
		{"share 0 is plain score order", 0, 5, newc, []int64{2, 4, 6, 8, 1}, []bool{false, false, false, false, false}},
		{"share 0.5 alternates", 0.5, 5, newc, []int64{2, 1, 4, 3, 6}, []bool{false, true, false, true, false}},
		{"share 1 puts newcomers first while they last", 1, 5, newc, []int64{1, 3, 5, 2, 4}, []bool{true, true, true, false, false}},
		{"too few newcomers", 0.5, 6, newc[:1], []int64{2, 1, 4, 6, 8}, []bool{false, true, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, places := fairMerge(tt.newc, others, tt.k, tt.share)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d learners, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].id != tt.want[i] || (places[i] == PlacedByNewcomerShare) != tt.quota[i] {
					t.Fatalf("rank %d: got learner %d (%v), want %d (quota %v)", i+1, got[i].id, places[i], tt.want[i], tt.quota[i])
				}
			}
		})
	}
}
