// Package telemetry is IndexPilot's opt-in telemetry client: it decides
// whether telemetry is on, builds the report an installation sends, shows
// it before anything is sent, uploads it, and erases it on request. The
// command indexpilot-telemetry is a thin layer over this package; the work
// is in internal/client.
//
// # Modes and the settings that decide them
//
// Off collects, writes and sends nothing. Local builds reports and keeps
// them in the state folder, never sending them, not even after a later On.
// On builds, keeps and sends them. The settings, highest precedence first:
//
//  1. DO_NOT_TRACK=1 or INDEXPILOT_TELEMETRY_ENABLED=false: off, always.
//  2. INDEXPILOT_TELEMETRY_ENABLED=true, or the mode stored by SetMode.
//     When both are given and disagree, the more private one wins.
//  3. The telemetry: section of IndexPilot's indexpilot_config.yaml
//     ($INDEXPILOT_CONFIG_FILE, else the current directory): enabled,
//     collect_usage_stats, collect_error_reports,
//     collect_performance_metrics, anonymize_data, endpoint. When CI is
//     set, enabled: true there does not count.
//  4. Off.
//
// Status names the setting that decided. INDEXPILOT_TELEMETRY_DEBUG=1
// prints each report to stderr and sends nothing;
// INDEXPILOT_TELEMETRY_ENDPOINT overrides the endpoint; the standard proxy
// variables are honoured. State lives in $XDG_STATE_HOME/indexpilot/telemetry.
//
// # Rules the client keeps
//
//   - Consent follows the schema: every report field belongs to a schema
//     version (report.FieldSchema). The version consented to is stored with
//     the mode; a newer field is never sent until the user consents again
//     with On. INDEXPILOT_TELEMETRY_ENABLED=true and telemetry.enabled:
//     true consent to schema version 1, the first client's fields.
//   - What is shown is what is sent: Preview, the spool and the upload use
//     one encoding (indented JSON), and a copy of every upload is kept
//     (Client.Log, Client.Uploaded).
//   - The identity is the installation id and key the service assigns at
//     the first upload; nothing about the machine goes into it.
//   - It never hurts its host: every network call has a deadline (5 s by
//     default), retries are bounded with backoff and jitter and honour
//     Retry-After, no 4xx but 429 is retried, the spool is bounded (100
//     reports, 5 MiB, oldest dropped first), state is written atomically
//     under a lock, and Send and Run return errors rather than panic or
//     exit.
//
// # Feature usage
//
// AddFeatureUsage takes IndexPilot's counts of each feature's uses and
// successes (counted in IndexPilot's memory; the Python package hands
// them over at most once a minute) into the state folder, and the next
// report carries them as metrics.feature_usage, a field of schema version
// 3. They are kept only with telemetry on or local, consent to version 3
// and collect_usage_stats not false; Off and Forget delete them.
//
// # Error reports
//
// ReportError (a Go error) and SendError (a Python traceback, or a type
// and a message) send one report per error to the service's
// /api/v1/errors (docs/errors.md). They follow the rules above: nothing
// is written or sent when telemetry is off or the config file sets
// collect_error_reports: false; local mode keeps them locally; they share
// the spool (at most 50 of its 100 reports are error reports), the
// retries and the deadline, and Send and Run upload those left waiting.
// Their free text (message, file paths, function names) is scrubbed with
// package scrub before anything is kept, and a report the scrubber fails
// on is dropped. Only the context's four words are sent; table and index
// names are cut out of the message. Error reports belong to schema
// version 1 of the error contract, which any consent (On, Local, or the
// first client's settings) covers. PreviewError shows the exact bytes.
package telemetry
