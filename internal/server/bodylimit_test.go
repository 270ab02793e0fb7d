package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestTooLargeNamesItsLimit: a body over its limit is refused with a 413
// that names the limit of that endpoint (a registration's is 1 KiB, a
// report's 64 KiB).
func TestTooLargeNamesItsLimit(t *testing.T) {
	e := newEnv(t, nil)
	padded := []byte(`{"note": "` + strings.Repeat("x", 2000) + `"}`)
	r := e.do("POST", "/api/v1/installations", padded, "Content-Type", "application/json")
	wantError(t, r, http.StatusRequestEntityTooLarge, "too_large", "")
	if msg, _ := r.body["message"].(string); !strings.Contains(msg, "at most 1 KiB") {
		t.Errorf("registration: %q does not name its 1 KiB limit", msg)
	}
	id, key := e.register()
	big := bytes.Repeat([]byte(" "), 70_000)
	r = e.send(key, append([]byte(`{"installation_id": "`+id+`"}`), big...))
	wantError(t, r, http.StatusRequestEntityTooLarge, "too_large", "")
	if msg, _ := r.body["message"].(string); !strings.Contains(msg, "at most 64 KiB") {
		t.Errorf("report: %q does not name its 64 KiB limit", msg)
	}
}
