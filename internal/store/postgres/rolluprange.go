package postgres

import "github.com/indexpilot/indexpilot-telemetry/internal/store"

// daysOfDims is the WHERE clause that selects the rows of table from day
// $1 to $2 in the dimensions $3 through the primary key (day, dim, key)
// alone: one descent per day and dimension, over the days the table
// holds. "day BETWEEN $1 AND $2 AND dim = ANY($3)" walks every row of
// the period instead, every dimension's, and the A/B and error
// dimensions hold a hundred times the rows the forecasts' dimensions do:
// the planner then reads the whole table (issue 12: 9,000 pages for the
// forecasts' 1,500 rows of a year, 2,200 this way).
func daysOfDims(table string) string {
	return `day = ANY(ARRAY(SELECT generate_series(
			GREATEST($1::int, (SELECT min(day) FROM ` + table + `)),
			LEAST($2::int, (SELECT max(day) FROM ` + table + `)))))
		AND dim = ANY($3::text[])`
}

// rollupsQuery returns the query of cols from table for the rows q
// selects, in key order, and its arguments: by the day range when q names
// no dimension, else through daysOfDims.
func rollupsQuery(cols, table string, q store.RollupQuery) (string, []any) {
	args := []any{int32(q.From), int32(q.To)}
	if len(q.Dims) == 0 {
		return `SELECT ` + cols + ` FROM ` + table + ` WHERE day BETWEEN $1 AND $2 ORDER BY day, dim, key`, args
	}
	return `SELECT ` + cols + ` FROM ` + table + ` WHERE ` + daysOfDims(table) + ` ORDER BY day, dim, key`, append(args, q.Dims)
}
