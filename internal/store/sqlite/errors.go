package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (t txn) InsertErrorReport(ctx context.Context, r store.RawError) (bool, error) {
	// query: insert-error-report
	res, err := t.tx.ExecContext(ctx, `INSERT INTO error_reports (report_key, installation_num, fingerprint, day, ts,
			received_at, version, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (installation_num, report_key, day) DO NOTHING`,
		r.Key, r.Num, r.Fingerprint, r.Day, formatTime(r.Time), formatTime(r.Received), r.Version, string(r.Report))
	if err != nil {
		return false, fmt.Errorf("sqlite: insert error report: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: insert error report: %w", err)
	}
	return n == 1, nil
}

const groupColumns = `fingerprint, error_type, sqlstate, message, culprit, first_seen, last_seen, reports, installs`

// LoadErrorGroup reads the group's row. SQLite's write lock, taken at
// BEGIN, serialises the read-modify-write of the group and counter rows.
func (t txn) LoadErrorGroup(ctx context.Context, seed *store.ErrorGroup) (*store.ErrorGroup, error) {
	// query: load-error-group
	g, err := scanGroup(t.tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM error_groups WHERE fingerprint = ?`,
		seed.Fingerprint))
	return orSeed(g, err, seed) // SaveErrorGroup inserts a seed
}

func (t txn) SaveErrorGroup(ctx context.Context, g *store.ErrorGroup) error {
	b, err := store.EncodeBitmap(g.Installs)
	if err != nil {
		return err
	}
	// query: save-error-group
	_, err = t.tx.ExecContext(ctx, `INSERT INTO error_groups (`+groupColumns+`, installs_n)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			reports = excluded.reports, installs = excluded.installs, installs_n = excluded.installs_n`,
		g.Fingerprint, g.ErrorType, g.SQLState, g.Message, g.Culprit, formatTime(g.FirstSeen), formatTime(g.LastSeen),
		g.Reports, b, g.Installs.GetCardinality())
	if err != nil {
		return fmt.Errorf("sqlite: save error group: %w", err)
	}
	return nil
}

func (t txn) LoadErrorDay(ctx context.Context, seed *store.ErrorDay) (*store.ErrorDay, error) {
	// query: load-error-day
	d, err := scanDay(t.tx.QueryRowContext(ctx, `SELECT day, fingerprint, version, reports, installs FROM error_daily
		WHERE day = ? AND fingerprint = ? AND version = ?`, seed.Day, seed.Fingerprint, seed.Version))
	return orSeed(d, err, seed) // SaveErrorDay inserts a seed
}

// orSeed is what a load of a counter row returns: the row read, or seed
// when there is none yet.
func orSeed[T any](v T, err error, seed T) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return seed, nil
	}
	return v, err
}

func (t txn) SaveErrorDay(ctx context.Context, d *store.ErrorDay) error {
	b, err := store.EncodeBitmap(d.Installs)
	if err != nil {
		return err
	}
	// query: save-error-day
	_, err = t.tx.ExecContext(ctx, `INSERT OR REPLACE INTO error_daily (day, fingerprint, version, reports, installs_n, installs)
		VALUES (?, ?, ?, ?, ?, ?)`, d.Day, d.Fingerprint, d.Version, d.Reports, d.Installs.GetCardinality(), b)
	if err != nil {
		return fmt.Errorf("sqlite: save error day: %w", err)
	}
	return nil
}

// ErrorWindow returns the daily error counters q selects and, when asked,
// their groups, in one read snapshot.
func (s *Store) ErrorWindow(ctx context.Context, q store.ErrorQuery) (*store.ErrorWindow, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: read errors: %w", err)
	}
	defer tx.Rollback()
	// query: read-error-days
	rows, err := tx.QueryContext(ctx, `SELECT day, fingerprint, version, reports, installs FROM error_daily
		WHERE day BETWEEN ? AND ? ORDER BY day, fingerprint, version`, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read error days: %w", err)
	}
	w := &store.ErrorWindow{}
	if w.Days, err = scanList(rows, "read error days", scanDay); err != nil || !q.Groups {
		return w, err
	}
	// query: read-error-groups
	rows, err = tx.QueryContext(ctx, `SELECT `+groupColumns+` FROM error_groups WHERE fingerprint IN
		(SELECT fingerprint FROM error_daily WHERE day BETWEEN ? AND ?)`, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read error groups: %w", err)
	}
	groups, err := scanList(rows, "read error groups", scanGroup)
	w.Groups = store.GroupsByFingerprint(groups)
	return w, err
}

// RetainErrors deletes expired raw error reports, daily counters and
// groups.
func (s *Store) RetainErrors(ctx context.Context, rawBefore, countersBefore rollup.Day) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		// query: retain-error-reports
		if n, err = execCount(ctx, tx, "retain error reports", `DELETE FROM error_reports WHERE day < ?`, rawBefore); err != nil {
			return err
		}
		// query: retain-error-days
		if _, err := tx.ExecContext(ctx, `DELETE FROM error_daily WHERE day < ?`, countersBefore); err != nil {
			return fmt.Errorf("sqlite: retain error days: %w", err)
		}
		// query: retain-error-groups
		if _, err := tx.ExecContext(ctx, `DELETE FROM error_groups WHERE last_seen < ?`,
			formatTime(countersBefore.Time())); err != nil {
			return fmt.Errorf("sqlite: retain error groups: %w", err)
		}
		return nil
	})
	return n, err
}

func scanGroup(row store.Scanner) (*store.ErrorGroup, error) {
	g := &store.ErrorGroup{}
	var first, last string
	var b []byte
	err := row.Scan(&g.Fingerprint, &g.ErrorType, &g.SQLState, &g.Message, &g.Culprit, &first, &last, &g.Reports, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan error group: %w", err)
	}
	var err1, err2, err3 error
	g.FirstSeen, err1 = parseTime(first)
	g.LastSeen, err2 = parseTime(last)
	g.Installs, err3 = store.DecodeBitmap(b)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("sqlite: error group %s: %w", g.Fingerprint, err)
	}
	return g, nil
}

func scanDay(row store.Scanner) (*store.ErrorDay, error) {
	d := &store.ErrorDay{}
	var b []byte
	err := row.Scan(&d.Day, &d.Fingerprint, &d.Version, &d.Reports, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan error day: %w", err)
	}
	if d.Installs, err = store.DecodeBitmap(b); err != nil {
		return nil, fmt.Errorf("sqlite: error day %v %s: %w", d.Day, d.Fingerprint, err)
	}
	return d, nil
}

// execCount runs a statement, named what in its error, and returns how
// many rows it changed.
func execCount(ctx context.Context, tx *sql.Tx, what, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return n, nil
}

// scanList is store.ScanList on rows, which it closes.
func scanList[T any](rows *sql.Rows, what string, scan func(store.Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	return store.ScanList(rows, "sqlite: "+what, scan)
}
