package client

import (
	"errors"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// Error reports (docs/errors.md): one report per error, built from a
// Python traceback or a type and a message, scrubbed here before it is
// kept anywhere, then spooled and sent like a telemetry report.

// ErrInvalidEvent is an error to report that cannot be reported as given:
// a text that is not a Python traceback, a type that is not a qualified
// name, a context key or value outside the contract. Nothing is kept or
// sent; the command line exits 2.
var ErrInvalidEvent = errors.New("cannot report this error")

// ErrScrubFailed is returned when the scrubber failed on a report: the
// report is dropped, never kept or sent unscrubbed.
var ErrScrubFailed = errors.New("the scrubber failed on this error report, so it was dropped: nothing was kept or sent")

// MaxTracebackBytes bounds the traceback text looked at: a longer one
// keeps its end, where the exception is, and its outermost frames are
// lost. The contract then bounds the report (message, frames, paths).
const MaxTracebackBytes = 1 << 20

// ErrorContext says where in IndexPilot an error happened. Only the four
// words are sent, as the contract's context object; each is optional.
type ErrorContext struct {
	Component         string // e.g. auto_indexer: ^[a-z][a-z0-9_.-]{0,63}$
	Operation         string // e.g. create_index: same pattern
	PostgreSQLVersion string // e.g. 15.4
	IndexPilotVersion string // e.g. 1.2.0; also the report's version

	// Tables and Indexes are names the error may mention. They are never
	// sent, not even hashed (the contract has no field for them): each
	// whole-word occurrence in the scrubbed message, in any case, becomes
	// [table] or [index].
	Tables, Indexes []string
}

// errorContextKeys are the keys Set accepts: the only context sent.
var errorContextKeys = []string{"component", "operation", "postgresql_version", "indexpilot_version"}

// Set sets one context word by its key in the contract (for --context
// key=value). Any other key, or a value outside the contract's pattern, is
// an ErrInvalidEvent naming the allowed keys or the rule.
func (x *ErrorContext) Set(key, value string) error {
	next := *x
	switch key {
	case "component":
		next.Component = value
	case "operation":
		next.Operation = value
	case "postgresql_version":
		next.PostgreSQLVersion = value
	case "indexpilot_version":
		next.IndexPilotVersion = value
	default:
		return invalidEvent("%q is not a context key; the allowed keys are %s", key, strings.Join(errorContextKeys, ", "))
	}
	if err := next.check(); err != nil {
		return err
	}
	*x = next
	return nil
}

// words is the context as the contract sends it.
func (x ErrorContext) words() report.ErrorContext {
	return report.ErrorContext{Component: x.Component, Operation: x.Operation,
		PostgreSQLVersion: x.PostgreSQLVersion, IndexPilotVersion: x.IndexPilotVersion}
}

// check applies the contract's rules to the context words.
func (x ErrorContext) check() error {
	r := probeReport()
	r.Context = x.words()
	if _, err := r.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	return nil
}

// probeReport is a valid report to check single fields against the
// contract.
func probeReport() report.ErrorReport {
	return report.ErrorReport{InstallationID: placeholderID, Version: "0", Timestamp: "2026-01-01T00:00:00Z", ErrorType: "E"}
}

func isVersion(v string) bool {
	r := probeReport()
	r.Version = v
	_, err := r.Validate()
	return err == nil
}

// ErrorEvent is one error to report: a Python traceback, or a type and a
// message.
type ErrorEvent struct {
	// Traceback is a Python traceback in CPython's format; the report's
	// type, message and frames come from its last exception. At most
	// MaxTracebackBytes of its end are read.
	Traceback string
	// Type is the exception's qualified name, e.g. psycopg2.OperationalError,
	// and Message its message: instead of a traceback.
	Type, Message string
	// SQLState is PostgreSQL's five-character code; for psycopg's
	// exception types it is inferred when left empty.
	SQLState string
	Context  ErrorContext
}

// resolve returns the error's type, message and raw frames, and notes on
// what was cut.
func (ev ErrorEvent) resolve() (*traceback, []string, error) {
	switch {
	case ev.Traceback != "" && (ev.Type != "" || ev.Message != ""):
		return nil, nil, invalidEvent("give a traceback, or a type and a message, not both")
	case ev.Traceback != "":
		text, cut := tail(ev.Traceback, MaxTracebackBytes)
		tb, err := parseTraceback(text, cut)
		var notes []string
		if cut {
			notes = append(notes, fmt.Sprintf("the traceback is longer than %d bytes: only its end was read", MaxTracebackBytes))
		}
		return tb, notes, err
	case ev.Type == "":
		return nil, nil, invalidEvent("no error given: a Python traceback, or a type and a message")
	case !exceptionName.MatchString(ev.Type) || len(ev.Type) > maxExceptionName:
		return nil, nil, invalidEvent("the error type must be a qualified name such as psycopg2.OperationalError (letters, digits, _ and ., at most %d)", maxExceptionName)
	}
	return &traceback{Type: ev.Type, Message: ev.Message}, nil, nil
}

// tail returns the last max bytes of s, and whether that cut it.
func tail(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	return s[len(s)-max:], true
}

// sqlstateCode is the contract's SQLSTATE pattern.
var sqlstateCode = regexp.MustCompile(`^[0-9A-Z]{5}$`)

func (ev ErrorEvent) sqlstate(typ string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(ev.SQLState))
	if s == "" {
		return sqlstateOf(typ), nil
	}
	if !sqlstateCode.MatchString(s) {
		return "", invalidEvent("a SQLSTATE is five digits or capital letters, e.g. 23505")
	}
	return s, nil
}

