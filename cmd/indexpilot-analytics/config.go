package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/postgres"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// option is one row of the configuration table: its flag, environment
// variable, default, meaning, and whether it is a secret.
type option struct {
	flag, env, def, help string
	secret, envOnly      bool
	boolean              bool                // --flag alone means true
	mask                 func(string) string // shows a secret in part (config); nil: whole or not at all
}

// defaults are the service's defaults, defined where they are used
// (server.DefaultConfig, ingest); the options table shows them.
var defaults = server.DefaultConfig()

// options is the whole configuration of the service; README's table is
// this one.
var options = []option{
	{flag: "listen", env: "INDEXPILOT_ANALYTICS_LISTEN", def: "127.0.0.1:8080", help: "address to listen on (host:port)"},
	{flag: "database", env: "INDEXPILOT_ANALYTICS_DATABASE", def: database.Default, help: "sqlite:PATH or a postgres:// URL"},
	{flag: "admin-token", env: "INDEXPILOT_ANALYTICS_ADMIN_TOKEN", help: "an admin token accepted besides stored admin keys (at least 16 characters)", secret: true, envOnly: true},
	{flag: "raw-retention-days", env: "INDEXPILOT_ANALYTICS_RAW_RETENTION_DAYS", def: days(defaults.RawRetention), help: "days raw reports are kept (older timestamps are refused)"},
	{flag: "aggregate-retention-days", env: "INDEXPILOT_ANALYTICS_AGGREGATE_RETENTION_DAYS", def: days(defaults.AggregateRetention), help: "days daily rollups are kept"},
	{flag: "error-retention-days", env: "INDEXPILOT_ANALYTICS_ERROR_RETENTION_DAYS", def: days(defaults.ErrorRetention), help: "days raw error reports are kept (older timestamps are refused); their groups and daily counts follow the aggregate retention"},
	{flag: "key-rate", env: "INDEXPILOT_ANALYTICS_KEY_RATE", def: number(defaults.KeyRatePerMinute), help: "reports per minute one installation key may send (fleet keys: unlimited)"},
	{flag: "key-burst", env: "INDEXPILOT_ANALYTICS_KEY_BURST", def: strconv.Itoa(defaults.KeyBurst), help: "burst allowance of an installation key"},
	{flag: "register-rate", env: "INDEXPILOT_ANALYTICS_REGISTER_RATE", def: number(defaults.RegisterPerMinute), help: "registrations, and failed sign-ins (form or Bearer token), per minute per client address"},
	{flag: "register-burst", env: "INDEXPILOT_ANALYTICS_REGISTER_BURST", def: strconv.Itoa(defaults.RegisterBurst), help: "burst allowance of registrations per address"},
	{flag: "max-batch", env: "INDEXPILOT_ANALYTICS_MAX_BATCH", def: strconv.Itoa(ingest.DefaultMaxBatch), help: "most reports committed in one transaction"},
	{flag: "committers", env: "INDEXPILOT_ANALYTICS_COMMITTERS", def: "1", help: "ingest transactions in flight at once; above 1 the next batch starts while one commits (see BENCHMARKS.md)"},
	{flag: "bitmap-cache-mb", env: "INDEXPILOT_ANALYTICS_BITMAP_CACHE_MB", def: strconv.Itoa(postgres.DefaultBitmapCache >> 20), help: "MB of rollup rows (bitmaps and counters) and their unions a process keeps between dashboard reads (PostgreSQL; 0: none); each is reused only while the stored rows it comes from are unchanged"},
	{flag: "secure-cookies", env: "INDEXPILOT_ANALYTICS_SECURE_COOKIES", def: "false", help: "mark the session cookie Secure (set when served behind TLS)"},
	{flag: "log-level", env: "INDEXPILOT_ANALYTICS_LOG_LEVEL", def: "info", help: "debug, info, warn or error"},
	{flag: "debug-listen", env: "INDEXPILOT_ANALYTICS_DEBUG_LISTEN", help: "serve Go pprof profiles on this loopback address (empty: off)"},
	{flag: "feedback-retention-days", env: "INDEXPILOT_ANALYTICS_FEEDBACK_RETENTION_DAYS", def: days(defaults.Feedback.Retention), help: "days feedback and imported GitHub votes are kept"},
	{flag: "feedback-rate", env: "INDEXPILOT_ANALYTICS_FEEDBACK_RATE", def: number(defaults.Feedback.AnonymousPerHour), help: "feedback per hour one client address may send without a key, and at once (0: a key is required)"},
	{flag: "trusted-proxies", env: "INDEXPILOT_ANALYTICS_TRUSTED_PROXIES", help: "load balancers (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client for rate limits; the right-most address not among them counts"},
	{flag: "processes", env: "INDEXPILOT_ANALYTICS_PROCESSES", def: strconv.Itoa(defaults.Processes), help: "serve processes sharing the load on one PostgreSQL; each enforces 1/N of every rate limit, so N together allow no more than the limit"},
	{flag: "public-page", env: "INDEXPILOT_ANALYTICS_PUBLIC_PAGE", def: "false", help: "serve the public usage page /public and /api/v1/public/summary, without sign-in (k-anonymous; docs/public.md)", boolean: true},
	{flag: "public-k", env: "INDEXPILOT_ANALYTICS_PUBLIC_K", def: "5", help: "the least installations a figure of the public page may count (at least 3)"},
	{flag: "priority-weights", env: "INDEXPILOT_ANALYTICS_PRIORITY_WEIGHTS", def: defaultInsights.Weights.String(), help: "weights of a feature's usage, performance and requests scores in its priority (usage,performance,requests)"},
	{flag: "algorithm-min-success-rate", env: "INDEXPILOT_ANALYTICS_ALGORITHM_MIN_SUCCESS_RATE", def: fmtFloat(defaultInsights.Thresholds.MinSuccessRate), help: "an algorithm is to improve when its success rate's upper 95 % bound is below this"},
	{flag: "algorithm-min-improvement", env: "INDEXPILOT_ANALYTICS_ALGORITHM_MIN_IMPROVEMENT", def: fmtFloat(defaultInsights.Thresholds.MinImprovementPct), help: "an algorithm is to optimize when its average improvement's upper 95 % bound is below this (%)"},
	{flag: "algorithm-min-installations", env: "INDEXPILOT_ANALYTICS_ALGORITHM_MIN_INSTALLATIONS", def: strconv.Itoa(defaultInsights.Thresholds.MinInstallations), help: "installations an algorithm needs before it gets an action (insufficient_data below)"},
	{flag: "webhook", env: "INDEXPILOT_ANALYTICS_WEBHOOK", help: "post alerts as JSON with a \"text\" field (Slack, Mattermost) to this URL; its path is a secret", secret: true, mask: notify.MaskWebhook},
	{flag: "smtp-url", env: "INDEXPILOT_ANALYTICS_SMTP_URL", help: "send alerts by e-mail through smtp://user:password@host:port (STARTTLS when offered) or smtps://", secret: true, mask: notify.MaskSMTP},
	{flag: "alert-email-to", env: "INDEXPILOT_ANALYTICS_ALERT_EMAIL_TO", help: "recipients of alert e-mails, comma-separated"},
	{flag: "alert-email-from", env: "INDEXPILOT_ANALYTICS_ALERT_EMAIL_FROM", help: "sender of alert e-mails (empty: the SMTP user, else indexpilot-analytics@ the SMTP host)"},
	{flag: "weekly-report-hour", env: "INDEXPILOT_ANALYTICS_WEEKLY_REPORT_HOUR", def: strconv.Itoa(weekly.DefaultHour), help: "hour (0-23, UTC) on Monday from which serve sends the last week's report through the alert channels, once per week (off: never)"},
	{flag: "alert-suppress", env: "INDEXPILOT_ANALYTICS_ALERT_SUPPRESS", def: "24h", help: "an alert delivered is not delivered again within this time (a new error group: never)"},
}

