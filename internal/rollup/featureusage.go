package rollup

import "github.com/indexpilot/indexpilot-telemetry/report"

// SquareLimit bounds each report's term of the feature usage sums of
// squares and products: 2^50, the square of about 33 million uses in one
// report. A row's sum then overflows only past 8,192 terms at the limit,
// where a sum of plain counts holds them all; a term past it is counted
// at it, which narrows that feature's interval, never its rate.
const SquareLimit = 1 << 50

// usageCounters is what one report's count of a feature adds to the
// feature's DimUsage row: one report, its uses (Total) and successes, and
// their squares and product, which make the success rate's variance
// computable from sums across reports (see internal/dashboard).
func usageCounters(u report.FeatureUse) Counters {
	return Counters{Reports: 1, Total: u.Uses, UsageSuccesses: u.Successes,
		UsageUsesSq: square(u.Uses, u.Uses), UsageCross: square(u.Successes, u.Uses), UsageSuccSq: square(u.Successes, u.Successes)}
}

// square returns a·b, at most SquareLimit. The contract keeps both below
// 2^30, so the product cannot overflow.
func square(a, b int64) int64 { return min(a*b, SquareLimit) }
