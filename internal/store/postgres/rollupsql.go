package postgres

import (
	"fmt"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The SQL of a rollup row's columns, derived from package rollup's list of
// counters so that a counter added there needs only its migration here.

// rollupColumns are the columns of a rollup row but its bitmap, in the
// order of rollup.Row's fields: its key, the counters and installs_n.
var rollupColumns = "day, dim, key, " + strings.Join(rollup.CounterColumns(), ", ") + ", installs_n"

// zeroCounters is a zero for each counter and installs_n: an empty row.
var zeroCounters = strings.Repeat("0, ", rollup.NumCounters+1)

// setCounters is the SET list that copies every counter from the row
// named from ("u", "EXCLUDED").
func setCounters(from string) string {
	sets := make([]string, 0, rollup.NumCounters)
	for _, c := range rollup.CounterColumns() {
		sets = append(sets, c+" = "+from+"."+c)
	}
	return strings.Join(sets, ", ")
}

// unnestRollups turns the arrays of rollupArgs into rows of rollupColumns
// and installs.
var unnestRollups = func() string {
	args := []string{"$1::int[]", "$2::text[]", "$3::text[]"}
	for i := range rollup.NumCounters + 1 { // the counters and installs_n
		args = append(args, fmt.Sprintf("$%d::bigint[]", 4+i))
	}
	args = append(args, fmt.Sprintf("$%d::bytea[]", 4+rollup.NumCounters+1))
	return "SELECT * FROM unnest(" + strings.Join(args, ", ") + ")"
}()