// notifyOptions configure where messages go: alerts (serve, alerts run)
// and the weekly report (serve, report weekly --send).
var notifyOptions = []string{"webhook", "smtp-url", "alert-email-to", "alert-email-from"}

// notifyConfig validates the notify options.
func (v values) notifyConfig() (notify.Config, error) {
	return notify.ParseConfig(*v["webhook"], *v["smtp-url"], *v["alert-email-to"], *v["alert-email-from"])
}

// alertOptions validates the alert options.
func (v values) alertOptions() (service.AlertOptions, error) {
	var o service.AlertOptions
	var err error
	if o.Notify, err = v.notifyConfig(); err != nil {
		return o, err
	}
	o.Suppress, err = time.ParseDuration(*v["alert-suppress"])
	if err != nil || o.Suppress < 0 {
		return o, fmt.Errorf("--alert-suppress: %q is not a duration such as 24h or 30m", *v["alert-suppress"])
	}
	return o, nil
}

// weeklyHour validates --weekly-report-hour: 0 to 23, or off.
func (v values) weeklyHour() (int, error) {
	s := *v["weekly-report-hour"]
	if s == "off" {
		return service.WeeklyOff, nil
	}
	h, err := strconv.Atoi(s)
	if err != nil || h < 0 || h > 23 {
		return 0, fmt.Errorf("--weekly-report-hour: %q is not an hour from 0 to 23 (UTC), or off", s)
	}
	return h, nil
}

