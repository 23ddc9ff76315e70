package matching

import "fmt"

// Weights weigh the four score components. They need not sum to 1, but the
// defaults do, so a score reads as a fraction of a perfect match.
type Weights struct {
	Fit         float64
	Preferred   float64
	Evidence    float64
	Reliability float64
}

// Options fix the scoring model of an index. They are set once, when the
// index is built, because the index precomputes per-learner parts of the
// score.
type Options struct {
	Weights Weights
	// PriorRating and PriorReviews shrink a learner's mean rating toward
	// PriorRating as if PriorReviews extra reviews had that rating.
	PriorRating  float64
	PriorReviews float64
	// PriorOnTime and PriorDeliveries shrink the on-time rate the same way.
	PriorOnTime     float64
	PriorDeliveries float64
	// ProofHalf is the number of evidence artefacts for a skill at which its
	// proof term reaches one half: proof = n/(n+ProofHalf).
	ProofHalf float64
	// RatingShare is the share of the evidence component taken by the
	// shrunk rating; the rest is skill proof.
	RatingShare float64
}

// DefaultOptions returns the scoring model described in the package doc.
func DefaultOptions() Options {
	return Options{
		Weights:         Weights{Fit: 0.40, Preferred: 0.20, Evidence: 0.25, Reliability: 0.15},
		PriorRating:     4.0,
		PriorReviews:    5,
		PriorOnTime:     0.9,
		PriorDeliveries: 5,
		ProofHalf:       2,
		RatingShare:     0.6,
	}
}

func (o Options) validate() error {
	w := o.Weights
	for _, x := range []float64{w.Fit, w.Preferred, w.Evidence, w.Reliability} {
		if x < 0 || x > 10 || x != x {
			return invalidf("options", "weights must be within 0..10, got %+v", w)
		}
	}
	if o.PriorRating < 1 || o.PriorRating > 5 {
		return invalidf("options", "PriorRating %v is outside 1..5", o.PriorRating)
	}
	if o.PriorReviews <= 0 || o.PriorDeliveries <= 0 || o.ProofHalf <= 0 {
		return invalidf("options", "PriorReviews, PriorDeliveries and ProofHalf must be positive")
	}
	if o.PriorOnTime < 0 || o.PriorOnTime > 1 || o.RatingShare < 0 || o.RatingShare > 1 {
		return invalidf("options", "PriorOnTime and RatingShare must be within 0..1")
	}
	return nil
}

// Fairness configures fair exposure in learner rankings. The zero value
// turns fairness off; DefaultFairness turns it on.
type Fairness struct {
	Enabled bool
	// NewcomerShare is the minimum share of newcomers in every prefix of a
	// ranking: a prefix of length t holds at least floor(NewcomerShare·t)
	// newcomers, as long as enough newcomers qualify.
	NewcomerShare float64
	// MaxBoost bounds the exposure boost added to a learner's score.
	MaxBoost float64
}

// DefaultFairness is fairness on: at least one newcomer in every five, and
// a boost of at most 0.05 for learners under-exposed for their relevance.
func DefaultFairness() Fairness {
	return Fairness{Enabled: true, NewcomerShare: 0.2, MaxBoost: 0.05}
}

func (f Fairness) validate() error {
	if !f.Enabled {
		return nil
	}
	if f.NewcomerShare < 0 || f.NewcomerShare > 1 || f.NewcomerShare != f.NewcomerShare {
		return invalidf("fairness", "NewcomerShare %v is outside 0..1", f.NewcomerShare)
	}
	if f.MaxBoost < 0 || f.MaxBoost > 1 || f.MaxBoost != f.MaxBoost {
		return invalidf("fairness", "MaxBoost %v is outside 0..1", f.MaxBoost)
	}
	return nil
}

// String describes the fairness setting in words.
func (f Fairness) String() string {
	if !f.Enabled {
		return "off"
	}
	return fmt.Sprintf("newcomers ≥ %.0f%% of every prefix, boost ≤ %.3f", 100*f.NewcomerShare, f.MaxBoost)
}
