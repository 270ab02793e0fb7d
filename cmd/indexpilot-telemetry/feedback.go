package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// maxMessageInput is how much of a message file or stdin is read: far
// more than the contract's 2,000 characters, so that a longer message is
// refused with its length rather than cut.
const maxMessageInput = 64 << 10

var feedbackCmd = &command{
	name:    "feedback",
	usage:   "[-m MESSAGE] [--rating N] [--feature NAME]... [--yes | --dry-run]",
	summary: "tell IndexPilot's maintainers how it works for you (telemetry on or off)",
	help: `Sends the maintainers a short message, an optional rating of how well
IndexPilot works for you (1 to 5) and optional feature requests (names of
IndexPilot's features, such as auto_rollback, or a short title of your own).

Feedback is its own act of consent, separate from telemetry: it works
whether telemetry is on, off or local, and nothing is sent until you have
seen the exact bytes and confirmed (--yes confirms for scripts; --dry-run
only shows them). The message and the requests are scrubbed like error
reports before you see them: passwords, tokens, connection strings, host,
user and database names, e-mail and IP addresses and home-directory user
names are replaced (scrub/RULES.md). With telemetry on, the feedback
carries this installation's id, which links it to the version and
environment its reports describe; otherwise it carries none, and the
service keeps no address. The service keeps feedback for a year (its
default); nothing of it is kept on this machine.

Without -m, the message is asked for on a terminal (with the rating and
the requests), or read from stdin or --message-file. At most 2,000
characters and 5 feature requests.

Exit status: 0 sent, or not confirmed; 1 the service could not be reached
or refused it; 2 input the contract refuses (naming the flag) or a
setting that cannot be used. Nothing is sent in either case.`,
	flags: func(fs *flag.FlagSet) {
		fs.String("message", "", "the `MESSAGE`; -m for short")
		fs.Var(fs.Lookup("message").Value, "m", "the `MESSAGE`")
		fs.String("message-file", "", "read the message from `FILE` (- for stdin)")
		fs.Int("rating", 0, "how well IndexPilot works for you: `N` from 1 (badly) to 5 (very well)")
		fs.Var(&listFlag{}, "feature", "a feature you would like: a `NAME` such as auto_rollback, or a short title; repeatable")
		fs.String("indexpilot-version", "", "IndexPilot's `VERSION` (default $INDEXPILOT_VERSION)")
		fs.Bool("yes", false, "send without asking, for scripts (the bytes are still printed)")
		fs.Bool("dry-run", false, "print the exact bytes that would be sent; send nothing")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		return c.feedback(ctx, fs)
	},
}

func (c *cli) feedback(ctx context.Context, fs *flag.FlagSet) int {
	in := bufio.NewReader(c.stdin)
	input, fromStdin, err := c.feedbackInput(fs, in)
	if err != nil {
		c.stderrf("indexpilot-telemetry feedback: %v; nothing was sent\n", err)
		return exitUsage
	}
	d, err := c.client.DraftFeedback(ctx, input)
	if errors.Is(err, telemetry.ErrInvalidFeedback) {
		c.stderrf("indexpilot-telemetry feedback: %s; nothing was sent\n", flagWords(err))
		return exitUsage
	}
	if err != nil {
		return c.fail(err)
	}
	c.showFeedback(d)
	switch {
	case boolFlag(fs, "dry-run"):
		c.stderrf("Dry run: nothing was sent.\n")
		return exitOK
	case boolFlag(fs, "yes"):
	case fromStdin:
		c.stderrf("Not sent: the message came from stdin, so there is no one to ask; give --yes to send it.\n")
		return exitUsage
	default:
		yes, answered := c.confirm(in, "Send this feedback? [y/N] ")
		if !answered {
			c.stderrf("\nNot sent: no answer (give --yes to send without asking).\n")
			return exitFailure
		}
		if !yes {
			c.stderrf("Not sent.\n")
			return exitOK
		}
	}
	return c.sendFeedback(ctx, d)
}

func (c *cli) sendFeedback(ctx context.Context, d *telemetry.FeedbackDraft) int {
	sent, err := c.client.SendFeedback(ctx, d)
	switch {
	case err != nil:
		c.stderrf("indexpilot-telemetry feedback: not sent: %v\n", err)
		if isConfig(err) {
			return exitUsage
		}
		return exitFailure
	case d.Debug:
		c.stderrf("INDEXPILOT_TELEMETRY_DEBUG is set: the feedback was printed to stderr, not sent.\n")
	case sent.Duplicate:
		c.stderrf("Sent (the service had it already, as feedback #%d). Thank you.\n", sent.ID)
	default:
		c.stderrf("Sent, as feedback #%d. Thank you.\n", sent.ID)
	}
	return exitOK
}

