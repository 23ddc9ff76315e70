package matching

import (
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// UpsertLearner adds a learner or replaces the record of the learner with
// the same id. Only the bitmaps the learner is in are touched.
func (ix *Index) UpsertLearner(l Learner) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.validateLearner(&l); err != nil {
		return err
	}
	slot, ok := ix.slotOf(l.ID)
	reuse := 0
	switch {
	case !ok:
		slot = uint32(len(ix.ids))
		ix.ids = append(ix.ids, l.ID)
		ix.appendSlot()
		if ix.sortedN == len(ix.ids)-1 && (ix.sortedN == 0 || ix.ids[ix.sortedN-1] < l.ID) {
			ix.sortedN++
		} else {
			ix.overflow[l.ID] = slot
		}
	case ix.alive.Contains(slot):
		reuse = int(ix.hot[slot].skLen)
		ix.clearSlot(slot)
	}
	ix.fillSlot(slot, &l, reuse)
	return nil
}

// RemoveLearner takes a learner out of the index.
func (ix *Index) RemoveLearner(id int64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	ix.skDead += int(ix.hot[slot].skLen)
	ix.clearSlot(slot)
	ix.compactSkills()
	return nil
}

// clearSlot removes a live slot from every bitmap and zeroes its numbers.
// Its skill entries stay in place for fillSlot to reuse.
func (ix *Index) clearSlot(slot uint32) {
	for _, e := range ix.skills(slot) {
		ix.moveLevel(slot, e.skill, int(e.level), 0)
	}
	for _, c := range ix.certs {
		c.Remove(slot)
	}
	ix.cities[ix.hot[slot].city].Remove(slot)
	for _, b := range [...]*roaring.Bitmap{ix.alive, ix.newcomer, ix.available, ix.open} {
		b.Remove(slot)
	}
	ix.sumAtt -= uint64(ix.hot[slot].attention)
	ix.sumRel -= uint64(ix.hot[slot].relevance)
	ix.hot[slot].attention, ix.hot[slot].relevance = 0, 0
	ix.hot[slot].skLen = 0
	ix.hot[slot].newcomer = false
}

// fillSlot stores a validated learner in a cleared slot. The first reuse
// skill entries at the slot's offset may be overwritten.
func (ix *Index) fillSlot(slot uint32, l *Learner, reuse int) {
	ix.setScalars(slot, l)
	ix.writeSkills(slot, ix.packSkills(l.Skills), reuse)
	for _, e := range ix.skills(slot) {
		ix.moveLevel(slot, e.skill, 0, int(e.level))
	}
	for _, p := range ix.validPrograms(l.Certificates) {
		ix.certs[p].Add(slot)
	}
	c := ix.internCity(l.City)
	ix.hot[slot].city = c
	ix.cities[c].Add(slot)
	ix.alive.Add(slot)
	if l.Newcomer() {
		ix.newcomer.Add(slot)
		ix.hot[slot].newcomer = true
	}
	if l.Available {
		ix.available.Add(slot)
	}
	ix.refreshOpen(slot)
}

// writeSkills stores entries for a slot, in place when they fit in reuse
// entries, else at the end of the pool.
func (ix *Index) writeSkills(slot uint32, entries []skillEntry, reuse int) {
	if len(entries) <= reuse {
		off := ix.hot[slot].skOff
		copy(ix.skData[off:], entries)
		ix.skDead += reuse - len(entries)
	} else {
		ix.skDead += reuse
		ix.hot[slot].skOff = uint32(len(ix.skData))
		ix.skData = append(ix.skData, entries...)
	}
	ix.hot[slot].skLen = uint8(len(entries))
	ix.compactSkills()
}

// compactSkills rewrites the skill pool once more than half of it is dead.
func (ix *Index) compactSkills() {
	if ix.skDead < 1024 || ix.skDead < len(ix.skData)/2 {
		return
	}
	pool := make([]skillEntry, 0, len(ix.skData)-ix.skDead)
	for slot := range ix.ids {
		s := ix.skills(uint32(slot))
		ix.hot[slot].skOff = uint32(len(pool))
		pool = append(pool, s...)
	}
	ix.skData, ix.skDead = pool, 0
}

// refreshOpen keeps the open bitmap equal to available ∧ load < capacity.
func (ix *Index) refreshOpen(slot uint32) {
	if ix.alive.Contains(slot) && ix.available.Contains(slot) && ix.load[slot] < ix.capacity[slot] {
		ix.open.Add(slot)
	} else {
		ix.open.Remove(slot)
	}
}