// builtError is one error report, encoded as it is kept and uploaded.
type builtError struct {
	id    string // report_id
	at    time.Time
	data  []byte
	notes []string // what was cut, and why
}

// buildError builds, scrubs and encodes one error report. The preview,
// the debug output and the spool all come from here, so what is shown is
// what is sent. Nothing unscrubbed leaves it: a scrubber failure is
// ErrScrubFailed.
func (c *Client) buildError(ev ErrorEvent, installationID string) (*builtError, error) {
	tb, notes, err := ev.resolve()
	if err != nil {
		return nil, err
	}
	if err := ev.Context.check(); err != nil {
		return nil, err
	}
	sqlstate, err := ev.sqlstate(tb.Type)
	if err != nil {
		return nil, err
	}
	b := &builtError{id: c.newID(), at: c.now().UTC().Truncate(time.Microsecond), notes: notes}
	frames := tb.Frames
	if n := len(frames) - report.MaxFrames; n > 0 { // dropped before scrubbing: less work, nothing leaks
		frames = frames[n:]
		b.notes = append(b.notes, fmt.Sprintf("frames: the outermost %d were left out (at most %d are sent)", n, report.MaxFrames))
	}
	version, note := c.errorVersion(ev.Context)
	if note != "" {
		b.notes = append(b.notes, note)
	}
	r := report.ErrorReport{SchemaVersion: report.ErrorSchema, ReportID: b.id, InstallationID: installationID,
		Version: version, Timestamp: b.at.Format(time.RFC3339Nano), ErrorType: tb.Type,
		Message: tb.Message, SQLState: sqlstate,
		Frames: append([]report.Frame(nil), frames...), Context: ev.Context.words()}
	if err := c.scrubber.scrub(&r); err != nil {
		return nil, err
	}
	// After scrubbing, so that a name cannot hide a key from the scrubber
	// (a table named password in "password=…").
	r.Message = redactNames(r.Message, ev.Context)
	cut, err := r.Validate()
	if err != nil {
		return nil, fmt.Errorf("client: the error report breaks the contract: %w", err)
	}
	for _, f := range cut {
		b.notes = append(b.notes, truncationNote(f))
	}
	if b.data, err = encodeError(&r, &b.notes); err != nil {
		return nil, err
	}
	// The service's own rules, before the report is kept.
	if _, err := report.DecodeError(b.data, b.at, 0); err != nil {
		return nil, fmt.Errorf("client: the error report breaks the contract: %w", err)
	}
	return b, nil
}

// errorVersion is IndexPilot's version for a report: the context's, else
// $INDEXPILOT_VERSION, else collect.UnknownVersion. (The collector also
// asks `indexpilot --version`, which is too slow for an error path.)
func (c *Client) errorVersion(x ErrorContext) (version, note string) {
	if x.IndexPilotVersion != "" {
		return x.IndexPilotVersion, ""
	}
	v := c.getenv("INDEXPILOT_VERSION")
	switch {
	case v == "":
		return collect.UnknownVersion, ""
	case !isVersion(v):
		return collect.UnknownVersion, "version reported as unknown: INDEXPILOT_VERSION is not a version string"
	}
	return v, ""
}

func truncationNote(field string) string {
	switch field {
	case "message":
		return fmt.Sprintf("message: truncated to %d bytes", report.MaxMessageBytes)
	case "frames.file":
		return fmt.Sprintf("frames.file: long paths keep their last %d bytes", report.MaxFrameFileBytes)
	case "frames.function":
		return fmt.Sprintf("frames.function: long names were cut to %d bytes", report.MaxFrameFunctionBytes)
	}
	return field + ": truncated"
}

