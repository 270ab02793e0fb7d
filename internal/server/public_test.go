package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/public"
	"github.com/indexpilot/indexpilot-telemetry/internal/public/publictest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// clock is a settable clock for the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// publicEnv is a server with the public page on or off and a pinned clock.
func publicEnv(t *testing.T, on bool, c *clock) *env {
	t.Helper()
	return newEnvAt(t, func(cfg *server.Config) { cfg.PublicPage = on }, c.now)
}

// publicFleet is 40 installations over 20 days: a version that only 3
// run and an OS that only 4 report, among common ones; installation i
// reports on the days its pattern says.
type publicFleet struct {
	start time.Time // day 0
	days  int
}

func (f publicFleet) id(i int) string { return fmt.Sprintf("public-inst-%04d", i) }

func (f publicFleet) attrs(i int) (version, os string, features []string) {
	version, os = "1.2.0", "linux"
	switch {
	case i < 3:
		version = "1.3.0a1"
	case i < 12:
		version = "1.1.0"
	}
	switch {
	case i >= 36:
		os = "freebsd"
	case i >= 26:
		os = "darwin"
	}
	features = []string{"auto_indexing"}
	if i%3 == 0 {
		features = append(features, "pattern_detection")
	}
	return
}

// reports says whether installation i reports on day d.
func (f publicFleet) reports(i, d int) bool { return (i+d)%5 != 0 || i < 20 }

// send stores the fleet's reports, decoded as the API decodes them, in
// one batch: the page reads what ingest stored, however it got there.
func (f publicFleet) send(t *testing.T, e *env, now time.Time) {
	var items []store.Item
	for d := range f.days {
		ts := f.start.Add(time.Duration(d)*24*time.Hour + 6*time.Hour)
		for i := range 40 {
			if !f.reports(i, d) {
				continue
			}
			v, os, feats := f.attrs(i)
			b := fmt.Sprintf(`{"report_id": "%08d-0000-4000-8000-%012d", "installation_id": %q, "version": %q, "timestamp": %q,
				"metrics": {"features_used": %s, "indexes_created": 1},
				"environment": {"os": %q, "postgresql_version": "16.2"}}`, d, i, f.id(i), v, ts.Format(time.RFC3339), jsonList(feats), os)
			dec, err := report.Decode([]byte(b), now, 0)
			if err != nil {
				t.Fatalf("report: %v", err)
			}
			items = append(items, store.Item{Key: dec.Key(), Report: &dec.Report, Time: dec.Time, Received: now})
		}
	}
	if _, err := e.store.Ingest(t.Context(), items); err != nil {
		t.Fatal(err)
	}
}

func jsonList(xs []string) string {
	b, _ := json.Marshal(xs)
	return string(b)
}

// cohorts is the oracle: the test's own idea of who is in each figure of
// period p, from the fleet's definition (numbered like the server's
// bitmaps would not matter: the attack compares sets among themselves).
func (f publicFleet) cohorts(p dashboard.Period) *dashboard.Cohorts {
	c := &dashboard.Cohorts{Period: p, Active: roaring.New()}
	sets := map[string]map[string]*roaring.Bitmap{}
	add := func(fam, name string, i int) {
		if sets[fam] == nil {
			sets[fam] = map[string]*roaring.Bitmap{}
		}
		if sets[fam][name] == nil {
			sets[fam][name] = roaring.New()
		}
		sets[fam][name].Add(uint32(i))
	}
	day0 := rollup.DayOf(f.start)
	active := func(i int, from, to rollup.Day) bool {
		for d := max(from, day0); d <= to && int(d-day0) < f.days; d++ {
			if f.reports(i, int(d-day0)) {
				return true
			}
		}
		return false
	}
	for i := range 40 {
		if !active(i, p.From, p.To) {
			continue
		}
		c.Active.Add(uint32(i))
		v, os, feats := f.attrs(i)
		add("v", v, i)
		add("os", os, i)
		add("pg", "16", i)
		for _, ft := range feats {
			add("f", ft, i)
		}
	}
	list := func(fam string) []dashboard.Cohort {
		var out []dashboard.Cohort
		for name, b := range sets[fam] {
			out = append(out, dashboard.Cohort{Name: name, Installs: b})
		}
		return out
	}
	c.Versions, c.OperatingSystems, c.PostgresVersions, c.Features = list("v"), list("os"), list("pg"), list("f")
	for to := p.To; to >= p.From; to -= 7 {
		w := dashboard.WeekCohort{From: max(to-6, p.From), To: to, Installs: roaring.New()}
		for i := range 40 {
			if active(i, w.From, w.To) {
				w.Installs.Add(uint32(i))
			}
		}
		c.Weeks = append([]dashboard.WeekCohort{w}, c.Weeks...)
	}
	return c
}

