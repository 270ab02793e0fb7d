// Package alerts turns the insights into alerts and delivers each one
// once: a version newly recommended for rollback, a high-severity anomaly
// of the last whole days, an error group never seen before that several
// installations reported. The service evaluates at start and hourly;
// `indexpilot-analytics alerts run` evaluates once.
//
// Rules the package keeps:
//
//   - Once means once per channel: each alert's delivery to each channel
//     is claimed in the store's sent ledger before it is sent and marked
//     after, so restarts, a second process or a cron run beside the
//     service do not send it again; a repeat within the suppression
//     window is not sent (a new error group: never again).
//   - A failing channel is retried with backoff by notify and logged once;
//     its claims are released, so the next evaluation tries again.
//   - It only reads: evaluation never touches ingest's tables for writing
//     and runs beside it, never in its way.
package alerts