// bindRoom is kept free in an error report's body for the installation
// id the upload binds in place of the placeholder.
const bindRoom = 64

// encodeError writes the report as the spool keeps it and the service
// receives it (marshalReport, like telemetry reports). A body over the
// contract's limit loses its outermost frames until it fits.
func encodeError(r *report.ErrorReport, notes *[]string) ([]byte, error) {
	dropped := 0
	for {
		data, err := marshalReport(r)
		if err != nil || len(data) <= report.MaxBodyBytes-bindRoom || len(r.Frames) == 0 {
			if dropped > 0 {
				*notes = append(*notes, fmt.Sprintf("frames: the outermost %d were left out to keep the report within %d bytes", dropped, report.MaxBodyBytes))
			}
			return data, err
		}
		r.Frames = r.Frames[1:]
		dropped++
	}
}

// functionName is the contract's pattern for frames[].function.
var functionName = regexp.MustCompile(`^[\p{L}_<][\p{L}\p{N}_.<>]*$`)

// unknownName stands in for a frame's function or file the contract
// would refuse.
const unknownName = "<unknown>"

// errorScrubber scrubs an error report's free text as the server does:
// package scrub's String over the message and function names, Path then
// String over file paths. Its zero value uses package scrub; tests
// replace the functions.
type errorScrubber struct {
	text, path func(string) string
}

// scrub replaces the free text of r in place. A panic of the scrubber is
// ErrScrubFailed: the caller drops the report.
func (s errorScrubber) scrub(r *report.ErrorReport) (err error) {
	defer func() {
		if recover() != nil { // the panic's value could quote the text
			err = ErrScrubFailed
		}
	}()
	text, path := s.textFunc(), s.path
	if path == nil {
		path = scrub.Path
	}
	r.Message = text(r.Message)
	for i := range r.Frames {
		f := &r.Frames[i]
		f.File, f.Function = text(path(f.File)), text(f.Function)
		if strings.TrimSpace(f.File) == "" {
			f.File = unknownName
		}
		if !functionName.MatchString(f.Function) { // e.g. a name the scrubber took for a key
			f.Function = unknownName
		}
	}
	return nil
}

// textFunc is the scrubber of free text: package scrub's String unless a
// test replaced it. Feedback uses it too.
func (s errorScrubber) textFunc() func(string) string {
	if s.text == nil {
		return scrub.String
	}
	return s.text
}

// redactNames replaces the context's table and index names in a message.
func redactNames(msg string, x ErrorContext) string {
	for _, n := range x.Tables {
		msg = replaceWord(msg, n, "[table]")
	}
	for _, n := range x.Indexes {
		msg = replaceWord(msg, n, "[index]")
	}
	return msg
}

// replaceWord replaces each occurrence of word in s, ignoring ASCII case,
// that is not part of a longer identifier.
func replaceWord(s, word, token string) string {
	word = strings.TrimSpace(word)
	if word == "" {
		return s
	}
	ls, lw := asciiLower(s), asciiLower(word)
	var b strings.Builder
	last := 0
	for i := 0; i <= len(ls)-len(lw); {
		j := strings.Index(ls[i:], lw)
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(lw)
		if (start == 0 || !isIdentByte(s[start-1])) && (end == len(s) || !isIdentByte(s[end])) {
			b.WriteString(s[last:start])
			b.WriteString(token)
			last, i = end, end
			continue
		}
		i = start + 1
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isIdentByte is a byte of a PostgreSQL identifier (non-ASCII letters
// included).
func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// eventOf is the ErrorEvent of a Go error: the type of the innermost
// error of its chain (the wrappers only add context), its whole message,
// and the SQLSTATE of an error that has one (pgconn.PgError's SQLState).
func eventOf(err error, where ErrorContext) ErrorEvent {
	ev := ErrorEvent{Type: goErrorType(err), Message: err.Error(), Context: where}
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) {
		if s := coded.SQLState(); sqlstateCode.MatchString(s) {
			ev.SQLState = s
		}
	}
	return ev
}

// goErrorType names a Go error's type as package.Type, e.g. fs.PathError.
func goErrorType(err error) string {
	for next := errors.Unwrap(err); next != nil; next = errors.Unwrap(err) {
		err = next
	}
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name, _, _ := strings.Cut(t.Name(), "[") // a generic type's arguments
	if t.PkgPath() != "" {
		name = path.Base(t.PkgPath()) + "." + name
	}
	if !exceptionName.MatchString(name) || len(name) > maxExceptionName {
		return "error"
	}
	return name
}
