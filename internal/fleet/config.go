package fleet

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// DefaultConcurrency is the number of workers when Config.Concurrency is
// not positive.
const DefaultConcurrency = 8

// MaxDays is the longest simulated period: the server refuses reports older
// than its raw-data retention, report.DefaultRetention.
const MaxDays = int(report.DefaultRetention / (24 * time.Hour))

// Config describes one simulated fleet and where it reports to. The same
// Seed, Installations, Days and Now always give the same reports.
type Config struct {
	// Target is the base URL of indexpilot-analytics, such as
	// "http://127.0.0.1:8080". Generate does not use it.
	Target string
	// Key is a fleet key, which may send for any installation id. When it is
	// empty each installation registers with POST /api/v1/installations
	// before its first report, like a real client, and sends with its own
	// key under the installation id the server assigned. The server limits
	// registrations per client address, so large fleets need a fleet key.
	Key string
	// Installations is how many installations the fleet has over the whole
	// period, including those that join late or stop reporting.
	Installations int
	// Days is the simulated period, ending at Now: 1 to MaxDays.
	Days int
	// Seed selects the fleet; everything random is derived from it.
	Seed uint64
	// Concurrency is the number of workers sending reports, each reusing
	// keep-alive connections; DefaultConcurrency when not positive.
	Concurrency int
	// RetryRate is the share of reports a client sends twice with the same
	// report_id, as it would after losing the first response (0.03 is
	// realistic). The server must count each of them once.
	RetryRate float64
	// Now ends the simulated period; time.Now() when zero.
	Now time.Time
	// Progress receives a progress bar counting reports; nil for none.
	Progress io.Writer
	// Structure plants what the Insights page should find (a weak
	// algorithm, one that does not help, a feature with value, a popular
	// combination, growing adoption; see structure.go). The demo sets it.
	Structure bool
	// HTTPClient sends the requests. When nil, Run uses a client with a
	// timeout whose transport keeps one idle connection per worker.
	HTTPClient *http.Client
	// SecretErrors is how many error reports salted with planted secrets
	// Run sends after the reports (secrets.go); 0 for none.
	SecretErrors int
	// Scenario plants releases, error spikes and a weekly rhythm; the
	// zero value plants nothing (scenario.go).
	Scenario Scenario
	// Experiments are fleet experiments the installations take part in
	// from their start (experiments.go); none when nil.
	Experiments []Experiment
}

// Summary is what a run did. A report sent twice on purpose counts twice
// in Sent and, when the server recognised it, once in Duplicates.
type Summary struct {
	// Sent counts deliveries: planned reports plus their deliberate re-sends.
	Sent int
	// Acknowledged counts deliveries answered 200, duplicates included.
	Acknowledged int
	// Duplicates counts deliveries the server answered "duplicate": true.
	Duplicates int
	// Retried counts extra HTTP attempts after a 429, a 503, another 5xx or
	// a network error, registration included.
	Retried int
	// Rejected counts deliveries the server refused with a 4xx, such as
	// 400 invalid_report: each one is a bug, and Run returns an error.
	Rejected int
	// Failed counts deliveries abandoned after the retry budget, or whose
	// installation could not register; Run returns an error for them too.
	Failed int
	// Installations counts the installations with at least one report
	// acknowledged.
	Installations int
	// Elapsed is the wall-clock duration of the run.
	Elapsed time.Duration
	// ErrorReports counts the salted error reports acknowledged.
	ErrorReports int
}

// withDefaults returns c with its zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	c.Now = c.Now.UTC()
	c.Target = strings.TrimRight(c.Target, "/")
	return c
}

// validate checks what Run needs; c has its defaults.
func (c Config) validate() error {
	switch {
	case c.Installations < 1:
		return errors.New("fleet: installations must be at least 1")
	case c.Days < 1 || c.Days > MaxDays:
		return fmt.Errorf("fleet: days must be between 1 and %d", MaxDays)
	case c.RetryRate < 0 || c.RetryRate > 1:
		return errors.New("fleet: retry rate must be between 0 and 1")
	case c.SecretErrors < 0:
		return errors.New("fleet: secret errors must be at least 0")
	}
	if err := c.Scenario.validate(); err != nil {
		return err
	}
	u, err := url.Parse(c.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("fleet: target %q must be an http or https URL", c.Target)
	}
	return nil
}
