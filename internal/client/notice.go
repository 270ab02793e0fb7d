package client

import "fmt"

// notice is printed once, the first time telemetry is turned on: what is
// collected, where it goes, and how to see, stop and erase it.
func notice(endpoint string) string {
	return fmt.Sprintf(`IndexPilot telemetry is now on. Thank you: it shows the maintainers which
features are used and whether they help.

What is collected, about once a day: IndexPilot's version; the OS, CPU
architecture and core count, and PostgreSQL's version; which features are
switched on; and counts and statistics from IndexPilot's own tables
(indexes created and recommended, queries analysed, latency percentiles,
algorithm usage, A/B results under hashed names).
Never: host names, IP addresses, user names, table, index or tenant names,
query text, or any configuration value.
Error reports (report-error; off with collect_error_reports: false) carry
the error's type, its message and stack frames after scrubbing: secrets,
addresses, user names and every data value are removed, but PostgreSQL's
own wording stays, which may name a table, column or constraint.

Where it goes: %s, under a random installation id the service assigns.
A copy of every upload stays in IndexPilot's state folder.

  see what is sent:     indexpilot-telemetry preview   (and: log)
  stop:                 indexpilot-telemetry off
  erase it everywhere:  indexpilot-telemetry forget
`, endpoint)
}
