package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/feedback"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const feedbackHelp = `Usage: indexpilot-analytics feedback import --github FILE [--map MAPPING] [--database D]

Imports the feature requests of a GitHub issue export as feedback votes.
FILE is what this writes (use - for stdin):

  gh issue list --repo OWNER/REPO --state all --limit 1000 \
    --json number,title,body,labels,reactionGroups,createdAt,url > issues.json

An issue labelled as a feature request counts its 👍 reactions plus one for
each feature its labels and title name (MAPPING says how), or for its title
when they name none. Other issues are skipped. Titles are scrubbed like
feedback; bodies are never kept. The import is idempotent: the same file
twice changes nothing, a newer export updates the counts. A malformed file
exits 2 naming its line, and nothing is stored.

` + feedback.MappingHelp + `
Without --map, issues labelled ` + "enhancement, feature, \"feature request\", feature-request,\n\"type: feature\" or kind/feature are feature requests."

func (c cli) feedback(args []string) int {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(c.out, feedbackHelp)
			return exitOK
		}
		fmt.Fprintln(c.err, feedbackHelp)
		return exitUsage
	}
	var githubFile, mapFile *string
	return c.withStore("feedback import", feedbackHelp, args[1:], func(fs *flag.FlagSet) {
		githubFile = fs.String("github", "", "the `FILE` gh issue list --json ... wrote (- for stdin)")
		mapFile = fs.String("map", "", "a `MAPPING` file from labels and title words to feature names")
	}, func(ctx context.Context, st store.Store, fs *flag.FlagSet) error {
		if *githubFile == "" || fs.NArg() > 0 {
			return usageError{"feedback import needs --github FILE and no other argument (see -h)"}
		}
		return c.importGitHub(ctx, st, *githubFile, *mapFile)
	})
}

// importGitHub imports one export and prints what it did.
func (c cli) importGitHub(ctx context.Context, st store.Store, file, mapFile string) error {
	m := feedback.DefaultMapping()
	if mapFile != "" {
		f, err := os.Open(mapFile)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close() // read-only
		if m, err = feedback.ReadMapping(mapFile, f); err != nil {
			return inputError(err)
		}
	}
	in := c.in
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return usageError{err.Error()}
		}
		defer f.Close() // read-only
		in = f
	}
	res, err := feedback.ImportGitHub(ctx, st, file, in, m, time.Now().UTC())
	if err != nil {
		return inputError(err)
	}
	fmt.Fprintf(c.out, "%s: added %d, updated %d, unchanged %d feature request(s); skipped %d issue(s) that are not feature requests\n",
		file, res.Added, res.Updated, res.Unchanged, res.Skipped)
	return nil
}

// inputError makes a malformed file a usage error: exit 2, naming the line.
func inputError(err error) error {
	var ie *feedback.InputError
	if errors.As(err, &ie) {
		return usageError{ie.Error()}
	}
	return err
}

// feedbackConfig validates the feedback options.
func (v values) feedbackConfig() (server.FeedbackConfig, error) {
	cfg := server.DefaultFeedbackConfig()
	days, err := v.int("feedback-retention-days")
	if err != nil {
		return cfg, err
	}
	if days < 1 {
		return cfg, fmt.Errorf("--feedback-retention-days: must be at least 1")
	}
	cfg.Retention = time.Duration(days) * 24 * time.Hour
	if cfg.AnonymousPerHour, err = v.float("feedback-rate"); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// demoFeedback has the demo's fleet send its users' feedback through the
// API and imports the fleet's GitHub issues, so that the Feedback page
// shows both out of the box.
func (c cli) demoFeedback(ctx context.Context, dsn string, f fleet.Config) error {
	sum, err := fleet.SendFeedback(ctx, f)
	if err != nil {
		return err
	}
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := feedback.ImportGitHub(ctx, st, "the simulated project's GitHub issues", bytes.NewReader(fleet.GitHubExport(f)),
		feedback.DefaultMapping(), time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(c.err, "Sent %d users' feedback and imported %d GitHub feature requests.\n", sum.Stored+sum.Duplicates, res.Added+res.Updated+res.Unchanged)
	return nil
}