// values holds the resolved options by flag name.
type values map[string]*string

// register adds the named options to fs, with the environment's value (or
// the default) as each flag's default.
func register(fs *flag.FlagSet, names ...string) values {
	v := values{}
	for _, o := range options {
		if !contains(names, o.flag) {
			continue
		}
		def := o.def
		if e, ok := os.LookupEnv(o.env); ok {
			def = e
		}
		if o.envOnly {
			s := def
			v[o.flag] = &s
			continue
		}
		if o.boolean {
			v[o.flag] = boolFlag(fs, o.flag, def, o.help+" ($"+o.env+")")
			continue
		}
		if o.secret {
			// A flag's default is printed by -h: show a secret's masked.
			sv := &secretValue{s: def, mask: o.masked}
			fs.Var(sv, o.flag, o.help+" ($"+o.env+")")
			v[o.flag] = &sv.s
			continue
		}
		v[o.flag] = fs.String(o.flag, def, o.help+" ($"+o.env+")")
	}
	return v
}

// masked returns val as config and -h show it.
func (o option) masked(val string) string {
	switch {
	case o.mask != nil:
		return o.mask(val)
	case o.secret && val != "":
		return "(set, masked)"
	}
	return val
}

// secretValue is a flag whose value prints masked.
type secretValue struct {
	s    string
	mask func(string) string
}

func (v *secretValue) String() string {
	if v == nil || v.mask == nil { // the zero value flag.PrintDefaults makes
		return ""
	}
	return v.mask(v.s)
}

func (v *secretValue) Set(s string) error { v.s = s; return nil }

// days writes a duration in whole days, for the table's defaults.
func days(d time.Duration) string { return strconv.Itoa(int(d / (24 * time.Hour))) }

// number writes a rate, for the table's defaults.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v values) int(name string) (int, error) {
	n, err := strconv.Atoi(*v[name])
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--%s: %q is not a whole number >= 0", name, *v[name])
	}
	return n, nil
}

func (v values) proxies(name string) ([]netip.Prefix, error) {
	p, err := server.ParseProxies(*v[name])
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return p, nil
}

func (v values) float(name string) (float64, error) {
	f, err := strconv.ParseFloat(*v[name], 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("--%s: %q is not a number >= 0", name, *v[name])
	}
	return f, nil
}

var serviceOptions = append([]string{"listen", "database", "admin-token", "raw-retention-days", "aggregate-retention-days",
	"error-retention-days", "key-rate", "key-burst", "register-rate", "register-burst", "max-batch", "committers", "bitmap-cache-mb", "secure-cookies", "log-level", "debug-listen",
	"feedback-retention-days", "feedback-rate", "trusted-proxies", "processes", "public-page", "public-k",
	"priority-weights", "algorithm-min-success-rate", "algorithm-min-improvement", "algorithm-min-installations",
	"alert-suppress", "weekly-report-hour"}, notifyOptions...)

