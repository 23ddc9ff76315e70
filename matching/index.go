package matching

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// noCity marks a demand city that no learner lives in.
const noCity = -1

// skillEntry is one skill of a learner, packed in four bytes.
type skillEntry struct {
	skill    uint16
	level    uint8
	evidence uint8 // capped at 255
}

// learnerHot is the per-slot data a score reads, packed together so that
// scoring a learner touches one cache line plus their skills.
type learnerHot struct {
	skOff     uint32  // offset of the slot's skills in skData
	rating    float32 // shrunk rating mapped to 0..1
	reliab    float32 // shrunk on-time rate
	attention uint32  // past attention, milli-units
	relevance uint32  // past relevance, milli-units
	city      uint16  // 0 means remote only
	skLen     uint8   // number of skills
	newcomer  bool    // mirrors the newcomer bitmap
}

// creq is a compiled requirement.
type creq struct {
	skill uint16
	level uint8
}

func sortReqs(rs []creq) {
	slices.SortFunc(rs, func(a, b creq) int { return cmp.Compare(a.skill, b.skill) })
}

// demandRec is a compiled demand.
type demandRec struct {
	id       int64
	budget   int64
	req      []creq // sorted by skill
	pref     []creq // sorted by skill
	certs    []uint16
	cityName string
	seats    int32
	city     int32 // index into Index.cities, or noCity
	// anchor is the required skill under which the demand is listed for
	// demand-for-learner queries: its most selective requirement;
	// anchorPos is its position in anchors[anchor][anchorLevel].
	anchorPos   uint32
	anchor      uint16
	anchorLevel uint8
	kind        Kind
	remote      bool
	alive       bool
}

// anchorEntry lists a demand under its anchor with what the reverse query
// checks first, so most candidates are rejected without touching the
// demand record.
type anchorEntry struct {
	demand uint32
	city   int32 // remoteCity, noCity or a city index
	kind   uint8
	nreq   uint8 // requirements inlined in req; inlineReqs+1 means "see the record"
	certs  bool
	pref   bool // has preferred skills
	req    [inlineReqs]creq
}

const (
	inlineReqs = 3
	remoteCity = -2
)

// Index holds learners and open demands for matching. Learners live in
// slots; per slot the index keeps packed skills and a few numbers, and
// roaring bitmaps over slots answer the hard filters: one per skill and
// level ("level ≥ l"), per city, per certificate program (valid holders),
// plus available, open (available with capacity left) and newcomer.
// Demands are listed under an anchor skill and level for the reverse query.
//
// An Index is safe for concurrent use: queries share a read lock and
// updates take a write lock.
type Index struct {
	mu  sync.RWMutex
	opt Options

	skillNames    []string
	skillByName   map[string]uint16
	programNames  []string
	programByName map[string]uint16
	cityNames     []string
	cityByName    map[string]uint16

	// Learner slots. ids[:sortedN] ascend, so most lookups are a binary
	// search; slots appended out of order are found through overflow.
	ids      []int64
	sortedN  int
	overflow map[int64]uint32
	alive    *roaring.Bitmap

	// hot holds what scoring reads per slot, in one cache line or less;
	// skData is the pool the skill lists live in.
	hot    []learnerHot
	skData []skillEntry
	skDead int

	capacity  []uint16
	load      []uint16
	maxStatic float64 // bound on staticPart over all slots ever stored
	sumAtt    uint64
	sumRel    uint64

	newcomer  *roaring.Bitmap
	available *roaring.Bitmap
	open      *roaring.Bitmap
	// levels[skill][l] holds the learners at level ≥ l for l ≥ 2, and at
	// level exactly 1 for l = 1: "≥ 1" is the union of [1] and [2], which
	// saves storing every holder of a skill twice.
	levels [][MaxLevel + 1]*roaring.Bitmap
	cities []*roaring.Bitmap // [city]
	certs  []*roaring.Bitmap // [program]: valid holders

	demands     []demandRec
	demandBy    map[int64]uint32
	demandAlive *roaring.Bitmap
	freeDemands []uint32                      // records of closed demands, for reuse
	anchors     [][MaxLevel + 1][]anchorEntry // [skill][min level]

	// score tables
	wRating  float64 // Weights.Evidence · RatingShare
	fitTab   [MaxLevel + 1][MaxLevel + 1]float64
	prefTab  [MaxLevel + 1][MaxLevel + 1]float64
	proofTab [256]float64
}

