package main

import (
	"context"
	"encoding/json"
	"flag"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var sendCmd = &command{
	name:    "send",
	usage:   "[--strict] [-q] [--database URL]",
	summary: "build a report and upload everything waiting now (for cron)",
	help: `Builds a report now and, with telemetry on, uploads it and every report
waiting in the spool, oldest first. With telemetry local the report is only
kept; with telemetry off nothing happens at all.

It exits 0 when telemetry is off and when an upload fails: the failure is
one line on stderr and the report stays in the spool for the next send. A
broken setting is likewise one line, and nothing is sent. With --strict an
upload failure exits 1 and a broken setting exits 2.

For cron, once a day: indexpilot-telemetry send -q

--json prints {"mode":…,"reason":…,"built":…,"stored":…,"kept_locally":…,
"uploaded":[…],"pending":…,"error":…}: stored is true when the report built
now was uploaded and the service stored it (IndexPilot's Python package
reads it).`,
	flags: func(fs *flag.FlagSet) {
		databaseFlag(fs)
		fs.Bool("strict", false, "exit 1 when an upload fails, 2 when a setting cannot be used")
		fs.Bool("q", false, "print nothing on success")
		fs.Bool("json", false, "print what was done as JSON (see help send)")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		res, err := c.client.Send(ctx)
		if boolFlag(fs, "json") {
			c.printSentJSON(res, err)
		} else if !boolFlag(fs, "q") {
			c.printSent(res, telemetryWords)
			c.invite(ctx)
		}
		return c.failIfStrict(fs, err)
	},
}

// sentWords are the words printSent uses for one kind of report.
type sentWords struct {
	off   string // "Telemetry is off (%s): nothing was collected or sent."
	noun  string // "report"
	title string // "Report"
}

var (
	telemetryWords = sentWords{off: "Telemetry is off (%s): nothing was collected or sent.", noun: "report", title: "Report"}
	errorWords     = sentWords{off: "Error reports are off (%s): nothing was kept or sent.", noun: "error report", title: "Error report"}
)

// printSent tells what a send did, in w's words.
func (c *cli) printSent(res *telemetry.SendResult, w sentWords) {
	switch {
	case res == nil:
		return
	case res.Mode == telemetry.Off:
		c.printf(w.off+"\n", res.Reason)
		return
	case res.Debug:
		c.printf("INDEXPILOT_TELEMETRY_DEBUG is set: the %s was printed to stderr, not kept or sent.\n", w.noun)
		return
	case res.KeptLocally:
		c.printf("%s %s kept on this machine (local mode: never sent).\n", w.title, short(res.Built))
	}
	for _, n := range res.Notes {
		c.printf("note: %s\n", n)
	}
	for _, u := range res.Uploaded {
		c.printf("Uploaded %s %s: %s.\n", w.noun, short(u.ID), u.Result)
	}
	for _, u := range res.Rejected {
		c.printf("Report %s was refused and set aside, never to be retried: %s.\n", short(u.ID), u.Result)
	}
	if res.Dropped > 0 {
		c.printf("The spool was full: the %d oldest report(s) were dropped.\n", res.Dropped)
	}
	if res.Pending > 0 {
		c.printf("%d report(s) wait in the spool for the next send.\n", res.Pending)
	}
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// printSentJSON prints what a send did as one JSON object.
func (c *cli) printSentJSON(res *telemetry.SendResult, err error) {
	out := struct {
		Mode        telemetry.Mode `json:"mode"`
		Reason      string         `json:"reason"`
		Built       string         `json:"built"`
		Stored      bool           `json:"stored"`
		KeptLocally bool           `json:"kept_locally"`
		Uploaded    []string       `json:"uploaded"`
		Pending     int            `json:"pending"`
		Error       string         `json:"error"`
	}{Uploaded: []string{}}
	if res != nil {
		out.Mode, out.Reason, out.Built, out.KeptLocally, out.Pending = res.Mode, res.Reason, res.Built, res.KeptLocally, res.Pending
		for _, u := range res.Uploaded {
			out.Uploaded = append(out.Uploaded, u.ID)
			out.Stored = out.Stored || (u.ID == res.Built && res.Built != "")
		}
	}
	if err != nil {
		out.Error = err.Error()
	}
	data, _ := json.Marshal(out) // plain types: cannot fail
	c.printf("%s\n", data)
}