func (e *env) publicSummary(days int) (*public.Summary, resp) {
	e.t.Helper()
	r := e.do("GET", fmt.Sprintf("/api/v1/public/summary?days=%d", days), nil)
	var s public.Summary
	if r.status != 200 || json.Unmarshal(r.raw, &s) != nil {
		e.t.Fatalf("public summary: %d %s", r.status, r.raw)
	}
	return &s, r
}

// TestPublicSummaryProtectsSmallGroups: with a version run by 3
// installations and an OS reported by 4, neither is published, both land
// in "(other)", and on every day and period no subtraction of published
// numbers reveals a group under k.
func TestPublicSummaryProtectsSmallGroups(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{t: start.Add(20*24*time.Hour + 12*time.Hour)}
	e := publicEnv(t, true, c)
	f := publicFleet{start: start, days: 20}
	f.send(t, e, c.now())
	checked := 0
	for day := 1; day <= 21; day++ {
		c.set(start.Add(time.Duration(day)*24*time.Hour + time.Hour))
		var cs []*dashboard.Cohorts
		var ss []*public.Summary
		for _, days := range []int{7, 30, 90} {
			s, r := e.publicSummary(days)
			cs = append(cs, f.cohorts(dashboard.LastCompleteDays(c.now(), days)))
			ss = append(ss, s)
			if strings.Contains(string(r.raw), "1.3.0a1") || strings.Contains(string(r.raw), "freebsd") {
				t.Fatalf("day %d, %d days: a group under k is named:\n%s", day, days, r.raw)
			}
			if s.ActiveInstallations != nil {
				checked++
			}
		}
		publictest.Attack(t, cs, ss) // the three periods of a day, together
	}
	t.Logf("%d of 63 summaries published figures", checked)
	if checked < 30 {
		t.Fatalf("only %d summaries published anything", checked)
	}
	s, _ := e.publicSummary(30)
	if got := s.Versions[len(s.Versions)-1]; !got.Other || got.Installations < 5 {
		t.Fatalf("versions: %+v", s.Versions)
	}
	if got := s.OperatingSystems[len(s.OperatingSystems)-1]; !got.Other || got.Installations < 5 {
		t.Fatalf("operating systems: %+v", s.OperatingSystems)
	}
}

// TestPublicPageOffByDefault, and when on: no cookie, cacheable, no
// script from elsewhere, figures of whole days cached for five minutes.
func TestPublicPage(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{t: start.Add(20*24*time.Hour + 12*time.Hour)}
	off := publicEnv(t, false, c)
	wantError(t, off.do("GET", "/api/v1/public/summary", nil), 404, "not_found", "")
	wantError(t, off.do("GET", "/public", nil), 404, "not_found", "")

	e := publicEnv(t, true, c)
	f := publicFleet{start: start, days: 20}
	f.send(t, e, c.now())
	wantError(t, e.do("GET", "/api/v1/public/summary?days=12", nil), 400, "invalid_parameter", "days")
	first, r := e.publicSummary(30)
	page := e.do("GET", "/public?days=30", nil)
	for _, res := range []resp{r, page} {
		if res.header.Get("Set-Cookie") != "" || res.header.Get("Cache-Control") != "public, max-age=300" {
			t.Fatalf("headers: %v", res.header)
		}
	}
	html := string(page.raw)
	if page.status != 200 || !strings.Contains(html, `<span class="value" id="active_installations">40</span>`) ||
		!strings.Contains(html, "(other)") || strings.Contains(html, "freebsd") || strings.Contains(html, "1.3.0a1") {
		t.Fatalf("public page: %d\n%s", page.status, html)
	}
	for _, bad := range []string{"<script>", "src=\"http", "src=\"//", "style="} {
		if strings.Contains(html, bad) {
			t.Fatalf("public page holds %q", bad)
		}
	}

	// A late report for yesterday shows only after the cache expires.
	late := fmt.Sprintf(`{"installation_id": "public-late-0001", "version": "1.2.0", "timestamp": %q, "metrics": {}, "environment": {"os": "linux"}}`,
		start.Add(19*24*time.Hour+time.Hour).Format(time.RFC3339))
	if r := e.send(e.fleet, []byte(late)); r.status != 200 {
		t.Fatalf("late report: %d %s", r.status, r.raw)
	}
	if again, _ := e.publicSummary(30); *again.ActiveInstallations != *first.ActiveInstallations {
		t.Fatalf("cached summary changed: %d then %d", *first.ActiveInstallations, *again.ActiveInstallations)
	}
	c.set(c.now().Add(6 * time.Minute))
	if later, _ := e.publicSummary(30); *later.ActiveInstallations != *first.ActiveInstallations+1 {
		t.Fatalf("after the cache expired: %d, want %d", *later.ActiveInstallations, *first.ActiveInstallations+1)
	}
}
