package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// The Releases view: signed out, it leads to the sign-in form that comes
// back to it; signed in, it renders; a bad period is a 400 that says so
// and shows the default period.
func TestReleasesPage(t *testing.T) {
	e := newEnv(t, nil)
	if status, loc := e.signedOut("/releases?days=7"); status != http.StatusSeeOther || loc != "/login?next=%2Freleases%3Fdays%3D7" {
		t.Errorf("signed out: %d to %q", status, loc)
	}
	r := e.do("GET", "/releases?days=7", nil, "Authorization", "Bearer "+adminToken)
	if r.status != http.StatusOK || !strings.Contains(string(r.raw), "Release health") || !strings.Contains(string(r.raw), `aria-current="page">Releases`) {
		t.Errorf("signed in: %d\n%.400s", r.status, r.raw)
	}
	r = e.do("GET", "/releases?days=0", nil, "Authorization", "Bearer "+adminToken)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.raw), "days must be a whole number") {
		t.Errorf("days=0: %d", r.status)
	}
	r = e.do("GET", "/api/v1/insights/releases?days=400", nil, "Authorization", "Bearer "+adminToken)
	if r.status != http.StatusBadRequest || r.body["field"] != "days" {
		t.Errorf("API days=400: %d %v", r.status, r.body)
	}
}
