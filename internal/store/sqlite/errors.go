package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// IngestError stores one error report, its group and its daily counter in
// one transaction. SQLite's write lock, taken at BEGIN, serialises the
// read-modify-write of the group and counter rows.
func (s *Store) IngestError(ctx context.Context, it store.ErrorItem) (bool, error) {
	var inserted bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		inserted, err = store.IngestErrorTx(ctx, txn{tx}, it, s.now())
		return err
	})
	return inserted, err
}

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

func (t txn) LoadErrorGroup(ctx context.Context, seed *store.ErrorGroup) (*store.ErrorGroup, error) {
	// query: load-error-group
	g, err := scanGroup(t.tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM error_groups WHERE fingerprint = ?`,
		seed.Fingerprint))
	if errors.Is(err, sql.ErrNoRows) {
		return seed, nil // SaveErrorGroup inserts it
	}
	return g, err
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
	if errors.Is(err, sql.ErrNoRows) {
		return seed, nil // SaveErrorDay inserts it
	}
	return d, err
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
	if err := scanAll(rows, func(r store.Scanner) error {
		d, err := scanDay(r)
		w.Days = append(w.Days, d)
		return err
	}); err != nil {
		return nil, err
	}
	if !q.Groups {
		return w, nil
	}
	// query: read-error-groups
	rows, err = tx.QueryContext(ctx, `SELECT `+groupColumns+` FROM error_groups WHERE fingerprint IN
		(SELECT fingerprint FROM error_daily WHERE day BETWEEN ? AND ?)`, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read error groups: %w", err)
	}
	w.Groups = map[string]*store.ErrorGroup{}
	err = scanAll(rows, func(r store.Scanner) error {
		g, err := scanGroup(r)
		if err == nil {
			w.Groups[g.Fingerprint] = g
		}
		return err
	})
	return w, err
}

// ErrorReports returns the raw error reports of an installation.
func (s *Store) ErrorReports(ctx context.Context, installationID string) ([]store.StoredError, error) {
	// query: error-reports-of-installation
	rows, err := s.rdb.QueryContext(ctx, `SELECT e.report_key, e.fingerprint, e.received_at, e.report
		FROM error_reports e JOIN installations i ON i.num = e.installation_num
		WHERE i.installation_id = ? ORDER BY e.ts, e.report_key`, installationID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: error reports of installation: %w", err)
	}
	var out []store.StoredError
	err = scanAll(rows, func(r store.Scanner) error {
		var key, fp, received, body string
		if err := r.Scan(&key, &fp, &received, &body); err != nil {
			return fmt.Errorf("sqlite: scan error report: %w", err)
		}
		t, err := parseTime(received)
		if err != nil {
			return fmt.Errorf("sqlite: error report %s time: %w", key, err)
		}
		se, err := store.DecodeStoredError(key, fp, t, []byte(body))
		out = append(out, se)
		return err
	})
	return out, err
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

// scanAll is store.ScanEach on rows, which it closes.
func scanAll(rows *sql.Rows, fn func(store.Scanner) error) error {
	defer rows.Close()
	return store.ScanEach(rows, "sqlite: read rows", fn)
}