// showFeedback says what is about to happen, on stderr, and prints the
// exact bytes on stdout.
func (c *cli) showFeedback(d *telemetry.FeedbackDraft) {
	c.stderrf("Feedback is its own act of consent, separate from telemetry: nothing is sent\n" +
		"unless you confirm, whether telemetry is on or off.\n")
	c.stderrf("It goes to %s (kept a year by default; no address is kept).\n", d.Endpoint)
	c.stderrf("Installation id: %s.\n", d.Why)
	if d.Scrubbed {
		c.stderrf("Scrubbed like error reports: secrets, addresses and names were replaced with [tokens].\n")
	}
	c.stderrf("Exactly these bytes would be sent:\n")
	c.stdout.Write(d.Body)
}

// feedbackInput reads what the user says from the flags, a file, stdin,
// or, on a terminal, by asking. fromStdin says whether stdin held the
// message (so nobody is there to confirm).
func (c *cli) feedbackInput(fs *flag.FlagSet, in *bufio.Reader) (telemetry.FeedbackInput, bool, error) {
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	rating, _ := strconv.Atoi(get("rating"))
	fi := telemetry.FeedbackInput{Message: get("message"), Rating: rating, Version: get("indexpilot-version"),
		Features: *fs.Lookup("feature").Value.(*listFlag)}
	switch file := get("message-file"); {
	case fi.Message != "" && file != "":
		return fi, false, errors.New("give -m or --message-file, not both")
	case fi.Message != "":
		return fi, false, nil
	case file != "" && file != "-":
		data, err := os.ReadFile(file)
		fi.Message = string(data)
		return fi, false, err
	case file == "" && isTerminal(c.stdin):
		return c.askFeedback(fs, in, fi)
	}
	data, err := io.ReadAll(io.LimitReader(in, maxMessageInput+1))
	if len(data) > maxMessageInput {
		return fi, true, fmt.Errorf("the message is longer than %d characters", report.MaxFeedbackChars)
	}
	fi.Message = string(data)
	return fi, true, err
}

// askFeedback asks for the message, and for the rating and requests the
// flags did not give.
func (c *cli) askFeedback(fs *flag.FlagSet, in *bufio.Reader, fi telemetry.FeedbackInput) (telemetry.FeedbackInput, bool, error) {
	c.stderrf("Your feedback for IndexPilot's maintainers: how it works for you, what you miss.\n" +
		"(At most 2,000 characters; end with an empty line or Ctrl-D.)\n")
	var lines []string
	for {
		line, err := in.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" && (len(lines) > 0 || err != nil) {
			break
		}
		lines = append(lines, line)
		if err != nil {
			break
		}
	}
	fi.Message = strings.Join(lines, "\n")
	if fs.Lookup("rating").Value.String() == "0" {
		answer, _ := c.ask(in, "How well does IndexPilot work for you, from 1 (badly) to 5 (very well)? [Enter to skip] ")
		if answer != "" {
			n, err := strconv.Atoi(answer)
			if err != nil {
				return fi, false, fmt.Errorf("--rating: %q is not a whole number from 1 to 5", answer)
			}
			fi.Rating = n
		}
	}
	if len(fi.Features) == 0 {
		answer, _ := c.ask(in, "Features you would like (IndexPilot's names such as auto_rollback, or short titles; comma-separated)? [Enter to skip] ")
		for _, f := range strings.Split(answer, ",") {
			if f = strings.TrimSpace(f); f != "" {
				fi.Features = append(fi.Features, f)
			}
		}
	}
	return fi, false, nil
}

// ask prints a question on stderr and reads one line of answer; answered
// is false at the end of the input.
func (c *cli) ask(in *bufio.Reader, question string) (answer string, answered bool) {
	c.stderrf("%s", question)
	line, err := in.ReadString('\n')
	return strings.TrimSpace(line), err == nil || line != ""
}

// confirm asks a yes/no question; only y or yes is yes.
func (c *cli) confirm(in *bufio.Reader, question string) (yes, answered bool) {
	answer, answered := c.ask(in, question)
	answer = strings.ToLower(answer)
	return answer == "y" || answer == "yes", answered
}

// flagWords names the flag of a contract rule the input broke.
func flagWords(err error) string {
	var fe *report.FieldError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	name := map[string]string{"message": "the message (-m)", "rating": "--rating", "feature_requests": "--feature",
		"version": "--indexpilot-version"}[fe.Field]
	if name == "" {
		name = fe.Field
	}
	return name + ": " + fe.Rule
}

// isTerminal tells whether a reader or writer is a terminal: a person is
// there to read and answer. (/dev/null, which cron gives, is a character
// device but not a terminal.)
func isTerminal(f any) bool {
	switch f := f.(type) {
	case interface{ IsTerminal() bool }: // a writer that knows; tests
		return f.IsTerminal()
	case interface{ Fd() uintptr }:
		return term.IsTerminal(int(f.Fd()))
	}
	return false
}

// invite prints the survey's invitation when one is due and stdout is a
// terminal: never a prompt, and never for cron or a pipe.
func (c *cli) invite(ctx context.Context) {
	if isTerminal(c.stdout) {
		if line := c.client.SurveyDue(ctx); line != "" {
			c.printf("\n%s\n", line)
		}
	}
}
