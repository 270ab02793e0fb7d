package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment/assign"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Fleet experiments (docs/client.md, "Experiments"): the client keeps the
// list of running experiments and a random experiment id in
// experiments.json, and assigns the installation to a variant of each
// from them. The list is fetched only while telemetry is on (no key, no
// installation id: GET /api/v1/experiments/active), at most once a day,
// by send after an upload the service accepted and by Experiments;
// off and local never open a connection for it and never write it, and
// go on using the list fetched last, so an installation runs the same
// variants whether or not it shares data. One that has never been on has
// no list and runs every experiment's default.
const (
	experimentsFile      = "experiments.json"
	routeActive          = "/api/v1/experiments/active"
	experimentsRefresh   = 24 * time.Hour
	maxExperimentsBytes  = 64 << 10
	maxListedExperiments = 64 // entries beyond are ignored
)

// What the client accepts from the list: the registry's own rules.
var (
	experimentName    = regexp.MustCompile(`^[a-z0-9_]{1,48}$`)
	experimentVariant = regexp.MustCompile(`^[a-z0-9_]{1,16}$`)
)

// ActiveExperiment is one running experiment as the service lists it.
type ActiveExperiment struct {
	Name     string    `json:"name"`
	Variants []string  `json:"variants"`
	Split    []float64 `json:"split"`
}

// Assignment is this installation's variant of one experiment.
type Assignment struct {
	Name     string   `json:"name"`
	Variant  string   `json:"variant"`
	Variants []string `json:"variants"`
}

// experimentState is experiments.json.
type experimentState struct {
	ID          string             `json:"experiment_id"` // random; never sent
	Fetched     time.Time          `json:"fetched_at"`
	Experiments []ActiveExperiment `json:"experiments"`
}

// loadExperiments reads experiments.json; none, or one that cannot be
// read, is an empty state: no experiments, the defaults everywhere.
func (f folder) loadExperiments() *experimentState {
	st := &experimentState{}
	data, err := os.ReadFile(f.path(experimentsFile))
	if err != nil || json.Unmarshal(data, st) != nil || st.ID == "" {
		return &experimentState{}
	}
	return st
}

// assignments returns the installation's variant of each listed
// experiment, in the service's order.
func (st *experimentState) assignments() []Assignment {
	out := []Assignment{}
	for _, e := range st.Experiments {
		out = append(out, Assignment{Name: e.Name, Variants: e.Variants,
			Variant: assign.Variant(st.ID, e.Name, e.Variants, e.Split)})
	}
	return out
}

// experimentsReported returns the assignments a report carries
// (metrics.experiments): the first report.MaxExperiments of the list.
func (c *Client) experimentsReported() map[string]string {
	if c.stateDirErr != nil {
		return nil
	}
	var m map[string]string
	for i, a := range (folder{c.stateDir}).loadExperiments().assignments() {
		if i == report.MaxExperiments {
			break
		}
		if m == nil {
			m = map[string]string{}
		}
		m[a.Name] = a.Variant
	}
	return m
}

// Experiments returns this installation's variant of each running
// experiment. With telemetry on it first refreshes the list when it is
// over a day old (one request, the usual deadline); offline, or in any
// other mode, it uses the list fetched last. The error, when there is
// one, says why the list could not be refreshed; the assignments are
// valid all the same.
func (c *Client) Experiments(ctx context.Context) ([]Assignment, error) {
	v := c.view()
	var err error
	if v.err() == nil && v.s.mode == On && !v.s.debug {
		err = c.refreshExperiments(ctx, v, false)
	}
	return v.f.loadExperiments().assignments(), err
}

// ExperimentVariant returns this installation's variant of the experiment
// called name, and false when the installation is in no such experiment
// (the host then runs its default). It reads the local list only: no
// network, no waiting, whatever the mode.
func (c *Client) ExperimentVariant(name string) (string, bool) {
	if c.stateDirErr != nil {
		return "", false
	}
	for _, a := range (folder{c.stateDir}).loadExperiments().assignments() {
		if a.Name == name {
			return a.Variant, true
		}
	}
	return "", false
}

// refreshExperiments fetches the active list when the stored one is older
// than a day and stores it, creating the experiment id the first time.
// Only called with telemetry on; the caller may hold the state folder's
// lock (held), else it is taken here.
func (c *Client) refreshExperiments(ctx context.Context, v *view, held bool) error {
	f := v.f
	st := f.loadExperiments()
	if age := c.now().Sub(st.Fetched); age >= 0 && age < experimentsRefresh {
		return nil
	}
	list, err := c.fetchExperiments(ctx, v.s)
	if err != nil {
		return err
	}
	if !held {
		unlock, err := f.hold(ctx)
		if err != nil {
			return err
		}
		defer unlock()
		st = f.loadExperiments() // another process may have fetched meanwhile
	}
	if st.ID == "" {
		st.ID = assign.NewID()
	}
	st.Fetched, st.Experiments = c.now().UTC(), list
	return f.writeJSON(experimentsFile, st)
}

// fetchExperiments asks the service for the running experiments, once:
// a host waiting for its variants should not wait for retries. A service
// without the route (404) has none. Entries that break the registry's
// rules are left out.
func (c *Client) fetchExperiments(ctx context.Context, s *settings) ([]ActiveExperiment, error) {
	a := c.api(s)
	a.policy.attempts = 1
	ans, err := a.do(ctx, http.MethodGet, routeActive, "", nil, maxExperimentsBytes)
	switch {
	case err != nil:
		return nil, fmt.Errorf("client: fetching the running experiments: %w", err)
	case ans.status == http.StatusNotFound:
		return []ActiveExperiment{}, nil
	case ans.status != http.StatusOK:
		return nil, fmt.Errorf("client: fetching the running experiments: %w", ans.err())
	}
	var body struct {
		Experiments []ActiveExperiment `json:"experiments"`
	}
	if err := json.Unmarshal(ans.body, &body); err != nil {
		return nil, errors.New("client: the list of running experiments is not the service's JSON")
	}
	out := []ActiveExperiment{}
	for _, e := range body.Experiments {
		if len(out) < maxListedExperiments && e.valid() {
			out = append(out, e)
		}
	}
	return out, nil
}

func (e ActiveExperiment) valid() bool {
	if !experimentName.MatchString(e.Name) || len(e.Variants) < 2 || len(e.Variants) > 8 || len(e.Split) != len(e.Variants) {
		return false
	}
	for i, v := range e.Variants {
		if !experimentVariant.MatchString(v) || !(e.Split[i] > 0) {
			return false
		}
	}
	return true
}