// NewIndex validates the catalog and learners and builds an index over
// them. The first bad record stops the build with an *Error naming it.
func NewIndex(cat Catalog, learners []Learner, opt Options) (*Index, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if len(cat.Skills) == 0 || len(cat.Skills) > math.MaxUint16 {
		return nil, invalidf("catalog", "needs 1..%d skills, got %d", math.MaxUint16, len(cat.Skills))
	}
	if len(cat.Programs) > math.MaxUint16 {
		return nil, invalidf("catalog", "too many programs: %d", len(cat.Programs))
	}
	ix := &Index{
		opt:           opt,
		skillByName:   make(map[string]uint16, len(cat.Skills)),
		programByName: make(map[string]uint16, len(cat.Programs)),
		cityNames:     []string{""},
		cityByName:    map[string]uint16{"": 0},
		overflow:      map[int64]uint32{},
		alive:         roaring.New(),
		newcomer:      roaring.New(),
		available:     roaring.New(),
		open:          roaring.New(),
		cities:        []*roaring.Bitmap{roaring.New()},
		demandBy:      map[int64]uint32{},
		demandAlive:   roaring.New(),
	}
	for i, s := range cat.Skills {
		if s == "" {
			return nil, invalidf("catalog", "skill %d has an empty name", i)
		}
		if _, dup := ix.skillByName[s]; dup {
			return nil, invalidf("catalog", "skill %q is listed twice", s)
		}
		ix.skillByName[s] = uint16(i)
	}
	for i, p := range cat.Programs {
		if p == "" {
			return nil, invalidf("catalog", "program %d has an empty name", i)
		}
		if _, dup := ix.programByName[p]; dup {
			return nil, invalidf("catalog", "program %q is listed twice", p)
		}
		ix.programByName[p] = uint16(i)
	}
	ix.skillNames = slices.Clone(cat.Skills)
	ix.programNames = slices.Clone(cat.Programs)
	ix.levels = make([][MaxLevel + 1]*roaring.Bitmap, len(cat.Skills))
	ix.anchors = make([][MaxLevel + 1][]anchorEntry, len(cat.Skills))
	for s := range ix.levels {
		for l := MinLevel; l <= MaxLevel; l++ {
			ix.levels[s][l] = roaring.New()
		}
	}
	ix.certs = make([]*roaring.Bitmap, len(cat.Programs))
	for p := range ix.certs {
		ix.certs[p] = roaring.New()
	}
	ix.initTables()

	// Validate everything first, so a bad record changes nothing.
	order := make([]int, len(learners))
	for i := range learners {
		if err := ix.validateLearner(&learners[i]); err != nil {
			return nil, err
		}
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return learners[order[a]].ID < learners[order[b]].ID })
	for i := 1; i < len(order); i++ {
		if learners[order[i]].ID == learners[order[i-1]].ID {
			return nil, &Error{Code: ECONFLICT, Record: learnerRecord(learners[order[i]].ID), Message: "duplicate learner id"}
		}
	}
	n := len(learners)
	ix.ids = make([]int64, 0, n)
	ix.hot = make([]learnerHot, 0, n)
	total := 0
	for i := range learners {
		total += len(learners[i].Skills)
	}
	ix.skData = make([]skillEntry, 0, total)
	ix.capacity = make([]uint16, 0, n)
	ix.load = make([]uint16, 0, n)

	// Collect bitmap members in slot order and add them in bulk.
	levelMembers := make([][MaxLevel + 1][]uint32, len(cat.Skills))
	certMembers := make([][]uint32, len(cat.Programs))
	var cityMembers [][]uint32
	var alive, newcomer, available, open []uint32
	for _, li := range order {
		l := &learners[li]
		slot := uint32(len(ix.ids))
		ix.ids = append(ix.ids, l.ID)
		ix.appendSlot()
		ix.setScalars(slot, l)
		entries := ix.packSkills(l.Skills)
		ix.hot[slot].skOff = uint32(len(ix.skData))
		ix.hot[slot].skLen = uint8(len(entries))
		ix.skData = append(ix.skData, entries...)
		for _, e := range entries {
			if e.level == MinLevel {
				levelMembers[e.skill][MinLevel] = append(levelMembers[e.skill][MinLevel], slot)
			}
			for lv := MinLevel + 1; lv <= int(e.level); lv++ {
				levelMembers[e.skill][lv] = append(levelMembers[e.skill][lv], slot)
			}
		}
		for _, p := range ix.validPrograms(l.Certificates) {
			certMembers[p] = append(certMembers[p], slot)
		}
		c := ix.internCity(l.City)
		ix.hot[slot].city = c
		for len(cityMembers) <= int(c) {
			cityMembers = append(cityMembers, nil)
		}
		cityMembers[c] = append(cityMembers[c], slot)
		alive = append(alive, slot)
		if l.Newcomer() {
			newcomer = append(newcomer, slot)
			ix.hot[slot].newcomer = true
		}
		if l.Available {
			available = append(available, slot)
			if l.Load < l.Capacity {
				open = append(open, slot)
			}
		}
	}
	ix.sortedN = len(ix.ids)
	for s := range levelMembers {
		for lv := MinLevel; lv <= MaxLevel; lv++ {
			ix.levels[s][lv].AddMany(levelMembers[s][lv])
			ix.levels[s][lv].RunOptimize()
		}
	}
	for p := range certMembers {
		ix.certs[p].AddMany(certMembers[p])
	}
	for c := range cityMembers {
		ix.cities[c].AddMany(cityMembers[c])
		ix.cities[c].RunOptimize()
	}
	ix.alive.AddMany(alive)
	ix.newcomer.AddMany(newcomer)
	ix.available.AddMany(available)
	ix.open.AddMany(open)
	for _, b := range []*roaring.Bitmap{ix.alive, ix.newcomer, ix.available, ix.open} {
		b.RunOptimize()
	}
	return ix, nil
}

