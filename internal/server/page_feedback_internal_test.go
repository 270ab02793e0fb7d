package server

import "testing"

func TestSignInReturnsToTheFeedbackPage(t *testing.T) {
	for next, want := range map[string]string{
		"/feedback?days=7&version=1.1.0": "/feedback?days=7&version=1.1.0",
		"/feedback":                      "/feedback",
		"/?days=30":                      "/?days=30",
		"//evil.example/feedback":        "/",
		"https://evil.example/feedback":  "/",
		"/feedback/../login":             "/",
		"/api/v1/feedback":               "/",
	} {
		if got := localNext(next); got != want {
			t.Errorf("localNext(%q) = %q, want %q", next, got, want)
		}
	}
}
