// Package client is the work behind package telemetry: it decides the
// telemetry mode from the settings (precedence in settings.go), keeps the
// installation's state and spool under the state folder, builds reports
// with package collect, holds back fields the user has not consented to,
// builds error reports from Python tracebacks and Go errors, and uploads
// both with bounded, deadline-limited retries.
//
// Rules it must keep:
//
//   - Off means off: with the mode off nothing is collected, nothing is
//     written and no connection is opened. Local means no connection is
//     ever opened to the endpoint, and reports built in local mode are
//     never sent, not even after a later "on".
//   - What is uploaded is the exact bytes kept in the spool and shown by
//     Preview (one encode function); the local copy in sent/ is those bytes.
//   - It never hurts its host: every request has a deadline, retries are
//     bounded, 4xx answers other than 429 are never retried, the spool is
//     bounded, and Send and Run turn every failure into one line and an
//     error for the caller, never a panic or a crash.
//   - Nothing about the machine (host name, address, user name) is sent or
//     used for the identity, which comes from the service's registration.
//   - Nothing unscrubbed is kept or sent: an error report's free text is
//     scrubbed when it is built, before it reaches the spool, and a report
//     the scrubber fails on is dropped.
//   - State files are written atomically (temporary file, fsync, rename)
//     and changed only under the state folder's lock.
package client
