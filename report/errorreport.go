package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The error-report contract (docs/errors.md). Unlike a telemetry report,
// an error report carries free text: a message and the file paths of its
// stack frames. The client scrubs them before sending and the server
// scrubs them again before storing; this package only bounds them, so it
// stays free of the scrubber and of anything but the standard library.

// ErrorSchema is the newest error-report schema version.
const ErrorSchema = 1

// Limits of the error contract. Text over a limit is truncated, never
// refused: a long traceback is what a failing installation is most likely
// to send.
const (
	MaxMessageBytes       = 4096 // message, marker included
	MaxFrames             = 50   // the innermost frames are kept
	MaxFrameFileBytes     = 512  // a longer path keeps its end
	MaxFrameFunctionBytes = 256
	MaxFrameLine          = 10_000_000
	DefaultErrorRetention = 30 * 24 * time.Hour // raw error reports; older timestamps are refused
)

// TruncationMarker ends a truncated message and starts a truncated file
// path. It is the scrubber's marker too.
const TruncationMarker = "…[truncated]"

// Patterns of the error contract; docs/errors.md repeats them.
var (
	errorTypeNamePattern = mustPattern(`^[A-Za-z_][A-Za-z0-9_.]{0,127}$`)
	sqlstatePattern      = mustPattern(`^[0-9A-Z]{5}$`)
	contextWordPattern   = mustPattern(`^[a-z][a-z0-9_.-]{0,63}$`)
	functionPattern      = mustPattern(`^[\p{L}_<][\p{L}\p{N}_.<>]*$`)
)

// ErrorReport is one error an IndexPilot installation ran into. Frames are
// ordered like a Python traceback: outermost first, innermost last.
type ErrorReport struct {
	SchemaVersion  int          `json:"schema_version,omitempty"`
	ReportID       string       `json:"report_id,omitempty"`
	InstallationID string       `json:"installation_id"`
	Version        string       `json:"version"`
	Timestamp      string       `json:"timestamp"`
	ErrorType      string       `json:"error_type"`
	Message        string       `json:"message,omitempty"`
	SQLState       string       `json:"sqlstate,omitempty"`
	Frames         []Frame      `json:"frames,omitempty"`
	Context        ErrorContext `json:"context,omitzero"`
}

// Frame is one stack frame. InApp marks IndexPilot's own code, as opposed
// to the standard library and third-party packages; only in-app frames
// decide which group an error belongs to.
type Frame struct {
	File     string `json:"file"`
	Function string `json:"function"`
	Line     int    `json:"line,omitempty"`
	InApp    bool   `json:"in_app,omitempty"`
}

// ErrorContext says where in IndexPilot the error happened, in words from
// fixed patterns.
type ErrorContext struct {
	Component         string `json:"component,omitempty"`
	Operation         string `json:"operation,omitempty"`
	PostgreSQLVersion string `json:"postgresql_version,omitempty"`
	IndexPilotVersion string `json:"indexpilot_version,omitempty"`
}

// errorKnown lists the fields of each object of an error report; anything
// else is ignored (not stored) and named back to the sender. "frames" is
// an array of objects.
var errorKnown = map[string][]string{
	"":        {"schema_version", "report_id", "installation_id", "version", "timestamp", "error_type", "message", "sqlstate", "frames", "context"},
	"frames":  {"file", "function", "line", "in_app"},
	"context": {"component", "operation", "postgresql_version", "indexpilot_version"},
}

var errorRequired = []string{"installation_id", "version", "timestamp", "error_type"}

// DecodedError is an error report that passed every rule, with its
// timestamp parsed, the fields the server did not keep, and the fields it
// truncated.
type DecodedError struct {
	ErrorReport
	Time      time.Time // Timestamp, parsed, in UTC
	Ignored   []string  // dotted paths of unknown fields, sorted
	Truncated []string  // "message", "frames", "frames.file", "frames.function"
}

