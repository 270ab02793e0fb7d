package collect

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestQueriesUsePrimaryKeyRanges checks with EXPLAIN that, on tables with
// no index but the primary key, every query reads a range of that key
// rather than the whole table, for a one-day report.
func TestQueriesUsePrimaryKeyRanges(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	conn := connect(t, url)
	ctx := context.Background()
	var since time.Time
	query(t, conn, `SELECT now() - interval '1 day'`, nil, &since)
	for _, c := range []struct {
		table string
		sql   string
		args  []any
	}{
		{tableQueryStats, qQueriesAnalyzed, nil},
		{tableQueryStats, qQueryLatency, nil},
		{tableMutationLog, qIndexOutcomes, nil},
		{tableMutationLog, qErrorCounts, []any{knownMutationTypes}},
		{tableAlgorithmUsage, qAlgorithmUsage, []any{knownAlgorithms}},
		{tableABResults, qABVariants, nil},
		{tableQueryStats, fmt.Sprintf(qNewestID, tableQueryStats), nil},
		{tableQueryStats, fmt.Sprintf(qFirstIDSince, tableQueryStats), nil},
	} {
		name := regexp.MustCompile(`name: (\S+)`).FindStringSubmatch(c.sql)[1]
		t.Run(name, func(t *testing.T) {
			tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			ids, err := tableRange(ctx, tx, c.table, 0, since)
			if err != nil {
				t.Fatal(err)
			}
			args := append([]any{ids.after, ids.last}, c.args...)
			if strings.Contains(c.sql, "first-id-since") {
				args = []any{since, ids.last}
			} else if strings.Contains(c.sql, "newest-id") {
				args = nil
			}
			plan := explain(t, tx, c.sql, args)
			if !strings.Contains(plan, c.table+"_pkey") || strings.Contains(plan, "Seq Scan") {
				t.Errorf("plan does not range-scan %s_pkey:\n%s", c.table, plan)
			}
		})
	}
}

func explain(t *testing.T, tx pgx.Tx, sql string, args []any) string {
	t.Helper()
	rows, err := tx.Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestQueriesReadNoFreeText checks the collector's SQL text: JSON only by
// key, never a name column, a personal field or free text.
func TestQueriesReadNoFreeText(t *testing.T) {
	for _, sql := range []string{qNewestID, qFirstIDSince, qQueriesAnalyzed, qQueryLatency, qIndexOutcomes,
		qErrorCounts, qAlgorithmUsage, qABVariants, qTenantCount, qSessionLimits} {
		lower := strings.ToLower(sql)
		for _, banned := range []string{"user_id", "ip_address", "index_sql", "reason", "table_name", "field_name",
			"index_name", "recommendation_json", "name from tenants", "select *", "details_json,", "details_json "} {
			if strings.Contains(lower, banned) {
				t.Errorf("query reads %q:\n%s", banned, sql)
			}
		}
		if !strings.HasPrefix(sql, "-- name: ") {
			t.Errorf("query has no name comment:\n%s", sql)
		}
	}
}
