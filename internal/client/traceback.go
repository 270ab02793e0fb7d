package client

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Python tracebacks in CPython's format (traceback.print_exception):
//
//	Traceback (most recent call last):
//	  File "/opt/venv/lib/python3.11/site-packages/indexpilot/db.py", line 41, in connect
//	    conn = psycopg2.connect(dsn)
//	           ^^^^^^^^^^^^^^^^^^^^^
//	psycopg2.OperationalError: connection to server at "db" failed
//	DETAIL:  …
//
// A chained exception prints each traceback in turn, the cause first,
// separated by "During handling of the above exception, another exception
// occurred:" or "The above exception was the direct cause of the following
// exception:". The last one is the exception that was raised in the end,
// so only its type, message and frames are kept.
//
// The parser works on raw, unscrubbed text: its errors never quote it.

const tracebackHeader = "Traceback (most recent call last):"

// chainLines separate the tracebacks of a chained exception.
var chainLines = []string{
	"During handling of the above exception, another exception occurred:",
	"The above exception was the direct cause of the following exception:",
}

var (
	// frameLine is a frame's location. A location without ", in NAME" is
	// not a frame but where a SyntaxError is, printed after the frames.
	frameLine = regexp.MustCompile(`^[ \t]+File "(.*)", line (\d+)(?:, in (.+))?$`)
	// exceptionName is a Python exception's qualified name.
	exceptionName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)
)

// maxExceptionName is the contract's limit of error_type.
const maxExceptionName = 128

// traceback is what a Python traceback says about an error. Frames are
// outermost first, as Python prints them.
type traceback struct {
	Type    string
	Message string
	Frames  []report.Frame
}

// parseTraceback parses a Python traceback. cut says that the text is the
// end of a longer traceback: when its header was cut off, the text is
// read from its first complete line as if it followed the header. The
// error wraps ErrInvalidEvent and never quotes the text.
func parseTraceback(text string, cut bool) (*traceback, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	start := -1
	for i, line := range lines {
		if strings.HasSuffix(strings.TrimRight(line, " \t"), tracebackHeader) {
			start = i + 1 // the last header wins: the exception raised in the end
		}
	}
	if start < 0 {
		if !cut {
			return nil, invalidEvent("the text is not a Python traceback: no line ends with %q", tracebackHeader)
		}
		start = 1 // the first line of a cut text is partial
	}
	tb := &traceback{}
	i := start
	for ; i < len(lines); i++ {
		line := lines[i]
		if m := frameLine.FindStringSubmatch(line); m != nil {
			if m[3] != "" {
				tb.Frames = append(tb.Frames, report.Frame{File: m[1], Line: lineNumber(m[2]), Function: strings.TrimSpace(m[3]), InApp: inApp(m[1])})
			}
			continue
		}
		if strings.TrimSpace(line) != "" && line[0] != ' ' && line[0] != '\t' {
			break // the first unindented line: the exception
		}
		// Source lines, carets, "[Previous line repeated N more times]".
	}
	exc := lines[i:]
	// A last exception without a traceback of its own follows the chain
	// line after the exception that has the last header.
	for j := len(exc) - 1; j >= 0; j-- {
		if isChainLine(exc[j]) {
			exc, tb.Frames = exc[j+1:], nil
			break
		}
	}
	for len(exc) > 0 && strings.TrimSpace(exc[0]) == "" {
		exc = exc[1:]
	}
	if len(exc) == 0 {
		return nil, invalidEvent("the traceback ends without the exception's line (module.Type: message) after its frames")
	}
	var err error
	if tb.Type, tb.Message, err = exceptionLine(exc, i+1); err != nil {
		return nil, err
	}
	return tb, nil
}

// exceptionLine reads "module.Type: message" (or a bare "module.Type"),
// where the message may go on over the following lines. at is the line
// number of the first line, for the error.
func exceptionLine(exc []string, at int) (typ, msg string, err error) {
	typ, first, hasMsg := strings.Cut(exc[0], ":")
	typ = strings.TrimRight(typ, " \t")
	if !exceptionName.MatchString(typ) {
		return "", "", invalidEvent("line %d of the traceback does not start with an exception's name (module.Type: message)", at)
	}
	if len(typ) > maxExceptionName {
		return "", "", invalidEvent("the exception's name on line %d is longer than %d characters", at, maxExceptionName)
	}
	rest := exc[1:] // a bare name may be followed by notes (add_note)
	if hasMsg {
		rest = append([]string{strings.TrimPrefix(first, " ")}, rest...)
	}
	return typ, strings.Trim(strings.Join(rest, "\n"), " \t\n"), nil
}