// DecodeError parses and validates one error-report body (at most
// MaxBodyBytes, after decompression). now is the server's clock; retention
// is how old a timestamp may be (DefaultErrorRetention when not positive).
// A *FieldError is returned for every rule a report breaks; text over a
// limit is truncated instead.
func DecodeError(body []byte, now time.Time, retention time.Duration) (*DecodedError, error) {
	if retention <= 0 {
		retention = DefaultErrorRetention
	}
	top, err := topLevel(body, errorRequired)
	if err != nil {
		return nil, err
	}
	var p errorPrepass
	clean, err := p.object("", top)
	if err != nil {
		return nil, err
	}
	var d DecodedError
	if err := json.Unmarshal(clean, &d.ErrorReport); err != nil {
		return nil, decodeError(err)
	}
	slices.Sort(p.ignored)
	d.Ignored = slices.Compact(p.ignored)
	if err := d.checkTime(now, retention); err != nil {
		return nil, err
	}
	if d.Truncated, err = d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

func (d *DecodedError) checkTime(now time.Time, retention time.Duration) error {
	t, err := ParseTime(d.Timestamp)
	if err != nil {
		return fieldErr("timestamp", "must be an RFC 3339 date-time, e.g. 2026-11-20T10:00:00Z (no offset means UTC)")
	}
	if t.After(now.Add(MaxFutureSkew)) {
		return fieldErr("timestamp", "must not be more than %s in the future", MaxFutureSkew)
	}
	if t.Before(now.Add(-retention)) {
		return fieldErr("timestamp", "must not be older than the error-report retention (%d days)", int(retention.Hours()/24))
	}
	d.Time = t.Truncate(time.Microsecond) // as telemetry: what PostgreSQL keeps
	d.Timestamp = d.Time.Format(time.RFC3339Nano)
	return nil
}

// Key returns the report's idempotency key: its report_id, or, when it has
// none, a digest of fields that come from fixed patterns (never of the
// free text, so that nothing derived from unscrubbed text is stored).
func (d *DecodedError) Key() string {
	if d.ReportID != "" {
		return d.ReportID
	}
	sum := sha256.Sum256([]byte("error\x00" + d.InstallationID + "\x00" + d.Timestamp + "\x00" + d.ErrorType + "\x00" + d.SQLState))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// Validate checks the rules that do not depend on the clock, truncates
// text over its limit and replaces control characters in text, all in
// place, and returns what it truncated. The server calls it again after
// scrubbing, which can lengthen text.
func (r *ErrorReport) Validate() (truncated []string, err error) {
	if r.SchemaVersion == 0 {
		r.SchemaVersion = 1
	}
	if r.SchemaVersion != ErrorSchema {
		return nil, fieldErr("schema_version", "must be %d", ErrorSchema)
	}
	if err := r.validateIDs(); err != nil {
		return nil, err
	}
	if !errorTypeNamePattern.MatchString(r.ErrorType) {
		return nil, fieldErr("error_type", "must match %s", errorTypeNamePattern)
	}
	r.SQLState = strings.ToUpper(r.SQLState)
	if r.SQLState != "" && !sqlstatePattern.MatchString(r.SQLState) {
		return nil, fieldErr("sqlstate", "must match %s", sqlstatePattern)
	}
	var cut bool
	if r.Message, cut = truncateEnd(cleanText(r.Message), MaxMessageBytes); cut {
		truncated = append(truncated, "message")
	}
	if len(r.Frames) > MaxFrames {
		r.Frames = slices.Clone(r.Frames[len(r.Frames)-MaxFrames:])
		truncated = append(truncated, "frames")
	}
	for i := range r.Frames {
		cuts, err := r.Frames[i].validate()
		if err != nil {
			return nil, err
		}
		truncated = append(truncated, cuts...)
	}
	slices.Sort(truncated)
	return slices.Compact(truncated), r.Context.validate()
}

func (r *ErrorReport) validateIDs() error {
	if err := checkIdentity(&r.ReportID, r.InstallationID, r.Version); err != nil {
		return err
	}
	if _, err := ParseTime(r.Timestamp); err != nil {
		return fieldErr("timestamp", "must be an RFC 3339 date-time, e.g. 2026-11-20T10:00:00Z (no offset means UTC)")
	}
	return nil
}

func (f *Frame) validate() (truncated []string, err error) {
	var cut bool
	if f.File, cut = truncateStart(cleanText(f.File), MaxFrameFileBytes); cut {
		truncated = append(truncated, "frames.file")
	}
	if f.File == "" {
		return nil, fieldErr("frames.file", "is required")
	}
	if len(f.Function) > MaxFrameFunctionBytes { // cut without a marker, which the pattern refuses
		f.Function = prefix(f.Function, MaxFrameFunctionBytes)
		truncated = append(truncated, "frames.function")
	}
	if !functionPattern.MatchString(f.Function) {
		return nil, fieldErr("frames.function", "must match %s", functionPattern)
	}
	if f.Line < 0 || f.Line > MaxFrameLine {
		return nil, fieldErr("frames.line", "must be a whole number between 0 and %d", MaxFrameLine)
	}
	return truncated, nil
}

func (c *ErrorContext) validate() error {
	for _, w := range []struct {
		field, v string
		p        *pattern
	}{
		{"context.component", c.Component, contextWordPattern},
		{"context.operation", c.Operation, contextWordPattern},
		{"context.postgresql_version", c.PostgreSQLVersion, versionPattern},
		{"context.indexpilot_version", c.IndexPilotVersion, versionPattern},
	} {
		if w.v != "" && !w.p.MatchString(w.v) {
			return fieldErr(w.field, "must match %s", w.p)
		}
	}
	return nil
}

// cleanText replaces control characters other than tab and line breaks
// (a NUL cannot even be stored in PostgreSQL) with U+FFFD; encoding/json
// has already replaced invalid UTF-8.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f)) {
			return r
		}
		return utf8.RuneError
	}, s)
}

