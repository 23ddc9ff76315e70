package talentloop_test

import (
	"testing"

	"talentloop"
)

func TestTaxonomyLoads(t *testing.T) {
	skills, err := talentloop.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	chains := map[string]int{}
	for _, s := range skills {
		chains[s.Chain]++
	}
	for _, c := range talentloop.ChainCodes {
		if chains[c] < 5 {
			t.Errorf("chain %s has %d skills, want at least 5", c, chains[c])
		}
	}
}

func TestScoreReview(t *testing.T) {
	r := talentloop.Rubric{Criteria: []talentloop.Criterion{
		{Key: "a", Name: talentloop.Text{ZH: "甲"}, Levels: []talentloop.RubricLevel{{Points: 0}, {Points: 5}, {Points: 10}}},
		{Key: "b", Name: talentloop.Text{ZH: "乙"}, Levels: []talentloop.RubricLevel{{Points: 0}, {Points: 20}}},
	}}
	tests := []struct {
		name   string
		scores []talentloop.Score
		total  int
		code   string
	}{
		{"all scored", []talentloop.Score{{CriterionKey: "b", Level: 1}, {CriterionKey: "a", Level: 2}}, 30, ""},
		{"points come from the rubric, not the caller", []talentloop.Score{{CriterionKey: "a", Level: 1, Points: 99}, {CriterionKey: "b", Level: 0}}, 5, ""},
		{"missing criterion", []talentloop.Score{{CriterionKey: "a", Level: 1}}, 0, talentloop.EINVALID},
		{"level out of range", []talentloop.Score{{CriterionKey: "a", Level: 3}, {CriterionKey: "b", Level: 0}}, 0, talentloop.EINVALID},
		{"negative level", []talentloop.Score{{CriterionKey: "a", Level: -1}, {CriterionKey: "b", Level: 0}}, 0, talentloop.EINVALID},
		{"scored twice", []talentloop.Score{{CriterionKey: "a", Level: 1}, {CriterionKey: "a", Level: 2}, {CriterionKey: "b", Level: 0}}, 0, talentloop.EINVALID},
		{"unknown criterion", []talentloop.Score{{CriterionKey: "a", Level: 1}, {CriterionKey: "b", Level: 0}, {CriterionKey: "z", Level: 0}}, 0, talentloop.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, total, err := talentloop.ScoreReview(r, tc.scores)
			if got := talentloop.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, want %q (%v)", got, tc.code, err)
			}
			if tc.code == "" && total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
		})
	}
	if got, want := r.MaxPoints(), 30; got != want {
		t.Errorf("MaxPoints = %d, want %d", got, want)
	}
}

func TestSubmissionInputValidate(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n....")
	tests := []struct {
		name string
		in   talentloop.SubmissionInput
		code string
	}{
		{"text only", talentloop.SubmissionInput{Body: "作品说明"}, ""},
		{"a link only", talentloop.SubmissionInput{RepoURL: "https://example.com/x"}, ""},
		{"nothing", talentloop.SubmissionInput{Body: "  "}, talentloop.EINVALID},
		{"bad link", talentloop.SubmissionInput{DemoURL: "javascript:alert(1)"}, talentloop.EINVALID},
		{"file too large", talentloop.SubmissionInput{Files: []talentloop.Upload{{Name: "a.png", Data: append(png, make([]byte, 100)...)}}}, talentloop.ETOOLARGE},
		{"type not allowed", talentloop.SubmissionInput{Files: []talentloop.Upload{{Name: "a.exe", Data: []byte("MZ")}}}, talentloop.EINVALID},
		{"no extension", talentloop.SubmissionInput{Files: []talentloop.Upload{{Name: "README", Data: []byte("x")}}}, talentloop.EINVALID},
		{"allowed file", talentloop.SubmissionInput{Files: []talentloop.Upload{{Name: "Poster.PNG", Data: png}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := talentloop.ErrorCode(tc.in.Validate(64)); got != tc.code {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestTextFallsBack(t *testing.T) {
	if got := (talentloop.Text{ZH: "配音"}).In("en"); got != "配音" {
		t.Errorf("English falls back to Chinese: got %q", got)
	}
	if got := (talentloop.Text{ZH: "配音", EN: "Dubbing"}).In("en"); got != "Dubbing" {
		t.Errorf("got %q", got)
	}
	if got := (talentloop.Text{EN: "Dubbing"}).In("zh"); got != "Dubbing" {
		t.Errorf("Chinese falls back to English: got %q", got)
	}
}

func TestCertificateExpiry(t *testing.T) {
	c := &talentloop.Certificate{Status: talentloop.CertValid}
	now := mustTime(t, "2026-11-27T00:00:00Z")
	if c.EffectiveStatus(now) != talentloop.CertValid {
		t.Error("no expiry: valid")
	}
	past := mustTime(t, "2026-01-01T00:00:00Z")
	c.ValidUntil = &past
	if c.EffectiveStatus(now) != talentloop.CertExpired {
		t.Error("past validUntil: expired")
	}
	c.Status = talentloop.CertRevoked
	if c.EffectiveStatus(now) != talentloop.CertRevoked {
		t.Error("revoked stays revoked")
	}
}
