package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// experimentView is an experiment as the API shows it.
type experimentView struct {
	Name           string     `json:"name"`
	Variants       []string   `json:"variants"`
	Split          []float64  `json:"split"`
	Metric         string     `json:"metric"`
	HigherIsBetter bool       `json:"higher_is_better"`
	MinEffect      float64    `json:"min_effect"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end"`
	Created        time.Time  `json:"created"`
	Running        bool       `json:"running"`
}

func viewOf(e store.Experiment, now time.Time) experimentView {
	return experimentView{Name: e.Name, Variants: e.Variants, Split: e.Split, Metric: e.Metric,
		HigherIsBetter: e.HigherIsBetter, MinEffect: e.MinEffect, Start: e.Start, End: e.End, Created: e.Created,
		Running: e.Running(now)}
}

// createExperiment registers an experiment: POST /api/v1/experiments
// (admin) with an experiment.Spec; 201 with it, 400 naming the field and
// rule, 409 when the name is taken.
func (s *Server) createExperiment(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, 4096)
	if err != nil {
		return err
	}
	var spec experiment.Spec
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return errorf(http.StatusBadRequest, "invalid_body", "the body must be a JSON object of an experiment's fields: "+err.Error())
	}
	e, err := s.exp.Create(r.Context(), spec)
	var se *experiment.SpecError
	switch {
	case errors.As(err, &se):
		ae := errorf(http.StatusBadRequest, "invalid_experiment", se.Field+": "+se.Rule)
		ae.Field, ae.Rule = se.Field, se.Rule
		return ae
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, "conflict", "an experiment called "+spec.Name+" exists; names are never reused")
	case err != nil:
		return unavailable(err)
	}
	s.experiments.drop()
	writeJSON(w, http.StatusCreated, viewOf(e, s.now()))
	return nil
}

// stopExperiment ends an experiment now: POST /api/v1/experiments/{name}/stop (admin).
func (s *Server) stopExperiment(w http.ResponseWriter, r *http.Request) error {
	e, err := s.exp.Stop(r.Context(), r.PathValue("name"))
	if err != nil {
		return experimentErr(err)
	}
	s.experiments.drop()
	writeJSON(w, http.StatusOK, viewOf(e, s.now()))
	return nil
}

// activeExperiments lists the running experiments for clients to assign
// themselves: GET /api/v1/experiments/active, public. The names are
// IndexPilot's own, never a user's.
func (s *Server) activeExperiments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.experiments.get(r.Context(), s.now())
	if err != nil {
		return unavailable(err)
	}
	type active struct {
		Name     string    `json:"name"`
		Variants []string  `json:"variants"`
		Split    []float64 `json:"split"`
	}
	out := struct {
		Experiments []active `json:"experiments"`
	}{Experiments: []active{}}
	now := s.now()
	for _, e := range list {
		if e.Running(now) {
			out.Experiments = append(out.Experiments, active{Name: e.Name, Variants: e.Variants, Split: e.Split})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// experimentAnalysis is one experiment's analysis: GET /api/v1/experiments/{name} (admin).
func (s *Server) experimentAnalysis(w http.ResponseWriter, r *http.Request) error {
	a, err := s.exp.Analyze(r.Context(), r.PathValue("name"))
	if err != nil {
		return experimentErr(err)
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// experimentList is every experiment's analysis, the registry's order:
// GET /api/v1/experiments (admin); the Experiments view draws it.
func (s *Server) experimentList(w http.ResponseWriter, r *http.Request) error {
	all, err := s.exp.All(r.Context())
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, struct {
		Experiments []*experiment.Analysis `json:"experiments"`
	}{all})
	return nil
}

func experimentErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "not_found", "no experiment of that name")
	}
	return unavailable(err)
}

// experimentCache keeps the registry for a short time: the public list
// and ingest read it on every request. Changes made through this process
// drop it at once; those of another process show within the TTL.
type experimentCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	list    []store.Experiment
	expires time.Time
	load    func(context.Context) ([]store.Experiment, error)
}

func (c *experimentCache) get(ctx context.Context, now time.Time) ([]store.Experiment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Before(c.expires) {
		return c.list, nil
	}
	list, err := c.load(ctx)
	if err != nil {
		return nil, err
	}
	c.list, c.expires = list, now.Add(c.ttl)
	return list, nil
}

func (c *experimentCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expires = time.Time{}
}