// truncateEnd keeps at most limit bytes of s, ending a cut text with the
// marker. A text already cut (by the client, or before scrubbing) keeps a
// single marker.
func truncateEnd(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	return prefix(strings.TrimSuffix(s, TruncationMarker), limit-len(TruncationMarker)) + TruncationMarker, true
}

// truncateStart keeps at most limit bytes of s, starting a cut text with
// the marker: the end of a path names the file.
func truncateStart(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	s = strings.TrimPrefix(s, TruncationMarker)
	i := len(s) - (limit - len(TruncationMarker))
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return TruncationMarker + s[i:], true
}

// prefix returns the longest prefix of s of at most n bytes that does not
// end inside a UTF-8 sequence.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// topLevel checks a body's size, parses its top-level object and checks
// that the required fields are there and not null: the first steps of
// DecodeError. (Decode does the same steps in its one pass; see decode.go.)
func topLevel(body []byte, required []string) (map[string]json.RawMessage, error) {
	if len(body) > MaxBodyBytes {
		return nil, fieldErr("", "body must be at most %d bytes", MaxBodyBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fieldErr("", "body is not valid JSON at byte %d", se.Offset)
		}
		return nil, fieldErr("", "body must be one JSON object")
	}
	for _, f := range required {
		if isNull(top[f]) {
			return nil, fieldErr(f, "is required")
		}
	}
	return top, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || string(bytes.TrimSpace(raw)) == "null"
}

// errorPrepass drops the fields an error report may not carry, so that
// encoding/json's case-insensitive matching cannot store them, and checks
// and canonicalises its whole numbers.
type errorPrepass struct {
	ignored []string
}

func (p *errorPrepass) object(path string, obj map[string]json.RawMessage) (json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(obj))
	for _, k := range sortedKeys(obj) {
		f := join(path, k)
		if !slices.Contains(errorKnown[path], k) {
			p.ignored = append(p.ignored, f)
			continue
		}
		v, err := p.value(f, obj[k])
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return json.Marshal(out)
}

func (p *errorPrepass) value(f string, raw json.RawMessage) (json.RawMessage, error) {
	switch {
	case isNull(raw):
		return raw, nil
	case f == "schema_version":
		return wholeIn(f, raw, 1, ErrorSchema)
	case f == "frames.line":
		return wholeIn(f, raw, 0, MaxFrameLine)
	case f == "context":
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object (got %s)", kind(raw))
		}
		return p.object(f, o)
	case f == "frames":
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil, fieldErr(f, "must be an array of objects (got %s)", kind(raw))
		}
		for i, e := range list {
			var o map[string]json.RawMessage
			if json.Unmarshal(e, &o) != nil || o == nil {
				return nil, fieldErr(f, "each entry must be a JSON object (got %s)", kind(e))
			}
			var err error
			if list[i], err = p.object(f, o); err != nil {
				return nil, err
			}
		}
		return json.Marshal(list)
	}
	return raw, nil
}

// wholeIn checks that raw, the value of field f, is a JSON number with an
// integral value between lo and hi, and returns it as an integer.
func wholeIn(f string, raw json.RawMessage, lo, hi float64) (json.RawMessage, error) {
	x, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || x != math.Trunc(x) || x < lo || x > hi {
		return nil, fieldErr(f, "must be a whole number between %s and %s (got %s)", num(lo), num(hi), kind(raw))
	}
	return strconv.AppendFloat(nil, x, 'f', 0, 64), nil
}
