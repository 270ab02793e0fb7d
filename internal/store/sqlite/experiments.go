package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// CreateExperiment stores a new experiment.
func (s *Store) CreateExperiment(ctx context.Context, e store.Experiment) error {
	variants, err1 := json.Marshal(e.Variants)
	split, err2 := json.Marshal(e.Split)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("sqlite: create experiment: %w", err)
	}
	// query: create-experiment
	_, err := s.db.ExecContext(ctx, `INSERT INTO experiments (name, variants, split, metric, higher_is_better,
		min_effect, start_at, end_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Name, string(variants), string(split), e.Metric, e.HigherIsBetter, e.MinEffect,
		formatTime(e.Start), optionalTime(e.End), formatTime(e.Created))
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create experiment: %w", err)
	}
	return nil
}

const experimentColumns = `name, variants, split, metric, higher_is_better, min_effect, start_at, end_at, created_at`

// Experiment returns one experiment.
func (s *Store) Experiment(ctx context.Context, name string) (store.Experiment, error) {
	// query: experiment-by-name
	e, err := scanExperiment(s.rdb.QueryRowContext(ctx, `SELECT `+experimentColumns+` FROM experiments WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return e, store.ErrNotFound
	}
	return e, err
}

// ListExperiments returns every experiment, by start then name.
func (s *Store) ListExperiments(ctx context.Context) ([]store.Experiment, error) {
	// query: list-experiments
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+experimentColumns+` FROM experiments ORDER BY start_at, name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list experiments: %w", err)
	}
	return scanList(rows, "list experiments", scanExperiment)
}

// EndExperiment ends an experiment at at, unless it ended before.
func (s *Store) EndExperiment(ctx context.Context, name string, at time.Time) error {
	// query: end-experiment
	res, err := s.db.ExecContext(ctx, `UPDATE experiments SET end_at = CASE
		WHEN end_at IS NULL OR end_at > ?1 THEN ?1 ELSE end_at END WHERE name = ?2`, formatTime(at), name)
	if err != nil {
		return fmt.Errorf("sqlite: end experiment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: end experiment: %w", err)
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanExperiment(row store.Scanner) (store.Experiment, error) {
	var e store.Experiment
	var variants, split, start, created string
	var end sql.NullString
	if err := row.Scan(&e.Name, &variants, &split, &e.Metric, &e.HigherIsBetter, &e.MinEffect,
		&start, &end, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, err
		}
		return e, fmt.Errorf("sqlite: scan experiment: %w", err)
	}
	err := errors.Join(json.Unmarshal([]byte(variants), &e.Variants), json.Unmarshal([]byte(split), &e.Split))
	var err1, err2, err3 error
	e.Start, err1 = parseTime(start)
	e.Created, err2 = parseTime(created)
	if end.Valid {
		t, err := parseTime(end.String)
		e.End, err3 = &t, err
	}
	if err := errors.Join(err, err1, err2, err3); err != nil {
		return e, fmt.Errorf("sqlite: experiment %s: %w", e.Name, err)
	}
	return e, nil
}

func optionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// metricSQL is how each experiment metric is read from a stored report's
// metrics JSON (the definitions are in store.ExperimentMetrics).
var metricSQL = map[string]string{
	store.MetricPerformance:    `metrics ->> '$.performance_improvement_pct'`,
	store.MetricLatencyP95:     `metrics ->> '$.query_latency_ms.p95'`,
	store.MetricIndexesCreated: `coalesce(metrics ->> '$.indexes_created', 0)`,
	store.MetricErrorRate: `CASE WHEN EXISTS (SELECT 1 FROM json_each(metrics, '$.errors') WHERE value > 0)
		THEN 100.0 ELSE 0.0 END`,
}

// ExperimentUnitDays sums an experiment's reports per installation and day.
func (s *Store) ExperimentUnitDays(ctx context.Context, q store.ExperimentQuery) ([]store.UnitDay, error) {
	value, ok := metricSQL[q.Metric]
	if !ok {
		return nil, fmt.Errorf("sqlite: experiment %s: unknown metric %q", q.Name, q.Metric)
	}
	// One row per report, in day order (the day index's): grouping or
	// sorting them here would carry each report through a temporary
	// B-tree; the caller adds them up.
	// query: experiment-unit-days
	rows, err := s.rdb.QueryContext(ctx, `SELECT installation_num, day, variant, value
		FROM (SELECT installation_num, day, metrics ->> ? AS variant, `+value+` AS value
		      FROM reports WHERE day BETWEEN ? AND ?)
		WHERE variant IS NOT NULL ORDER BY day`, `$.experiments.`+q.Name, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("sqlite: experiment %s reports: %w", q.Name, err)
	}
	defer rows.Close()
	var out []store.UnitDay
	for rows.Next() {
		u := store.UnitDay{Reports: 1}
		var value sql.NullFloat64
		if err := rows.Scan(&u.Installation, &u.Day, &u.Variant, &value); err != nil {
			return nil, fmt.Errorf("sqlite: experiment %s reports: %w", q.Name, err)
		}
		if value.Valid {
			u.Sum, u.N = value.Float64, 1
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: experiment %s reports: %w", q.Name, err)
	}
	return out, nil
}
