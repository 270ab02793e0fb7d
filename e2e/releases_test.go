package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

// loadBadRelease sends a fleet whose release 1.2.0, out near the end of
// 70 days, errs four times as often as the one before.
func (s *service) loadBadRelease(ctx context.Context) {
	s.t.Helper()
	sum, err := fleet.Run(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 120, Days: 70, Seed: 11,
		Concurrency: 8, Now: time.Now(), Scenario: fleet.Scenario{Releases: []fleet.Release{
			{Version: "1.2.0", At: 0.9, ErrorMultiplier: 2, Improvement: 15, MedianLagDays: 1.5, LagSpread: 0.7, Share: 0.8}}}})
	if err != nil {
		s.t.Fatalf("fleet: %v (%+v)", err, sum)
	}
}

// healthAPI is the part of the release health and anomaly answers the
// test compares.
type healthAPI struct {
	Releases []struct {
		Version        string `json:"version"`
		Recommendation string `json:"recommendation"`
	} `json:"releases"`
	Anomalies []struct {
		Day    string `json:"day"`
		Metric string `json:"metric"`
	} `json:"anomalies"`
}

func (s *service) releaseHealth(path string) healthAPI {
	s.t.Helper()
	var out healthAPI
	s.getJSON(path, &out)
	return out
}

// TestReleasesInChromium: a maintainer opens the Releases view from a
// shared link, signs in, and sees the bad release recommended for
// rollback with its reasons, the error rate by day of age, and each
// anomaly drawn against its band.
func TestReleasesInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 3*time.Minute)
	s := startService(t)
	s.loadBadRelease(ctx)
	b := newBrowser(t, exe)

	signInAt(t, s, b, "/releases?days=30", "card-releases")
	b.waitFor("the charts", `Number(document.getElementById('releases-view').dataset.loads || 0) >= 1`, 20*time.Second)

	api := s.releaseHealth("/api/v1/insights/releases?days=30")
	shown := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#table-releases tr[data-version]')].map(
		tr => [tr.dataset.version, tr.querySelector('.rec').textContent]))`)
	if len(shown) != len(api.Releases) {
		t.Errorf("the table shows %d versions, the API %d", len(shown), len(api.Releases))
	}
	for _, r := range api.Releases {
		if shown[r.Version] != r.Recommendation {
			t.Errorf("%s: the table recommends %q, the API %q", r.Version, shown[r.Version], r.Recommendation)
		}
	}
	if shown["1.2.0"] != "rollback" {
		t.Errorf("1.2.0 is not shown as a rollback: %v", shown)
	}
	if reasons := eval[int](b, `document.querySelector('tr.rec-rollback + tr.reasons').querySelectorAll('li').length`); reasons < 2 {
		t.Errorf("the rollback shows %d reasons", reasons)
	}
	if n := canvasPixels(t, b, "#chart-age canvas"); n < 1000 {
		t.Errorf("the error rate by day of age drew %d pixels", n)
	}

	as := s.releaseHealth("/api/v1/insights/anomalies?days=30")
	if len(as.Anomalies) == 0 {
		t.Fatal("the API lists no anomaly after the bad release")
	}
	if n := eval[int](b, `document.querySelectorAll('#anomaly-list li.anomaly').length`); n != len(as.Anomalies) {
		t.Errorf("the page lists %d anomalies, the API %d", n, len(as.Anomalies))
	}
	for _, i := range []string{"0", "1"} {
		if n := canvasPixels(t, b, "#anomaly-chart-"+i+" canvas"); n < 500 {
			t.Errorf("anomaly %s's chart drew %d pixels", i, n)
		}
	}
	if cur := eval[string](b, `document.querySelector('nav.views a[aria-current="page"]').getAttribute('href')`); cur != "/releases" {
		t.Errorf("the navigation marks %q as the current view", cur)
	}
	b.screenshot("releases-1280.png")
	atPhoneWidth(t, b, chromedp.Reload(), `Number(document.getElementById('releases-view').dataset.loads || 0) >= 1`, 20*time.Second)
	b.screenshot("releases-390.png")
	b.do("widen the window", chromedp.EmulateViewport(1280, 900))
	b.do("go to the overview", chromedp.Click(chromedp.CSS(`nav.views a[href="/"]`)), chromedp.WaitVisible(chromedp.ID("figures")))
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// canvasPixels counts the pixels drawn on the canvas selector names.
func canvasPixels(t *testing.T, b *browser, selector string) int {
	t.Helper()
	return eval[int](b, `(() => {
		const c = document.querySelector('`+selector+`');
		if (!c) return -1;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
		return n;
	})()`)
}
