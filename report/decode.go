package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldError is a rejected report: Field names the offending field as a
// dotted path ("metrics.indexes_created") and Rule says what it broke.
// Field is empty when the body as a whole is at fault.
type FieldError struct {
	Field string `json:"field"`
	Rule  string `json:"rule"`
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "report: " + e.Rule
	}
	return "report: " + e.Field + ": " + e.Rule
}

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// known lists the fields of each object; anything else is ignored (not
// stored) and reported back to the sender. "metrics.ab_experiments" is an
// array of objects.
var known = map[string][]string{
	"":                         {"schema_version", "report_id", "installation_id", "version", "timestamp", "metrics", "environment"},
	"metrics":                  {"features_used", "indexes_created", "indexes_recommended", "queries_analyzed", "performance_improvement_pct", "explain_coverage_pct", "algorithm_usage", "errors", "query_latency_ms", "algorithm_decisions", "ab_experiments", "tenants_bucket"},
	"metrics.query_latency_ms": {"p50", "p95", "p99"},
	"metrics.ab_experiments":   {"experiment", "variant", "n", "mean_ms", "variance_ms2"},
	"environment":              {"python_version", "postgresql_version", "os", "arch", "cpu_cores", "runtime"},
}

// required are the top-level fields a report must carry, not null.
var required = []string{"installation_id", "version", "timestamp", "metrics", "environment"}

// Decoded is a report that passed every rule, with its timestamp parsed and
// the fields the server did not keep.
type Decoded struct {
	Report
	Time    time.Time // Timestamp, parsed, in UTC
	Ignored []string  // dotted paths of unknown or too new fields, sorted
}

// Decode parses and validates one report body (at most MaxBodyBytes, after
// decompression). now is the server's clock; retention is how old a
// timestamp may be (DefaultRetention when not positive). A *FieldError is
// returned for every rule a report breaks.
func Decode(body []byte, now time.Time, retention time.Duration) (*Decoded, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	top, err := topLevel(body, required)
	if err != nil {
		return nil, err
	}
	p := prepass{sv: 1}
	if raw := top["schema_version"]; !isNull(raw) {
		if _, err := whole("schema_version", "schema_version", raw); err != nil {
			return nil, err
		}
		sv, _ := strconv.ParseFloat(string(raw), 64)
		p.sv = int(sv)
	}
	clean, err := p.object("", top, body)
	if err != nil {
		return nil, err
	}
	var d Decoded
	if err := json.Unmarshal(clean, &d.Report); err != nil {
		return nil, decodeError(err)
	}
	slices.Sort(p.ignored)
	d.Ignored = slices.Compact(p.ignored)
	if err := d.validate(now, retention); err != nil {
		return nil, err
	}
	return &d, nil
}

// topLevel checks a body's size, parses its top-level object and checks
// that the required fields are there and not null: the first steps of both
// contracts' decoders.
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

// prepass rewrites a report before it is decoded into a Report: it drops
// the fields the report may not carry (unknown, or newer than its schema
// version sv), so that encoding/json's case-insensitive matching cannot
// store them, and it checks and canonicalises whole numbers ("42.0" is
// 42; "42.5" is rejected) naming the map key at fault. An object it leaves
// unchanged keeps its original bytes, so the common report is not
// re-encoded.
type prepass struct {
	sv      int
	ignored []string
}

func (p *prepass) object(path string, obj map[string]json.RawMessage, orig json.RawMessage) (json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(obj))
	changed := false
	for _, k := range sortedKeys(obj) {
		f := join(path, k)
		if !slices.Contains(known[path], k) || FieldSchema(f) > p.sv {
			p.ignored = append(p.ignored, f)
			changed = true
			continue
		}
		v, err := p.value(f, obj[k])
		if err != nil {
			return nil, err
		}
		changed = changed || !bytes.Equal(v, obj[k])
		out[k] = v
	}
	if !changed {
		return orig, nil
	}
	return json.Marshal(out)
}

func (p *prepass) value(f string, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return raw, nil
	}
	if _, ok := known[f]; ok {
		if f == "metrics.ab_experiments" {
			var list []json.RawMessage
			if json.Unmarshal(raw, &list) != nil {
				return nil, fieldErr(f, "must be an array of objects (got %s)", kind(raw))
			}
			changed := false
			for i, e := range list {
				var o map[string]json.RawMessage
				if json.Unmarshal(e, &o) != nil || o == nil {
					return nil, fieldErr(f, "each entry must be a JSON object (got %s)", kind(e))
				}
				v, err := p.object(f, o, e)
				if err != nil {
					return nil, err
				}
				changed = changed || !bytes.Equal(v, e)
				list[i] = v
			}
			if !changed {
				return raw, nil
			}
			return json.Marshal(list)
		}
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object (got %s)", kind(raw))
		}
		return p.object(f, o, raw)
	}
	if _, ok := ranges[f+".*"]; ok { // a map of counts
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object of whole numbers (got %s)", kind(raw))
		}
		changed := false
		for _, k := range sortedKeys(o) {
			v, err := whole(f+"."+k, f+".*", o[k])
			if err != nil {
				return nil, err
			}
			changed = changed || !bytes.Equal(v, o[k])
			o[k] = v
		}
		if !changed {
			return raw, nil
		}
		return json.Marshal(o)
	}
	if ranges[f].whole {
		return whole(f, f, raw)
	}
	return raw, nil
}

// whole checks that raw, the value of field f, is null or a JSON number
// with an integral value in ranges[key], and returns it as an integer.
func whole(f, key string, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return raw, nil
	}
	r := ranges[key]
	x, err := strconv.ParseFloat(string(raw), 64) // raw is valid JSON
	if err != nil || x != math.Trunc(x) || !r.contains(x) {
		return nil, fieldErr(f, "%s (got %s)", r.rule(), kind(raw))
	}
	return strconv.AppendFloat(nil, x, 'f', 0, 64), nil
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

// kind names a JSON value for an error message: its type, or the number.
func kind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	if len(raw) > 32 {
		raw = append(raw[:29:29], "..."...)
	}
	return string(raw)
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// decodeError turns encoding/json's type errors into a FieldError that
// names the field in the contract's words. Whole numbers and nested objects
// were checked by the prepass, so what is left are strings and numbers of
// the wrong JSON type and numbers too large for a float64.
func decodeError(err error) *FieldError {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return fieldErr("", "body is not valid JSON: %v", err)
	}
	got := te.Value
	if n, ok := strings.CutPrefix(got, "number "); ok {
		got = n
	} else {
		got = article(got)
	}
	rule := "must be " + kindName(te.Type.Kind().String())
	if r, ok := ranges[te.Field]; ok {
		rule = r.rule()
	} else if te.Field == "metrics.features_used" && te.Type.Kind().String() == "string" {
		rule = "each entry must be a string"
	}
	return fieldErr(te.Field, "%s (got %s)", rule, got)
}

func article(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "bool":
		return "a boolean"
	}
	return "a " + v
}

func kindName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "an array"
	case kind == "map", kind == "struct", kind == "ptr":
		return "an object"
	}
	return "of type " + kind
}
