package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// collectBudget bounds one collection from IndexPilot's database (its own
// statements have a 2 s timeout each).
const collectBudget = 30 * time.Second

// Options are a Client's dependencies. The zero value of each field has a
// documented default.
type Options struct {
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// StateDir holds the mode, identity and reports; default
	// $XDG_STATE_HOME/indexpilot/telemetry (~/.local/state/… without it).
	StateDir string
	// HTTPClient sends the requests; default a client that honours the
	// standard proxy variables and never follows a redirect (which could
	// carry the installation's key to another host).
	HTTPClient *http.Client
	// Timeout is the hard deadline of each network call; default 5 s.
	Timeout time.Duration
	// Stderr receives the first-run notice, debug output and one-line
	// problems; default os.Stderr.
	Stderr io.Writer
	// Now is the clock; default time.Now.
	Now func() time.Time
	// DatabaseURL is IndexPilot's database, read for the report's
	// metrics; default IndexPilot's own settings (SUPABASE_DB_URL, else
	// the DB_* variables).
	DatabaseURL string
}

// Client does what the commands of indexpilot-telemetry do. Its methods
// are safe to call from one process at a time per state folder; the state
// folder's lock keeps separate processes apart.
type Client struct {
	getenv      func(string) string
	stateDir    string
	stateDirErr error
	databaseURL string
	http        *http.Client
	timeout     time.Duration
	stderr      io.Writer
	now         func() time.Time

	// Seams for tests; New sets the real ones.
	collect   func(context.Context, collect.Options) (*collect.Result, error)
	newID     func() string
	scrubber  errorScrubber // error reports' free text; the zero value is package scrub
	policy    policy
	runSpread time.Duration // Run's random delay before a report that is already due
}

// New returns a Client. It touches nothing: every method reads the
// settings afresh, so a change made by another process counts at once.
func New(o Options) *Client {
	c := &Client{getenv: o.Getenv, stateDir: o.StateDir, http: o.HTTPClient, timeout: o.Timeout, databaseURL: o.DatabaseURL,
		stderr: o.Stderr, now: o.Now, collect: collect.Collect, newID: uuid.NewString,
		policy: defaultPolicy, runSpread: 5 * time.Minute}
	if c.getenv == nil {
		c.getenv = os.Getenv
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.stderr == nil {
		c.stderr = os.Stderr
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.http == nil {
		c.http = defaultHTTPClient(c.timeout)
	}
	if c.stateDir == "" {
		c.stateDir, c.stateDirErr = stateDirFromEnv(c.getenv, os.UserHomeDir)
	}
	return c
}

func defaultHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: timeout}).DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConns:          2,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// view is what one command sees: the resolved settings, the stored state
// and the state folder.
type view struct {
	s           *settings
	st          *state
	f           folder
	stateErr    error // state.json unreadable, or no state folder at all
	settingsErr error // any other *ConfigError
}

// err is the first problem of the view.
func (v *view) err() error {
	if v.stateErr != nil {
		return v.stateErr
	}
	return v.settingsErr
}

// view reads the settings and the state, writing nothing. With a problem
// the mode is off.
// viewLocked creates the state folder if need be, takes its lock and
// reads the view again under it: another process may have changed the
// mode since the caller's view was read. The caller must call unlock.
func (c *Client) viewLocked(ctx context.Context, f folder) (v *view, unlock func(), err error) {
	if unlock, err = f.hold(ctx); err != nil {
		return nil, nil, err
	}
	return c.view(), unlock, nil
}

func (c *Client) view() *view {
	v := &view{f: folder{c.stateDir}, st: &state{}, stateErr: c.stateDirErr}
	if v.stateErr == nil {
		v.st, v.stateErr = v.f.load()
	}
	v.s, v.settingsErr = resolve(c.getenv, c.stateDir, v.st)
	if v.stateErr != nil && v.settingsErr == nil {
		v.s.mode, v.s.consented = Off, 0
		v.s.reason = "a state file the client cannot read"
	}
	return v
}

func (c *Client) api(s *settings) *api {
	return &api{base: s.endpoint, http: c.http, timeout: c.timeout, policy: c.policy, now: c.now}
}

// logf writes one line to stderr.
func (c *Client) logf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "indexpilot-telemetry: "+format+"\n", args...)
}

// Status is what `status` shows.
type Status struct {
	Mode   Mode
	Reason string // the setting that decided the mode
	Debug  bool   // INDEXPILOT_TELEMETRY_DEBUG: reports are printed, never kept or sent

	Consented int      // the schema version consented to; 0 when off
	Current   int      // the newest schema version this client knows
	HeldBack  []string // fields newer than Consented, never sent until `on` again

	InstallationID string // empty until the first upload registers
	Registered     time.Time
	Endpoint       string
	EndpointSource string
	ConfigFile     string // IndexPilot's config file looked at
	ConfigFound    bool
	StateDir       string

	LastAttempt  *Attempt // the last upload attempt and its result
	Pending      int      // reports waiting in the spool
	PendingBytes int64
	Dropped      int       // reports dropped because the spool was full
	KeptLocally  int       // reports built in local mode
	NextReport   time.Time // when `run` builds the next report
	NotBefore    time.Time // the server asked not to send before then

	CollectUsageStats, CollectPerformanceMetrics, CollectErrorReports, AnonymizeData bool
}

