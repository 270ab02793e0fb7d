package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/indexpilot/indexpilot-telemetry/internal/privacy"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const privacyHelp = `Usage: indexpilot-analytics privacy scan [--database D] [--json]

Reads every text the store keeps (error messages and stack frames, report
strings such as versions, environment and feature names, rollup keys, key
names, the audit log) and counts what the scrubber would still remove from
them, by kind (password, email, ip, phone, …). A finding names where it is
(table, column, row, field), never what it is.

Exit status: 0 when nothing is found; 1 when something is found, or when
the scan could not finish (an unfinished scan is not a clean one); 2 for a
usage error.`

func (c cli) privacy(args []string) int {
	if code, shown := c.helpFor(privacyHelp, args, "scan"); shown {
		return code
	}
	var asJSON *bool
	found := false
	code := c.withStore("privacy scan", privacyHelp, args[1:], func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print the result as JSON")
	}, func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
		res, err := privacy.Scan(ctx, st, store.TextSources)
		if err != nil {
			return err
		}
		found = !res.Clean()
		if *asJSON {
			enc := json.NewEncoder(c.out)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		return printScan(c.out, res)
	})
	if code == exitOK && found {
		return exitError
	}
	return code
}

// printScan writes a scan's result for a person.
func printScan(w io.Writer, res *privacy.Result) error {
	if res.Clean() {
		_, err := fmt.Fprintf(w, "privacy scan: %d texts in %d places; nothing the scrubber would remove.\n", res.Texts, res.Sources)
		return err
	}
	fmt.Fprintf(w, "privacy scan: %d of %d texts hold what the scrubber removes.\n\n", res.WithFindings, res.Texts)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tFOUND")
	for _, k := range sortedByCount(res.Kinds) {
		fmt.Fprintf(tw, "%s\t%d\n", k, res.Kinds[k])
	}
	fmt.Fprintln(tw, "\nPLACE\tTEXTS")
	for _, k := range sortedByCount(res.Places) {
		fmt.Fprintf(tw, "%s\t%d\n", k, res.Places[k])
	}
	fmt.Fprintln(tw, "\nPLACE\tROW\tFIELD\tKINDS")
	for _, f := range res.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Source, f.Row, f.Field, kindList(f.Kinds))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if res.WithFindings > len(res.Findings) {
		fmt.Fprintf(w, "(the first %d of %d texts; --json lists the same)\n", len(res.Findings), res.WithFindings)
	}
	return nil
}

func sortedByCount(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return m[ks[i]] > m[ks[j]] || m[ks[i]] == m[ks[j]] && ks[i] < ks[j] })
	return ks
}

func kindList(m map[string]int) string {
	var parts []string
	for _, k := range sortedByCount(m) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
