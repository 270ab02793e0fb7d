package server_test

import (
	"strings"
	"testing"
)

// The Experiments view: signed-out visitors sign in and come back to it;
// signed in, every experiment has its card, rendered without the script.
func TestExperimentsPage(t *testing.T) {
	e := newEnv(t, nil)
	signInComesBack(t, e, "/experiments?refresh=5")

	cookie := signIn(t, e)
	r := e.do("GET", "/experiments", nil, "Cookie", cookie)
	if page := string(r.raw); r.status != 200 || !strings.Contains(page, `id="no-experiments">`) ||
		!strings.Contains(page, `<a href="/experiments" aria-current="page">Experiments</a>`) {
		t.Fatalf("empty registry: %d\n%s", r.status, page)
	}
	e.admin("POST", "/api/v1/experiments", `{"name":"cert_threshold_v2","variants":["control","treatment"],
		"metric":"latency_p95_ms","min_effect":0.5}`)
	page := string(e.do("GET", "/experiments", nil, "Cookie", cookie).raw)
	for _, want := range []string{`id="exp-cert_threshold_v2"`, `class="decision insufficient_data"`, ">insufficient data<",
		"Running, ", "Judged on latency_p95_ms, lower is better; minimum effect 0.50 ms.", `id="no-experiments" hidden>`,
		"<td>control</td><td>50.0 %</td><td>0</td>", `id="srm-cert_threshold_v2" role="alert" hidden>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "style=") || strings.Contains(page, "<script>") {
		t.Error("inline style or script on the page")
	}
}
