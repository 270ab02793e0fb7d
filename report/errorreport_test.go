package report

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// errSeed is a small valid error report, two hours before now.
const errSeed = `{"installation_id": "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60", "version": "1.1.0",
 "timestamp": "2026-11-20T10:00:00Z", "error_type": "psycopg2.errors.UniqueViolation", "sqlstate": "23505",
 "message": "duplicate key value violates unique constraint \"orders_pkey\"",
 "frames": [{"file": "/usr/lib/python3.11/site-packages/indexpilot/core.py", "function": "create_index", "line": 120, "in_app": true}],
 "context": {"component": "auto_indexer", "operation": "create_index"}}`

// errBody returns errSeed with the top-level fields set to the values
// given in pairs (field, value...); a del value removes the field.
func errBody(t *testing.T, kv ...any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(errSeed), &m); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(kv); i += 2 {
		if _, ok := kv[i+1].(del); ok {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDecodeError(t *testing.T, b []byte) *DecodedError {
	t.Helper()
	d, err := DecodeError(b, now, DefaultErrorRetention)
	if err != nil {
		t.Fatalf("DecodeError(%s): %v", b, err)
	}
	return d
}

func TestDecodeErrorSeed(t *testing.T) {
	d := mustDecodeError(t, []byte(errSeed))
	want := ErrorReport{
		SchemaVersion: 1, InstallationID: "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60", Version: "1.1.0",
		Timestamp: "2026-11-20T10:00:00Z", ErrorType: "psycopg2.errors.UniqueViolation", SQLState: "23505",
		Message: `duplicate key value violates unique constraint "orders_pkey"`,
		Frames:  []Frame{{File: "/usr/lib/python3.11/site-packages/indexpilot/core.py", Function: "create_index", Line: 120, InApp: true}},
		Context: ErrorContext{Component: "auto_indexer", Operation: "create_index"},
	}
	if fmt.Sprint(d.ErrorReport) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", d.ErrorReport, want)
	}
	if !d.Time.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || d.Ignored != nil || d.Truncated != nil {
		t.Errorf("Time %v, Ignored %q, Truncated %q", d.Time, d.Ignored, d.Truncated)
	}
}

func TestDecodeErrorAccepts(t *testing.T) {
	frame := func(kv ...any) []any {
		f := map[string]any{"file": "a.py", "function": "f"}
		for i := 0; i < len(kv); i += 2 {
			f[kv[i].(string)] = kv[i+1]
		}
		return []any{f}
	}
	tests := []struct {
		name  string
		body  []byte
		check func(*DecodedError) bool
	}{
		{"minimal", errBody(t, "message", del{}, "sqlstate", del{}, "frames", del{}, "context", del{}),
			func(d *DecodedError) bool { return d.Message == "" && d.Frames == nil && d.Context == ErrorContext{} }},
		{"unknown fields ignored, in every object", errBody(t, "hostname", "db1", "frames", frame("locals", "x"), "context", map[string]any{"user": "alice"}),
			func(d *DecodedError) bool {
				return slices.Equal(d.Ignored, []string{"context.user", "frames.locals", "hostname"})
			}},
		{"a field in another case is ignored, not matched", errBody(t, "Message", "password=hunter2", "message", del{}),
			func(d *DecodedError) bool { return d.Message == "" && slices.Equal(d.Ignored, []string{"Message"}) }},
		{"sqlstate upper-cased", errBody(t, "sqlstate", "40p01"), func(d *DecodedError) bool { return d.SQLState == "40P01" }},
		{"report_id lower-cased", errBody(t, "report_id", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"),
			func(d *DecodedError) bool { return d.ReportID == "6ba7b810-9dad-11d1-80b4-00c04fd430c8" }},
		{"timestamp canonical", errBody(t, "timestamp", "2026-11-20T11:00:00.1234567+01:00"),
			func(d *DecodedError) bool { return d.Timestamp == "2026-11-20T10:00:00.123456Z" }},
		{"integral line in any notation", errBody(t, "frames", frame("line", raw("1.2e2"))),
			func(d *DecodedError) bool { return d.Frames[0].Line == 120 }},
		{"unicode function name", errBody(t, "frames", frame("function", "Größe.<locals>.<lambda>")),
			func(d *DecodedError) bool { return d.Frames[0].Function == "Größe.<locals>.<lambda>" }},
		{"control characters replaced", errBody(t, "message", "a\x00b\x1bc\td\ne"),
			func(d *DecodedError) bool { return d.Message == "a\uFFFDb\uFFFDc\td\ne" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := mustDecodeError(t, tt.body); !tt.check(d) {
				t.Errorf("got %+v (ignored %q)", d.ErrorReport, d.Ignored)
			}
		})
	}
}

func TestDecodeErrorRejects(t *testing.T) {
	frame := func(k string, v any) []any { return []any{map[string]any{"file": "a.py", "function": "f", k: v}} }
	tests := []struct {
		name  string
		body  []byte
		field string
	}{
		{"not JSON", []byte("{"), ""},
		{"an array", []byte("[]"), ""},
		{"missing error_type", errBody(t, "error_type", del{}), "error_type"},
		{"null installation_id", errBody(t, "installation_id", nil), "installation_id"},
		{"error_type with spaces", errBody(t, "error_type", "Bad Thing"), "error_type"},
		{"error_type too long", errBody(t, "error_type", strings.Repeat("E", 129)), "error_type"},
		{"sqlstate of 4", errBody(t, "sqlstate", "2350"), "sqlstate"},
		{"message not a string", errBody(t, "message", 42), "message"},
		{"frames not an array", errBody(t, "frames", "core.py:12"), "frames"},
		{"frame not an object", errBody(t, "frames", []any{"core.py"}), "frames"},
		{"frame without file", errBody(t, "frames", []any{map[string]any{"function": "f"}}), "frames.file"},
		{"function with a space", errBody(t, "frames", frame("function", "f g")), "frames.function"},
		{"function with a path", errBody(t, "frames", frame("function", "/home/alice/f")), "frames.function"},
		{"fractional line", errBody(t, "frames", frame("line", 1.5)), "frames.line"},
		{"negative line", errBody(t, "frames", frame("line", -1)), "frames.line"},
		{"in_app not a boolean", errBody(t, "frames", frame("in_app", "yes")), "frames.in_app"},
		{"component with capitals", errBody(t, "context", map[string]any{"component": "Auto Indexer"}), "context.component"},
		{"context not an object", errBody(t, "context", "x"), "context"},
		{"schema_version 2", errBody(t, "schema_version", 2), "schema_version"},
		{"future", errBody(t, "timestamp", "2026-11-21T12:00:01Z"), "timestamp"},
		{"older than the retention", errBody(t, "timestamp", now.Add(-DefaultErrorRetention-time.Second).Format(time.RFC3339)), "timestamp"},
		{"bad installation_id", errBody(t, "installation_id", "short"), "installation_id"},
		{"bad report_id", errBody(t, "report_id", "not-a-uuid"), "report_id"},
		{"too large", append(errBody(t), make([]byte, MaxBodyBytes)...), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeError(tt.body, now, DefaultErrorRetention)
			fe, ok := err.(*FieldError)
			if !ok || fe.Field != tt.field || fe.Rule == "" {
				t.Fatalf("err = %v, want a FieldError naming %q", err, tt.field)
			}
		})
	}
}

func TestDecodeErrorTruncates(t *testing.T) {
	var frames []any
	for i := range 80 {
		frames = append(frames, map[string]any{"file": fmt.Sprintf("f%d.py", i), "function": "f", "line": i})
	}
	long := strings.Repeat("é", MaxMessageBytes) // 2 bytes each: a cut can fall inside one
	path := "/srv/" + strings.Repeat("deep/", 200) + "indexpilot/core.py"
	frames[79] = map[string]any{"file": path, "function": strings.Repeat("g", 300)}
	d := mustDecodeError(t, errBody(t, "message", long, "frames", frames))
	if len(d.Message) > MaxMessageBytes || !strings.HasSuffix(d.Message, TruncationMarker) || !utf8.ValidString(d.Message) {
		t.Errorf("message of %d bytes, valid %v, ends %q", len(d.Message), utf8.ValidString(d.Message), d.Message[len(d.Message)-20:])
	}
	if len(d.Frames) != MaxFrames || d.Frames[0].File != "f30.py" || d.Frames[0].Line != 30 {
		t.Errorf("kept %d frames from %+v, want the innermost %d", len(d.Frames), d.Frames[0], MaxFrames)
	}
	last := d.Frames[MaxFrames-1]
	if len(last.File) > MaxFrameFileBytes || !strings.HasPrefix(last.File, TruncationMarker) || !strings.HasSuffix(last.File, "/indexpilot/core.py") {
		t.Errorf("file cut to %q", last.File)
	}
	if len(last.Function) != MaxFrameFunctionBytes {
		t.Errorf("function of %d bytes", len(last.Function))
	}
	want := []string{"frames", "frames.file", "frames.function", "message"}
	if !slices.Equal(d.Truncated, want) {
		t.Errorf("Truncated = %q, want %q", d.Truncated, want)
	}
	again := d.ErrorReport
	again.Frames = slices.Clone(d.Frames)
	if cut, err := again.Validate(); err != nil || cut != nil || fmt.Sprint(again) != fmt.Sprint(d.ErrorReport) {
		t.Errorf("Validate of a truncated report: %q, %v; changed: %v", cut, err, fmt.Sprint(again) != fmt.Sprint(d.ErrorReport))
	}
	// Scrubbing can lengthen a cut message: cut again, one marker.
	again.Message = strings.TrimSuffix(again.Message, TruncationMarker) + "[password][password]" + TruncationMarker
	if cut, err := again.Validate(); err != nil || !slices.Equal(cut, []string{"message"}) ||
		len(again.Message) > MaxMessageBytes || strings.Count(again.Message, TruncationMarker) != 1 {
		t.Errorf("re-cut: %q, %v, %d bytes, %d markers", cut, err, len(again.Message), strings.Count(again.Message, TruncationMarker))
	}
}

func TestErrorKey(t *testing.T) {
	key := func(kv ...any) string { return mustDecodeError(t, errBody(t, kv...)).Key() }
	base := key()
	tests := []struct {
		name string
		kv   []any
		same bool
	}{
		{"same instant with an offset", []any{"timestamp", "2026-11-20T11:00:00+01:00"}, true},
		{"another message", []any{"message", "other"}, true},
		{"another type", []any{"error_type", "OperationalError"}, false},
		{"another sqlstate", []any{"sqlstate", "23503"}, false},
		{"another instant", []any{"timestamp", "2026-11-20T10:00:00.000001Z"}, false},
		{"another installation", []any{"installation_id", "another-installation"}, false},
	}
	for _, tt := range tests {
		if got := key(tt.kv...); (got == base) != tt.same {
			t.Errorf("%s: Key = %q, base %q", tt.name, got, base)
		}
	}
	const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	if got := key("report_id", id); got != id {
		t.Errorf("Key with report_id = %q", got)
	}
	if mustDecodeError(t, []byte(errSeed)).Key() == mustDecode(t, []byte(seed)).Key() {
		t.Error("an error report and a telemetry report of one instant share a key")
	}
}

// TestErrorContractExamples decodes the JSON examples of docs/errors.md
// and checks that it gives every pattern.
func TestErrorContractExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/errors.md")
	if err != nil {
		t.Skip(err)
	}
	n := 0
	for _, b := range strings.Split(string(doc), "```json\n")[1:] {
		b = b[:strings.Index(b, "```")]
		if !strings.Contains(b, `"error_type"`) {
			continue
		}
		n++
		var m map[string]any
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("invalid JSON example: %v\n%s", err, b)
		}
		m["timestamp"] = now.Add(-time.Hour).Format(time.RFC3339) // the example's date ages
		body, _ := json.Marshal(m)
		if d := mustDecodeError(t, body); d.Ignored != nil {
			t.Errorf("example has ignored fields %q", d.Ignored)
		}
	}
	if n == 0 {
		t.Error("docs/errors.md has no error-report example")
	}
	for _, re := range []*pattern{errorTypeNamePattern, sqlstatePattern, contextWordPattern, functionPattern} {
		if !strings.Contains(string(doc), "`"+re.String()+"`") {
			t.Errorf("docs/errors.md does not give the pattern %s", re)
		}
	}
}