func isChainLine(line string) bool {
	line = strings.TrimSpace(line)
	for _, c := range chainLines {
		if line == c {
			return true
		}
	}
	return false
}

// lineNumber reads a frame's line number; one out of the contract's range
// is left out (0).
func lineNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n > report.MaxFrameLine {
		return 0
	}
	return n
}

// inApp reports whether a frame's file is IndexPilot's own code:
//
//   - Under a site-packages or dist-packages directory (an installed
//     package), only IndexPilot's package is: the path goes on with
//     indexpilot/ (or indexpilot.py) after the last such directory. A
//     virtual environment inside IndexPilot's checkout does not make its
//     libraries IndexPilot's.
//   - Elsewhere (a source checkout), a path with a directory named
//     indexpilot (in any case) or src is, unless it is in Python's
//     standard library (…/lib/pythonX.Y/).
//   - Pseudo-files such as <frozen importlib._bootstrap> or <string> are
//     not.
//
// Backslashes count as slashes, so Windows paths follow the same rules.
func inApp(file string) bool {
	p := strings.ToLower(strings.ReplaceAll(file, `\`, "/"))
	if strings.HasPrefix(p, "<") {
		return false
	}
	cut := -1
	for _, dir := range []string{"site-packages/", "dist-packages/"} {
		if i := strings.LastIndex(p, dir); i >= 0 && i+len(dir) > cut {
			cut = i + len(dir)
		}
	}
	if cut >= 0 {
		rest := p[cut:]
		return strings.HasPrefix(rest, "indexpilot/") || rest == "indexpilot.py"
	}
	if strings.Contains(p, "/lib/python") {
		return false
	}
	dirs := strings.Split(p, "/")
	for _, d := range dirs[:len(dirs)-1] { // the last element is the file
		if d == "indexpilot" || d == "src" {
			return true
		}
	}
	return false
}

// sqlstates are the SQLSTATEs of psycopg's exception classes that
// IndexPilot runs into most; the error contract keeps the code so that the
// same failure is recognisable across drivers and languages.
var sqlstates = map[string]string{
	"UniqueViolation": "23505", "ForeignKeyViolation": "23503", "NotNullViolation": "23502",
	"CheckViolation": "23514", "ExclusionViolation": "23P01", "LockNotAvailable": "55P03",
	"ObjectInUse": "55006", "DeadlockDetected": "40P01", "SerializationFailure": "40001",
	"QueryCanceled": "57014", "AdminShutdown": "57P01", "CannotConnectNow": "57P03",
	"UndefinedTable": "42P01", "UndefinedColumn": "42703", "UndefinedFunction": "42883",
	"UndefinedObject": "42704", "DuplicateTable": "42P07", "DuplicateObject": "42710",
	"InsufficientPrivilege": "42501", "SyntaxError": "42601", "InvalidTextRepresentation": "22P02",
	"NumericValueOutOfRange": "22003", "DivisionByZero": "22012", "DiskFull": "53100",
	"OutOfMemory": "53200", "TooManyConnections": "53300", "ReadOnlySqlTransaction": "25006",
	"InFailedSqlTransaction": "25P02", "IdleInTransactionSessionTimeout": "25P03",
	"ProgramLimitExceeded": "54000", "InvalidPassword": "28P01", "InvalidAuthorizationSpecification": "28000",
}

// sqlstateOf infers the SQLSTATE of psycopg2.errors.X and psycopg.errors.X
// (only of those: Python's own SyntaxError is no SQL error).
func sqlstateOf(typ string) string {
	for _, module := range []string{"psycopg2.errors.", "psycopg.errors."} {
		if name, ok := strings.CutPrefix(typ, module); ok {
			return sqlstates[name]
		}
	}
	return ""
}

// invalidEvent is an ErrInvalidEvent saying why.
func invalidEvent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
}
