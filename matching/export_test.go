package matching

// DisablePruning makes rankings score every eligible learner, for a
// reference; it returns a restore func.
func DisablePruning() func() {
	prune = false
	return func() { prune = true }
}

// SetSmallSet changes the eligible-set size under which rankings skip
// pruning, so tests can exercise both paths; it returns a restore func.
func SetSmallSet(n uint64) func() {
	old := smallSet
	smallSet = n
	return func() { smallSet = old }
}

func DebugSizes(ix *Index, t interface{ Logf(string, ...any) }) {
	var lv, lvArr, anc, city, cert int64
	for s := range ix.levels {
		for l := MinLevel; l <= MaxLevel; l++ {
			lv += int64(ix.levels[s][l].GetSizeInBytes())
			lvArr += int64(ix.levels[s][l].GetCardinality())
			anc += int64(ix.anchors[s][l].GetSizeInBytes())
		}
	}
	for _, b := range ix.cities {
		city += int64(b.GetSizeInBytes())
	}
	for _, b := range ix.certs {
		cert += int64(b.GetSizeInBytes())
	}
	t.Logf("levels %d MB (%d members), anchors %d KB, cities %d KB, certs %d KB, skData %d MB, demands %d",
		lv>>20, lvArr, anc>>10, city>>10, cert>>10, int64(cap(ix.skData))*4>>20, len(ix.demands))
}
