package talentloop

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed data/skills.json
var skillsJSON []byte

// Taxonomy returns the skill taxonomy that ships with talentloop
// (data/skills.json): every skill with its zh and en names, category, chain
// and descriptors of levels 1–5.
func Taxonomy() ([]*Skill, error) {
	var skills []*Skill
	if err := json.Unmarshal(skillsJSON, &skills); err != nil {
		return nil, fmt.Errorf("data/skills.json: %w", err)
	}
	seen := map[string]bool{}
	for i, s := range skills {
		if s.ID == "" || s.Name.ZH == "" || s.Name.EN == "" || !ValidChain(s.Chain) || seen[s.ID] {
			return nil, fmt.Errorf("data/skills.json: skill %d (%q) is incomplete, on an unknown chain or repeated", i, s.ID)
		}
		for l, d := range s.Levels {
			if d.ZH == "" || d.EN == "" {
				return nil, fmt.Errorf("data/skills.json: skill %q lacks a descriptor for level %d", s.ID, l+1)
			}
		}
		seen[s.ID] = true
	}
	return skills, nil
}
