// Package rollup computes the daily aggregates of the analytics service.
//
// A rollup row sums every report of one UTC day that falls under one key:
// the day as a whole, a version, a feature, an algorithm, an error type, a
// PostgreSQL major version or an operating system, and a version's
// errored reports (as a whole and per error type). Besides additive
// counters each row keeps a bitmap of the dense numbers of the
// installations it counted, so that distinct installations over any window
// are exact: the cardinality of the union of the window's bitmaps.
//
// Everything here is integer arithmetic, so adding the same reports in any
// order or grouping gives the same rows; that is what lets `recompute`
// rebuild rollups that are identical to the ones ingest maintained. The
// package does no I/O: the store loads rows, this package merges them.
package rollup
