package report

// The decoder as it was before the one-pass scanner (commit 52ab836,
// report/decode.go), kept verbatim but for the names, as the reference the
// differential fuzz test holds Decode to. It shares FieldError, Decoded,
// known, required, ranges, FieldSchema and validate with the package.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// referenceDecode is Decode as it was: it parses the body into maps, has
// refPrepass rewrite it, and decodes the result with encoding/json.
func referenceDecode(body []byte, now time.Time, retention time.Duration) (*Decoded, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	top, err := refTopLevel(body, required)
	if err != nil {
		return nil, err
	}
	p := refPrepass{sv: 1}
	if raw := top["schema_version"]; !refIsNull(raw) {
		if _, err := refWhole("schema_version", "schema_version", raw); err != nil {
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
		return nil, refDecodeError(err)
	}
	slices.Sort(p.ignored)
	d.Ignored = slices.Compact(p.ignored)
	if err := d.validate(now, retention); err != nil {
		return nil, err
	}
	return &d, nil
}

// refTopLevel checks a body's size, parses its top-level object and checks
// that the required fields are there and not null: the first steps of both
// contracts' decoders.
func refTopLevel(body []byte, required []string) (map[string]json.RawMessage, error) {
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
		if refIsNull(top[f]) {
			return nil, fieldErr(f, "is required")
		}
	}
	return top, nil
}

// refPrepass rewrites a report before it is decoded into a Report: it drops
// the fields the report may not carry (unknown, or newer than its schema
// version sv), so that encoding/json's case-insensitive matching cannot
// store them, and it checks and canonicalises whole numbers ("42.0" is
// 42; "42.5" is rejected) naming the map key at fault. An object it leaves
// unchanged keeps its original bytes, so the common report is not
// re-encoded.
type refPrepass struct {
	sv      int
	ignored []string
}

func (p *refPrepass) object(path string, obj map[string]json.RawMessage, orig json.RawMessage) (json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(obj))
	changed := false
	for _, k := range refSortedKeys(obj) {
		f := refJoin(path, k)
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

func (p *refPrepass) value(f string, raw json.RawMessage) (json.RawMessage, error) {
	if refIsNull(raw) {
		return raw, nil
	}
	if _, ok := known[f]; ok {
		if f == "metrics.ab_experiments" {
			var list []json.RawMessage
			if json.Unmarshal(raw, &list) != nil {
				return nil, fieldErr(f, "must be an array of objects (got %s)", refKind(raw))
			}
			changed := false
			for i, e := range list {
				var o map[string]json.RawMessage
				if json.Unmarshal(e, &o) != nil || o == nil {
					return nil, fieldErr(f, "each entry must be a JSON object (got %s)", refKind(e))
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
			return nil, fieldErr(f, "must be a JSON object (got %s)", refKind(raw))
		}
		return p.object(f, o, raw)
	}
	if _, ok := ranges[f+".*"]; ok { // a map of counts
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object of whole numbers (got %s)", refKind(raw))
		}
		changed := false
		for _, k := range refSortedKeys(o) {
			v, err := refWhole(f+"."+k, f+".*", o[k])
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
		return refWhole(f, f, raw)
	}
	return raw, nil
}

// refWhole checks that raw, the value of field f, is null or a JSON number
// with an integral value in ranges[key], and returns it as an integer.
func refWhole(f, key string, raw json.RawMessage) (json.RawMessage, error) {
	if refIsNull(raw) {
		return raw, nil
	}
	r := ranges[key]
	x, err := strconv.ParseFloat(string(raw), 64) // raw is valid JSON
	if err != nil || x != math.Trunc(x) || !r.contains(x) {
		return nil, fieldErr(f, "%s (got %s)", r.rule(), refKind(raw))
	}
	return strconv.AppendFloat(nil, x, 'f', 0, 64), nil
}

func refSortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func refIsNull(raw json.RawMessage) bool {
	return raw == nil || string(bytes.TrimSpace(raw)) == "null"
}

// refKind names a JSON value for an error message: its type, or the number.
func refKind(raw json.RawMessage) string {
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

func refJoin(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// refDecodeError turns encoding/json's type errors into a FieldError that
// names the field in the contract's words. Whole numbers and nested objects
// were checked by the refPrepass, so what is left are strings and numbers of
// the wrong JSON type and numbers too large for a float64.
func refDecodeError(err error) *FieldError {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return fieldErr("", "body is not valid JSON: %v", err)
	}
	got := te.Value
	if n, ok := strings.CutPrefix(got, "number "); ok {
		got = n
	} else {
		got = refArticle(got)
	}
	rule := "must be " + refKindName(te.Type.Kind().String())
	if r, ok := ranges[te.Field]; ok {
		rule = r.rule()
	} else if te.Field == "metrics.features_used" && te.Type.Kind().String() == "string" {
		rule = "each entry must be a string"
	}
	return fieldErr(te.Field, "%s (got %s)", rule, got)
}

func refArticle(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "bool":
		return "a boolean"
	}
	return "a " + v
}

func refKindName(kind string) string {
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
