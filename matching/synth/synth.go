// Package synth generates seeded synthetic learners and demands for the
// matching engine's tests and benchmarks; talentloop ships no real
// personal data.
//
// Each learner has a latent quality q ~ N(0,1) and a latent (true) level
// per skill. What the engine sees is noisy: verified levels are the true
// level plus noise, rounded; ratings and on-time counts are drawn from q
// with few reviews for most learners. Skills follow a Zipf law within each
// of the five industry chains, so a few skills are very common. Truth
// scores a learner against a demand from the latent values, which lets a
// benchmark measure ranking quality (NDCG) against ground truth.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"talentloop/matching"
)

// Chains are the five industry chains (产业链).
var Chains = []string{"it", "games", "visual-art", "sound", "live-streaming"}

// chainWeights is the share of learners and demands per chain.
var chainWeights = []float64{0.30, 0.20, 0.20, 0.15, 0.15}

// baseSkills are the first, most common skills of each chain; further
// skills are numbered.
var baseSkills = map[string][]string{
	"it":             {"front-end", "javascript", "python", "sql", "back-end-go", "testing", "ui-implementation", "data-analysis", "devops", "mobile"},
	"games":          {"unity", "level-design", "game-art-2d", "3d-modelling", "animation", "game-testing", "unreal", "shader", "narrative", "ui-art"},
	"visual-art":     {"illustration", "graphic-design", "photoshop", "character-design", "concept-art", "typography", "photo-retouch", "motion-graphics", "branding", "comics"},
	"sound":          {"voice-dubbing", "audio-editing", "mixing", "sound-design", "music-production", "foley", "podcast-production", "voice-acting", "mastering", "subtitling"},
	"live-streaming": {"live-hosting", "stream-operation", "short-video-editing", "copywriting", "live-commerce", "community-management", "camera-lighting", "obs-setup", "data-review", "scripting"},
}

// Config sizes a data set. Zero fields take the defaults noted.
type Config struct {
	Seed     uint64
	Learners int
	Demands  int
	// SkillsPerChain defaults to 40, ProgramsPerChain to 4, Cities to 30.
	SkillsPerChain   int
	ProgramsPerChain int
	Cities           int
	// GigShare is the share of gig orders among demands; NewcomerShare the
	// share of learners with no paid order. Both default as noted; set
	// AllGigs for a gig-only data set.
	GigShare      float64 // 0.8
	AllGigs       bool
	NewcomerShare float64 // 0.3
	// IDBase offsets learner and demand ids (default 1).
	IDBase int64
}

func (c Config) withDefaults() Config {
	if c.SkillsPerChain == 0 {
		c.SkillsPerChain = 40
	}
	if c.ProgramsPerChain == 0 {
		c.ProgramsPerChain = 4
	}
	if c.Cities == 0 {
		c.Cities = 30
	}
	if c.GigShare == 0 {
		c.GigShare = 0.8
	}
	if c.AllGigs {
		c.GigShare = 1
	}
	if c.NewcomerShare == 0 {
		c.NewcomerShare = 0.3
	}
	if c.IDBase == 0 {
		c.IDBase = 1
	}
	return c
}

// Dataset is a generated catalog, learners and demands, with the latent
// truth behind them.
type Dataset struct {
	Config   Config
	Catalog  matching.Catalog
	Learners []matching.Learner
	Demands  []matching.Demand

	quality   []float32 // per learner: Φ(q)
	trueOff   []int32   // per learner: offset into trueLevel
	trueLevel []float32 // parallel to each learner's Skills
}

// Epoch is the fixed "now" of generated data.
var Epoch = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Generate builds a data set; the same Config always gives the same data.
func Generate(cfg Config) *Dataset {
	cfg = cfg.withDefaults()
	r := rand.New(rand.NewPCG(cfg.Seed, 0x7a1e47100b))
	g := &gen{cfg: cfg, r: r}
	ds := &Dataset{Config: cfg}
	g.catalog(ds)
	ds.Learners = make([]matching.Learner, cfg.Learners)
	ds.quality = make([]float32, cfg.Learners)
	ds.trueOff = make([]int32, cfg.Learners+1)
	ds.trueLevel = make([]float32, 0, cfg.Learners*4)
	for i := range ds.Learners {
		g.learner(ds, i)
	}
	ds.trueOff[cfg.Learners] = int32(len(ds.trueLevel))
	ds.Demands = make([]matching.Demand, cfg.Demands)
	for j := range ds.Demands {
		g.demand(ds, j)
	}
	return ds
}

type gen struct {
	cfg      Config
	r        *rand.Rand
	skills   [][]string // per chain
	programs [][]string // per chain
	progReq  [][][]int  // per chain, per program: skill indices it covers
	cities   []string
	zSkill   *rand.Zipf
	zCity    *rand.Zipf
}

