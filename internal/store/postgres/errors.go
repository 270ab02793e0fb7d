package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (t txn) InsertErrorReport(ctx context.Context, r store.RawError) (bool, error) {
	// query: insert-error-report
	tag, err := t.tx.Exec(ctx, `INSERT INTO error_reports (report_key, installation_num, fingerprint, day, ts,
			received_at, version, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT `+reportConflict+` DO NOTHING`,
		r.Key, int32(r.Num), r.Fingerprint, int32(r.Day), r.Time, r.Received, r.Version, r.Report)
	if err != nil {
		return false, fmt.Errorf("postgres: insert error report: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

const groupColumns = `fingerprint, error_type, sqlstate, message, culprit, first_seen, last_seen, reports, installs`

// LoadErrorGroup claims and locks the group's row. Error reports are
// rare, so each is its own transaction (store.Writes) and the group and
// counter rows are simply locked (claimed first, as the rollup rows are,
// so that two first reports of a group cannot both insert it).
func (t txn) LoadErrorGroup(ctx context.Context, seed *store.ErrorGroup) (*store.ErrorGroup, error) {
	// query: claim-error-group
	return claim(ctx, t, `INSERT INTO error_groups (`+groupColumns+`, installs_n) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0)
		ON CONFLICT (fingerprint) DO NOTHING`, []any{seed.Fingerprint, seed.ErrorType, seed.SQLState, seed.Message,
		seed.Culprit, seed.FirstSeen, seed.LastSeen},
		// query: load-error-group
		`SELECT `+groupColumns+` FROM error_groups WHERE fingerprint = $1 FOR UPDATE`, []any{seed.Fingerprint}, scanGroup)
}

func (t txn) SaveErrorGroup(ctx context.Context, g *store.ErrorGroup) error {
	b, err := store.EncodeBitmap(g.Installs)
	if err != nil {
		return err
	}
	// query: save-error-group
	_, err = t.tx.Exec(ctx, `UPDATE error_groups SET first_seen = $2, last_seen = $3, reports = $4, installs_n = $5,
		installs = $6 WHERE fingerprint = $1`,
		g.Fingerprint, g.FirstSeen, g.LastSeen, g.Reports, int64(g.Installs.GetCardinality()), b)
	if err != nil {
		return fmt.Errorf("postgres: save error group: %w", err)
	}
	return nil
}

func (t txn) LoadErrorDay(ctx context.Context, seed *store.ErrorDay) (*store.ErrorDay, error) {
	key := []any{int32(seed.Day), seed.Fingerprint, seed.Version}
	// query: claim-error-day
	return claim(ctx, t, `INSERT INTO error_daily (day, fingerprint, version, reports, installs_n, installs)
		VALUES ($1, $2, $3, 0, 0, $4) ON CONFLICT (day, fingerprint, version) DO NOTHING`, key,
		// query: load-error-day
		`SELECT day, fingerprint, version, reports, installs FROM error_daily
		WHERE day = $1 AND fingerprint = $2 AND version = $3 FOR UPDATE`, key, scanDay)
}

func (t txn) SaveErrorDay(ctx context.Context, d *store.ErrorDay) error {
	b, err := store.EncodeBitmap(d.Installs)
	if err != nil {
		return err
	}
	// query: save-error-day
	_, err = t.tx.Exec(ctx, `UPDATE error_daily SET reports = $4, installs_n = $5, installs = $6
		WHERE day = $1 AND fingerprint = $2 AND version = $3`,
		int32(d.Day), d.Fingerprint, d.Version, d.Reports, int64(d.Installs.GetCardinality()), b)
	if err != nil {
		return fmt.Errorf("postgres: save error day: %w", err)
	}
	return nil
}

// claim sends, in one batch, a claiming INSERT of a counter row (its
// args, then an empty bitmap) and a locking SELECT of it, and scans the
// row.
func claim[T any](ctx context.Context, t txn, insert string, args []any, load string, key []any,
	scan func(store.Scanner) (T, error)) (T, error) {
	var v T
	empty, err := store.EncodeBitmap(roaring.New())
	if err != nil {
		return v, err
	}
	b := &pgx.Batch{}
	b.Queue(insert, append(slices.Clip(args), empty)...)
	b.Queue(load, key...)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return v, fmt.Errorf("postgres: claim error counter: %w", err)
	}
	if v, err = scan(br.QueryRow()); err != nil {
		return v, err
	}
	if err := br.Close(); err != nil {
		return v, fmt.Errorf("postgres: claim error counter: %w", err)
	}
	return v, nil
}

// ErrorWindow returns the daily error counters q selects and, when asked,
// their groups, in one REPEATABLE READ snapshot.
func (s *Store) ErrorWindow(ctx context.Context, q store.ErrorQuery) (*store.ErrorWindow, error) {
	var w *store.ErrorWindow
	err := s.inTxOpts(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		w = &store.ErrorWindow{}
		// query: read-error-days
		rows, err := tx.Query(ctx, `SELECT day, fingerprint, version, reports, installs FROM error_daily
			WHERE day BETWEEN $1 AND $2 ORDER BY day, fingerprint, version`, int32(q.From), int32(q.To))
		if err != nil {
			return fmt.Errorf("postgres: read error days: %w", err)
		}
		if w.Days, err = scanList(rows, "read error days", scanDay); err != nil || !q.Groups {
			return err
		}
		// query: read-error-groups
		rows, err = tx.Query(ctx, `SELECT `+groupColumns+` FROM error_groups WHERE fingerprint IN
			(SELECT fingerprint FROM error_daily WHERE day BETWEEN $1 AND $2)`, int32(q.From), int32(q.To))
		if err != nil {
			return fmt.Errorf("postgres: read error groups: %w", err)
		}
		groups, err := scanList(rows, "read error groups", scanGroup)
		w.Groups = store.GroupsByFingerprint(groups)
		return err
	})
	return w, err
}

// RetainErrors deletes expired raw error reports, daily counters and
// groups.
func (s *Store) RetainErrors(ctx context.Context, rawBefore, countersBefore rollup.Day) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if n, err = dropPartitions(ctx, tx, "error_reports", rawBefore); err != nil {
			return err
		}
		// query: retain-error-days
		if _, err := tx.Exec(ctx, `DELETE FROM error_daily WHERE day < $1`, int32(countersBefore)); err != nil {
			return fmt.Errorf("postgres: retain error days: %w", err)
		}
		// query: retain-error-groups
		if _, err := tx.Exec(ctx, `DELETE FROM error_groups WHERE last_seen < $1`, countersBefore.Time()); err != nil {
			return fmt.Errorf("postgres: retain error groups: %w", err)
		}
		return nil
	})
	return n, err
}