// SetSkill gives a learner a skill, or changes its level and evidence.
func (ix *Index) SetSkill(id int64, s SkillLevel) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	rec := learnerRecord(id)
	sk, ok := ix.skillByName[s.Skill]
	switch {
	case !ok:
		return invalidf(rec, "unknown skill %q", s.Skill)
	case s.Level < MinLevel || s.Level > MaxLevel:
		return invalidf(rec, "skill %q has level %d, outside %d..%d", s.Skill, s.Level, MinLevel, MaxLevel)
	case s.Evidence < 0:
		return invalidf(rec, "skill %q has negative evidence count %d", s.Skill, s.Evidence)
	}
	entries := slices.Clone(ix.skills(slot))
	old := 0
	i, found := slices.BinarySearchFunc(entries, sk, func(e skillEntry, k uint16) int { return int(e.skill) - int(k) })
	ne := skillEntry{skill: sk, level: uint8(s.Level), evidence: uint8(min(s.Evidence, 255))}
	if found {
		old = int(entries[i].level)
		entries[i] = ne
	} else {
		if len(entries) >= maxSkills {
			return invalidf(rec, "already has %d skills", maxSkills)
		}
		entries = slices.Insert(entries, i, ne)
	}
	ix.moveLevel(slot, sk, old, s.Level)
	ix.writeSkills(slot, entries, int(ix.hot[slot].skLen))
	return nil
}

// RemoveSkill takes a skill from a learner (say, a verification was
// withdrawn). Removing a skill the learner does not hold is a no-op.
func (ix *Index) RemoveSkill(id int64, skill string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	sk, ok := ix.skillByName[skill]
	if !ok {
		return invalidf(learnerRecord(id), "unknown skill %q", skill)
	}
	entries := slices.Clone(ix.skills(slot))
	i := slices.IndexFunc(entries, func(e skillEntry) bool { return e.skill == sk })
	if i < 0 {
		return nil
	}
	ix.moveLevel(slot, sk, int(entries[i].level), 0)
	entries = slices.Delete(entries, i, i+1)
	ix.writeSkills(slot, entries, int(ix.hot[slot].skLen))
	return nil
}

// SetCertificate records a new status for the learner's certificate in a
// program: valid adds it, revoked or suspended takes it away.
func (ix *Index) SetCertificate(id int64, c Certificate) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	p, ok := ix.programByName[c.Program]
	switch {
	case !ok:
		return invalidf(learnerRecord(id), "unknown certificate program %q", c.Program)
	case c.Status < CertValid || c.Status > CertSuspended:
		return invalidf(learnerRecord(id), "certificate %q has unknown status %d", c.Program, int(c.Status))
	case c.Status == CertValid:
		ix.certs[p].Add(slot)
	default:
		ix.certs[p].Remove(slot)
	}
	return nil
}

// StartOrder records that the learner took a paid order: their load rises
// by one and they are no longer a newcomer.
func (ix *Index) StartOrder(id int64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	if ix.load[slot] >= ix.capacity[slot] {
		return &Error{Code: ECONFLICT, Record: learnerRecord(id), Message: "no capacity left for another order"}
	}
	ix.load[slot]++
	ix.newcomer.Remove(slot)
	ix.hot[slot].newcomer = false
	ix.refreshOpen(slot)
	return nil
}

// FinishOrder records that one of the learner's orders ended (delivered
// or cancelled): their load falls by one. Ratings and on-time counts
// change through UpsertLearner.
func (ix *Index) FinishOrder(id int64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	if ix.load[slot] == 0 {
		return &Error{Code: ECONFLICT, Record: learnerRecord(id), Message: "has no order in progress"}
	}
	ix.load[slot]--
	ix.refreshOpen(slot)
	return nil
}

// SetAvailable switches whether the learner takes new work at all.
func (ix *Index) SetAvailable(id int64, available bool) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	if available {
		ix.available.Add(slot)
	} else {
		ix.available.Remove(slot)
	}
	ix.refreshOpen(slot)
	return nil
}

// AddExposure adds to a learner's accumulated exposure: attention is the
// position weight of a list they were shown in, relevance their score in
// a list they were eligible for (see Attention).
func (ix *Index) AddExposure(id int64, attention, relevance float64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, err := ix.liveSlot(id)
	if err != nil {
		return err
	}
	if !finite(attention) || !finite(relevance) || attention < 0 || relevance < 0 {
		return invalidf(learnerRecord(id), "exposure must be finite and non-negative")
	}
	a := uint64(ix.hot[slot].attention) + uint64(milli(attention))
	r := uint64(ix.hot[slot].relevance) + uint64(milli(relevance))
	ix.sumAtt -= uint64(ix.hot[slot].attention)
	ix.sumRel -= uint64(ix.hot[slot].relevance)
	ix.hot[slot].attention = uint32(min(a, 1<<32-1))
	ix.hot[slot].relevance = uint32(min(r, 1<<32-1))
	ix.sumAtt += uint64(ix.hot[slot].attention)
	ix.sumRel += uint64(ix.hot[slot].relevance)
	return nil
}

// Attention is the position weight 1/log2(1+rank) of a 1-based rank, the
// attention model of fair exposure.
func Attention(rank int) float64 {
	if rank < 1 {
		return 0
	}
	return 1 / math.Log2(1+float64(rank))
}

// RecordExposure adds a shown ranking to its learners' exposure: each gets
// the attention of their rank and their base score as relevance. Call it
// when a ranking is actually shown to a partner, so later rankings can
// boost learners whose attention lags their relevance.
func (ix *Index) RecordExposure(r *LearnerRanking) error {
	for _, m := range r.Matches {
		if err := ix.AddExposure(m.LearnerID, Attention(m.Rank), m.Score.Base); err != nil {
			return err
		}
	}
	return nil
}