// Status reports the mode, why, and the state. It writes nothing. With a
// setting it cannot use it returns the *ConfigError along with the status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	v := c.view()
	s, st := v.s, v.st
	out := &Status{Mode: s.mode, Reason: s.reason, Debug: s.debug, Consented: s.consented, Current: report.CurrentSchema,
		InstallationID: st.InstallationID, Registered: st.Registered, Endpoint: s.endpoint, EndpointSource: s.endpointSource,
		ConfigFile: s.configPath, ConfigFound: s.configFound, StateDir: c.stateDir, LastAttempt: st.LastAttempt,
		Dropped: st.Dropped, NextReport: st.NextReport, NotBefore: st.NotBefore,
		CollectUsageStats:         s.collects(s.file.CollectUsageStats),
		CollectPerformanceMetrics: s.collects(s.file.CollectPerformanceMetrics),
		CollectErrorReports:       s.collects(s.file.CollectErrorReports),
		AnonymizeData:             s.collects(s.file.AnonymizeData),
	}
	if s.mode != Off && s.consented < report.CurrentSchema {
		out.HeldBack = heldBack(s.consented)
	}
	if es, err := (box{v.f.path(spoolDir)}).list(); err == nil {
		out.Pending = len(es)
		for _, e := range es {
			out.PendingBytes += e.size
		}
	}
	if es, err := (box{v.f.path(localDir)}).list(); err == nil {
		out.KeptLocally = len(es)
	}
	return out, v.err()
}

// ModeChange is what SetMode did.
type ModeChange struct {
	From, To Mode
	// Effective is the mode now in force, which a higher-ranked setting
	// (DO_NOT_TRACK, INDEXPILOT_TELEMETRY_ENABLED) may override.
	Effective Mode
	Reason    string
	// Notice is the first-run notice: set once, the first time telemetry
	// is turned on, for the caller to print.
	Notice string
	// Unsent counts the reports that were waiting to be sent: off deletes
	// them, local keeps them locally, never to be sent.
	Unsent int
}

// SetMode stores a mode. On and local consent to the newest schema
// version; on with newID also drops the installation's identity (and the
// collector's salt), so the next upload registers afresh. Off always
// works; on and local refuse while a setting is broken, leaving the state
// untouched. Turning on (or local) after off starts a new period: the
// first report covers what `preview` showed.
func (c *Client) SetMode(ctx context.Context, m Mode, newID bool) (*ModeChange, error) {
	if _, err := ParseMode(string(m)); err != nil {
		return nil, err
	}
	v := c.view()
	if v.settingsErr != nil && m != Off {
		return nil, v.settingsErr
	}
	if c.stateDirErr != nil {
		return nil, c.stateDirErr
	}
	unlock, err := v.f.hold(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, loadErr := v.f.load()
	if loadErr != nil {
		st = &state{} // a corrupted state file is what this repairs
	}
	ch := &ModeChange{From: st.Mode, To: m}
	if ch.Unsent, err = v.f.apply(st, m, c.now()); err != nil {
		return nil, err
	}
	if newID {
		st.dropIdentity()
		if err := v.f.removeSalt(); err != nil {
			return nil, err
		}
	}
	if m != Off { // from now on preview hashes with the salt the reports use
		if _, err := v.f.salt(true); err != nil {
			return nil, err
		}
	}
	after, _ := resolve(c.getenv, c.stateDir, st)
	ch.Effective, ch.Reason = after.mode, after.reason
	if after.mode == On && !st.NoticeShown {
		ch.Notice, st.NoticeShown = notice(after.endpoint), true
	}
	if err := v.f.save(st); err != nil {
		return nil, err
	}
	return ch, nil
}

// apply sets the mode in st and deals with the reports waiting to be
// sent: off deletes them, local keeps them locally. It returns how many
// there were.
func (f folder) apply(st *state, m Mode, now time.Time) (unsent int, err error) {
	collecting := st.Mode == On || st.Mode == Local
	st.Mode, st.ModeSet = m, now.UTC()
	switch m {
	case Off:
		st.Consented, st.NextReport, st.NotBefore = 0, time.Time{}, time.Time{}
		if err := f.removeUsage(); err != nil {
			return 0, err
		}
		return f.dropSpool()
	case Local:
		unsent, err = f.keepSpoolLocally()
	}
	st.Consented = report.CurrentSchema
	if !collecting { // a new period: the first report covers what preview showed
		st.Cursor, st.NextReport = collect.Cursor{}, time.Time{}
	}
	return unsent, err
}

// dropSpool deletes the reports waiting to be sent.
func (f folder) dropSpool() (int, error) {
	spool := box{f.path(spoolDir)}
	es, err := spool.list()
	for _, e := range es {
		if err := spool.remove(e); err != nil {
			return 0, err
		}
	}
	return len(es), err
}

// keepSpoolLocally moves the reports waiting to be sent to local/, where
// nothing is ever sent from.
func (f folder) keepSpoolLocally() (int, error) {
	spool, local := box{f.path(spoolDir)}, box{f.path(localDir)}
	es, err := spool.list()
	for _, e := range es {
		if err := spool.moveTo(e, local, e.name); err != nil {
			return 0, err
		}
	}
	if err != nil {
		return 0, err
	}
	_, err = local.trim()
	return len(es), err
}
