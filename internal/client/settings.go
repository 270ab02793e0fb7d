package client

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
)

// Mode is what the client does with reports.
type Mode string

// The modes. Off collects, writes and sends nothing; Local builds reports
// and keeps them in the state folder, never sending them; On builds, keeps
// and sends them.
const (
	Off   Mode = "off"
	Local Mode = "local"
	On    Mode = "on"
)

// ParseMode reads a mode word; anything but off, local and on is a
// *ConfigError.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Off, Local, On:
		return m, nil
	}
	return "", &ConfigError{Problem: fmt.Sprintf("%q is not a telemetry mode", s), Fix: "use on, off or local"}
}

// DefaultEndpoint is the analytics service reports go to unless
// INDEXPILOT_TELEMETRY_ENDPOINT or telemetry.endpoint says otherwise.
const DefaultEndpoint = "https://telemetry.indexpilot.dev"

// seedSchema is the schema version that the first client's settings
// (INDEXPILOT_TELEMETRY_ENABLED=true, telemetry.enabled: true) consent to:
// they were introduced with its report format. Only "on" consents
// to newer fields.
const seedSchema = 1

// ConfigError is a setting the client cannot use: a malformed config file,
// an unknown word, an endpoint that is not http(s), a state folder it
// cannot write. The command line exits 2 on one.
type ConfigError struct {
	Problem string // what is wrong, naming the setting
	Fix     string // what to do about it
}

func (e *ConfigError) Error() string { return e.Problem + "; " + e.Fix }

// settings is the outcome of the precedence rules: the mode, which setting
// decided it, and everything else a command needs.
type settings struct {
	mode      Mode
	reason    string // the setting that decided the mode, for status
	consented int    // schema version consented to; 0 when off
	debug     bool   // INDEXPILOT_TELEMETRY_DEBUG: print reports, send nothing

	endpoint, endpointSource string
	configPath               string // the IndexPilot config file looked at
	configFound              bool
	file                     fileSettings
	stateDir                 string
}

// collects reports whether the user's toggles keep a group of fields.
func (s *settings) collects(toggle *bool) bool { return toggle == nil || *toggle }

// resolve applies the precedence rules (highest first):
//
//  1. DO_NOT_TRACK set, or INDEXPILOT_TELEMETRY_ENABLED=false: off.
//  2. INDEXPILOT_TELEMETRY_ENABLED=true, or the stored mode. When both are
//     given and disagree the more private one wins (off, then local).
//  3. telemetry.enabled in IndexPilot's config file, except that a true
//     there does not count when CI is set.
//  4. Off.
//
// It always returns usable settings; when a setting is broken it also
// returns a *ConfigError, and the mode is then off (the broken setting may
// be the one that said off, or that turned a group of fields off).
func resolve(getenv func(string) string, stateDir string, st *state) (*settings, error) {
	s := &settings{stateDir: stateDir, debug: truthy(getenv("INDEXPILOT_TELEMETRY_DEBUG"))}
	s.configPath = collect.ResolveConfigPath("", getenv)
	var errs []error
	found, err := readFileSettings(s.configPath, &s.file)
	s.configFound = found
	errs = append(errs, err)
	errs = append(errs, s.resolveEndpoint(getenv))
	envOn, err := envEnabled(getenv)
	errs = append(errs, err)
	s.mode, s.reason, s.consented = decideMode(getenv, envOn, st, s)
	for _, err := range errs {
		if err != nil {
			s.mode, s.consented = Off, 0
			s.reason = "a setting the client cannot use (" + err.Error() + ")"
			return s, err
		}
	}
	return s, nil
}

