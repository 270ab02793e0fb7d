package weekly_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// TestSameReportOnPostgreSQL stores the golden fleet in PostgreSQL and
// builds the week after the bad release: its JSON is the golden file
// built on SQLite, every number to 1e-9 of its value (the experiment's
// estimate sums the raw reports in the backend's order, so its last digits
// may differ).
func TestSameReportOnPostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("stores the golden fleet again")
	}
	ctx := context.Background()
	dsn := pgtest.New(t)
	if err := storeFleet(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	st, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	week, _ := weekly.ParseWeek("2027-W01", now)
	r, err := builder(st).Build(ctx, week)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(r, "", "  ")
	want, err := os.ReadFile(filepath.Join("testdata", "2027-W01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if path := differs("", g, w); path != "" {
		t.Errorf("PostgreSQL's report differs from SQLite's at %s:\n%s", path, firstDiff(string(want), string(got)+"\n"))
	}
}

// differs returns the path of the first difference between two decoded
// JSON values, numbers compared to 1e-9 of their size; "" when none.
func differs(path string, a, b any) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return path
		}
		for k, v := range a {
			if p := differs(path+"."+k, v, bm[k]); p != "" {
				return p
			}
		}
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return path
		}
		for i := range a {
			if p := differs(fmt.Sprintf("%s[%d]", path, i), a[i], bl[i]); p != "" {
				return p
			}
		}
	case float64:
		bf, ok := b.(float64)
		if !ok || math.Abs(a-bf) > 1e-9*math.Max(1, math.Abs(a)) {
			return path
		}
	default:
		if a != b {
			return path
		}
	}
	return ""
}
