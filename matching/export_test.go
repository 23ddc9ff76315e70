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
