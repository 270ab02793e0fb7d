package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FieldError is a rejected report: Field names the offending field as a
// dotted path ("metrics.indexes_created") and Rule says what it broke.
// Field is empty when the body as a whole is at fault.
type FieldError struct {
	Field string `json:"field"`
	Rule  string `json:"rule"`
}

// Error returns the rule, after the field's path if there is one.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "report: " + e.Rule
	}
	return "report: " + e.Field + ": " + e.Rule
}

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)}
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

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// decodeError turns encoding/json's type errors into a FieldError that
// names the field in the contract's words. The shapes of objects, arrays
// and whole numbers are checked before, so what is left are strings and
// numbers of the wrong JSON type and numbers too large for a float64
// (and, for a telemetry report, anything in a repeated key's earlier
// values).
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

// article names a JSON type as encoding/json's UnmarshalTypeError.Value
// does ("string", "number", "bool", "array", "object") for a message.
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
