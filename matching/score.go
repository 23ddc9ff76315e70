package matching

import (
	"fmt"
	"strings"
)

// SkillFit explains one required or preferred skill in a score.
type SkillFit struct {
	Skill     string
	Preferred bool
	// Need is the demanded level, Have the learner's (0 if not held).
	Need, Have int
	// Evidence is the learner's evidence count for the skill.
	Evidence int
	// Credit is the skill's term in Fit (required) or Preferred.
	Credit float64
}

// Breakdown is a score with its parts, so a user can see why a learner
// ranks where they do. Every component is within 0..1 before weighting.
type Breakdown struct {
	// Total is the ranking key: Base plus Boost.
	Total float64
	// Base is the weighted sum of the four components.
	Base        float64
	Fit         float64
	Preferred   float64
	Evidence    float64
	Reliability float64
	Weights     Weights
	// Rating is the learner's rating shrunk toward the prior (1..5); Proof
	// is the mean skill proof n/(n+ProofHalf) over required skills.
	Rating float64
	Proof  float64
	// Boost is the fair-exposure boost (0 when fairness is off).
	Boost  float64
	Skills []SkillFit
}

// Explain renders the breakdown as one line a user can read, e.g.
// "0.798 = fit 0.40×0.67 [games/level-design level 4, needs 2] + preferred
// 0.20×1.00 [games/unity level 3, wants 3] + evidence … + exposure boost 0.007".
func (b Breakdown) Explain() string {
	var sb strings.Builder
	w := b.Weights
	fmt.Fprintf(&sb, "%.3f = fit %.2f×%.2f", b.Total, w.Fit, b.Fit)
	list := func(pref bool) {
		first := true
		for _, s := range b.Skills {
			if s.Preferred != pref {
				continue
			}
			if first {
				sb.WriteString(" [")
				first = false
			} else {
				sb.WriteString(", ")
			}
			switch {
			case s.Have == 0:
				fmt.Fprintf(&sb, "%s missing, wants %d", s.Skill, s.Need)
			case pref:
				fmt.Fprintf(&sb, "%s level %d, wants %d", s.Skill, s.Have, s.Need)
			default:
				fmt.Fprintf(&sb, "%s level %d, needs %d", s.Skill, s.Have, s.Need)
			}
		}
		if !first {
			sb.WriteString("]")
		}
	}
	list(false)
	fmt.Fprintf(&sb, " + preferred %.2f×%.2f", w.Preferred, b.Preferred)
	list(true)
	fmt.Fprintf(&sb, " + evidence %.2f×%.2f [rating %.2f after shrinkage, skill proof %.2f]", w.Evidence, b.Evidence, b.Rating, b.Proof)
	fmt.Fprintf(&sb, " + reliability %.2f×%.2f [on-time rate after shrinkage]", w.Reliability, b.Reliability)
	if b.Boost > 0 {
		fmt.Fprintf(&sb, " + exposure boost %.3f", b.Boost)
	}
	return sb.String()
}

// components computes fit, preferred and proof for an eligible slot. The
// fast path (score) and the explained path (breakdown) both use it, so they
// agree to the last bit.
func (ix *Index) components(entries []skillEntry, d *demandRec) (fit, pref, proof float64) {
	j := 0
	for _, r := range d.req {
		for j < len(entries) && entries[j].skill < r.skill {
			j++
		}
		if j < len(entries) && entries[j].skill == r.skill {
			fit += ix.fitTab[entries[j].level][r.level]
			proof += ix.proofTab[entries[j].evidence]
		}
	}
	n := float64(len(d.req))
	fit /= n
	proof /= n
	if len(d.pref) > 0 {
		j = 0
		for _, r := range d.pref {
			for j < len(entries) && entries[j].skill < r.skill {
				j++
			}
			if j < len(entries) && entries[j].skill == r.skill {
				pref += ix.prefTab[entries[j].level][r.level]
			}
		}
		pref /= float64(len(d.pref))
	}
	return fit, pref, proof
}

// base combines the components with the weights.
func (ix *Index) base(slot uint32, fit, pref, proof float64) (total, evidence float64) {
	o := &ix.opt
	evidence = o.RatingShare*float64(ix.hot[slot].rating) + (1-o.RatingShare)*proof
	w := o.Weights
	return w.Fit*fit + w.Preferred*pref + w.Evidence*evidence + w.Reliability*float64(ix.hot[slot].reliab), evidence
}

// score is the ranking key of an eligible slot for d.
func (ix *Index) score(slot uint32, d *demandRec, maxBoost float64) float64 {
	fit, pref, proof := ix.components(ix.skills(slot), d)
	s, _ := ix.base(slot, fit, pref, proof)
	if maxBoost > 0 {
		s += ix.boost(slot, maxBoost)
	}
	return s
}

// boost is the fair-exposure boost of a slot: maxBoost times how far the
// learner's share of past attention falls short of their share of past
// relevance, as a fraction of the latter (0 when at or above it).
func (ix *Index) boost(slot uint32, maxBoost float64) float64 {
	r := ix.hot[slot].relevance
	if r == 0 || ix.sumRel == 0 {
		return 0
	}
	if ix.sumAtt == 0 {
		return maxBoost
	}
	ratio := float64(ix.hot[slot].attention) * float64(ix.sumRel) / (float64(r) * float64(ix.sumAtt))
	if ratio >= 1 {
		return 0
	}
	return maxBoost * (1 - ratio)
}

// breakdown explains the score of an eligible slot for d.
func (ix *Index) breakdown(slot uint32, d *demandRec, maxBoost float64) Breakdown {
	entries := ix.skills(slot)
	fit, pref, proof := ix.components(entries, d)
	total, evidence := ix.base(slot, fit, pref, proof)
	b := Breakdown{
		Base:        total,
		Fit:         fit,
		Preferred:   pref,
		Evidence:    evidence,
		Reliability: float64(ix.hot[slot].reliab),
		Weights:     ix.opt.Weights,
		Rating:      1 + 4*float64(ix.hot[slot].rating),
		Proof:       proof,
	}
	if maxBoost > 0 {
		b.Boost = ix.boost(slot, maxBoost)
		total += b.Boost
	}
	b.Total = total
	find := func(skill uint16) (skillEntry, bool) {
		for _, e := range entries {
			if e.skill == skill {
				return e, true
			}
		}
		return skillEntry{}, false
	}
	for _, r := range d.req {
		e, _ := find(r.skill)
		b.Skills = append(b.Skills, SkillFit{Skill: ix.skillNames[r.skill], Need: int(r.level), Have: int(e.level), Evidence: int(e.evidence), Credit: ix.fitTab[e.level][r.level]})
	}
	for _, r := range d.pref {
		sf := SkillFit{Skill: ix.skillNames[r.skill], Preferred: true, Need: int(r.level)}
		if e, ok := find(r.skill); ok {
			sf.Have, sf.Evidence, sf.Credit = int(e.level), int(e.evidence), ix.prefTab[e.level][r.level]
		}
		b.Skills = append(b.Skills, sf)
	}
	return b
}

// dynamicBound bounds the demand-dependent part of a score (fit, preferred,
// proof) for learners at level have in requirement primary.
func (ix *Index) dynamicBound(d *demandRec, primary creq, have uint8) float64 {
	w := ix.opt.Weights
	n := float64(len(d.req))
	fit := (ix.fitTab[have][primary.level] + (n - 1)) / n
	b := w.Fit*fit + w.Evidence*(1-ix.opt.RatingShare)
	if len(d.pref) > 0 {
		b += w.Preferred
	}
	return b
}
