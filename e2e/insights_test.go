package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

// insightCharts are the ids of the Insights page's charts.
var insightCharts = []string{"priorities", "advice", "patterns", "forecasts"}

// TestInsightsInChromium loads a fleet with the demo's structure and
// checks that the Insights page draws every chart, that its tables hold
// the API's answers, and that it tells what the fleet was built to show.
func TestInsightsInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 3*time.Minute)
	s := startService(t)
	sum, err := fleet.Run(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 160, Days: 60, Seed: 12,
		Concurrency: 4, Structure: true, Now: time.Now()})
	if err != nil {
		t.Fatalf("fleet: %v (%+v)", err, sum)
	}
	b := newBrowser(t, exe)

	signInAt(t, s, b, "/insights?days=30", "card-priorities")
	b.waitFor("the charts", `document.getElementById('insights').dataset.drawn === '4'`, 20*time.Second)
	if cur := eval[string](b, `document.querySelector('nav.views a[aria-current="page"]').getAttribute('href')`); cur != "/insights" {
		t.Errorf("the navigation marks %q as the current page", cur)
	}
	chartsDrew(t, b, insightCharts)
	tablesMatchAPI(t, b, s)
	legendsShowTables(t, b)
	saysWhatTheFleetShows(t, s)
	b.screenshot("insights-1280.png")

	// Another forecast series redraws the chart.
	n := eval[int](b, `(() => { const s = document.getElementById('series'); s.value = '1'; s.dispatchEvent(new Event('change')); return s.options.length; })()`)
	if n < 2 {
		t.Errorf("the forecast series chooser has %d options", n)
	}
	chartsDrew(t, b, []string{"forecasts"})

	// A bad parameter is named on the page, which still shows the defaults.
	b.do("a bad period", chromedp.Navigate(s.url+"/insights?days=0"))
	b.waitFor("the charts of the defaults", `document.getElementById('insights').dataset.drawn === '4'`, 20*time.Second)
	if msg := eval[string](b, `document.getElementById('problem').textContent`); !strings.Contains(msg, "days") {
		t.Errorf("the page's message for days=0: %q", msg)
	}
	b.consoleErrors() // the browser logs the page's 400

	atPhoneWidth(t, b, chromedp.Navigate(s.url+"/insights"), `document.getElementById('insights').dataset.drawn === '4'`, 20*time.Second)
	chartsDrew(t, b, insightCharts)
	b.screenshot("insights-390.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the Insights page:\n%s", strings.Join(errs, "\n"))
	}
}

// insightAnswers is what the test reads of the four answers.
type insightAnswers struct {
	Features struct {
		Features []struct {
			Feature string  `json:"feature"`
			Score   float64 `json:"score"`
		} `json:"features"`
	}
	Algorithms struct {
		Algorithms []struct {
			Algorithm string `json:"algorithm"`
			Action    string `json:"action"`
		} `json:"algorithms"`
	}
	Patterns struct {
		Combinations []struct {
			Features []string `json:"features"`
			Lift     float64  `json:"lift"`
		} `json:"combinations"`
	}
	Forecasts struct {
		Forecasts []struct {
			Series string  `json:"series"`
			Value  float64 `json:"value"`
		} `json:"forecasts"`
	}
}

func (s *service) insights(query string) insightAnswers {
	s.t.Helper()
	var a insightAnswers
	for _, e := range []struct {
		path string
		into any
	}{{"features", &a.Features}, {"algorithms", &a.Algorithms}, {"patterns", &a.Patterns}, {"forecasts", &a.Forecasts}} {
		s.getJSON("/api/v1/insights/"+e.path+"?"+query, e.into)
	}
	return a
}

// tablesMatchAPI opens each table with one click and compares it with
// the API: one row per entry, in the API's order.
func tablesMatchAPI(t *testing.T, b *browser, s *service) {
	t.Helper()
	for _, id := range insightCharts {
		b.do("open the table of "+id, chromedp.Click(chromedp.CSS("#details-"+id+" summary")))
	}
	col := func(id string, c int) []string {
		return eval[[]string](b, fmt.Sprintf(`[...document.getElementById('table-%s').tBodies[0].rows].map(r => r.cells[%d].textContent)`, id, c))
	}
	a := s.insights("days=30")
	var features, scores []string
	for _, f := range a.Features.Features {
		features, scores = append(features, f.Feature), append(scores, fmt.Sprintf("%.1f", f.Score))
	}
	var algorithms, combos, series []string
	for _, x := range a.Algorithms.Algorithms {
		algorithms = append(algorithms, x.Algorithm)
	}
	for _, c := range a.Patterns.Combinations {
		combos = append(combos, strings.Join(c.Features, " + "))
	}
	for _, f := range a.Forecasts.Forecasts {
		series = append(series, f.Series)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"priority features", col("priorities", 1), features}, {"priority scores", col("priorities", 2), scores},
		{"algorithms", col("advice", 0), algorithms}, {"combinations", col("patterns", 0), combos}, {"forecasts", col("forecasts", 0), series},
	} {
		if strings.Join(c.got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s on the page %q, in the API %q", c.what, c.got, c.want)
		}
	}
	for _, id := range insightCharts {
		b.do("close the table of "+id, chromedp.Click(chromedp.CSS("#details-"+id+" summary")))
	}
}