// serviceConfig validates the options into service.Options.
func (v values) serviceConfig(logTo io.Writer) (service.Options, error) {
	cfg := server.DefaultConfig()
	var errs [13]error
	var raw, agg, errDays, burst, regBurst, batch, committers, cacheMB int
	raw, errs[0] = v.int("raw-retention-days")
	agg, errs[1] = v.int("aggregate-retention-days")
	cfg.KeyRatePerMinute, errs[2] = v.float("key-rate")
	burst, errs[3] = v.int("key-burst")
	cfg.RegisterPerMinute, errs[4] = v.float("register-rate")
	regBurst, errs[5] = v.int("register-burst")
	batch, errs[6] = v.int("max-batch")
	cfg.SecureCookies, errs[7] = strconv.ParseBool(*v["secure-cookies"])
	committers, errs[8] = v.int("committers")
	errDays, errs[9] = v.int("error-retention-days")
	cfg.Processes, errs[10] = v.int("processes")
	cfg.TrustedProxies, errs[11] = v.proxies("trusted-proxies")
	cacheMB, errs[12] = v.int("bitmap-cache-mb")
	for _, err := range errs {
		if err != nil {
			return service.Options{}, err
		}
	}
	cacheBytes := cacheMB << 20
	if cacheMB == 0 {
		cacheBytes = -1 // none
	}
	if cacheMB > 1<<20 {
		return service.Options{}, fmt.Errorf("--bitmap-cache-mb: %d is more than 1048576 (1 TB)", cacheMB)
	}
	if raw < 1 || agg < raw {
		return service.Options{}, fmt.Errorf("retention: need 1 <= raw-retention-days <= aggregate-retention-days")
	}
	if errDays < 1 || agg < errDays {
		return service.Options{}, fmt.Errorf("retention: need 1 <= error-retention-days <= aggregate-retention-days")
	}
	cfg.RawRetention, cfg.AggregateRetention = time.Duration(raw)*24*time.Hour, time.Duration(agg)*24*time.Hour
	cfg.ErrorRetention = time.Duration(errDays) * 24 * time.Hour
	cfg.KeyBurst, cfg.RegisterBurst, cfg.Processes = max(burst, 1), max(regBurst, 1), max(cfg.Processes, 1)
	if cfg.Processes > 1 && strings.HasPrefix(*v["database"], "sqlite:") {
		return service.Options{}, fmt.Errorf("--processes %d: one process serves an SQLite file; several need PostgreSQL (docs/deploy.md)", cfg.Processes)
	}
	if err := v.publicConfig(&cfg); err != nil {
		return service.Options{}, err
	}
	cfg.AdminToken = *v["admin-token"]
	if cfg.AdminToken != "" && len(cfg.AdminToken) < 16 {
		return service.Options{}, fmt.Errorf("INDEXPILOT_ANALYTICS_ADMIN_TOKEN must be at least 16 characters")
	}
	fb, err := v.feedbackConfig()
	if err != nil {
		return service.Options{}, err
	}
	cfg.Feedback = fb
	if cfg.Insights, err = v.insightSettings(); err != nil {
		return service.Options{}, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*v["log-level"])); err != nil {
		return service.Options{}, fmt.Errorf("--log-level: %w", err)
	}
	alerting, err := v.alertOptions()
	if err != nil {
		return service.Options{}, err
	}
	weeklyHour, err := v.weeklyHour()
	if err != nil {
		return service.Options{}, err
	}
	return service.Options{
		Alerts: alerting, WeeklyHour: weeklyHour,
		Listen: *v["listen"], Database: *v["database"], Server: cfg,
		Ingest:      ingest.Config{MaxBatch: max(batch, 1), Committers: max(committers, 1)},
		DebugListen: *v["debug-listen"], BitmapCache: cacheBytes,
		Log: slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level})),
	}, nil
}

func (c cli) config(args []string) int {
	fs := c.flags("config", "Usage: indexpilot-analytics config\n\nPrints every option, its environment variable and its effective value\n(secrets masked). Flags and environment variables set the values, as for serve.")
	v := register(fs, serviceOptions...)
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	for _, o := range options {
		val := o.masked(*v[o.flag])
		fmt.Fprintf(c.out, "%-26s %-46s %s\n", "--"+o.flag, "$"+o.env, val)
	}
	return exitOK
}