func scanGroup(row store.Scanner) (*store.ErrorGroup, error) {
	g := &store.ErrorGroup{}
	var b []byte
	if err := row.Scan(&g.Fingerprint, &g.ErrorType, &g.SQLState, &g.Message, &g.Culprit, &g.FirstSeen, &g.LastSeen,
		&g.Reports, &b); err != nil {
		return nil, fmt.Errorf("postgres: scan error group: %w", err)
	}
	g.FirstSeen, g.LastSeen = g.FirstSeen.UTC(), g.LastSeen.UTC()
	var err error
	if g.Installs, err = store.DecodeBitmap(b); err != nil {
		return nil, fmt.Errorf("postgres: error group %s: %w", g.Fingerprint, err)
	}
	return g, nil
}

func scanDay(row store.Scanner) (*store.ErrorDay, error) {
	d := &store.ErrorDay{}
	var day int32
	var b []byte
	if err := row.Scan(&day, &d.Fingerprint, &d.Version, &d.Reports, &b); err != nil {
		return nil, fmt.Errorf("postgres: scan error day: %w", err)
	}
	d.Day = rollup.Day(day)
	var err error
	if d.Installs, err = store.DecodeBitmap(b); err != nil {
		return nil, fmt.Errorf("postgres: error day %v %s: %w", d.Day, d.Fingerprint, err)
	}
	return d, nil
}

// scanList is store.ScanList on rows, which it closes.
func scanList[T any](rows pgx.Rows, what string, scan func(store.Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	return store.ScanList(rows, "postgres: "+what, scan)
}