func (g *gen) catalog(ds *Dataset) {
	cfg := g.cfg
	g.skills = make([][]string, len(Chains))
	g.programs = make([][]string, len(Chains))
	g.progReq = make([][][]int, len(Chains))
	for c, chain := range Chains {
		for k := 0; k < cfg.SkillsPerChain; k++ {
			var name string
			if k < len(baseSkills[chain]) {
				name = chain + "/" + baseSkills[chain][k]
			} else {
				name = fmt.Sprintf("%s/skill-%02d", chain, k+1)
			}
			g.skills[c] = append(g.skills[c], name)
			ds.Catalog.Skills = append(ds.Catalog.Skills, name)
		}
		for k := 0; k < cfg.ProgramsPerChain; k++ {
			name := fmt.Sprintf("%s/program-%d", chain, k+1)
			g.programs[c] = append(g.programs[c], name)
			ds.Catalog.Programs = append(ds.Catalog.Programs, name)
			// A program certifies three of the chain's common skills.
			var req []int
			for s := 0; s < 3; s++ {
				req = append(req, (k*2+s)%min(cfg.SkillsPerChain, 10))
			}
			g.progReq[c] = append(g.progReq[c], req)
		}
	}
	for k := 0; k < cfg.Cities; k++ {
		g.cities = append(g.cities, fmt.Sprintf("city-%02d", k+1))
	}
	g.zSkill = rand.NewZipf(g.r, 1.15, 2, uint64(cfg.SkillsPerChain-1))
	g.zCity = rand.NewZipf(g.r, 1.3, 1, uint64(cfg.Cities-1))
}

