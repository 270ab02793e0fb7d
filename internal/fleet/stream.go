package fleet

import "iter"

// Reports yields the reports of the fleet c describes, in the order Run
// sends them, one simulated day in memory at a time: what Generate
// returns, for fleets too large to hold (a million reports for the
// benchmarks).
func Reports(c Config) iter.Seq[Planned] {
	return newPlan(c.withDefaults()).reports()
}