func (ix *Index) initTables() {
	for have := MinLevel; have <= MaxLevel; have++ {
		for need := MinLevel; need <= MaxLevel; need++ {
			if need == MaxLevel {
				ix.fitTab[have][need] = 1
			} else if have >= need {
				ix.fitTab[have][need] = float64(have-need) / float64(MaxLevel-need)
			}
			if have >= need {
				ix.prefTab[have][need] = 1
			} else {
				ix.prefTab[have][need] = float64(have) / float64(need)
			}
		}
	}
	ix.wRating = ix.opt.Weights.Evidence * ix.opt.RatingShare
	for n := range ix.proofTab {
		ix.proofTab[n] = float64(n) / (float64(n) + ix.opt.ProofHalf)
	}
}

// appendSlot grows every per-slot array by one zero entry.
func (ix *Index) appendSlot() {
	ix.hot = append(ix.hot, learnerHot{})
	ix.capacity = append(ix.capacity, 0)
	ix.load = append(ix.load, 0)
}

func clamp16(x int) uint16 {
	if x > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(x)
}

func milli(x float64) uint32 {
	m := math.Round(x * 1000)
	if m > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(m)
}

// shrunkRating is the learner's mean rating shrunk toward the prior.
func (o *Options) shrunkRating(r Ratings) float64 {
	return (o.PriorReviews*o.PriorRating + float64(r.Count)*r.Mean) / (o.PriorReviews + float64(r.Count))
}

// onTimeRate is the learner's on-time rate shrunk toward the prior.
func (o *Options) onTimeRate(deliveries, onTime int) float64 {
	return (float64(onTime) + o.PriorDeliveries*o.PriorOnTime) / (float64(deliveries) + o.PriorDeliveries)
}

// setScalars stores the per-slot numbers of l (not skills, city or bitmaps).
func (ix *Index) setScalars(slot uint32, l *Learner) {
	ix.capacity[slot] = clamp16(l.Capacity)
	ix.load[slot] = clamp16(l.Load)
	ix.hot[slot].rating = float32((ix.opt.shrunkRating(l.Ratings) - 1) / 4)
	ix.hot[slot].reliab = float32(ix.opt.onTimeRate(l.Deliveries, l.OnTime))
	ix.updateStatic(slot)
	ix.sumAtt -= uint64(ix.hot[slot].attention)
	ix.sumRel -= uint64(ix.hot[slot].relevance)
	ix.hot[slot].attention = milli(l.Exposure.Attention)
	ix.hot[slot].relevance = milli(l.Exposure.Relevance)
	ix.sumAtt += uint64(ix.hot[slot].attention)
	ix.sumRel += uint64(ix.hot[slot].relevance)
}

func (ix *Index) updateStatic(slot uint32) {
	if s := ix.staticPart(slot); s > ix.maxStatic {
		ix.maxStatic = s
	}
}

// staticPart is the demand-independent part of a slot's score: the rating
// share of evidence and reliability.
func (ix *Index) staticPart(slot uint32) float64 {
	return ix.wRating*float64(ix.hot[slot].rating) + ix.opt.Weights.Reliability*float64(ix.hot[slot].reliab)
}

// packSkills translates validated skills to sorted entries.
func (ix *Index) packSkills(ss []SkillLevel) []skillEntry {
	out := make([]skillEntry, len(ss))
	for i, s := range ss {
		ev := s.Evidence
		if ev > 255 {
			ev = 255
		}
		out[i] = skillEntry{skill: ix.skillByName[s.Skill], level: uint8(s.Level), evidence: uint8(ev)}
	}
	slices.SortFunc(out, func(a, b skillEntry) int { return cmp.Compare(a.skill, b.skill) })
	return out
}