// decideMode is rows 1 to 4 of the precedence table.
func decideMode(getenv func(string) string, envOn *bool, st *state, s *settings) (Mode, string, int) {
	if v := getenv("DO_NOT_TRACK"); truthy(v) {
		return Off, "DO_NOT_TRACK=" + v, 0
	}
	if envOn != nil && !*envOn {
		return Off, "INDEXPILOT_TELEMETRY_ENABLED=" + getenv("INDEXPILOT_TELEMETRY_ENABLED"), 0
	}
	if st != nil && st.Mode != "" {
		reason := fmt.Sprintf("the mode set with `indexpilot-telemetry %s` on %s", st.Mode, st.ModeSet.UTC().Format("2006-01-02"))
		if envOn != nil && st.Mode != On {
			reason += " (more private than INDEXPILOT_TELEMETRY_ENABLED=true, which ranks the same)"
		}
		if st.Mode == Off {
			return Off, reason, 0
		}
		return st.Mode, reason, max(st.Consented, seedSchema)
	}
	if envOn != nil {
		return On, "INDEXPILOT_TELEMETRY_ENABLED=" + getenv("INDEXPILOT_TELEMETRY_ENABLED"), seedSchema
	}
	if e := s.file.Enabled; e != nil {
		switch {
		case !*e:
			return Off, "telemetry.enabled: false in " + s.configPath, 0
		case truthy(getenv("CI")):
			return Off, "the default (CI is set, so telemetry.enabled: true in " + s.configPath + " does not count)", 0
		}
		return On, "telemetry.enabled: true in " + s.configPath, seedSchema
	}
	return Off, "the default", 0
}

// envEnabled reads INDEXPILOT_TELEMETRY_ENABLED: nil when unset.
func envEnabled(getenv func(string) string) (*bool, error) {
	v := strings.TrimSpace(getenv("INDEXPILOT_TELEMETRY_ENABLED"))
	if v == "" {
		return nil, nil
	}
	b, ok := parseBool(v)
	if !ok {
		return nil, &ConfigError{Problem: fmt.Sprintf("INDEXPILOT_TELEMETRY_ENABLED=%s is neither true nor false", v),
			Fix: "set it to true or false, or unset it"}
	}
	return &b, nil
}

// resolveEndpoint picks INDEXPILOT_TELEMETRY_ENDPOINT, else
// telemetry.endpoint, else DefaultEndpoint, and checks it.
func (s *settings) resolveEndpoint(getenv func(string) string) error {
	s.endpoint, s.endpointSource = DefaultEndpoint, "the default"
	if e := s.file.Endpoint; e != nil {
		s.endpoint, s.endpointSource = *e, "telemetry.endpoint in "+s.configPath
	}
	if e := strings.TrimSpace(getenv("INDEXPILOT_TELEMETRY_ENDPOINT")); e != "" {
		s.endpoint, s.endpointSource = e, "INDEXPILOT_TELEMETRY_ENDPOINT"
	}
	base, err := normalizeEndpoint(s.endpoint)
	if err != nil {
		return &ConfigError{Problem: fmt.Sprintf("the endpoint %q (from %s) %v", s.endpoint, s.endpointSource, err),
			Fix: "give the service's http:// or https:// address, e.g. " + DefaultEndpoint}
	}
	s.endpoint = base
	return nil
}

// normalizeEndpoint returns the service's base URL. The first client's setting
// named the report route ("https://analytics.example/telemetry"); such a
// path is cut back to the base.
func normalizeEndpoint(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return "", fmt.Errorf("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("is not an http or https URL")
	case u.Host == "":
		return "", fmt.Errorf("names no host")
	case u.User != nil:
		return "", fmt.Errorf("holds credentials, which would end up in logs")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("has a query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/api/v1/telemetry")
	p = strings.TrimSuffix(p, "/telemetry")
	u.Path = p
	return u.String(), nil
}

// stateDirFromEnv is IndexPilot's state folder for telemetry:
// $XDG_STATE_HOME/indexpilot/telemetry, else ~/.local/state/indexpilot/telemetry.
func stateDirFromEnv(getenv func(string) string, home func() (string, error)) (string, error) {
	if x := getenv("XDG_STATE_HOME"); filepath.IsAbs(x) { // XDG: a relative path is to be ignored
		return filepath.Join(x, "indexpilot", "telemetry"), nil
	}
	h := getenv("HOME")
	if h == "" {
		var err error
		if h, err = home(); err != nil || h == "" {
			return "", &ConfigError{Problem: "no state folder: neither XDG_STATE_HOME nor HOME is set",
				Fix: "set XDG_STATE_HOME to a writable folder"}
		}
	}
	return filepath.Join(h, ".local", "state", "indexpilot", "telemetry"), nil
}

// truthy reads an on/off environment variable: set and not a no.
func truthy(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	b, ok := parseBool(v)
	return !ok || b
}

func parseBool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y":
		return true, true
	case "0", "false", "no", "off", "n":
		return false, true
	}
	return false, false
}
