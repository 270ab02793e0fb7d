// Package stats holds the statistics the insights rest on: robust
// estimates of a centre, a spread and a trend that a few outliers cannot
// drag, and the tests that fit telemetry data — a ratio with the
// installation as the unit (reports of one installation are not
// independent), Welch's t for means, and tail probabilities of counts
// with overdispersion. Distributions come from gonum (stat/distuv,
// mathext); the rest is small code of our own, checked against known
// values in the tests.
//
// Everything here is pure computation on float64 slices: no I/O, no
// clocks, no randomness, no state.
package stats
