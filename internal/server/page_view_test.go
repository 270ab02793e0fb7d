package server

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// TestOverviewEscapesEveryValue renders the page with names no report may
// carry today: should the contract ever allow them, the page still shows
// them as text.
func TestOverviewEscapesEveryValue(t *testing.T) {
	evil := `"><img src=x onerror=alert(1)><script>alert(2)</script>`
	pct := 12.5
	ov := &dashboard.Overview{From: "2026-01-01", To: "2026-01-01", Today: "2026-01-01", Days: 1, Version: evil,
		Versions: []string{evil}, Day: []string{"2026-01-01"}, ActiveByDay: []int64{1},
		VersionByDay:         []dashboard.CountSeries{{Name: evil, Values: []int64{1}}},
		PerformanceByVersion: []dashboard.PctSeries{{Name: evil, Values: []*float64{&pct}}},
		FeatureAdoption:      []dashboard.Adoption{{Name: evil, Installations: 1, Pct: 100}},
		Algorithms:           []dashboard.AlgorithmUse{{Name: evil, Installations: 1, Pct: 100}},
		ErrorRates:           []dashboard.ErrorRate{{Version: evil, Reports: 1}},
		PostgresVersions:     []dashboard.Adoption{{Name: evil, Installations: 1, Pct: 100}},
		OperatingSystems:     []dashboard.Adoption{{Name: evil, Installations: 1, Pct: 100}},
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "overview", newOverviewPage(ov, url.Values{}, evil, time.Now())); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<img", "<script>alert"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "&lt;img src=x onerror=alert(1)&gt;"); n < 8 {
		t.Errorf("escaped name shown %d times, want every place", n)
	}
}

func TestOverviewQueryDefaults(t *testing.T) {
	q, err := overviewQuery(url.Values{}, 20000, true)
	if err != nil || q.Period != (dashboard.Period{From: 20000 - 29, To: 20000}) || q.Version != "" {
		t.Errorf("defaults: %+v %v", q, err)
	}
	// The page lets days win over dates a form still holds; the API refuses.
	v := url.Values{"days": {"7"}, "from": {"2024-10-01"}, "to": {"2024-10-02"}}
	if q, err := overviewQuery(v, 20000, false); err != nil || q.Period.Days() != 7 {
		t.Errorf("page: %+v %v", q, err)
	}
	if _, err := overviewQuery(v, 20000, true); err == nil || err.Field != "days" {
		t.Errorf("API: %v", err)
	}
}
