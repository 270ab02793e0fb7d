// Command indexpilot-telemetry is the IndexPilot users' opt-in telemetry
// client. This placeholder only explains itself; the client is being
// built (see the project's issues).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprint(os.Stderr, `indexpilot-telemetry: the opt-in telemetry client for IndexPilot.

Not yet available in this build: telemetry is off and nothing is collected
or sent. Commands to come: status, on, off, local, preview, send, run, log,
forget, export.
`)
	if len(os.Args) > 1 && os.Args[1] != "-h" && os.Args[1] != "--help" {
		os.Exit(2)
	}
}
