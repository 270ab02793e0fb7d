package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The experiments command as the help writes it: create, a refused
// create, list, show, stop (the name before or after the flags).
func TestExperimentsCommand(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	run := func(args ...string) (int, string) {
		t.Helper()
		out, err := exec.Command(binary(t), append([]string{"experiments"}, args...)...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"create", "--database", db, "--name", "cert_threshold_v2", "--metric", "latency_p95_ms", "--min-effect", "0.5",
			"--split", "90,10"}, 0, "created cert_threshold_v2: control / treatment on latency_p95_ms"},
		{[]string{"create", "--database", db, "--name", "cert_threshold_v2", "--metric", "latency_p95_ms", "--min-effect", "1"}, 1, "exists"},
		{[]string{"create", "--database", db, "--name", "x", "--metric", "happiness", "--min-effect", "1"}, 2, "--metric: must be one of"},
		{[]string{"create", "--database", db, "--name", "x", "--metric", "error_rate", "--min-effect", "1", "--end", "soon"}, 2, "--end must be an RFC 3339"},
		{[]string{"list", "--database", db}, 0, "cert_threshold_v2  running  latency_p95_ms"},
		{[]string{"stop", "--database", db, "nothing"}, 1, `no experiment called "nothing"`},
		{[]string{"stop", "cert_threshold_v2", "--database", db}, 0, "stopped cert_threshold_v2"},
		{[]string{"list", "--database", db}, 0, "cert_threshold_v2  ended"},
		{[]string{"-h"}, 0, "Usage:"},
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown subcommand "frobnicate"`},
	} {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("experiments %s: exit %d, want %d with %q\n%s", strings.Join(c.args, " "), code, c.code, c.want, out)
		}
	}
	code, out := run("show", "cert_threshold_v2", "--database", db)
	var a struct {
		Name     string `json:"name"`
		Status   string `json:"status"`
		Decision string `json:"decision"`
		Variants []struct {
			PlannedShare float64 `json:"planned_share"`
		} `json:"variants"`
	}
	if err := json.Unmarshal([]byte(out), &a); code != 0 || err != nil || a.Status != "ended" || a.Decision != "insufficient_data" ||
		len(a.Variants) != 2 || a.Variants[0].PlannedShare != 0.9 {
		t.Errorf("show: exit %d, %+v (%v)\n%s", code, a, err, out)
	}
}
