package errorgroup

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// GroupFrames is how many in-app frames, innermost first, decide a group.
const GroupFrames = 10

// Fingerprint returns the group of a scrubbed report: the first 16 bytes
// of a SHA-256, in hex, of the error type and the module and function of
// its innermost GroupFrames in-app frames, or, when it has no in-app
// frame, of the error type and its message without parameters. Line
// numbers, third-party frames and the values in a message do not count,
// so the same error from many installations and versions is one group.
func Fingerprint(r *report.ErrorReport) string {
	var b strings.Builder
	b.WriteString(r.ErrorType + "\n")
	if frames := inApp(r.Frames, GroupFrames); len(frames) > 0 {
		for _, f := range frames {
			b.WriteString(Module(f.File) + ":" + f.Function + "\n")
		}
	} else {
		b.WriteString("message:" + Normalize(r.Message))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16])
}

// Culprit names where an error was raised: "module:function" of the
// innermost in-app frame, else of the innermost frame, else "".
func Culprit(r *report.ErrorReport) string {
	frames := inApp(r.Frames, 1)
	if len(frames) == 0 && len(r.Frames) > 0 {
		frames = r.Frames[len(r.Frames)-1:]
	}
	if len(frames) == 0 {
		return ""
	}
	return Module(frames[0].File) + ":" + frames[0].Function
}

// inApp returns up to n in-app frames, innermost first.
func inApp(frames []report.Frame, n int) []report.Frame {
	var out []report.Frame
	for i := len(frames) - 1; i >= 0 && len(out) < n; i-- {
		if frames[i].InApp {
			out = append(out, frames[i])
		}
	}
	return out
}

// Module turns a frame's file into a module path that does not depend on
// where the installation keeps its code: "/opt/venv/lib/python3.11/
// site-packages/indexpilot/core.py", "C:\Users\[user]\src\indexpilot\
// core.py" and "indexpilot/core.py:120" are all "indexpilot.core". It keeps
// what follows the last site-packages or dist-packages directory, else the
// last "indexpilot" directory, else the file's directory and name.
func Module(file string) string {
	p := strings.ReplaceAll(strings.TrimPrefix(file, report.TruncationMarker), `\`, "/")
	if i := strings.LastIndexByte(p, ':'); i >= 0 && i+1 < len(p) && strings.Trim(p[i+1:], "0123456789") == "" {
		p = p[:i] // a line number
	}
	p = modulePath(p)
	for _, ext := range []string{".py", ".pyc", ".pyo", ".pyx", ".so"} {
		p = strings.TrimSuffix(p, ext)
	}
	p = strings.TrimSuffix(p, "/__init__")
	return strings.ReplaceAll(strings.Trim(p, "/"), "/", ".")
}

func modulePath(p string) string {
	for _, dir := range []string{"/site-packages/", "/dist-packages/"} {
		if i := strings.LastIndex(p, dir); i >= 0 {
			return p[i+len(dir):]
		}
	}
	if i := strings.LastIndex("/"+p, "/indexpilot/"); i >= 0 {
		return p[i:]
	}
	parts := strings.Split(p, "/")
	return strings.Join(parts[max(0, len(parts)-2):], "/")
}

// Parameters of a message: quoted values, UUIDs, hexadecimal and decimal
// numbers.
var (
	quotedRe = regexp.MustCompile(`"[^"\n]*"|'[^'\n]*'`)
	numberRe = regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\b0[xX][0-9a-fA-F]+\b|\b[0-9]+(\.[0-9]+)?\b`)
	spaceRe  = regexp.MustCompile(`\s+`)
)

// Normalize returns a scrubbed message without its parameters: every
// quoted value becomes "?", every number (and UUID) 0, and runs of white
// space one space.
func Normalize(msg string) string {
	msg = quotedRe.ReplaceAllStringFunc(msg, func(q string) string { return q[:1] + "?" + q[:1] })
	msg = numberRe.ReplaceAllString(msg, "0")
	return strings.TrimSpace(spaceRe.ReplaceAllString(msg, " "))
}
