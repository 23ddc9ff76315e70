package matching

import (
	"cmp"
	"fmt"
	"slices"
)

// JobMarket is a two-sided market of learners and job openings for
// deferred acceptance. Learners and jobs are numbered from 0.
type JobMarket struct {
	// Seats is each job's number of openings.
	Seats []int
	// LearnerPrefs lists, per learner, the jobs they accept, best first.
	LearnerPrefs [][]int32
	// JobRanks maps, per job, each learner the job accepts to a rank
	// (lower is better); the ranks of one job are distinct.
	JobRanks []map[int32]int32
}

// Validate checks the market's shape, naming the first bad record.
func (m *JobMarket) Validate() error {
	if len(m.JobRanks) != len(m.Seats) {
		return invalidf("market", "%d jobs have seats but %d have ranks", len(m.Seats), len(m.JobRanks))
	}
	for j, s := range m.Seats {
		if s < 0 || s > maxCount {
			return invalidf(fmt.Sprintf("job %d", j), "seats %d outside 0..%d", s, maxCount)
		}
		seen := make(map[int32]bool, len(m.JobRanks[j]))
		for l, r := range m.JobRanks[j] {
			if l < 0 || int(l) >= len(m.LearnerPrefs) {
				return invalidf(fmt.Sprintf("job %d", j), "ranks unknown learner %d", l)
			}
			if seen[r] {
				return invalidf(fmt.Sprintf("job %d", j), "gives rank %d twice", r)
			}
			seen[r] = true
		}
	}
	for i, prefs := range m.LearnerPrefs {
		seen := make(map[int32]bool, len(prefs))
		for _, j := range prefs {
			if j < 0 || int(j) >= len(m.Seats) {
				return invalidf(fmt.Sprintf("learner %d", i), "prefers unknown job %d", j)
			}
			if seen[j] {
				return invalidf(fmt.Sprintf("learner %d", i), "lists job %d twice", j)
			}
			seen[j] = true
		}
	}
	return nil
}

// DeferredAcceptance runs learner-proposing deferred acceptance with job
// capacities (Gale and Shapley; Roth's hospitals/residents form). Each free
// learner proposes to their best job not yet tried; a job holds its best
// proposals up to its seats and rejects the rest. The result is stable —
// no learner and job both prefer each other to what they got — and the
// best stable outcome for every learner. It returns the job of each
// learner, or -1.
func DeferredAcceptance(m *JobMarket) ([]int32, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	match := make([]int32, len(m.LearnerPrefs))
	next := make([]int, len(m.LearnerPrefs))
	held := make([]rankHeap, len(m.Seats))
	free := make([]int32, 0, len(m.LearnerPrefs))
	for i := range m.LearnerPrefs {
		match[i] = -1
		free = append(free, int32(i))
	}
	for len(free) > 0 {
		i := free[len(free)-1]
		free = free[:len(free)-1]
		for next[i] < len(m.LearnerPrefs[i]) {
			j := m.LearnerPrefs[i][next[i]]
			next[i]++
			r, ok := m.JobRanks[j][i]
			if !ok || m.Seats[j] == 0 {
				continue
			}
			h := &held[j]
			if len(*h) < m.Seats[j] {
				h.push(rankItem{r, i})
				match[i] = j
				break
			}
			if worst := (*h)[0]; r < worst.rank {
				h.replaceTop(rankItem{r, i})
				match[i] = j
				match[worst.learner] = -1
				free = append(free, worst.learner)
				break
			}
		}
	}
	return match, nil
}

// BlockingPairs lists the (learner, job) pairs that block match: both
// accept each other, the learner prefers the job to their own, and the job
// has a free seat or holds someone it ranks worse.
func (m *JobMarket) BlockingPairs(match []int32) [][2]int32 {
	worst := make([]int32, len(m.Seats))
	count := make([]int, len(m.Seats))
	for j := range worst {
		worst[j] = -1
	}
	for i, j := range match {
		if j >= 0 {
			count[j]++
			worst[j] = max(worst[j], m.JobRanks[j][int32(i)])
		}
	}
	var out [][2]int32
	for i, prefs := range m.LearnerPrefs {
		for _, j := range prefs {
			if j == match[i] {
				break
			}
			r, ok := m.JobRanks[j][int32(i)]
			if !ok || m.Seats[j] == 0 {
				continue
			}
			if count[j] < m.Seats[j] || r < worst[j] {
				out = append(out, [2]int32{int32(i), j})
			}
		}
	}
	return out
}

type rankItem struct {
	rank    int32
	learner int32
}

// rankHeap is a max-heap by rank: the top is the worst held learner.
type rankHeap []rankItem

