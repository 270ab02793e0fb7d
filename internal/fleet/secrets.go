package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Error reports salted with planted secrets (Config.SecretErrors): what a
// careless IndexPilot installation sends when its errors quote its
// configuration, its users' rows and its home folder. Each report's
// message and stack frames hold addresses, passwords, tokens, e-mail
// addresses, telephone numbers and home paths, all made up and all
// unique, so a test can look for each of them in the server's database:
// the server must have scrubbed every one away.

// PlantedError is one salted error report and the secrets planted in it.
type PlantedError struct {
	Report report.ErrorReport
	// Installation is the installation's index in the fleet.
	Installation int
	// Secrets are the planted values, each one that must not be stored.
	Secrets []string
}

// kindSecret is the random stream of planted secrets.
const kindSecret = kindJitter + 100

// PlantedErrors returns the salted error reports of c, in the order Run
// sends them. Like Generate, it depends only on c's Seed, Installations,
// Days, Now and SecretErrors.
func PlantedErrors(c Config) []PlantedError {
	c = c.withDefaults()
	if c.Installations < 1 {
		return nil
	}
	p := newPlan(c)
	span := time.Duration(min(max(p.days, 1), 20)) * 24 * time.Hour // well inside the error retention
	out := make([]PlantedError, 0, c.SecretErrors)
	for k := range c.SecretErrors {
		r := stream(c.Seed, kindSecret, k, 0)
		inst := k % c.Installations
		at := c.Now.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Microsecond)
		out = append(out, plantedError(r, p.profiles[inst].id, inst, at))
	}
	return out
}

// plantedValues is one set of made-up secrets. Every value carries at
// least ten random characters, so finding it anywhere in a database dump
// can only mean that it was stored.
type plantedValues struct {
	password, token, user, email, phone, ipv4, ipv6, host, awsID, awsSecret, jwt string
}

// drawValues draws a set of planted values from r.
func drawValues(r *rand.Rand) plantedValues {
	return plantedValues{
		password:  "Pw-" + randText(r, alnum, 12) + "!",
		token:     "tk_" + randText(r, alnum, 24),
		user:      "user" + randText(r, lower, 10),
		email:     randText(r, lower, 10) + "@" + randText(r, lower, 8) + ".example.org",
		phone:     fmt.Sprintf("+44 20 7946 %04d", r.IntN(10000)),
		ipv4:      fmt.Sprintf("203.0.113.%d", 1+r.IntN(254)),
		ipv6:      fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(0xffff), r.IntN(0xffff), 1+r.IntN(0xfffe)),
		host:      "db-" + randText(r, lower, 10) + ".internal",
		awsID:     "AKIA" + randText(r, upperDigits, 16),
		awsSecret: randText(r, upper, 2) + randText(r, lower, 2) + randText(r, "0123456789", 2) + randText(r, alnum+"/+", 34),
		jwt:       "eyJhbGciOiJIUzI1NiJ9.eyJ" + randText(r, alnum, 20) + "." + randText(r, alnum+"-_", 22),
	}
}

const (
	lower       = "abcdefghijklmnopqrstuvwxyz"
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	upperDigits = upper + "0123456789"
	alnum       = lower + upperDigits
)

