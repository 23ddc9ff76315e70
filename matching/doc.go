// Package matching is talentloop's matching engine: it finds the learners
// who are truly qualified for a partner's demand (a gig order or a job
// opening), ranks them with a score a user can read, recommends demands to
// learners, and assigns batches of gig orders so that work spreads across
// qualified learners instead of all going to the top few. It is a pure
// package: no database, no HTTP, only the standard library and roaring
// bitmaps. Services feed it records and act on its answers.
//
// # Eligibility
//
// A learner is eligible for a demand when every one of these holds:
//
//   - every required skill is held at or above its minimum level;
//   - every required certificate program has a valid certificate (revoked
//     or suspended ones do not count);
//   - the learner is available, and for a gig order has capacity left
//     (Load < Capacity);
//   - the demand is remote, or the learner works in the demand's city.
//
// The Index keeps one roaring bitmap over learner slots per skill and level
// ("level ≥ l", l = 1…5), per city, per certificate program (valid holders)
// and for available, open (available with capacity left) and newcomer
// learners. The eligible set of a demand is the intersection of its
// filters' bitmaps, smallest first. Updates — a new skill, an order taken
// or finished, a certificate revoked, a full record replaced — touch only
// the bitmaps of that learner; there is no rebuild.
//
// # Score
//
// Each eligible learner gets four components in 0…1 and a weighted sum
// (default weights in parentheses, summing to 1):
//
//	fit          (0.40)  mean over required skills of (have − need)/(5 − need),
//	                     and 1 for a skill required at level 5
//	preferred    (0.20)  mean over preferred skills of min(1, have/want),
//	                     0 for a skill not held; 0 if none are preferred
//	evidence     (0.25)  0.6·(r̃ − 1)/4 + 0.4·proof, where
//	                     r̃ = (5·4.0 + n·mean)/(5 + n) is the mean rating of
//	                     n reviews shrunk toward 4.0 as if 5 more reviews had
//	                     that value, and proof is the mean over required
//	                     skills of e/(e + 2) for e evidence artefacts
//	reliability  (0.15)  (onTime + 5·0.9)/(deliveries + 5), the on-time
//	                     rate shrunk toward 0.9
//
// score = Σ weight·component, plus the fairness boost below when fairness
// is on. Every result carries a Breakdown with the components, the
// per-skill credits and the boost, and Breakdown.Explain renders it as one
// readable line. The constants are Options, fixed when the index is built.
//
// Top-k queries never score the whole eligible set when they need not: a
// learner's score is a static part (rating share of evidence, reliability)
// plus a demand-dependent part that is bounded by the learner's level in
// one requirement. Learners are visited level group by level group, best
// first, and skipped when static part + bound + maximum boost cannot beat
// the current k-th score. The answer is the same as scoring everyone (the
// tests check this); ties go to the lower learner id.
//
// # Fair exposure
//
// With Fairness.Enabled, two rules act on a learner ranking:
//
//   - Newcomer share (Geyik et al., KDD 2019, DetGreedy with one protected
//     group): every prefix of length t holds at least
//     floor(NewcomerShare·t) newcomers — learners with no paid order yet —
//     as long as enough newcomers are eligible. The ranking is built rank by
//     rank from the best remaining newcomer and the best remaining
//     established learner: the better of the two, unless the prefix would
//     fall short of its newcomer quota, then the newcomer. A newcomer
//     placed ahead of a better-scored learner is marked
//     PlacedByNewcomerShare.
//   - Exposure boost (Biega et al., SIGIR 2018, amortised equity of
//     attention): each learner accumulates attention A (1/log2(1+rank) per
//     list they appeared in) and relevance R (their score in lists they were
//     eligible for). A learner whose share of attention A/ΣA is below their
//     share of relevance R/ΣR gets
//     boost = MaxBoost·(1 − (A/ΣA)/(R/ΣR)), in 0…MaxBoost, added to the
//     score; learners at or above their share, and learners with no
//     relevance yet, get 0.
//
// The zero Fairness is off: plain score order, for comparison.
//
// # Batch assignment of gig orders
//
// AssignOrders links each order to its best Candidates eligible learners
// (edge value w = round(10000·score) points) and solves, exactly,
//
//	maximise  Σ_chosen (FillBonus + w) − Σ_learners Congestion·(L + L+1 + … + L+f−1)
//
// where a learner with L orders in progress is given f more (at most
// Capacity − L) and an order gets at most Seats learners. The marginal cost
// of a learner's t-th concurrent order is Congestion·t: convex, so work
// spreads to the next-best learner once a favourite is busy. FillBonus
// (default 10000 points, one perfect score) makes an extra filled seat worth
// more than any score difference, as long as congestion costs stay below it
// (they do for capacities up to 7); Congestion defaults to 1500 points.
//
// As a min-cost flow network: every order j is a source of Seats_j units;
// arc j→learner i for each candidate edge (capacity 1, cost M − FillBonus −
// w, with M = FillBonus + max w); arc j→sink "seat left empty" (capacity
// Seats_j, cost M); and from each learner i to the sink unit arcs of cost
// Congestion·(L_i + t) for t = 0 … Capacity_i − L_i − 1. All costs are
// non-negative, every unit reaches the sink, and cost = M·Σ Seats −
// value, so a min-cost flow is a max-value assignment. SolveFlow runs
// successive shortest paths with node potentials p (reduced cost c(u,v) +
// p(u) − p(v) ≥ 0 always): one unit at a time, Dijkstra from the order with
// supply stops as soon as the sink is settled at distance D; settled nodes
// get p(v) += d(v) − D, the rest keep p, which keeps every reduced cost
// non-negative; the path is then flipped. At the end the residual network
// has no negative cycle, which proves optimality. The convex learner arcs
// are kept implicitly as "next slot" and "last slot back" arcs.
//
// WriteLP writes the same instance as an integer program for an
// independent solver; package matching/cbc runs COIN-OR CBC on it, and
// the tests and "talentloop bench matching" check that both optima agree.
// SolveGreedy is the best-first baseline that the benchmark compares
// against: highest score first, whenever the order has a seat and the
// learner a slot.
//
// # Job openings
//
// MatchJobs uses learner-proposing deferred acceptance with job capacities
// (Gale–Shapley, hospitals/residents form). Each job ranks its best
// Candidates eligible learners by score; each learner ranks the jobs that
// consider them by budget (salary), then score. The result is stable — no
// learner and job prefer each other to what they got — and
// learner-optimal among stable matchings. BlockingPairs verifies it.
//
// # Bad input
//
// Records are validated before anything changes: unknown skills or
// programs, levels outside 1…5, negative capacities, loads or seats, and
// duplicate ids give an *Error naming the record ("learner 42", "demand
// 7"). A demand nobody qualifies for gives an empty ranking whose
// Explanation names the first filter that leaves no learner.
//
// # Measuring
//
// "talentloop bench matching" (package matching/matchbench) measures index
// size, query latency, NDCG@10 against the synthetic generator's latent
// truth (package matching/synth), newcomer share, and assignment against
// greedy and CBC. Its defaults are the target scale: 1,000,000 learners and
// 100,000 demands for the queries, 10,000 gig orders over 100,000 learners
// for assignment. --smoke is a configuration small enough for CI, --json
// prints one JSON object, --no-cbc skips CBC. "go test -bench .
// ./matching/" runs smaller benchmarks (200,000 learners).
package matching
