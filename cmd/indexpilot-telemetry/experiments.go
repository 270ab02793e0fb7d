package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var experimentsCmd = &command{
	name:    "experiments",
	usage:   "[--json]",
	summary: "this installation's variant of each fleet experiment",
	help: `Prints the variant this installation runs of each experiment the IndexPilot
maintainers are running across installations (A/B tests of IndexPilot's own
algorithms). The assignment comes from a random id kept on this machine: the
same every time, with telemetry on or off.

With telemetry on, the list of running experiments is refreshed when it is
over a day old (a request with no key and no installation id). Off and local
never connect for it: they use the list fetched last, or none (IndexPilot
then runs its defaults). Offline, the last list is used and the exit status
is still 0.

--json prints {"experiments":[{"name":…,"variant":…,"variants":[…]}]}.`,
	flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		list, err := c.client.Experiments(ctx)
		if err != nil { // the last list stands: say why it is not fresh, and go on
			c.stderrf("indexpilot-telemetry: %v (using the list fetched last)\n", err)
		}
		if boolFlag(fs, "json") {
			out, _ := json.Marshal(struct {
				Experiments []telemetry.Assignment `json:"experiments"`
			}{list})
			c.printf("%s\n", out)
			return exitOK
		}
		if len(list) == 0 {
			c.printf("This installation is in no experiment.\n")
			return exitOK
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		fmt.Fprintf(tw, "EXPERIMENT\tVARIANT\tVARIANTS\n")
		for _, a := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Name, a.Variant, strings.Join(a.Variants, ", "))
		}
		return exitOK
	},
}