func randText(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// errorTemplates are realistic failures that quote what they should not.
// Each returns the error type, the message and the planted values it used.
var errorTemplates = []func(v plantedValues) (string, string, []string){
	func(v plantedValues) (string, string, []string) {
		return "psycopg2.OperationalError", fmt.Sprintf(`connection to server at "%s" (%s), port 5432 failed: FATAL:  password authentication failed for user "%s"
(dsn: host=%s user=%s password=%s dbname=indexpilot)`, v.host, v.ipv4, v.user, v.host, v.user, v.password),
			[]string{v.host, v.ipv4, v.user, v.password}
	},
	func(v plantedValues) (string, string, []string) {
		return "indexpilot.config.ConfigError", fmt.Sprintf("bad DB_PASSWORD value '%s'; the password is %s until rotation", v.password, v.password),
			[]string{v.password}
	},
	func(v plantedValues) (string, string, []string) {
		return "ssl.SSLError", fmt.Sprintf("could not load /home/%s/.ssh/id_ed25519: bad passphrase '%s'", v.user, v.password),
			[]string{v.user, v.password}
	},
	func(v plantedValues) (string, string, []string) {
		return "requests.exceptions.HTTPError", fmt.Sprintf("401 Client Error for url: https://api.example.com/v1/sync?api_key=%s (Authorization: Bearer %s; invalid token %s)", v.token, v.jwt, v.token),
			[]string{v.token, v.jwt}
	},
	func(v plantedValues) (string, string, []string) {
		return "psycopg2.errors.UniqueViolation", fmt.Sprintf(`duplicate key value violates unique constraint "contacts_email_key"
DETAIL:  Key (email)=(%s) already exists.
CONTEXT:  COPY contacts, line 12: "12,Ann,%s,%s"`, v.email, v.phone, v.email),
			[]string{v.email, v.phone}
	},
	func(v plantedValues) (string, string, []string) {
		return "indexpilot.notify.AlertError", fmt.Sprintf("alert to %s failed; call the on-call engineer at %s", v.email, v.phone),
			[]string{v.email, v.phone}
	},
	func(v plantedValues) (string, string, []string) {
		return "botocore.exceptions.ClientError", fmt.Sprintf("An error occurred (SignatureDoesNotMatch) when calling the PutObject operation; credentials %s:%s, secret %s", v.awsID, v.awsSecret, v.awsSecret),
			[]string{v.awsID, v.awsSecret}
	},
	func(v plantedValues) (string, string, []string) {
		return "OSError", fmt.Sprintf("[Errno 111] Connect call failed ('%s', 5432) and ('%s', 5432, 0, 0); secret %s", v.ipv4, v.ipv6, v.token),
			[]string{v.ipv4, v.ipv6, v.token}
	},
}

// plantedError builds one salted report of installation inst.
func plantedError(r *rand.Rand, id string, inst int, at time.Time) PlantedError {
	v := drawValues(r)
	typ, msg, secrets := errorTemplates[r.IntN(len(errorTemplates))](v)
	home := "/home/" + v.user + "/venv/lib/python3.12/site-packages/indexpilot/"
	e := report.ErrorReport{
		SchemaVersion: report.ErrorSchema, ReportID: newUUID(r), InstallationID: id, Version: "1.1.0",
		Timestamp: at.Format(time.RFC3339Nano), ErrorType: typ, Message: msg,
		Frames: []report.Frame{
			{File: home + "cli.py", Function: "main", Line: 41, InApp: true},
			{File: home + "auto_indexer.py", Function: "run_cycle", Line: 213, InApp: true},
		},
		Context: report.ErrorContext{Component: "auto_indexer", Operation: "analyze"},
	}
	if !slices.Contains(secrets, v.user) {
		secrets = append(secrets, v.user) // the frames' home folder
	}
	return PlantedError{Report: e, Installation: inst, Secrets: secrets}
}

// deliverError sends one salted error report.
func (s *sender) deliverError(ctx context.Context, pe PlantedError) {
	cr, err := s.creds[pe.Installation](ctx)
	if err != nil {
		s.tally.recordError(failedUnlessCancelled(ctx), 0, err)
		return
	}
	r := pe.Report
	r.InstallationID = cr.id
	body, err := json.Marshal(&r)
	if err != nil {
		s.tally.recordError(failed, 0, err)
		return
	}
	o, retries, err := s.postTo(ctx, "/api/v1/errors", body, false, cr.key)
	if err != nil {
		err = fmt.Errorf("fleet: error report %s: %w", r.ReportID, err)
	}
	s.tally.recordError(o, retries, err)
}

// recordError adds one error report delivery: acknowledged ones to
// Summary.ErrorReports, refused or failed ones like reports.
func (t *tally) recordError(o outcome, retries int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Retried += retries
	switch o {
	case acknowledged, duplicate:
		t.sum.ErrorReports++
	case rejected:
		t.sum.Rejected++
	case failed:
		t.sum.Failed++
	}
	if err != nil && t.first == nil && o != cancelled {
		t.first = err
	}
}

// PlantedSecrets lists every secret planted in c's salted error reports,
// once each.
func PlantedSecrets(c Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, pe := range PlantedErrors(c) {
		for _, s := range pe.Secrets {
			if !seen[s] && strings.TrimSpace(s) != "" {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
