package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Raw reports and error reports are partitioned by their UTC day, one
// partition a day, named <table>_d<day> (migration 015): retention drops
// a day's partition, in time independent of its rows and leaving nothing
// for vacuum, where deleting the rows took time proportional to them.
//
// Partitions are made ahead of the clock (at Migrate, and at every
// Retain, which the service runs hourly). A report of a day without one
// (late, early, or while the maintenance was down) lands in the table's
// DEFAULT partition, so it is never refused; Retain moves such rows to
// their own day's partition when it makes it.

// partitioned lists the tables partitioned by day.
var partitioned = []string{"reports", "error_reports"}

// partitionsAhead is how many days after today get their partitions in
// advance: hourly maintenance may fail for a while without a report
// landing in the DEFAULT partition.
const partitionsAhead = 3

// partitionLock is the pg_advisory_xact_lock key that serialises the
// processes creating partitions.
const partitionLock int64 = 0x1d3_7e1e_0013

// PreparePartitions makes sure every day from from to to, both included,
// has its partition in every partitioned table, moving the day's rows out
// of the DEFAULT partition if any are there.
func (s *Store) PreparePartitions(ctx context.Context, from, to rollup.Day) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// query: lock-partitions
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, partitionLock); err != nil {
			return fmt.Errorf("postgres: lock partitions: %w", err)
		}
		for _, table := range partitioned {
			if err := preparePartitions(ctx, tx, table, from, to); err != nil {
				return err
			}
		}
		return nil
	})
}

// preparePartitions creates table's missing partitions of the days from
// from to to.
func preparePartitions(ctx context.Context, tx pgx.Tx, table string, from, to rollup.Day) error {
	var missing []int32
	// query: missing-partitions
	rows, err := tx.Query(ctx, `SELECT d FROM generate_series($1::int, $2::int) AS d
		WHERE to_regclass(format('%I', $3::text || '_d' || d)) IS NULL`, int32(from), int32(to), table)
	if err != nil {
		return fmt.Errorf("postgres: list partitions of %s: %w", table, err)
	}
	missing, err = pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("postgres: list partitions of %s: %w", table, err)
	}
	for _, day := range missing {
		if err := createPartition(ctx, tx, table, day); err != nil {
			return err
		}
	}
	return nil
}

// createPartition creates the partition of table for day. It is made
// apart, filled with the day's rows from the DEFAULT partition, then
// attached: attaching checks that the DEFAULT partition holds none of
// the day's rows any more, where CREATE TABLE ... PARTITION OF would fail.
// Attaching clones the parent's indexes and foreign keys.
func createPartition(ctx context.Context, tx pgx.Tx, table string, day int32) error {
	name := pgx.Identifier{fmt.Sprintf("%s_d%d", table, day)}.Sanitize()
	parent := pgx.Identifier{table}.Sanitize()
	def := pgx.Identifier{table + "_default"}.Sanitize()
	// query: create-partition (no parameters in DDL: the day is an int32)
	stmts := []string{
		`CREATE TABLE ` + name + ` (LIKE ` + parent + ` INCLUDING DEFAULTS)`,
		fmt.Sprintf(`WITH moved AS (DELETE FROM %s WHERE day = %d RETURNING *) INSERT INTO %s SELECT * FROM moved`, def, day, name),
		fmt.Sprintf(`ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%d) TO (%d)`, parent, name, day, int64(day)+1),
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres: create partition %s: %w", name, err)
		}
	}
	return nil
}

// defaultDays returns the days of the rows in table's DEFAULT partition.
func defaultDays(ctx context.Context, q pgx.Tx, table string) ([]rollup.Day, error) {
	// query: default-partition-days
	rows, err := q.Query(ctx, `SELECT DISTINCT day FROM `+pgx.Identifier{table + "_default"}.Sanitize()+` ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("postgres: days of %s_default: %w", table, err)
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("postgres: days of %s_default: %w", table, err)
	}
	out := make([]rollup.Day, len(days))
	for i, d := range days {
		out[i] = rollup.Day(d)
	}
	return out, nil
}

// dropPartitions drops table's partitions of days before before and
// returns how many rows they held; rows of those days in the DEFAULT
// partition are deleted, and counted, too.
func dropPartitions(ctx context.Context, tx pgx.Tx, table string, before rollup.Day) (int64, error) {
	// query: expired-partitions (the upper bound, from the partition's bound expression)
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass
		AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \((-?[0-9]+)\)'))[1]::int <= $2
		ORDER BY c.relname`, table, int32(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: list partitions of %s: %w", table, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("postgres: list partitions of %s: %w", table, err)
	}
	var n int64
	for _, name := range names {
		id := pgx.Identifier{name}.Sanitize()
		var rows int64
		// query: count-partition
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+id).Scan(&rows); err != nil {
			return 0, fmt.Errorf("postgres: count %s: %w", name, err)
		}
		// query: drop-partition
		if _, err := tx.Exec(ctx, `DROP TABLE `+id); err != nil {
			return 0, fmt.Errorf("postgres: drop %s: %w", name, err)
		}
		n += rows
	}
	// query: retain-default-partition
	tag, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{table + "_default"}.Sanitize()+` WHERE day < $1`, int32(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: retain %s_default: %w", table, err)
	}
	return n + tag.RowsAffected(), nil
}

// keepPartitions prepares the partitions of yesterday, today and
// partitionsAhead days after it, and of the days that have rows in a
// DEFAULT partition, moving those rows to them.
func (s *Store) keepPartitions(ctx context.Context) error {
	today := rollup.DayOf(s.now())
	if err := s.PreparePartitions(ctx, today-1, today+partitionsAhead); err != nil {
		return err
	}
	var days []rollup.Day
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		days = days[:0]
		for _, table := range partitioned {
			d, err := defaultDays(ctx, tx, table)
			if err != nil {
				return err
			}
			days = append(days, d...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range days {
		if err := s.PreparePartitions(ctx, d, d); err != nil {
			return err
		}
	}
	return nil
}
