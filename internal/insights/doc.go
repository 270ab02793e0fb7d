// Package insights turns the daily rollups into decisions: release health
// per version (adoption stage, error rate and performance against the
// previous adopted version, a recommendation with its reasons) and
// anomalies on the fleet's daily series (a value outside the band its
// history leads to expect). Other insights (feature priorities, patterns,
// forecasts) live here too, each in files of its own.
//
// Rules the package keeps:
//
//   - It reads rollups only, never raw reports, so its cost follows days ×
//     keys, not reports; its statistical core works on plain series and
//     per-installation counts that tests can build directly.
//   - Every claim about evidence is a test that fits the data: the
//     installation is the unit (one installation's reports are not
//     independent), counts are judged with overdispersion, small counts
//     and small samples never alarm (see docs/insights.md for the
//     methods, their parameters and the simulated error rates).
//   - It never sends anything: alerts are built and delivered elsewhere
//     (internal/alerts, internal/notify).
package insights
