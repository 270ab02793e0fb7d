package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

const tbOperational = `Traceback (most recent call last):
  File "/home/alice/indexpilot/src/db.py", line 88, in get_connection
    conn = psycopg2.connect(dsn)
  File "/home/alice/indexpilot/.venv/lib/python3.11/site-packages/psycopg2/__init__.py", line 122, in connect
    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
psycopg2.OperationalError: connection to server at "db.internal.example.com" (10.1.2.3), port 5432 failed: FATAL:  password authentication failed for user "indexpilot"
`

const tbUnique = `Traceback (most recent call last):
  File "/opt/venv/lib/python3.11/site-packages/indexpilot/auto_indexer.py", line 212, in create_index
    cursor.execute(sql, params)
psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "users_email_key"
DETAIL:  Key (email)=(alice@example.com) already exists.
`

const tbKeyError = "Traceback (most recent call last):\r\n" +
	"  File \"src/stats.py\", line 10, in <module>\r\n" +
	"    main()\r\n" +
	"  File \"src/stats.py\", line 7, in main\r\n" +
	"    print(cfg['threshold'])\r\n" +
	"          ~~~^^^^^^^^^^^^^\r\n" +
	"KeyError: 'threshold'\r\n"

const tbDuringHandling = `2026-11-20 10:00:00,123 ERROR indexpilot.config: Traceback (most recent call last):
  File "/srv/indexpilot/src/config.py", line 12, in load
    return cache[key]
KeyError: 'features'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/indexpilot/src/main.py", line 3, in <module>
    load("features")
  File "/srv/indexpilot/src/config.py", line 14, in load
    raise RuntimeError("config not loaded")
RuntimeError: config not loaded
`

const tbDirectCause = `Traceback (most recent call last):
  File "C:\Users\alice\indexpilot\src\db.py", line 5, in connect
    return pool.getconn()
psycopg2.pool.PoolError: connection pool exhausted

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "C:\Users\alice\indexpilot\src\worker.py", line 40, in run
    conn = connect()
  File "C:\Users\alice\indexpilot\src\worker.py", line 41, in run
    [Previous line repeated 996 more times]
indexpilot.errors.DatabaseUnavailable: no connection within 30 s
`

const tbContextWithoutTraceback = `Traceback (most recent call last):
  File "/srv/indexpilot/src/a.py", line 1, in <module>
ValueError: first

During handling of the above exception, another exception occurred:

TypeError: second
`

const tbSyntaxError = `Traceback (most recent call last):
  File "/usr/lib/python3.11/runpy.py", line 198, in _run_module_as_main
    return _run_code(code, main_globals, None,
  File "/opt/indexpilot/src/plugins.py", line 4
    def f(:
          ^
SyntaxError: invalid syntax
`

const tbBare = `Traceback (most recent call last):
  File "/opt/venv/lib/python3.11/site-packages/indexpilot/cli.py", line 9, in main
    time.sleep(60)
KeyboardInterrupt
`

func TestParseTraceback(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		typ, msg string
		frames   []report.Frame
	}{
		{name: "OperationalError with a connection string", text: tbOperational, typ: "psycopg2.OperationalError",
			msg: `connection to server at "db.internal.example.com" (10.1.2.3), port 5432 failed: FATAL:  password authentication failed for user "indexpilot"`,
			frames: []report.Frame{
				{File: "/home/alice/indexpilot/src/db.py", Function: "get_connection", Line: 88, InApp: true},
				{File: "/home/alice/indexpilot/.venv/lib/python3.11/site-packages/psycopg2/__init__.py", Function: "connect", Line: 122},
			}},
		{name: "UniqueViolation with DETAIL", text: tbUnique, typ: "psycopg2.errors.UniqueViolation",
			msg: "duplicate key value violates unique constraint \"users_email_key\"\nDETAIL:  Key (email)=(alice@example.com) already exists.",
			frames: []report.Frame{
				{File: "/opt/venv/lib/python3.11/site-packages/indexpilot/auto_indexer.py", Function: "create_index", Line: 212, InApp: true},
			}},
		{name: "KeyError, CRLF line ends", text: tbKeyError, typ: "KeyError", msg: "'threshold'",
			frames: []report.Frame{
				{File: "src/stats.py", Function: "<module>", Line: 10, InApp: true},
				{File: "src/stats.py", Function: "main", Line: 7, InApp: true},
			}},
		{name: "chained: during handling, behind a log prefix", text: tbDuringHandling, typ: "RuntimeError", msg: "config not loaded",
			frames: []report.Frame{
				{File: "/srv/indexpilot/src/main.py", Function: "<module>", Line: 3, InApp: true},
				{File: "/srv/indexpilot/src/config.py", Function: "load", Line: 14, InApp: true},
			}},
		{name: "chained: direct cause, Windows paths, repeated lines", text: tbDirectCause, typ: "indexpilot.errors.DatabaseUnavailable",
			msg: "no connection within 30 s",
			frames: []report.Frame{
				{File: `C:\Users\alice\indexpilot\src\worker.py`, Function: "run", Line: 40, InApp: true},
				{File: `C:\Users\alice\indexpilot\src\worker.py`, Function: "run", Line: 41, InApp: true},
			}},
		{name: "chained: the last exception has no traceback", text: tbContextWithoutTraceback, typ: "TypeError", msg: "second"},
		{name: "SyntaxError: its location is no frame", text: tbSyntaxError, typ: "SyntaxError", msg: "invalid syntax",
			frames: []report.Frame{{File: "/usr/lib/python3.11/runpy.py", Function: "_run_module_as_main", Line: 198}}},
		{name: "an exception without a message", text: tbBare, typ: "KeyboardInterrupt",
			frames: []report.Frame{{File: "/opt/venv/lib/python3.11/site-packages/indexpilot/cli.py", Function: "main", Line: 9, InApp: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := parseTraceback(tt.text, false)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Type != tt.typ || tb.Message != tt.msg {
				t.Errorf("type %q, message %q; want %q, %q", tb.Type, tb.Message, tt.typ, tt.msg)
			}
			if len(tb.Frames) != len(tt.frames) {
				t.Fatalf("frames %+v, want %+v", tb.Frames, tt.frames)
			}
			for i := range tt.frames {
				if tb.Frames[i] != tt.frames[i] {
					t.Errorf("frame %d: %+v, want %+v", i, tb.Frames[i], tt.frames[i])
				}
			}
		})
	}
}

