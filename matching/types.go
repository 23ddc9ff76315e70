package matching

import "time"

// MinLevel and MaxLevel bound every skill level: 1 is a beginner, 5 an expert.
const (
	MinLevel = 1
	MaxLevel = 5
)

// Catalog names the skills and certificate programs the engine knows. A
// learner or demand that mentions anything else is rejected.
type Catalog struct {
	// Skills are skill identifiers such as "visual-art/illustration".
	Skills []string
	// Programs are certificate program (微专业) identifiers.
	Programs []string
}

// SkillLevel is one verified skill of a learner.
type SkillLevel struct {
	Skill string
	// Level is the verified level, MinLevel..MaxLevel.
	Level int
	// Evidence counts the reviewed artefacts (project scores, accepted paid
	// work) that back the level.
	Evidence int
}

// CertStatus is the status of a certificate. Only CertValid counts.
type CertStatus int

// Certificate statuses, as published in the status list.
const (
	CertValid CertStatus = iota
	CertRevoked
	CertSuspended
)

// String returns the status name.
func (s CertStatus) String() string {
	switch s {
	case CertValid:
		return "valid"
	case CertRevoked:
		return "revoked"
	case CertSuspended:
		return "suspended"
	}
	return "unknown"
}

// Certificate is one certificate a learner holds for a program.
type Certificate struct {
	Program string
	Status  CertStatus
}

// Ratings summarises the ratings a learner received for delivered work,
// on a 1..5 scale.
type Ratings struct {
	Count int
	Mean  float64
}

// Exposure is a learner's accumulated exposure in past rankings: Attention
// sums the position weights 1/log2(1+position) of every list the learner was
// shown in, and Relevance sums the scores the learner had in every list they
// were eligible for. Fair exposure compares the two shares (see package doc).
type Exposure struct {
	Attention float64
	Relevance float64
}

// Learner is everything the engine knows about one learner.
type Learner struct {
	ID     int64
	Skills []SkillLevel
	// Certificates lists certificates by program; revoked or suspended ones
	// are kept here but do not satisfy a requirement.
	Certificates []Certificate
	// Capacity is how many gig orders the learner takes at once; Load is how
	// many are in progress now.
	Capacity int
	Load     int
	// Available is false while the learner takes no new work at all.
	Available bool
	// City is where the learner can work on site; "" means remote only.
	City string
	// Deliveries counts delivered paid orders, OnTime those delivered by the
	// deadline.
	Deliveries int
	OnTime     int
	Ratings    Ratings
	// FirstOrder is when the learner's first paid order was accepted; the
	// zero time marks a newcomer.
	FirstOrder time.Time
	Exposure   Exposure
}

// Newcomer reports whether the learner has had no paid order yet.
func (l *Learner) Newcomer() bool { return l.FirstOrder.IsZero() }

// Kind is the kind of a demand.
type Kind uint8

// Demand kinds.
const (
	// Gig is a paid gig order (接单): illustration, voice dubbing, a web page.
	Gig Kind = iota
	// Job is a job opening.
	Job
)

// String returns "gig" or "job".
func (k Kind) String() string {
	switch k {
	case Gig:
		return "gig"
	case Job:
		return "job"
	}
	return "unknown"
}

// Requirement asks for a skill at a minimum level.
type Requirement struct {
	Skill string
	Level int
}

// Demand is a partner's gig order or job opening.
type Demand struct {
	ID   int64
	Kind Kind
	// Required skills are hard filters: a learner needs each at or above
	// its level. At least one is required.
	Required []Requirement
	// Preferred skills only add to the score.
	Preferred []Requirement
	// Certificates lists programs whose valid certificate is required.
	Certificates []string
	// Seats is how many learners the demand takes (gig) or hires (job).
	Seats int
	// Budget is the pay in minor units (分): per order for a gig, monthly
	// salary for a job. Learners prefer higher budgets in job matching.
	Budget int64
	// Deadline is informational for the engine; closed demands are removed.
	Deadline time.Time
	// City is where the work is done; Remote demands accept anyone.
	City   string
	Remote bool
}