func (g *gen) chain() int {
	x := g.r.Float64()
	for c, w := range chainWeights {
		if x < w {
			return c
		}
		x -= w
	}
	return len(chainWeights) - 1
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func clampF(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func (g *gen) poisson(mean float64) int {
	// Knuth's method; means here are small.
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *gen) binomial(n int, p float64) int {
	if n > 60 {
		return int(clampF(math.Round(float64(n)*p+g.r.NormFloat64()*math.Sqrt(float64(n)*p*(1-p))), 0, float64(n)))
	}
	k := 0
	for i := 0; i < n; i++ {
		if g.r.Float64() < p {
			k++
		}
	}
	return k
}

func (g *gen) learner(ds *Dataset, i int) {
	r := g.r
	q := r.NormFloat64()
	pq := logistic(1.2 * q)
	ds.quality[i] = float32(pq)
	ds.trueOff[i] = int32(len(ds.trueLevel))
	l := &ds.Learners[i]
	l.ID = g.cfg.IDBase + int64(i)
	home := g.chain()
	n := 1 + min(g.poisson(3), 11)
	have := map[int]bool{}
	for len(l.Skills) < n {
		c := home
		if r.Float64() < 0.2 {
			c = g.chain()
		}
		k := int(g.zSkill.Uint64())
		key := c*1000 + k
		if have[key] {
			if len(have) >= n || r.Float64() < 0.3 {
				n--
			}
			continue
		}
		have[key] = true
		t := clampF(2.4+0.8*q+0.8*r.NormFloat64(), 0.6, 5.4)
		lvl := int(clampF(math.Round(t+0.45*r.NormFloat64()), 1, 5))
		ev := g.poisson(math.Max(0.3, float64(lvl)-1+q))
		l.Skills = append(l.Skills, matching.SkillLevel{Skill: g.skills[c][k], Level: lvl, Evidence: ev})
		ds.trueLevel = append(ds.trueLevel, float32(t))
	}
	// Certificates: a program whose skills the learner holds at level ≥ 3.
	for k, req := range g.progReq[home] {
		ok := 0
		for _, s := range req {
			for _, sk := range l.Skills {
				if sk.Skill == g.skills[home][s] && sk.Level >= 3 {
					ok++
				}
			}
		}
		if ok >= 2 && r.Float64() < 0.6 {
			st := matching.CertValid
			switch x := r.Float64(); {
			case x < 0.03:
				st = matching.CertRevoked
			case x < 0.05:
				st = matching.CertSuspended
			}
			l.Certificates = append(l.Certificates, matching.Certificate{Program: g.programs[home][k], Status: st})
		}
	}
	caps := []float64{0.30, 0.35, 0.20, 0.10, 0.05}
	x := r.Float64()
	l.Capacity = 5
	for c, w := range caps {
		if x < w {
			l.Capacity = c + 1
			break
		}
		x -= w
	}
	l.Available = r.Float64() < 0.92
	if r.Float64() >= 0.35 {
		l.City = g.cities[g.zCity.Uint64()]
	}
	if r.Float64() < g.cfg.NewcomerShare {
		// A newcomer has no orders or ratings yet, but may have been
		// eligible for earlier lists and seldom shown in them.
		if r.Float64() < 0.5 {
			rel := 3 * r.Float64()
			l.Exposure = matching.Exposure{Relevance: rel, Attention: rel * 0.5 * r.Float64()}
		}
		return
	}
	l.FirstOrder = Epoch.AddDate(0, 0, -1-r.IntN(700))
	l.Deliveries = 1 + g.poisson(6*(0.5+pq))
	l.OnTime = g.binomial(l.Deliveries, 0.7+0.28*pq)
	l.Ratings.Count = g.binomial(l.Deliveries, 0.7)
	if l.Ratings.Count > 0 {
		l.Ratings.Mean = clampF(3.1+1.7*pq+0.7*r.NormFloat64()/math.Sqrt(float64(l.Ratings.Count)), 1, 5)
	}
	l.Load = r.IntN(l.Capacity + 1)
	rel := float64(l.Deliveries) * (1 + r.Float64())
	l.Exposure = matching.Exposure{Relevance: rel, Attention: rel * (0.2 + 1.6*r.Float64())}
}

func (g *gen) demand(ds *Dataset, j int) {
	r := g.r
	d := &ds.Demands[j]
	d.ID = g.cfg.IDBase + int64(j)
	c := g.chain()
	d.Kind = matching.Gig
	if r.Float64() >= g.cfg.GigShare {
		d.Kind = matching.Job
	}
	nReq := 1
	if x := r.Float64(); x < 0.15 {
		nReq = 3
	} else if x < 0.5 {
		nReq = 2
	}
	used := map[int]bool{}
	pick := func() int {
		for {
			k := int(g.zSkill.Uint64())
			if !used[k] {
				used[k] = true
				return k
			}
		}
	}
	levels := []float64{0.10, 0.35, 0.35, 0.17, 0.03}
	for len(d.Required) < nReq {
		x, lvl := r.Float64(), 5
		for k, w := range levels {
			if x < w {
				lvl = k + 1
				break
			}
			x -= w
		}
		d.Required = append(d.Required, matching.Requirement{Skill: g.skills[c][pick()], Level: lvl})
	}
	for n := r.IntN(3); n > 0; n-- {
		d.Preferred = append(d.Preferred, matching.Requirement{Skill: g.skills[c][pick()], Level: 3 + r.IntN(3)})
	}
	if r.Float64() < 0.1 {
		d.Certificates = []string{g.programs[c][r.IntN(len(g.programs[c]))]}
	}
	if d.Kind == matching.Gig {
		d.Seats = 1
		if x := r.Float64(); x < 0.07 {
			d.Seats = 3
		} else if x < 0.25 {
			d.Seats = 2
		}
		d.Budget = int64(20000 + r.IntN(480000))
		d.Remote = r.Float64() < 0.7
	} else {
		d.Seats = 1 + r.IntN(4)
		d.Budget = int64(600000 + 10000*r.IntN(240))
		d.Remote = r.Float64() < 0.3
	}
	if !d.Remote {
		d.City = g.cities[g.zCity.Uint64()]
	}
	d.Deadline = Epoch.AddDate(0, 0, 3+r.IntN(60))
}

// Truth is the latent relevance (0..1) of learner li for demand dj, both
// indices into the data set: true skill fit above each minimum, preferred
// skills at their true level, and latent quality.
func (ds *Dataset) Truth(li, dj int) float64 {
	l := &ds.Learners[li]
	d := &ds.Demands[dj]
	tl := ds.trueLevel[ds.trueOff[li]:ds.trueOff[li+1]]
	level := func(skill string) float64 {
		for k, s := range l.Skills {
			if s.Skill == skill {
				return float64(tl[k])
			}
		}
		return 0
	}
	fit := 0.0
	for _, q := range d.Required {
		fit += clampF((level(q.Skill)-float64(q.Level)+0.5)/(5.5-float64(q.Level)), 0, 1)
	}
	fit /= float64(len(d.Required))
	pref := 0.0
	for _, q := range d.Preferred {
		pref += clampF(level(q.Skill)/float64(q.Level), 0, 1)
	}
	if len(d.Preferred) > 0 {
		pref /= float64(len(d.Preferred))
	}
	return 0.45*fit + 0.15*pref + 0.40*float64(ds.quality[li])
}

// LearnerIndex maps learner ids back to their index in Learners.
func (ds *Dataset) LearnerIndex(id int64) int { return int(id - ds.Config.IDBase) }
