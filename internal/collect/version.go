package collect

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"runtime"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// UnknownVersion is the version reported when IndexPilot's version cannot be found.
const UnknownVersion = "unknown"

// versionCommandTimeout bounds `indexpilot --version`.
const versionCommandTimeout = 2 * time.Second

var (
	// versionToken finds a PEP 440 version such as 1.1.0a8 in command output.
	versionToken = regexp.MustCompile(`\b[0-9]+(?:\.[0-9]+)+(?:[A-Za-z0-9.+_-]*)`)
	// serverVersionToken keeps major.minor of server_version ("15.19 (Debian …)").
	serverVersionToken = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)?`)
)

// indexPilotVersion returns IndexPilot's version: explicit, else
// $INDEXPILOT_VERSION, else what `indexpilot --version` prints when the
// command is on PATH, else UnknownVersion. note explains a value that was
// given but unusable.
func indexPilotVersion(ctx context.Context, explicit string, getenv func(string) string) (version, note string) {
	for _, v := range []struct{ source, value string }{
		{"the given version", explicit},
		{"INDEXPILOT_VERSION", getenv("INDEXPILOT_VERSION")},
	} {
		if v.value == "" {
			continue
		}
		if report.Matches("version", v.value) {
			return v.value, ""
		}
		return UnknownVersion, "version reported as unknown: " + v.source + " is not a version string"
	}
	if v := versionFromCommand(ctx); v != "" {
		return v, ""
	}
	return UnknownVersion, ""
}

// versionFromCommand runs `indexpilot --version` when it is on PATH and
// returns the first version token it prints, or "".
func versionFromCommand(ctx context.Context) string {
	path, err := exec.LookPath("indexpilot")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, versionCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	out := &cappedBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second // do not wait on children that keep the pipes open
	if err := cmd.Run(); err != nil {
		return ""
	}
	v := versionToken.FindString(out.String())
	if !report.Matches("version", v) {
		return ""
	}
	return v
}

// cappedBuffer keeps the first max bytes written to it and drops the rest.
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// localEnvironment describes the machine the collector runs on.
func localEnvironment() report.Environment {
	rt := runtime.Version() + " indexpilot-telemetry"
	if !report.Matches("environment.runtime", rt) { // e.g. a development toolchain
		rt = "go indexpilot-telemetry"
	}
	return report.Environment{
		OS:       runtime.GOOS,
		Arch:     runtime.GOARCH,
		CPUCores: runtime.NumCPU(),
		Runtime:  rt,
	}
}

// postgresVersion keeps major.minor of the server_version parameter.
func postgresVersion(serverVersion string) string {
	return serverVersionToken.FindString(serverVersion)
}
