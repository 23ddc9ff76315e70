package matching

import (
	"math"
)

// maxCount bounds capacities, loads, seats and counters: anything larger is
// a data error, not a learner.
const maxCount = 10000

// maxSkills bounds the skills of one learner.
const maxSkills = 255

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// validateLearner checks one learner record against the catalog.
func (ix *Index) validateLearner(l *Learner) error {
	rec := learnerRecord(l.ID)
	if len(l.Skills) > maxSkills {
		return invalidf(rec, "%d skills, more than %d", len(l.Skills), maxSkills)
	}
	seen := make(map[string]bool, len(l.Skills))
	for _, s := range l.Skills {
		if _, ok := ix.skillByName[s.Skill]; !ok {
			return invalidf(rec, "unknown skill %q", s.Skill)
		}
		if s.Level < MinLevel || s.Level > MaxLevel {
			return invalidf(rec, "skill %q has level %d, outside %d..%d", s.Skill, s.Level, MinLevel, MaxLevel)
		}
		if s.Evidence < 0 {
			return invalidf(rec, "skill %q has negative evidence count %d", s.Skill, s.Evidence)
		}
		if seen[s.Skill] {
			return invalidf(rec, "skill %q is listed twice", s.Skill)
		}
		seen[s.Skill] = true
	}
	for _, c := range l.Certificates {
		if _, ok := ix.programByName[c.Program]; !ok {
			return invalidf(rec, "unknown certificate program %q", c.Program)
		}
		if c.Status < CertValid || c.Status > CertSuspended {
			return invalidf(rec, "certificate %q has unknown status %d", c.Program, int(c.Status))
		}
	}
	switch {
	case l.Capacity < 0:
		return invalidf(rec, "negative capacity %d", l.Capacity)
	case l.Capacity > maxCount:
		return invalidf(rec, "capacity %d exceeds %d", l.Capacity, maxCount)
	case l.Load < 0:
		return invalidf(rec, "negative load %d", l.Load)
	case l.Load > maxCount:
		return invalidf(rec, "load %d exceeds %d", l.Load, maxCount)
	case l.Deliveries < 0 || l.OnTime < 0 || l.OnTime > l.Deliveries:
		return invalidf(rec, "on-time deliveries %d must be within 0..deliveries %d", l.OnTime, l.Deliveries)
	case l.Ratings.Count < 0:
		return invalidf(rec, "negative rating count %d", l.Ratings.Count)
	case l.Ratings.Count > 0 && !(l.Ratings.Mean >= 1 && l.Ratings.Mean <= 5):
		return invalidf(rec, "mean rating %v is outside 1..5", l.Ratings.Mean)
	case !finite(l.Exposure.Attention) || !finite(l.Exposure.Relevance) || l.Exposure.Attention < 0 || l.Exposure.Relevance < 0:
		return invalidf(rec, "exposure must be finite and non-negative, got %+v", l.Exposure)
	}
	return nil
}

// compileDemand validates d and translates it to catalog indices. City
// names unknown to the index compile to noCity: no learner is there.
func (ix *Index) compileDemand(d *Demand) (*demandRec, error) {
	rec := demandRecord(d.ID)
	if d.Kind != Gig && d.Kind != Job {
		return nil, invalidf(rec, "unknown kind %d (want gig or job)", int(d.Kind))
	}
	if len(d.Required) == 0 {
		return nil, invalidf(rec, "no required skill")
	}
	req, err := ix.compileReqs(rec, "required", d.Required)
	if err != nil {
		return nil, err
	}
	pref, err := ix.compileReqs(rec, "preferred", d.Preferred)
	if err != nil {
		return nil, err
	}
	var certs []uint16
	seen := map[string]bool{}
	for _, p := range d.Certificates {
		id, ok := ix.programByName[p]
		if !ok {
			return nil, invalidf(rec, "unknown certificate program %q", p)
		}
		if seen[p] {
			return nil, invalidf(rec, "certificate program %q is listed twice", p)
		}
		seen[p] = true
		certs = append(certs, id)
	}
	switch {
	case d.Seats < 0:
		return nil, invalidf(rec, "negative seats %d", d.Seats)
	case d.Seats == 0:
		return nil, invalidf(rec, "no seats")
	case d.Seats > maxCount:
		return nil, invalidf(rec, "seats %d exceed %d", d.Seats, maxCount)
	case d.Budget < 0:
		return nil, invalidf(rec, "negative budget %d", d.Budget)
	case !d.Remote && d.City == "":
		return nil, invalidf(rec, "an on-site demand needs a city")
	}
	r := &demandRec{
		id:     d.ID,
		kind:   d.Kind,
		req:    req,
		pref:   pref,
		certs:  certs,
		seats:  int32(d.Seats),
		budget: d.Budget,
		remote: d.Remote,
		city:   noCity,
	}
	if !d.Remote {
		if c, ok := ix.cityByName[d.City]; ok {
			r.city = int32(c)
		}
		r.cityName = d.City
	}
	return r, nil
}

func (ix *Index) compileReqs(rec, what string, rs []Requirement) ([]creq, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	out := make([]creq, 0, len(rs))
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		id, ok := ix.skillByName[r.Skill]
		if !ok {
			return nil, invalidf(rec, "unknown %s skill %q", what, r.Skill)
		}
		if r.Level < MinLevel || r.Level > MaxLevel {
			return nil, invalidf(rec, "%s skill %q has level %d, outside %d..%d", what, r.Skill, r.Level, MinLevel, MaxLevel)
		}
		if seen[r.Skill] {
			return nil, invalidf(rec, "%s skill %q is listed twice", what, r.Skill)
		}
		seen[r.Skill] = true
		out = append(out, creq{skill: id, level: uint8(r.Level)})
	}
	sortReqs(out)
	return out, nil
}
