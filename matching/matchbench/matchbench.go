// Package matchbench measures the matching engine at scale on synthetic
// data: index size, query latency, ranking quality against the generator's
// latent truth, fair exposure, and batch assignment against greedy and
// against COIN-OR CBC on the very same instance. cmd/talentloop runs it as
// "talentloop bench matching".
package matchbench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"text/tabwriter"
	"time"

	"talentloop/matching"
	"talentloop/matching/cbc"
	"talentloop/matching/synth"
)

// Config is what one run measures.
type Config struct {
	Learners       int
	Demands        int
	Queries        int
	K              int
	NDCGDemands    int
	AssignOrders   int
	AssignLearners int
	Candidates     int
	Seed           uint64
	JSON           bool
	NoCBC          bool
	CBCPath        string
	LPDir          string
}

// Report holds the measured numbers; its JSON keys are stable.
type Report struct {
	Learners                   int     `json:"learners"`
	Demands                    int     `json:"demands"`
	Seed                       uint64  `json:"seed"`
	Cores                      int     `json:"cores"`
	GenerateSeconds            float64 `json:"generate_seconds"`
	BuildSeconds               float64 `json:"build_seconds"`
	IndexBytes                 int64   `json:"index_bytes"`
	IndexEstimateBytes         int64   `json:"index_estimate_bytes"`
	Queries                    int     `json:"queries"`
	K                          int     `json:"k"`
	LearnersForDemandP50       float64 `json:"learners_for_demand_p50_ms"`
	LearnersForDemandP99       float64 `json:"learners_for_demand_p99_ms"`
	LearnersForDemandMax       float64 `json:"learners_for_demand_max_ms"`
	LearnersForDemandNoFairP99 float64 `json:"learners_for_demand_nofair_p99_ms"`
	DemandsForLearnerP50       float64 `json:"demands_for_learner_p50_ms"`
	DemandsForLearnerP99       float64 `json:"demands_for_learner_p99_ms"`
	DemandsForLearnerMax       float64 `json:"demands_for_learner_max_ms"`
	MeanEligible               float64 `json:"mean_eligible_learners"`
	NewcomerShare              float64 `json:"newcomer_share"`
	NewcomerShareNoFair        float64 `json:"newcomer_share_nofair"`
	NDCGDemands                int     `json:"ndcg_demands"`
	NDCGAt10                   float64 `json:"ndcg_at_10"`
	NDCGAt10Fair               float64 `json:"ndcg_at_10_fair"`
	NDCGAt10Random             float64 `json:"ndcg_at_10_random"`
	AssignOrders               int     `json:"assign_orders"`
	AssignLearners             int     `json:"assign_learners"`
	AssignSeats                int     `json:"assign_seats"`
	AssignCandidates           int     `json:"assign_candidates_per_order"`
	AssignEdges                int     `json:"assign_edges"`
	AssignBuildSeconds         float64 `json:"assign_build_seconds"`
	AssignSeconds              float64 `json:"assign_seconds"`
	AssignObjective            int64   `json:"assign_objective"`
	AssignFilled               int     `json:"assign_filled"`
	AssignScore                float64 `json:"assign_score"`
	DistinctLearnersAssigned   int     `json:"distinct_learners_assigned"`
	GreedySeconds              float64 `json:"greedy_seconds"`
	GreedyObjective            int64   `json:"greedy_objective"`
	GreedyFilled               int     `json:"greedy_filled"`
	GreedyScore                float64 `json:"greedy_score"`
	GreedyDistinct             int     `json:"greedy_distinct_learners_assigned"`
	CBCSkipped                 string  `json:"cbc_skipped,omitempty"`
	CBCSeconds                 float64 `json:"cbc_seconds"`
	CBCSolveSeconds            float64 `json:"cbc_solve_seconds"`
	CBCWriteSeconds            float64 `json:"cbc_write_seconds"`
	CBCLPBytes                 int64   `json:"cbc_lp_bytes"`
	CBCStatus                  string  `json:"cbc_status,omitempty"`
	CBCObjective               int64   `json:"cbc_objective"`
	ObjectiveMatchesCBC        bool    `json:"objective_matches_cbc"`
	SpeedupVsCBC               float64 `json:"speedup_vs_cbc"`
	// SpeedupVsCBCWithSearch counts our candidate search too, which CBC
	// does not have to do.
	SpeedupVsCBCWithSearch float64 `json:"speedup_vs_cbc_incl_candidate_search"`
	ExtraLearners          int     `json:"extra_learners_vs_greedy"`
	MeanScorePerSeat       float64 `json:"mean_score_per_seat"`
	GreedyMeanScorePerSeat float64 `json:"greedy_mean_score_per_seat"`
}