// validPrograms returns the programs of valid certificates, without repeats.
func (ix *Index) validPrograms(cs []Certificate) []uint16 {
	var out []uint16
	for _, c := range cs {
		if c.Status != CertValid {
			continue
		}
		p := ix.programByName[c.Program]
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (ix *Index) internCity(name string) uint16 {
	if c, ok := ix.cityByName[name]; ok {
		return c
	}
	c := uint16(len(ix.cityNames))
	ix.cityNames = append(ix.cityNames, name)
	ix.cityByName[name] = c
	ix.cities = append(ix.cities, roaring.New())
	return c
}

// atLeast returns the learners with skill s at level ≥ l. For l = 1 it is
// a new union; callers must not modify the result in any case.
func (ix *Index) atLeast(s uint16, l uint8) *roaring.Bitmap {
	if l > MinLevel {
		return ix.levels[s][l]
	}
	return roaring.Or(ix.levels[s][MinLevel], ix.levels[s][MinLevel+1])
}

// atLeastCount is the size of atLeast(s, l).
func (ix *Index) atLeastCount(s uint16, l uint8) uint64 {
	n := ix.levels[s][l].GetCardinality()
	if l == MinLevel {
		n += ix.levels[s][MinLevel+1].GetCardinality()
	}
	return n
}

// moveLevel updates the level bitmaps of a slot whose level in skill s
// changes from old to new (0 for not held).
func (ix *Index) moveLevel(slot uint32, s uint16, old, new int) {
	if old == new {
		return
	}
	b := &ix.levels[s]
	if old == MinLevel {
		b[MinLevel].Remove(slot)
	}
	if new == MinLevel {
		b[MinLevel].Add(slot)
	}
	for lv := max(MinLevel+1, old+1); lv <= new; lv++ {
		b[lv].Add(slot)
	}
	for lv := max(MinLevel+1, new+1); lv <= old; lv++ {
		b[lv].Remove(slot)
	}
}

// skills returns the packed skills of a slot.
func (ix *Index) skills(slot uint32) []skillEntry {
	off := ix.hot[slot].skOff
	return ix.skData[off : off+uint32(ix.hot[slot].skLen)]
}

// slotOf finds the slot of a learner id, alive or not.
func (ix *Index) slotOf(id int64) (uint32, bool) {
	sorted := ix.ids[:ix.sortedN]
	if i, ok := slices.BinarySearch(sorted, id); ok {
		return uint32(i), true
	}
	s, ok := ix.overflow[id]
	return s, ok
}

// liveSlot finds the slot of a learner in the index.
func (ix *Index) liveSlot(id int64) (uint32, error) {
	s, ok := ix.slotOf(id)
	if !ok || !ix.alive.Contains(s) {
		return 0, notFoundLearner(id)
	}
	return s, nil
}

// Len returns the number of learners and of open demands in the index.
func (ix *Index) Len() (learners, demands int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return int(ix.alive.GetCardinality()), int(ix.demandAlive.GetCardinality())
}

// SizeBytes estimates the memory the index holds: bitmaps at their
// serialized size, arrays at capacity, maps at a per-entry estimate.
func (ix *Index) SizeBytes() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var n int64
	bm := func(b *roaring.Bitmap) { n += int64(b.GetSizeInBytes()) }
	for s := range ix.levels {
		for l := MinLevel; l <= MaxLevel; l++ {
			bm(ix.levels[s][l])
			n += int64(cap(ix.anchors[s][l])) * int64(unsafe.Sizeof(anchorEntry{}))
		}
	}
	for _, b := range ix.cities {
		bm(b)
	}
	for _, b := range ix.certs {
		bm(b)
	}
	for _, b := range []*roaring.Bitmap{ix.alive, ix.newcomer, ix.available, ix.open, ix.demandAlive} {
		bm(b)
	}
	n += int64(cap(ix.ids))*8 + int64(cap(ix.hot))*int64(unsafe.Sizeof(learnerHot{})) + int64(cap(ix.skData))*4
	n += int64(cap(ix.capacity)+cap(ix.load)) * 2
	const mapEntry = 48 // key, value and table overhead, roughly
	n += int64(len(ix.overflow)+len(ix.demandBy)) * mapEntry
	for i := range ix.demands {
		d := &ix.demands[i]
		n += 112 + int64(cap(d.req)+cap(d.pref))*4 + int64(cap(d.certs))*2 + int64(len(d.cityName))
	}
	return n
}
