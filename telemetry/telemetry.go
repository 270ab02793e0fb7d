package telemetry

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/client"
)

// Mode is what the client does with reports: Off, Local or On.
type Mode = client.Mode

// The modes.
const (
	Off   = client.Off   // nothing collected, written or sent
	Local = client.Local // reports built and kept locally, never sent
	On    = client.On    // reports built, kept and sent
)

// DefaultEndpoint is the analytics service reports go to unless
// INDEXPILOT_TELEMETRY_ENDPOINT or telemetry.endpoint names another. It is
// a placeholder until the project runs a public service.
const DefaultEndpoint = client.DefaultEndpoint

// ConfigError is a setting the client cannot use (a malformed config file,
// an unknown mode word, an endpoint that is not http(s), an unwritable
// state folder). Its Problem names the setting and its Fix says what to do;
// telemetry is off while it lasts.
type ConfigError = client.ConfigError

// Status is what the status command shows: the mode and the setting that
// decided it, the consented schema version and the fields held back, the
// identity, the endpoint, the last upload and the spool.
type Status = client.Status

// Preview is a report built now, as Send would upload it, with the fields
// held back and the collector's notes.
type Preview = client.Preview

// SendResult is what Send did.
type SendResult = client.SendResult

// Upload is one report the server answered, from the local copies.
type Upload = client.Upload

// Options are a Client's dependencies; every zero value has a default
// (each field's is documented on it).
type Options = client.Options

// Client is the telemetry client of one IndexPilot installation (one state
// folder). It reads the settings afresh on every call.
type Client struct{ c *client.Client }

// New returns a Client; it touches nothing until a method is called.
func New(o Options) *Client { return &Client{client.New(o)} }

// Status reports the mode, which setting decided it, and the state. It
// writes nothing. With a broken setting it returns a *ConfigError along
// with the status.
func (c *Client) Status(ctx context.Context) (*Status, error) { return c.c.Status(ctx) }

// ModeChange is what SetMode did: the modes before and after, the mode
// now in force (which DO_NOT_TRACK or INDEXPILOT_TELEMETRY_ENABLED=false
// may override), the first-run notice to show, once, and the reports that
// were waiting to be sent (deleted by Off, kept locally by Local).
type ModeChange = client.ModeChange

// SetMode stores a mode. On and Local consent to the newest schema
// version; newID (with On) drops the installation's identity so the next
// upload registers afresh. Off always works; On and Local refuse while a
// setting is broken, changing nothing.
func (c *Client) SetMode(ctx context.Context, m Mode, newID bool) (*ModeChange, error) {
	return c.c.SetMode(ctx, m, newID)
}

// Preview builds a report now and returns the exact bytes Send would
// upload, without keeping, sending or registering anything. With telemetry
// off it shows what the first report after On would hold.
func (c *Client) Preview(ctx context.Context) (*Preview, error) { return c.c.Preview(ctx) }

// Send builds a report now and, with telemetry on, uploads every report
// waiting in the spool. With telemetry off it does nothing. A report that
// cannot be uploaded stays in the spool and the error says why.
func (c *Client) Send(ctx context.Context) (*SendResult, error) { return c.c.Send(ctx) }

// Run sends once a day at a randomised time (or at the server's
// next_collection) until ctx ends, then returns nil. Problems are written
// to Options.Stderr and never end it.
func (c *Client) Run(ctx context.Context) error { return c.c.Run(ctx) }

// Log lists the reports the server answered, oldest first.
func (c *Client) Log() ([]Upload, error) { return c.c.Log() }

// Uploaded returns the local copy of an uploaded report byte for byte; id
// is its report_id or a unique prefix of it.
func (c *Client) Uploaded(id string) ([]byte, error) { return c.c.Uploaded(id) }

// Forgotten is what Forget did: whether the installation was registered
// and how many reports the server deleted.
type Forgotten = client.Forgotten

// Forget asks the server to delete every report of this installation,
// then drops the local identity, spool and copies. When the server cannot
// be reached nothing local is dropped, and Forget can be run again.
func (c *Client) Forget(ctx context.Context) (*Forgotten, error) { return c.c.Forget(ctx) }

// Export downloads everything the server holds about this installation,
// as JSON; before the first upload there is nothing, and it returns an
// error saying so.
func (c *Client) Export(ctx context.Context) ([]byte, error) { return c.c.Export(ctx) }