func TestParseTracebackRefusesGarbage(t *testing.T) {
	secret := "hunter2-in-the-input"
	for name, text := range map[string]string{
		"empty":                         "",
		"prose":                         "the database said no, password " + secret,
		"a JSON document":               `{"error": "` + secret + `"}`,
		"header only":                   "Traceback (most recent call last):\n",
		"frames but no exception":       "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    x()\n\n",
		"an exception line with spaces": "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nsomething went " + secret + ": badly\n",
		"a type name too long":          "Traceback (most recent call last):\n" + strings.Repeat("a", 200) + ": x\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseTraceback(text, false)
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("err %v, want an ErrInvalidEvent", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the input: %v", err)
			}
		})
	}
}

// A traceback whose start was cut off (too long) is read from its first
// complete line.
func TestParseTracebackCut(t *testing.T) {
	text := "e\", line 3, in f\n  File \"/x/indexpilot/a.py\", line 4, in g\n    g()\nValueError: v\n"
	tb, err := parseTraceback(text, true)
	if err != nil || tb.Type != "ValueError" || len(tb.Frames) != 1 || tb.Frames[0].Function != "g" {
		t.Fatalf("%+v, %v", tb, err)
	}
	if _, err := parseTraceback(text, false); err == nil {
		t.Fatal("an uncut text without a header was accepted")
	}
}

func TestInApp(t *testing.T) {
	for file, want := range map[string]bool{
		"/opt/venv/lib/python3.11/site-packages/indexpilot/core.py":                  true,
		"/usr/lib/python3/dist-packages/indexpilot/algorithms/cert.py":               true,
		"/opt/venv/lib/python3.11/site-packages/indexpilot.py":                       true,
		"/opt/venv/lib/python3.11/site-packages/psycopg2/extras.py":                  false,
		"/home/alice/indexpilot/.venv/lib/python3.11/site-packages/psycopg2/pool.py": false,
		"/home/alice/IndexPilot/src/auto_indexer.py":                                 true,
		"/srv/checkout/src/db.py":                                                    true,
		`C:\Users\alice\IndexPilot\src\db.py`:                                        true,
		`C:\Python311\Lib\site-packages\sqlalchemy\engine\base.py`:                   false,
		"src/stats.py": true,
		"/usr/lib/python3.11/asyncio/base_events.py":              false,
		"/usr/src/python/lib/python3.11/json/decoder.py":          false,
		"<frozen importlib._bootstrap>":                           false,
		"<string>":                                                false,
		"/srv/app/hooks.py":                                       false,
		"/opt/venv/lib/python3.11/site-packages/indexpilotx/a.py": false,
	} {
		if got := inApp(file); got != want {
			t.Errorf("inApp(%q) = %v, want %v", file, got, want)
		}
	}
}

func TestSQLStateOf(t *testing.T) {
	for typ, want := range map[string]string{
		"psycopg2.errors.UniqueViolation": "23505",
		"psycopg.errors.LockNotAvailable": "55P03",
		"psycopg2.errors.SyntaxError":     "42601",
		"SyntaxError":                     "",
		"psycopg2.OperationalError":       "",
		"psycopg2.errors.SomethingNew":    "",
	} {
		if got := sqlstateOf(typ); got != want {
			t.Errorf("sqlstateOf(%q) = %q, want %q", typ, got, want)
		}
	}
}

// FuzzTraceback: parsing never panics, and whatever parses builds a report
// the service accepts, or is refused as an ErrInvalidEvent.
func FuzzTraceback(f *testing.F) {
	for _, tb := range []string{tbOperational, tbUnique, tbKeyError, tbDuringHandling, tbDirectCause, tbContextWithoutTraceback, tbSyntaxError, tbBare} {
		f.Add(tb, false)
		f.Add(tb[len(tb)/3:], true)
	}
	f.Add("Traceback (most recent call last):\n  File \"\", line 99999999999999999999, in \x00\n\xff: \xfe\n", false)
	f.Add("Traceback (most recent call last):\n  File \"a\", line 1, in password=x\nE: postgres://u:p@h/d\n", false)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	c := New(Options{Getenv: func(string) string { return "" }, StateDir: f.TempDir(), Now: func() time.Time { return now }})
	f.Fuzz(func(t *testing.T, text string, cut bool) {
		tb, err := parseTraceback(text, cut)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error %v is not an ErrInvalidEvent", err)
			}
			return
		}
		if !exceptionName.MatchString(tb.Type) {
			t.Fatalf("type %q", tb.Type)
		}
		if _, err := c.buildError(ErrorEvent{Traceback: text}, placeholderID); err != nil && !errors.Is(err, ErrInvalidEvent) {
			t.Fatalf("a parsed traceback built no report: %v", err)
		}
	})
}
