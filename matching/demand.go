package matching

import "slices"

// AddDemands validates demands and adds them to the index as open demands.
// Nothing is added if any demand is invalid or its id is already present.
func (ix *Index) AddDemands(ds []Demand) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	recs := make([]*demandRec, len(ds))
	seen := make(map[int64]bool, len(ds))
	for i := range ds {
		r, err := ix.compileDemand(&ds[i])
		if err != nil {
			return err
		}
		if _, dup := ix.demandBy[r.id]; dup || seen[r.id] {
			return &Error{Code: ECONFLICT, Record: demandRecord(r.id), Message: "duplicate demand id"}
		}
		seen[r.id] = true
		recs[i] = r
	}
	ix.demands = slices.Grow(ix.demands, len(recs))
	if len(ix.demandBy) == 0 {
		ix.demandBy = make(map[int64]uint32, len(recs))
	}
	for _, r := range recs {
		ix.insertDemand(r)
	}
	if len(recs) >= 1024 {
		// After a bulk load, give back the slack that growing left behind.
		for s := range ix.anchors {
			for l := range ix.anchors[s] {
				if a := ix.anchors[s][l]; cap(a) > len(a)+len(a)/8 {
					ix.anchors[s][l] = slices.Clone(a)
				}
			}
		}
	}
	return nil
}

// AddDemand adds one open demand.
func (ix *Index) AddDemand(d Demand) error { return ix.AddDemands([]Demand{d}) }

// UpsertDemand adds a demand or replaces the one with the same id.
func (ix *Index) UpsertDemand(d Demand) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	r, err := ix.compileDemand(&d)
	if err != nil {
		return err
	}
	if i, ok := ix.demandBy[d.ID]; ok {
		ix.unlistDemand(i)
		delete(ix.demandBy, d.ID)
	}
	ix.insertDemand(r)
	return nil
}

// RemoveDemand closes a demand: it is filled, withdrawn or past deadline.
func (ix *Index) RemoveDemand(id int64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	i, ok := ix.demandBy[id]
	if !ok {
		return notFoundDemand(id)
	}
	ix.unlistDemand(i)
	delete(ix.demandBy, id)
	return nil
}

func (ix *Index) insertDemand(r *demandRec) {
	if !r.remote && r.city == noCity {
		// Intern the city so learners who move there later match.
		r.city = int32(ix.internCity(r.cityName))
	}
	// Anchor on the requirement fewest learners meet: the reverse query then
	// visits the demand only for learners who may qualify.
	best := -1
	var bestCard uint64
	for i, q := range r.req {
		c := ix.atLeastCount(q.skill, q.level)
		if best < 0 || c < bestCard {
			best, bestCard = i, c
		}
	}
	r.anchor, r.anchorLevel = r.req[best].skill, r.req[best].level
	r.alive = true
	var i uint32
	if n := len(ix.freeDemands); n > 0 {
		// Reuse a closed demand's record: nothing refers to it any more.
		i = ix.freeDemands[n-1]
		ix.freeDemands = ix.freeDemands[:n-1]
		ix.demands[i] = *r
	} else {
		i = uint32(len(ix.demands))
		ix.demands = append(ix.demands, *r)
	}
	ix.demandBy[r.id] = i
	ix.demandAlive.Add(i)
	a := anchorEntry{demand: i, city: r.city, kind: uint8(r.kind), certs: len(r.certs) > 0, pref: len(r.pref) > 0, nreq: inlineReqs + 1}
	if r.remote {
		a.city = remoteCity
	}
	if len(r.req) <= inlineReqs {
		a.nreq = uint8(copy(a.req[:], r.req))
	}
	list := &ix.anchors[r.anchor][r.anchorLevel]
	ix.demands[i].anchorPos = uint32(len(*list))
	*list = append(*list, a)
}

func (ix *Index) unlistDemand(i uint32) {
	d := &ix.demands[i]
	d.alive = false
	ix.demandAlive.Remove(i)
	// Swap-delete from the anchor list; its order does not matter.
	list := &ix.anchors[d.anchor][d.anchorLevel]
	last := len(*list) - 1
	if int(d.anchorPos) != last {
		moved := (*list)[last]
		(*list)[d.anchorPos] = moved
		ix.demands[moved.demand].anchorPos = d.anchorPos
	}
	*list = (*list)[:last]
	// Free the slices; the record waits for reuse.
	d.req, d.pref, d.certs = nil, nil, nil
	ix.freeDemands = append(ix.freeDemands, i)
}

// HasDemand reports whether an open demand with this id is in the index.
func (ix *Index) HasDemand(id int64) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.demandBy[id]
	return ok
}
