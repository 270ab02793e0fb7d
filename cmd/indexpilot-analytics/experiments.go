package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const experimentsHelp = `Usage:
  indexpilot-analytics experiments create --name N --variants control,treatment --metric M --min-effect X
        [--higher-is-better true|false] [--split 50,50] [--start TIME] [--end TIME] [--database D]
  indexpilot-analytics experiments list [--database D]
  indexpilot-analytics experiments show NAME [--database D]
  indexpilot-analytics experiments stop NAME [--database D]

Fleet experiments (docs/experiments.md): IndexPilot installations assign
themselves to a variant of each running experiment and report it; the
analysis compares the variants with the installation as the unit and an
interval that stays valid when looked at every day.

create registers one. The name matches ^[a-z0-9_]{1,48}$ and is never
reused; the first variant is the control; the metric is one of
performance_improvement_pct, error_rate, latency_p95_ms, indexes_created,
with its natural better direction unless --higher-is-better says
otherwise; --min-effect is the smallest difference worth knowing, in the
metric's unit. It starts now (or --start, RFC 3339, at most the raw
retention ago) and lasts until stopped or --end: at most the raw
retention (90 days by default), since the analysis reads raw reports.
list shows every experiment with its decision; show prints one's analysis
as JSON (GET /api/v1/experiments/NAME gives the same); stop ends one now.`

func (c cli) experiments(args []string) int {
	if code, shown := c.helpFor(experimentsHelp, args); shown {
		return code
	}
	var retention values
	run := func(name string, setup func(*flag.FlagSet), fn func(context.Context, *experiment.Service, *flag.FlagSet) error) int {
		return c.withStore("experiments "+name, experimentsHelp, args[1:], func(fs *flag.FlagSet) {
			retention = register(fs, "raw-retention-days")
			if setup != nil {
				setup(fs)
			}
		}, func(ctx context.Context, st store.Store, fs *flag.FlagSet) error {
			days, err := retention.int("raw-retention-days")
			if err != nil {
				return usageError{err.Error()}
			}
			return fn(ctx, &experiment.Service{Store: st, RawRetention: time.Duration(days) * 24 * time.Hour}, fs)
		})
	}
	switch args[0] {
	case "create":
		var spec specFlags
		return run("create", spec.register, func(ctx context.Context, svc *experiment.Service, _ *flag.FlagSet) error {
			return c.createExperiment(ctx, svc, &spec)
		})
	case "list":
		return run("list", nil, func(ctx context.Context, svc *experiment.Service, _ *flag.FlagSet) error {
			return c.listExperiments(ctx, svc)
		})
	case "show", "stop":
		return run(args[0], nil, func(ctx context.Context, svc *experiment.Service, fs *flag.FlagSet) error {
			if fs.NArg() != 1 {
				return usageError{"experiments " + args[0] + " takes one experiment name (see 'experiments list')"}
			}
			return c.showOrStop(ctx, svc, args[0], fs.Arg(0))
		})
	}
	fmt.Fprintf(c.err, "indexpilot-analytics experiments: unknown subcommand %q\n\n%s\n", args[0], experimentsHelp)
	return exitUsage
}

// specFlags are create's flags.
type specFlags struct {
	name, variants, metric, higher, split, start, end *string
	minEffect                                         *float64
}

func (f *specFlags) register(fs *flag.FlagSet) {
	f.name = fs.String("name", "", "the experiment's name, ^[a-z0-9_]{1,48}$")
	f.variants = fs.String("variants", "control,treatment", "comma-separated variants, the control first")
	f.metric = fs.String("metric", "", "performance_improvement_pct, error_rate, latency_p95_ms or indexes_created")
	f.minEffect = fs.Float64("min-effect", 0, "the smallest difference worth knowing, in the metric's unit")
	f.higher = fs.String("higher-is-better", "", "true or false (default: the metric's natural direction)")
	f.split = fs.String("split", "", "comma-separated weights, one per variant (default: even)")
	f.start = fs.String("start", "", "start time, RFC 3339 (default: now)")
	f.end = fs.String("end", "", "end time, RFC 3339 (default: until stopped)")
}

// spec turns the flags into an experiment.Spec.
func (f *specFlags) spec() (experiment.Spec, error) {
	s := experiment.Spec{Name: *f.name, Variants: strings.Split(*f.variants, ","), Metric: *f.metric, MinEffect: *f.minEffect}
	if *f.higher != "" {
		b, err := strconv.ParseBool(*f.higher)
		if err != nil {
			return s, usageError{"--higher-is-better must be true or false"}
		}
		s.HigherIsBetter = &b
	}
	if *f.split != "" {
		for _, w := range strings.Split(*f.split, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
			if err != nil {
				return s, usageError{"--split must be comma-separated numbers"}
			}
			s.Split = append(s.Split, x)
		}
	}
	for _, t := range []struct {
		flag, value string
		dst         **time.Time
	}{{"start", *f.start, &s.Start}, {"end", *f.end, &s.End}} {
		if t.value == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.value)
		if err != nil {
			return s, usageError{"--" + t.flag + " must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z"}
		}
		*t.dst = &v
	}
	return s, nil
}

func (c cli) createExperiment(ctx context.Context, svc *experiment.Service, f *specFlags) error {
	spec, err := f.spec()
	if err != nil {
		return err
	}
	e, err := svc.Create(ctx, spec)
	var se *experiment.SpecError
	switch {
	case errors.As(err, &se):
		return usageError{"--" + strings.ReplaceAll(se.Field, "_", "-") + ": " + se.Rule}
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("an experiment called %s exists; names are never reused", spec.Name)
	case err != nil:
		return err
	}
	fmt.Fprintf(c.out, "created %s: %s on %s, starts %s, %s\n", e.Name, strings.Join(e.Variants, " / "), e.Metric,
		e.Start.Format(time.RFC3339), until(e.End))
	return nil
}

func until(end *time.Time) string {
	if end == nil {
		return "runs until stopped"
	}
	return "ends " + end.Format(time.RFC3339)
}

func (c cli) listExperiments(ctx context.Context, svc *experiment.Service) error {
	all, err := svc.All(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tMETRIC\tVARIANTS\tINSTALLATIONS\tSTART\tEND\tDECISION")
	for _, a := range all {
		var names, counts []string
		for _, v := range a.Variants {
			names = append(names, v.Variant)
			counts = append(counts, strconv.Itoa(v.Measured))
		}
		end := "-"
		if a.End != nil {
			end = a.End.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, a.Status, a.Metric, strings.Join(names, ","),
			strings.Join(counts, "/"), a.Start.Format(time.DateOnly), end, decisionText(a))
	}
	return tw.Flush()
}

// decisionText is the decision with what qualifies it.
func decisionText(a *experiment.Analysis) string {
	s := a.Decision
	if a.ExpectedDays != nil {
		unit := "days"
		if *a.ExpectedDays == 1 {
			unit = "day"
		}
		s += fmt.Sprintf(" (about %d %s more)", *a.ExpectedDays, unit)
	}
	if a.SRMWarning {
		s += " SAMPLE-RATIO MISMATCH: trust no effect"
	}
	return s
}

func (c cli) showOrStop(ctx context.Context, svc *experiment.Service, verb, name string) error {
	if verb == "stop" {
		e, err := svc.Stop(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no experiment called %q", name)
		}
		if err == nil {
			fmt.Fprintf(c.out, "stopped %s at %s (running services stop listing it within 30 s)\n", e.Name, e.End.Format(time.RFC3339))
		}
		return err
	}
	a, err := svc.Analyze(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no experiment called %q", name)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}
