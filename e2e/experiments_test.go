package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

// TestExperimentsInChromium: the Experiments view as a maintainer uses
// it, with one experiment that has a real effect and one A/A: each card
// shows its decision, the effect and its interval drawn day by day, the
// installations per variant; the texts the script renders are the
// server's.
func TestExperimentsInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 120*time.Second)
	s := startService(t)
	now := time.Now().UTC()
	start := now.Add(-20 * 24 * time.Hour)
	for _, body := range []string{
		`{"name":"cert_threshold_v2","variants":["control","treatment"],"metric":"performance_improvement_pct","min_effect":1,"start":"` + start.Format(time.RFC3339) + `"}`,
		`{"name":"explain_sampling_aa","variants":["control","treatment"],"metric":"performance_improvement_pct","min_effect":3,"start":"` + start.Format(time.RFC3339) + `"}`,
	} {
		req, _ := http.NewRequest("POST", s.url+"/api/v1/experiments", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("create experiment: %v %v", res.Status, err)
		}
		res.Body.Close()
	}
	if sum, err := fleet.Run(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 400, Days: 21, Seed: 13,
		Concurrency: 4, Now: now, Experiments: []fleet.Experiment{
			{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Start: start,
				Effect: map[string]float64{"treatment": 4}},
			{Name: "explain_sampling_aa", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Start: start},
		}}); err != nil {
		t.Fatalf("fleet: %v (%+v)", err, sum)
	}

	b := newBrowser(t, exe)
	signInAt(t, s, b, "/experiments?refresh=2", "experiment-list")
	b.waitFor("the script's first load", `Number(document.getElementById('experiments').dataset.loads || 0) >= 1`, 15*time.Second)
	// The server's texts, from the page as served, against the script's.
	texts := `[...document.querySelectorAll('.experiment [id]')].filter(e => /^(decision|effect|desc)-/.test(e.id)).map(e => [e.id, e.textContent])`
	server := eval[map[string]string](b, `fetch(location.href).then(r => r.text()).then(html => {
		const document = new DOMParser().parseFromString(html, 'text/html');
		return Object.fromEntries(`+texts+`);
	})`)
	script := eval[map[string]string](b, `Object.fromEntries(`+texts+`)`)
	if len(server) != 6 {
		t.Fatalf("texts of the two cards: %v", server)
	}
	for id, text := range server {
		if script[id] != text {
			t.Errorf("%s: the server wrote %q, the script %q", id, text, script[id])
		}
	}
	if d := script["decision-cert_threshold_v2"]; d != "treatment is better" {
		t.Errorf("the real effect's decision: %q", d)
	}
	if d := script["decision-explain_sampling_aa"]; strings.Contains(d, "better") {
		t.Errorf("the A/A's decision: %q", d)
	}
	chartsDrew(t, b, []string{"cert_threshold_v2", "explain_sampling_aa"})
	// The interval narrows as installations enter: the table, newest first.
	widths := eval[[]float64](b, `(() => {
		const rows = [...document.querySelectorAll('#history-cert_threshold_v2 tbody tr')]
			.map(r => [...r.cells].map(c => c.textContent)).filter(r => r[4] !== '\u2013');
		const w = r => Number(r[5].replace('\u2212', '-')) - Number(r[4].replace('\u2212', '-'));
		return [w(rows[rows.length - 1]), w(rows[0])];
	})()`)
	if len(widths) != 2 || widths[1] >= widths[0] {
		t.Errorf("interval widths, first day with one and today: %v; want it narrower today", widths)
	}
	if hidden := eval[bool](b, `document.getElementById('srm-cert_threshold_v2').hidden`); !hidden {
		t.Error("a sample-ratio warning on a fleet split as planned")
	}
	var api struct {
		Experiments []json.RawMessage `json:"experiments"`
	}
	if body := eval[string](b, `fetch('/api/v1/experiments').then(r => r.text())`); json.NewDecoder(bytes.NewReader([]byte(body))).Decode(&api) != nil || len(api.Experiments) != 2 {
		t.Errorf("the view's data: %.200s", body)
	}
	b.screenshot("experiments-1280.png")
	atPhoneWidth(t, b, chromedp.Reload(), `Number(document.getElementById('experiments').dataset.loads || 0) >= 1`, 15*time.Second)
	b.screenshot("experiments-390.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the Experiments view:\n%s", strings.Join(errs, "\n"))
	}
}