// Main parses args, runs the benchmark and prints the report to stdout
// (a table, or one JSON object with --json); progress goes to stderr. It
// returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench matching", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	smoke := fs.Bool("smoke", false, "small configuration for CI: 20,000 learners, 2,000 demands, 500 orders over 5,000 learners")
	fs.IntVar(&c.Learners, "learners", 1_000_000, "learners in the query benchmark")
	fs.IntVar(&c.Demands, "demands", 100_000, "open demands in the query benchmark")
	fs.IntVar(&c.Queries, "queries", 1000, "queries timed per query kind")
	fs.IntVar(&c.K, "k", 50, "list length of the timed queries")
	fs.IntVar(&c.NDCGDemands, "ndcg-demands", 200, "demands scored against latent truth")
	fs.IntVar(&c.AssignOrders, "assign-orders", 10_000, "gig orders in the assignment benchmark")
	fs.IntVar(&c.AssignLearners, "assign-learners", 100_000, "learners in the assignment benchmark")
	fs.IntVar(&c.Candidates, "candidates", 20, "candidate learners per order in assignment")
	fs.Uint64Var(&c.Seed, "seed", 1, "generator seed")
	fs.BoolVar(&c.JSON, "json", false, "print one JSON object instead of a table")
	fs.BoolVar(&c.NoCBC, "no-cbc", false, "skip the CBC comparison")
	fs.StringVar(&c.CBCPath, "cbc", "", "path of the cbc binary (default: cbc on PATH)")
	fs.StringVar(&c.LPDir, "lp-dir", "", "keep the LP file given to CBC in this directory")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench matching: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *smoke {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, p *int, v int) {
			if !set[name] {
				*p = v
			}
		}
		def("learners", &c.Learners, 20_000)
		def("demands", &c.Demands, 2_000)
		def("queries", &c.Queries, 300)
		def("ndcg-demands", &c.NDCGDemands, 100)
		def("assign-orders", &c.AssignOrders, 500)
		def("assign-learners", &c.AssignLearners, 5_000)
	}
	if c.Learners < 1 || c.Demands < 1 || c.Queries < 1 || c.K < 1 || c.AssignOrders < 0 || c.AssignLearners < 1 || c.Candidates < 1 || c.NDCGDemands < 0 {
		fmt.Fprintln(stderr, "bench matching: sizes must be positive")
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "bench matching: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "bench matching: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := Run(context.Background(), c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "bench matching: %v\n", err)
		return 1
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(rep); err != nil {
			return 1
		}
	} else {
		rep.WriteTable(stdout)
	}
	if rep.CBCSkipped == "" && !rep.ObjectiveMatchesCBC {
		fmt.Fprintln(stderr, "bench matching: assignment objective differs from CBC's optimum")
		return 1
	}
	return 0
}

type progress struct {
	w     io.Writer
	start time.Time
}

func (p *progress) begin(format string, args ...any) {
	fmt.Fprintf(p.w, format+" … ", args...)
	p.start = time.Now()
}

