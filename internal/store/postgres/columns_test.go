package postgres

import (
	"slices"
	"strings"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// TestRollupColumnsFollowTheCounters checks that the rollup columns this
// store reads and writes are the counters package rollup lists, in its
// order: a counter added there without its column here would shift every
// value after it.
func TestRollupColumnsFollowTheCounters(t *testing.T) {
	got := strings.FieldsFunc(rollupColumns, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	want := slices.Concat([]string{"day", "dim", "key"}, rollup.CounterColumns(), []string{"installs_n"})
	if !slices.Equal(got, want) {
		t.Errorf("rollupColumns:\n got %q\nwant %q", got, want)
	}
}
