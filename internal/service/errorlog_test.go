package service

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// TestHTTPErrorLogShowsNoAddress: net/http logs a handler's panic with
// the client's address; through httpErrorLog the line keeps the panic and
// loses the address.
func TestHTTPErrorLogShowsNoAddress(t *testing.T) {
	var logs testkit.Buffer
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	hs.Config.ErrorLog = httpErrorLog(slog.New(slog.NewTextHandler(&logs, nil)))
	hs.Start()
	defer hs.Close()
	if res, err := http.Get(hs.URL); err == nil {
		res.Body.Close()
	}
	hs.Close() // the panic is logged before the connection closes
	out := logs.String()
	if !strings.Contains(out, "panic serving") || !strings.Contains(out, "boom") {
		t.Fatalf("the panic was not logged: %q", out)
	}
	if strings.Contains(out, "127.0.0.1") {
		t.Fatalf("the client's address is in the log: %q", out)
	}
}
