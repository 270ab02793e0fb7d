// Package fleet simulates a fleet of IndexPilot installations sending
// telemetry to indexpilot-analytics through its real HTTP API. The
// simulate and demo commands and the benchmarks use it.
//
// Everything a run sends is a pure function of Config.Seed and Config.Now:
// Generate lists it, so a test can compare what was sent with what the
// server aggregated. The simulated fleet behaves like a real one:
// installations join over time and a few stop reporting, releases roll out
// with a per-installation upgrade lag (1.1.0a8 only reaches early adopters
// and is a regression: fewer improvements, more errors), features and
// algorithms are adopted gradually, and the workload follows the week.
//
// Rules the package keeps:
//
//   - Every report it builds passes report.Decode; a 400 from the server
//     is therefore a bug on one side, counted and returned, never retried.
//   - It is a polite client: it honours Retry-After on 429 and 503, backs
//     off on network errors, and gives up after a bounded number of
//     attempts rather than hammering a server that is down.
//   - Memory stays small: reports are generated one simulated day at a
//     time, never the whole run at once.
//   - No timestamp is in the future or older than Days days before Now.
package fleet
