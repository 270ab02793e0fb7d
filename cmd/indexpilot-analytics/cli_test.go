package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs the command line args in-process and returns its exit
// code and what it wrote.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = cli{in: strings.NewReader(""), out: &out, err: &errOut}.run(args)
	return code, out.String(), errOut.String()
}

// TestConfigMasksSecrets: config prints every option with its value, the
// admin token masked (it may be pasted into a ticket).
func TestConfigMasksSecrets(t *testing.T) {
	const token = "a-secret-admin-token-0123456789"
	t.Setenv("INDEXPILOT_ANALYTICS_ADMIN_TOKEN", token)
	t.Setenv("INDEXPILOT_ANALYTICS_KEY_RATE", "7")
	code, out, _ := runCLI("config", "--register-burst", "21")
	if code != exitOK || strings.Contains(out, token) || !strings.Contains(out, "(set, masked)") {
		t.Fatalf("config: exit %d, output:\n%s", code, out)
	}
	for _, want := range []string{"$INDEXPILOT_ANALYTICS_KEY_RATE                 7", "--register-burst", "21", "--raw-retention-days"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != len(options) {
		t.Errorf("config printed %d lines for %d options", n, len(options))
	}
}

func TestUsage(t *testing.T) {
	if code, out, _ := runCLI(); code != exitOK || !strings.Contains(out, "Commands:") {
		t.Errorf("no arguments: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI("nonsense"); code != exitUsage || !strings.Contains(errOut, `unknown command "nonsense"`) {
		t.Errorf("unknown command: exit %d\n%s", code, errOut)
	}
	for _, cmd := range []string{"serve", "demo", "simulate", "config", "migrate", "recompute"} {
		code, out, errOut := runCLI(cmd, "-h")
		if code != exitOK || out != "" || !strings.Contains(errOut, "Usage: indexpilot-analytics "+cmd) || !strings.Contains(errOut, "Flags:") {
			t.Errorf("%s -h: exit %d, stdout %q, stderr:\n%s", cmd, code, out, errOut)
		}
	}
	// Commands with subcommands: -h is asked for (exit 0), nothing is a mistake (exit 2).
	for _, cmd := range []string{"keys", "alerts", "experiments", "installations", "privacy", "feedback", "report"} {
		if code, out, errOut := runCLI(cmd, "-h"); code != exitOK || !strings.Contains(out+errOut, "Usage") {
			t.Errorf("%s -h: exit %d\n%s%s", cmd, code, out, errOut)
		}
		if code, _, _ := runCLI(cmd); code != exitUsage {
			t.Errorf("%s with no subcommand: exit %d, want %d", cmd, code, exitUsage)
		}
	}
}