// legendsShowTables points at the first bar of the priorities chart and
// at a day of the forecast chart, and checks that their legends show what
// the server wrote: the bar's table row (feature and each part's score),
// the day's row of the forecast path's table.
func legendsShowTables(t *testing.T, b *browser) {
	t.Helper()
	// pointAt moves the cursor over chart id at a fraction x of its
	// width, and returns its legend's values and the server's texts.
	const pointAt = `async (id, x) => {
		const over = document.querySelector('#chart-' + id + ' .u-over');
		const r = over.getBoundingClientRect();
		over.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + x * r.width, clientY: r.top + r.height / 2, bubbles: true}));
		await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
		return {legend: [...document.querySelectorAll('#chart-' + id + ' .u-legend .u-value')].map(v => v.textContent),
			text: JSON.parse(document.getElementById('insights-text').textContent)};
	}`
	type pointed struct {
		Legend []string
		Text   struct {
			Charts   []struct{ Rows [][]string }
			Forecast struct {
				Days  []string
				Paths []struct{ Actual, Value, Lower, Upper []string }
			}
		}
	}
	bars := eval[int](b, `Math.min(12, JSON.parse(document.getElementById('insights-data').textContent).features.features.length)`)
	p := eval[pointed](b, `(`+pointAt+`)('priorities', `+fmt.Sprint(0.5/float64(bars))+`)`)
	row := p.Text.Charts[0].Rows[0]
	if want := []string{row[1], row[3], row[4], row[5]}; strings.Join(p.Legend, "|") != strings.Join(want, "|") {
		t.Errorf("the priorities legend at the first bar shows %q, its table row %q", p.Legend, want)
	}
	// Past the forecast day (the chart's right half is the forecast): the
	// day, no actual value, the forecast and its bounds as written.
	p = eval[pointed](b, `(`+pointAt+`)('forecasts', 0.9)`)
	f := p.Text.Forecast
	path := f.Paths[0] // the series shown first
	if len(p.Legend) != 5 || !slices.Contains(f.Days, p.Legend[0]) || p.Legend[1] != "–" ||
		!slices.Contains(path.Value, p.Legend[2]) || !slices.Contains(path.Lower, p.Legend[3]) || !slices.Contains(path.Upper, p.Legend[4]) {
		t.Errorf("the forecast legend shows %q, not the day and the forecast the server wrote", p.Legend)
	}
	// Before it: the actual value, no forecast.
	p = eval[pointed](b, `(`+pointAt+`)('forecasts', 0.1)`)
	if len(p.Legend) != 5 || !slices.Contains(f.Days, p.Legend[0]) || !slices.Contains(path.Actual, p.Legend[1]) ||
		strings.Join(p.Legend[2:], "|") != "–|–|–" {
		t.Errorf("the forecast legend before the forecast day shows %q, not the day and the actual value the server wrote", p.Legend)
	}
	// The last day: the path's last values.
	p = eval[pointed](b, `(`+pointAt+`)('forecasts', 1)`)
	last := len(path.Value) - 1
	if want := []string{f.Days[len(f.Days)-1], "–", path.Value[last], path.Lower[last], path.Upper[last]}; strings.Join(p.Legend, "|") != strings.Join(want, "|") {
		t.Errorf("the forecast legend on the last day shows %q, the server wrote %q", p.Legend, want)
	}
}

// saysWhatTheFleetShows checks the answers against what Config.Structure
// planted: a weak algorithm, one that does not help, a popular pair.
func saysWhatTheFleetShows(t *testing.T, s *service) {
	t.Helper()
	a := s.insights("days=30")
	actions := map[string]string{}
	for _, x := range a.Algorithms.Algorithms {
		actions[x.Algorithm] = x.Action
	}
	if actions["cortex"] != "improve" || actions["fractal_tree"] != "optimize" || actions["qpg"] != "ok" {
		t.Errorf("actions: cortex %q (want improve), fractal_tree %q (want optimize), qpg %q (want ok)",
			actions["cortex"], actions["fractal_tree"], actions["qpg"])
	}
	pair := false
	for _, c := range a.Patterns.Combinations {
		pair = pair || (strings.Join(c.Features, "+") == "auto_rollback+workload_analysis" && c.Lift > 1.5)
	}
	if !pair {
		t.Error("the planted pair auto_rollback + workload_analysis is not among the combinations with a lift above 1.5")
	}
}
