// Package scrub removes secrets and personal data from error texts.
//
// It is used twice on every error report: by the telemetry client before
// anything is queued for upload, and by the analytics server again before
// anything is stored. Its inputs are free-form error messages, Python
// traceback text, stack frames, file paths and SQL statements; its outputs
// keep what helps to diagnose a failure (exception type names, SQLSTATE
// codes, PostgreSQL message text, constraint names, line numbers, function
// names, version numbers, ports and the shape of SQL statements) and replace
// everything else that could identify a person or grant access with a short
// bracketed token such as [password], [host] or $1 that says what was removed.
// RULES.md lists every rule.
//
// What the package must never do:
//
//   - emit a secret it was able to recognise, or any part of one;
//   - panic, whatever bytes it is given (invalid UTF-8 included);
//   - take more than linear time: every scanner is hand-written and moves
//     forward only, and the remaining patterns use Go's regexp package (RE2,
//     no backtracking);
//   - depend on anything but its input: the same input always gives the same
//     output, there is no global state, no I/O, no clock and no randomness;
//   - import anything outside the standard library.
//
// The rules are heuristics tuned to be conservative: when a text is
// ambiguous the package prefers removing too much over leaking. Scrubbing an
// already scrubbed text changes nothing (String(String(x)) == String(x) for
// texts that were not truncated).
package scrub
