package weekly_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenWeeks are the weeks the golden files hold: an ordinary week, the
// two around New Year (2026 has 53 ISO weeks) and a week before the
// fleet's first report.
var goldenWeeks = []string{"2026-W48", "2026-W53", "2027-W01", "2026-W30"}

// htmlGoldenWeek is the one week whose HTML is recorded as well: the
// week after the bad release, whose report has every kind of section.
// The other weeks' figures are recorded in their JSON and Markdown; their
// HTML is the same template over the same view, so it is checked for
// what differs by week, its title and its note.
const htmlGoldenWeek = "2027-W01"

// TestGoldenReports builds each week's report from the fixed fleet at
// the fixed clock and compares its formats with testdata.
func TestGoldenReports(t *testing.T) {
	b := builder(open(t))
	for _, name := range goldenWeeks {
		t.Run(name, func(t *testing.T) {
			week, err := weekly.ParseWeek(name, now)
			if err != nil {
				t.Fatal(err)
			}
			r, err := b.Build(context.Background(), week)
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			html, err := weekly.HTML(r)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", name+".json"), string(js)+"\n")
			golden(t, filepath.Join("testdata", name+".md"), weekly.Markdown(r))
			if name == htmlGoldenWeek {
				golden(t, filepath.Join("testdata", name+".html"), html)
				return
			}
			checkHTML(t, html, name, r.Empty())
		})
	}
}

// checkHTML checks an HTML report that has no golden file: it is titled
// with its week, and it says so when no installation reported.
func checkHTML(t *testing.T, html, week string, empty bool) {
	t.Helper()
	if title := "<title>IndexPilot weekly report: " + week + "</title>"; !strings.Contains(html, title) {
		t.Errorf("the HTML report lacks %q", title)
	}
	if note := "No installation reported this week."; strings.Contains(html, note) != empty {
		t.Errorf("the HTML report of %s says %q: %v, want %v", week, note, !empty, empty)
	}
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what was built (run with -update after checking the change):\n%s", file, firstDiff(string(want), got))
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-120)
	return "recorded: …" + a[from:min(len(a), i+120)] + "\n   built: …" + b[from:min(len(b), i+120)]
}