func (p *progress) end() time.Duration {
	d := time.Since(p.start)
	fmt.Fprintf(p.w, "%.2fs\n", d.Seconds())
	return d
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Run measures one configuration.
func Run(ctx context.Context, c Config, log io.Writer) (*Report, error) {
	pr := &progress{w: log}
	rep := &Report{Learners: c.Learners, Demands: c.Demands, Seed: c.Seed, Cores: runtime.GOMAXPROCS(0), Queries: c.Queries, K: c.K}

	pr.begin("generating %d learners and %d demands", c.Learners, c.Demands)
	ds := synth.Generate(synth.Config{Seed: c.Seed, Learners: c.Learners, Demands: c.Demands})
	rep.GenerateSeconds = pr.end().Seconds()

	pr.begin("building the index")
	before := heapAlloc()
	t0 := time.Now()
	ix, err := matching.NewIndex(ds.Catalog, ds.Learners, matching.DefaultOptions())
	if err != nil {
		return nil, err
	}
	if err := ix.AddDemands(ds.Demands); err != nil {
		return nil, err
	}
	rep.BuildSeconds = time.Since(t0).Seconds()
	pr.end()
	rep.IndexBytes = int64(heapAlloc()) - int64(before)
	rep.IndexEstimateBytes = ix.SizeBytes()
	fmt.Fprintf(log, "index: %.1f MB live heap (%.1f MB by its own estimate)\n", float64(rep.IndexBytes)/1e6, float64(rep.IndexEstimateBytes)/1e6)

	r := rand.New(rand.NewPCG(c.Seed, 99))
	if err := queries(ix, ds, c, r, rep, pr); err != nil {
		return nil, err
	}
	if err := ndcg(ix, ds, c, r, rep, pr); err != nil {
		return nil, err
	}
	ds, ix = nil, nil // let the large data set go before assignment
	runtime.GC()
	if c.AssignOrders > 0 {
		if err := assignment(ctx, c, rep, pr); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func percentile(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func queries(ix *matching.Index, ds *synth.Dataset, c Config, r *rand.Rand, rep *Report, pr *progress) error {
	fair := matching.DefaultFairness()
	pick := make([]int, c.Queries)
	for i := range pick {
		pick[i] = r.IntN(len(ds.Demands))
	}
	// Warm up caches and the allocator.
	for _, j := range pick[:min(20, len(pick))] {
		if _, err := ix.LearnersForDemandID(ds.Demands[j].ID, c.K, fair); err != nil {
			return err
		}
	}
	pr.begin("timing %d learners-for-demand queries, top %d, fairness on", c.Queries, c.K)
	var ms []float64
	var eligible, shareSum float64
	shareN := 0
	for _, j := range pick {
		t := time.Now()
		res, err := ix.LearnersForDemandID(ds.Demands[j].ID, c.K, fair)
		if err != nil {
			return err
		}
		ms = append(ms, float64(time.Since(t).Nanoseconds())/1e6)
		eligible += float64(res.Eligible)
		if len(res.Matches) == c.K {
			shareN++
			shareSum += newcomerShare(res.Matches)
		}
	}
	pr.end()
	rep.LearnersForDemandP50 = percentile(ms, 0.50)
	rep.LearnersForDemandP99 = percentile(ms, 0.99)
	rep.LearnersForDemandMax = percentile(ms, 1)
	rep.MeanEligible = eligible / float64(len(pick))
	if shareN > 0 {
		rep.NewcomerShare = shareSum / float64(shareN)
	}

	pr.begin("timing %d learners-for-demand queries, fairness off", c.Queries)
	ms = ms[:0]
	shareSum, shareN = 0, 0
	for _, j := range pick {
		t := time.Now()
		res, err := ix.LearnersForDemandID(ds.Demands[j].ID, c.K, matching.Fairness{})
		if err != nil {
			return err
		}
		ms = append(ms, float64(time.Since(t).Nanoseconds())/1e6)
		if len(res.Matches) == c.K {
			shareN++
			shareSum += newcomerShare(res.Matches)
		}
	}
	pr.end()
	rep.LearnersForDemandNoFairP99 = percentile(ms, 0.99)
	if shareN > 0 {
		rep.NewcomerShareNoFair = shareSum / float64(shareN)
	}

	pr.begin("timing %d demands-for-learner queries, top %d", c.Queries, c.K)
	ms = ms[:0]
	for i := 0; i < c.Queries; i++ {
		id := ds.Learners[r.IntN(len(ds.Learners))].ID
		t := time.Now()
		if _, err := ix.DemandsForLearner(id, c.K); err != nil {
			return err
		}
		ms = append(ms, float64(time.Since(t).Nanoseconds())/1e6)
	}
	pr.end()
	rep.DemandsForLearnerP50 = percentile(ms, 0.50)
	rep.DemandsForLearnerP99 = percentile(ms, 0.99)
	rep.DemandsForLearnerMax = percentile(ms, 1)
	return nil
}

func newcomerShare(ms []matching.LearnerMatch) float64 {
	n := 0
	for _, m := range ms {
		if m.Newcomer {
			n++
		}
	}
	return float64(n) / float64(len(ms))
}

// ndcg scores the engine's top 10 against the generator's latent truth:
// DCG = Σ truth/log2(1+rank), normalised by the best order of all
// eligible learners.
func ndcg(ix *matching.Index, ds *synth.Dataset, c Config, r *rand.Rand, rep *Report, pr *progress) error {
	if c.NDCGDemands == 0 {
		return nil
	}
	pr.begin("scoring %d rankings against latent truth (NDCG@10)", c.NDCGDemands)
	const k = 10
	dcg := func(gains []float64) float64 {
		s := 0.0
		for i, g := range gains {
			s += g / math.Log2(float64(i)+2)
		}
		return s
	}
	var sum, sumFair, sumRand float64
	n := 0
	for n < c.NDCGDemands {
		j := r.IntN(len(ds.Demands))
		d := ds.Demands[j]
		all, err := ix.EligibleLearners(d)
		if err != nil {
			return err
		}
		if len(all) < k {
			continue
		}
		truth := make([]float64, len(all))
		for i, id := range all {
			truth[i] = ds.Truth(ds.LearnerIndex(id), j)
		}
		slices.SortFunc(truth, func(a, b float64) int { return -cmpFloat(a, b) })
		ideal := dcg(truth[:k])
		if ideal == 0 {
			continue
		}
		gains := func(f matching.Fairness) (float64, error) {
			res, err := ix.LearnersForDemand(d, k, f)
			if err != nil {
				return 0, err
			}
			g := make([]float64, len(res.Matches))
			for i, m := range res.Matches {
				g[i] = ds.Truth(ds.LearnerIndex(m.LearnerID), j)
			}
			return dcg(g) / ideal, nil
		}
		a, err := gains(matching.Fairness{})
		if err != nil {
			return err
		}
		b, err := gains(matching.DefaultFairness())
		if err != nil {
			return err
		}
		rg := make([]float64, k)
		for i, p := range r.Perm(len(all))[:k] {
			rg[i] = ds.Truth(ds.LearnerIndex(all[p]), j)
		}
		sum += a
		sumFair += b
		sumRand += dcg(rg) / ideal
		n++
	}
	pr.end()
	rep.NDCGDemands = n
	rep.NDCGAt10 = sum / float64(n)
	rep.NDCGAt10Fair = sumFair / float64(n)
	rep.NDCGAt10Random = sumRand / float64(n)
	return nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func assignment(ctx context.Context, c Config, rep *Report, pr *progress) error {
	pr.begin("generating %d gig orders over %d learners", c.AssignOrders, c.AssignLearners)
	ds := synth.Generate(synth.Config{Seed: c.Seed + 1, Learners: c.AssignLearners, Demands: c.AssignOrders, AllGigs: true})
	ix, err := matching.NewIndex(ds.Catalog, ds.Learners, matching.DefaultOptions())
	if err != nil {
		return err
	}
	if err := ix.AddDemands(ds.Demands); err != nil {
		return err
	}
	pr.end()
	orders := make([]int64, len(ds.Demands))
	for i, d := range ds.Demands {
		orders[i] = d.ID
	}
	pr.begin("finding the top %d candidates of each order", c.Candidates)
	t := time.Now()
	p, err := ix.BuildProblem(orders, matching.AssignOptions{Candidates: c.Candidates})
	if err != nil {
		return err
	}
	rep.AssignBuildSeconds = time.Since(t).Seconds()
	pr.end()
	rep.AssignOrders = len(p.Orders)
	rep.AssignLearners = c.AssignLearners
	rep.AssignCandidates = c.Candidates
	rep.AssignEdges = len(p.Edges)
	for _, o := range p.Orders {
		rep.AssignSeats += o.Seats
	}

	pr.begin("solving the min-cost flow (%d edges)", len(p.Edges))
	t = time.Now()
	sol, err := matching.SolveFlow(p)
	if err != nil {
		return err
	}
	rep.AssignSeconds = time.Since(t).Seconds()
	pr.end()
	rep.AssignObjective = sol.Objective
	rep.AssignFilled = sol.Filled
	rep.AssignScore = float64(sol.Score) / matching.ScorePoints
	rep.DistinctLearnersAssigned = sol.Learners

	pr.begin("greedy best-first baseline")
	t = time.Now()
	g, err := matching.SolveGreedy(p)
	if err != nil {
		return err
	}
	rep.GreedySeconds = time.Since(t).Seconds()
	pr.end()
	rep.GreedyObjective = g.Objective
	rep.GreedyFilled = g.Filled
	rep.GreedyScore = float64(g.Score) / matching.ScorePoints
	rep.GreedyDistinct = g.Learners
	rep.ExtraLearners = sol.Learners - g.Learners
	if sol.Filled > 0 {
		rep.MeanScorePerSeat = rep.AssignScore / float64(sol.Filled)
	}
	if g.Filled > 0 {
		rep.GreedyMeanScorePerSeat = rep.GreedyScore / float64(g.Filled)
	}

	if c.NoCBC {
		rep.CBCSkipped = "--no-cbc"
		return nil
	}
	bin := c.CBCPath
	if bin == "" {
		bin, err = cbc.Find()
		if errors.Is(err, cbc.ErrNotInstalled) {
			rep.CBCSkipped = err.Error()
			fmt.Fprintf(pr.w, "skipping CBC: %v\n", err)
			return nil
		}
	}
	if c.LPDir != "" {
		if err := os.MkdirAll(c.LPDir, 0o755); err != nil {
			return err
		}
	}
	pr.begin("solving the same instance with CBC (%s)", bin)
	res, err := cbc.Solve(ctx, bin, p, c.LPDir)
	if err != nil {
		return err
	}
	pr.end()
	rep.CBCSeconds = res.Wall.Seconds()
	rep.CBCSolveSeconds = res.SolveTime.Seconds()
	rep.CBCWriteSeconds = res.WriteTime.Seconds()
	rep.CBCLPBytes = res.LPBytes
	rep.CBCStatus = res.Status
	rep.CBCObjective = res.Objective
	rep.ObjectiveMatchesCBC = res.Status == "Optimal" && res.Objective == sol.Objective
	if rep.AssignSeconds > 0 {
		rep.SpeedupVsCBC = rep.CBCSeconds / rep.AssignSeconds
		rep.SpeedupVsCBCWithSearch = rep.CBCSeconds / (rep.AssignSeconds + rep.AssignBuildSeconds)
	}
	return nil
}

// WriteTable prints the report as an aligned two-column table.
func (r *Report) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, args...)...) }
	mb := func(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
	row("learners", "%d", r.Learners)
	row("demands", "%d", r.Demands)
	row("seed / cores", "%d / %d", r.Seed, r.Cores)
	row("generate", "%.2f s", r.GenerateSeconds)
	row("index build (learners + demands)", "%.2f s", r.BuildSeconds)
	row("index_bytes (live heap)", "%s (own estimate %s)", mb(r.IndexBytes), mb(r.IndexEstimateBytes))
	row("mean eligible learners per demand", "%.0f", r.MeanEligible)
	row(fmt.Sprintf("learners_for_demand top-%d, fair: p50 / p99 / max", r.K), "%.3f / %.3f / %.3f ms", r.LearnersForDemandP50, r.LearnersForDemandP99, r.LearnersForDemandMax)
	row(fmt.Sprintf("learners_for_demand top-%d, fairness off: p99", r.K), "%.3f ms", r.LearnersForDemandNoFairP99)
	row(fmt.Sprintf("demands_for_learner top-%d: p50 / p99 / max", r.K), "%.3f / %.3f / %.3f ms", r.DemandsForLearnerP50, r.DemandsForLearnerP99, r.DemandsForLearnerMax)
	row("newcomer_share in full top lists (fair / off)", "%.3f / %.3f", r.NewcomerShare, r.NewcomerShareNoFair)
	row(fmt.Sprintf("ndcg_at_10 vs latent truth (%d demands)", r.NDCGDemands), "%.3f (fair %.3f, random %.3f)", r.NDCGAt10, r.NDCGAt10Fair, r.NDCGAt10Random)
	row("assign: orders / seats / learners", "%d / %d / %d", r.AssignOrders, r.AssignSeats, r.AssignLearners)
	row("assign: candidates per order / edges", "%d / %d", r.AssignCandidates, r.AssignEdges)
	row("assign: candidate search", "%.3f s", r.AssignBuildSeconds)
	row("assign_seconds (min-cost flow)", "%.4f s", r.AssignSeconds)
	row("assign_objective / filled / score", "%d / %d / %.2f", r.AssignObjective, r.AssignFilled, r.AssignScore)
	row("greedy_objective / filled / score", "%d / %d / %.2f", r.GreedyObjective, r.GreedyFilled, r.GreedyScore)
	row("distinct learners assigned (flow / greedy)", "%d / %d (%+d)", r.DistinctLearnersAssigned, r.GreedyDistinct, r.DistinctLearnersAssigned-r.GreedyDistinct)
	row("mean score per filled seat (flow / greedy)", "%.4f / %.4f", r.MeanScorePerSeat, r.GreedyMeanScorePerSeat)
	if r.CBCSkipped != "" {
		row("cbc", "skipped: %s", r.CBCSkipped)
	} else {
		row("cbc_seconds (process, read + solve)", "%.2f s (CBC's own solve time %.2f s; LP file %s written in %.2f s)", r.CBCSeconds, r.CBCSolveSeconds, mb(r.CBCLPBytes), r.CBCWriteSeconds)
		row("cbc_objective", "%d (%s), equal to ours: %v", r.CBCObjective, r.CBCStatus, r.ObjectiveMatchesCBC)
		row("speedup vs cbc (process time / flow time)", "%.0f× (%.0f× counting our candidate search)", r.SpeedupVsCBC, r.SpeedupVsCBCWithSearch)
	}
	tw.Flush()
}
