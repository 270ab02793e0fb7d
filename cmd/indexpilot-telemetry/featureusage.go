package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// maxUsageInput bounds the counts --add reads: 64 features take a few KiB.
const maxUsageInput = report.MaxBodyBytes

var featureUsageCmd = &command{
	name:    "feature-usage",
	usage:   "[--add [--json]] [< counts]",
	summary: "the feature usage counted for the next report, or --add counts to it",
	help: `Without --add, prints the feature usage counted since the last report, as
the next report's metrics.feature_usage will carry it: a JSON object of
{"uses": N, "successes": N} by feature name. It writes nothing.

With --add, reads counts of the same shape on stdin and adds them, under
the state folder's lock and atomically. IndexPilot's Python package does
this for you: it counts in memory and hands the counts over at most once a
minute and at exit (track_feature_usage). Counts are kept only with
telemetry on or local, consent to schema version 3 (run on after an
upgrade) and collect_usage_stats not false; otherwise nothing is written
and the answer says why. Feature names must match ^[a-z][a-z0-9_]{0,63}$;
other names, counts with more successes than uses, and features past 64
are dropped and named. --json prints the answer as
{"counting":…,"mode":…,"reason":…,"dropped":[…]}.

Exits 0 whether or not the counts were kept; 2 for input that is not such
a JSON object, or a setting that cannot be used.`,
	flags: func(fs *flag.FlagSet) {
		fs.Bool("add", false, "add the counts read on stdin")
		fs.Bool("json", false, "with --add, print the answer as JSON")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		if !boolFlag(fs, "add") {
			pending := c.client.PendingFeatureUsage()
			if pending == nil {
				pending = map[string]telemetry.FeatureUse{}
			}
			out, _ := json.MarshalIndent(pending, "", "  ") // plain types: cannot fail
			c.printf("%s\n", out)
			return exitOK
		}
		counts, err := readUsage(c.stdin)
		if err != nil {
			c.stderrf("indexpilot-telemetry feature-usage: %v; see indexpilot-telemetry help feature-usage\n", err)
			return exitUsage
		}
		res, err := c.client.AddFeatureUsage(ctx, counts)
		if boolFlag(fs, "json") {
			c.printUsageJSON(res)
		} else {
			c.printUsage(res)
		}
		if err != nil {
			return c.fail(err)
		}
		return exitOK
	},
}

// readUsage reads the counts of --add.
func readUsage(r io.Reader) (map[string]telemetry.FeatureUse, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxUsageInput+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading the counts: %w", err)
	case len(data) > maxUsageInput:
		return nil, fmt.Errorf("the counts are longer than %d bytes", maxUsageInput)
	}
	var counts map[string]telemetry.FeatureUse
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&counts); err != nil || counts == nil {
		return nil, errors.New(`the counts must be a JSON object such as {"auto_indexing": {"uses": 3, "successes": 2}}`)
	}
	return counts, nil
}

func (c *cli) printUsage(res *telemetry.UsageResult) {
	if res.Counting {
		c.printf("Counted for the next report.\n")
	} else {
		c.printf("Not counted: %s.\n", res.Reason)
	}
	if len(res.Dropped) > 0 {
		c.printf("Dropped (not a feature name, bad counts, or past %d features): %s\n", report.MaxListEntries, strings.Join(res.Dropped, ", "))
	}
}

func (c *cli) printUsageJSON(res *telemetry.UsageResult) {
	dropped := res.Dropped
	if dropped == nil {
		dropped = []string{}
	}
	out, _ := json.Marshal(struct { // plain types: cannot fail
		Counting bool           `json:"counting"`
		Mode     telemetry.Mode `json:"mode"`
		Reason   string         `json:"reason"`
		Dropped  []string       `json:"dropped"`
	}{res.Counting, res.Mode, res.Reason, dropped})
	c.printf("%s\n", out)
}
