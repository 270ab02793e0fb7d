package service

import (
	stdlog "log"
	"log/slog"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// httpErrorLog is the log of net/http itself (a handler's panic, a failed
// TLS handshake). net/http writes the client's address into those lines,
// so they pass through the scrubber on their way to slog: the service logs
// no client address.
func httpErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(scrubbedWriter{log}, "", 0)
}

type scrubbedWriter struct{ log *slog.Logger }

func (w scrubbedWriter) Write(p []byte) (int, error) {
	w.log.Error("http server", "err", scrub.String(strings.TrimSpace(string(p))))
	return len(p), nil
}
