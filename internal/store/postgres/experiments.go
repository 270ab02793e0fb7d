package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// CreateExperiment stores a new experiment.
func (s *Store) CreateExperiment(ctx context.Context, e store.Experiment) error {
	// query: create-experiment
	_, err := s.pool.Exec(ctx, `INSERT INTO experiments (name, variants, split, metric, higher_is_better,
		min_effect, start_at, end_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Name, e.Variants, e.Split, e.Metric, e.HigherIsBetter, e.MinEffect, e.Start, e.End, e.Created)
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: create experiment: %w", err)
	}
	return nil
}

const experimentColumns = `name, variants, split, metric, higher_is_better, min_effect, start_at, end_at, created_at`

// Experiment returns one experiment.
func (s *Store) Experiment(ctx context.Context, name string) (store.Experiment, error) {
	// query: experiment-by-name
	e, err := scanExperiment(s.pool.QueryRow(ctx, `SELECT `+experimentColumns+` FROM experiments WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, store.ErrNotFound
	}
	return e, err
}

// ListExperiments returns every experiment, by start then name.
func (s *Store) ListExperiments(ctx context.Context) ([]store.Experiment, error) {
	// query: list-experiments
	rows, err := s.pool.Query(ctx, `SELECT `+experimentColumns+` FROM experiments ORDER BY start_at, name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list experiments: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Experiment, error) { return scanExperiment(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list experiments: %w", err)
	}
	return out, nil
}

// EndExperiment ends an experiment at at, unless it ended before.
func (s *Store) EndExperiment(ctx context.Context, name string, at time.Time) error {
	// query: end-experiment
	tag, err := s.pool.Exec(ctx, `UPDATE experiments SET end_at = LEAST(coalesce(end_at, $1), $1) WHERE name = $2`, at, name)
	if err != nil {
		return fmt.Errorf("postgres: end experiment: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanExperiment(row pgx.Row) (store.Experiment, error) {
	var e store.Experiment
	err := row.Scan(&e.Name, &e.Variants, &e.Split, &e.Metric, &e.HigherIsBetter, &e.MinEffect, &e.Start, &e.End, &e.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, err
	}
	if err != nil {
		return e, fmt.Errorf("postgres: scan experiment: %w", err)
	}
	e.Start, e.Created = e.Start.UTC(), e.Created.UTC()
	if e.End != nil {
		end := e.End.UTC()
		e.End = &end
	}
	return e, nil
}

// ExperimentUnitDays sums an experiment's reports per installation and day.
// The metrics are packed (package pack), so each report of the days is
// unpacked here and judged by store.MetricValue.
func (s *Store) ExperimentUnitDays(ctx context.Context, q store.ExperimentQuery) ([]store.UnitDay, error) {
	if !slices.Contains(store.ExperimentMetrics, q.Metric) {
		return nil, fmt.Errorf("postgres: experiment %s: unknown metric %q", q.Name, q.Metric)
	}
	// One row per report, in day order; the caller adds them up.
	// query: experiment-unit-days
	rows, err := s.pool.Query(ctx, `SELECT installation_num, day, metrics
		FROM reports WHERE day BETWEEN $1 AND $2 ORDER BY day`, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("postgres: experiment %s reports: %w", q.Name, err)
	}
	defer rows.Close()
	var out []store.UnitDay
	var packed, doc []byte
	for rows.Next() {
		u := store.UnitDay{Reports: 1}
		if err := rows.Scan(&u.Installation, &u.Day, &packed); err != nil {
			return nil, fmt.Errorf("postgres: experiment %s reports: %w", q.Name, err)
		}
		if doc, err = pack.Decode(doc[:0], packed); err != nil {
			return nil, fmt.Errorf("postgres: experiment %s reports: %w", q.Name, err)
		}
		var m report.Metrics
		if err := json.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("postgres: experiment %s reports: metrics: %w", q.Name, err)
		}
		variant, ok := m.Experiments[q.Name]
		if !ok {
			continue
		}
		u.Variant = variant
		if v, ok := store.MetricValue(&m, q.Metric); ok {
			u.Sum, u.N = v, 1
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: experiment %s reports: %w", q.Name, err)
	}
	return out, nil
}
