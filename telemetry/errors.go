package telemetry

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/client"
)

// ErrorContext says where in IndexPilot an error happened: Component,
// Operation, PostgreSQLVersion and IndexPilotVersion, the only context an
// error report sends (Set takes them by their keys, for --context
// key=value). Tables and Indexes are names the error may mention; they
// are never sent, not even hashed: each whole-word occurrence in the
// message becomes [table] or [index].
type ErrorContext = client.ErrorContext

// ErrorEvent is one error to report: a Python traceback (its last
// exception's type, message and frames are kept), or a type and a message.
type ErrorEvent = client.ErrorEvent

// ErrInvalidEvent is an error that cannot be reported as given: a text
// that is not a Python traceback, a type that is not a qualified name, a
// context key or value outside the contract. Nothing is kept or sent.
var ErrInvalidEvent = client.ErrInvalidEvent

// ReportError reports err as an error report: the type of the innermost
// error of its chain, its message, and the SQLSTATE of an error with a
// SQLState method (pgconn.PgError has one), with where it happened. Like
// every error report it is scrubbed before it is kept, and is kept and
// sent only when telemetry is on (kept locally in local mode) and
// collect_error_reports is not false.
//
// It returns nil when err is nil or telemetry or error reports are off.
// It never panics and never blocks longer than the deadline
// (Options.Timeout, 5 s by default); a report it could not upload in time
// waits in the spool for the next Send or Run. Its error is for logging.
func (c *Client) ReportError(ctx context.Context, err error, where ErrorContext) error {
	return c.c.ReportError(ctx, err, where)
}

// SendError builds an error report from ev, scrubs it, keeps it in the
// spool and uploads it at once, all within the deadline; what could not
// be uploaded waits for the next Send or Run. In local mode the report is
// kept locally. With telemetry off, or collect_error_reports: false,
// nothing is written or sent: the result's Mode is Off and its Reason
// names the setting. An event that cannot be reported is an
// ErrInvalidEvent; a report the scrubber failed on is dropped, never sent.
func (c *Client) SendError(ctx context.Context, ev ErrorEvent) (*SendResult, error) {
	return c.c.SendError(ctx, ev)
}

// PreviewError returns the exact bytes SendError would keep and upload
// for ev, scrubbed, without writing, sending or registering anything.
// Mode is Off when nothing would be sent, and Reason says why.
func (c *Client) PreviewError(ctx context.Context, ev ErrorEvent) (*Preview, error) {
	return c.c.PreviewError(ctx, ev)
}