func (h *rankHeap) push(x rankItem) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p].rank >= a[i].rank {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h rankHeap) replaceTop(x rankItem) {
	h[0] = x
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].rank > h[l].rank {
			m = r
		}
		if h[i].rank >= h[m].rank {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// JobOptions configure MatchJobs.
type JobOptions struct {
	// Candidates is how many of its best eligible learners each job
	// considers; 0 means max(50, 10·seats).
	Candidates int
}

// Hire is one learner matched to a job opening.
type Hire struct {
	JobID     int64
	LearnerID int64
	Score     Breakdown
}

// Vacancy is a job opening left with unfilled seats.
type Vacancy struct {
	JobID  int64
	Seats  int
	Reason string
}

// JobMatching is the result of MatchJobs. Market, JobIDs and LearnerIDs
// expose the market that was solved, for audit.
type JobMatching struct {
	Hires      []Hire
	Vacancies  []Vacancy
	Market     *JobMarket
	JobIDs     []int64
	LearnerIDs []int64
}

// MatchJobs matches learners to the given job openings with stable,
// learner-proposing deferred acceptance. Each job ranks its best eligible
// learners by score (ties to the lower id); each learner ranks the jobs
// that consider them by budget (salary), then score, then lower id. A
// learner gets at most one job.
func (ix *Index) MatchJobs(jobIDs []int64, opt JobOptions) (*JobMatching, error) {
	if opt.Candidates < 0 {
		return nil, invalidf("job options", "negative candidates %d", opt.Candidates)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	res := &JobMatching{Market: &JobMarket{}, JobIDs: slices.Clone(jobIDs)}
	m := res.Market
	learnerOf := map[uint32]int32{}
	var slots []uint32
	type offer struct {
		job   int32
		score float64
	}
	var offers [][]offer
	recs := make([]*demandRec, len(jobIDs))
	seen := map[int64]bool{}
	for j, id := range jobIDs {
		di, ok := ix.demandBy[id]
		if !ok {
			return nil, notFoundDemand(id)
		}
		if seen[id] {
			return nil, &Error{Code: ECONFLICT, Record: demandRecord(id), Message: "listed twice"}
		}
		seen[id] = true
		d := &ix.demands[di]
		if d.kind != Job {
			return nil, invalidf(demandRecord(id), "is a gig order, not a job opening; assign it with AssignOrders")
		}
		recs[j] = d
	}
	cands := make([][]cand, len(recs))
	parallelFor(len(recs), func(j int) {
		k := opt.Candidates
		if k == 0 {
			k = max(50, 10*int(recs[j].seats))
		}
		cands[j] = first(ix.topLearners(ix.eligible(recs[j]), recs[j], k, 0, false))
	})
	for j, cs := range cands {
		ranks := make(map[int32]int32, len(cs))
		for r, c := range cs {
			li, ok := learnerOf[c.ref]
			if !ok {
				li = int32(len(slots))
				learnerOf[c.ref] = li
				slots = append(slots, c.ref)
				offers = append(offers, nil)
			}
			ranks[li] = int32(r)
			offers[li] = append(offers[li], offer{int32(j), c.score})
		}
		m.Seats = append(m.Seats, int(recs[j].seats))
		m.JobRanks = append(m.JobRanks, ranks)
	}
	m.LearnerPrefs = make([][]int32, len(slots))
	res.LearnerIDs = make([]int64, len(slots))
	for li, os := range offers {
		res.LearnerIDs[li] = ix.ids[slots[li]]
		slices.SortFunc(os, func(a, b offer) int {
			da, db := recs[a.job], recs[b.job]
			if c := cmp.Compare(db.budget, da.budget); c != 0 {
				return c
			}
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(da.id, db.id)
		})
		prefs := make([]int32, len(os))
		for k, o := range os {
			prefs[k] = o.job
		}
		m.LearnerPrefs[li] = prefs
	}
	match, err := DeferredAcceptance(m)
	if err != nil {
		return nil, err
	}
	filled := make([]int, len(jobIDs))
	for li, j := range match {
		if j < 0 {
			continue
		}
		filled[j]++
		res.Hires = append(res.Hires, Hire{JobID: recs[j].id, LearnerID: res.LearnerIDs[li], Score: ix.breakdown(slots[li], recs[j], 0)})
	}
	slices.SortFunc(res.Hires, func(a, b Hire) int {
		if c := cmp.Compare(a.JobID, b.JobID); c != 0 {
			return c
		}
		return cmp.Compare(b.Score.Total, a.Score.Total)
	})
	for j, d := range recs {
		if left := int(d.seats) - filled[j]; left > 0 {
			v := Vacancy{JobID: d.id, Seats: left}
			switch n := len(m.JobRanks[j]); {
			case n == 0:
				v.Reason = ix.explainEmpty(d)
			case n < int(d.seats):
				v.Reason = fmt.Sprintf("only %d learners are eligible", n)
			default:
				v.Reason = fmt.Sprintf("%d candidates considered; the others were hired by jobs they prefer", len(m.JobRanks[j]))
			}
			res.Vacancies = append(res.Vacancies, v)
		}
	}
	return res, nil
}
