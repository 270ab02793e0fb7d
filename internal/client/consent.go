package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// placeholderID is the installation id of a report built before the
// installation registered. Preview shows it; Send replaces it with the
// registered id, in the spooled file, before the upload.
const placeholderID = "not-registered-yet"

// encode is the one function that turns a report into the bytes that are
// kept, previewed and uploaded: every field newer than the consented
// schema version is removed (held lists them), schema_version is set to
// the consented version, and the rest is written as indented JSON so that
// what people read is what is sent.
func encode(r report.Report, consented int) (data []byte, held []string, err error) {
	m, err := toMap(r)
	if err != nil {
		return nil, nil, err
	}
	held = newer(m, "", consented, true)
	var out report.Report // back to the struct, for the contract's field order
	if err := remarshal(m, &out); err != nil {
		return nil, nil, err
	}
	out.SchemaVersion = min(consented, report.CurrentSchema)
	if data, err = marshalReport(out); err != nil {
		return nil, nil, err
	}
	// The guard that makes the consent rule hold whatever the struct does.
	check := map[string]any{}
	if err := decodeNumbers(data, &check); err != nil {
		return nil, nil, err
	}
	if extra := newer(check, "", consented, false); len(extra) > 0 {
		return nil, nil, fmt.Errorf("client: the report still holds %s, newer than the consented schema %d", strings.Join(extra, ", "), consented)
	}
	return data, held, nil
}

// diff returns, as indented JSON, only the fields of r that are newer than
// the consented schema version: what `preview --diff` shows.
func diff(r report.Report, consented int) ([]byte, error) {
	m, err := toMap(r)
	if err != nil {
		return nil, err
	}
	return marshalReport(onlyNewer(m, "", consented))
}

// rebind sets the installation id of an encoded report, keeping every
// other byte as encode wrote it.
func rebind(data []byte, installationID string) ([]byte, error) {
	return rebindAs(data, "report", func(r *report.Report) { r.InstallationID = installationID })
}

// rebindAs decodes a spooled report of type R, lets setID set its
// installation id and encodes it again.
func rebindAs[R any](data []byte, what string, setID func(*R)) ([]byte, error) {
	var r R
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a field this client does not know would be lost
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("client: reading a spooled %s: %w", what, err)
	}
	setID(&r)
	return marshalReport(r)
}

// marshalReport writes indented JSON with a final newline, without HTML
// escaping (tenants_bucket ">1000" stays readable).
func marshalReport(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("client: encoding a report: %w", err)
	}
	return buf.Bytes(), nil
}

func toMap(v any) (map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("client: encoding a report: %w", err)
	}
	m := map[string]any{}
	return m, decodeNumbers(data, &m)
}

// decodeNumbers decodes keeping numbers as written, so nothing is rounded.
func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("client: decoding a report: %w", err)
	}
	return nil
}

func remarshal(from, to any) error {
	data, err := json.Marshal(from)
	if err != nil {
		return fmt.Errorf("client: encoding a report: %w", err)
	}
	return decodeNumbers(data, to)
}

// newer returns the dotted paths of the fields in m newer than the
// consented schema version, sorted, and deletes them when remove is set.
// Entries of an array of objects share their array's path.
func newer(m map[string]any, prefix string, consented int, remove bool) []string {
	seen := map[string]bool{}
	var walk func(m map[string]any, prefix string)
	walk = func(m map[string]any, prefix string) {
		for k, v := range m {
			p := join(prefix, k)
			if report.FieldSchema(p) > consented {
				seen[p] = true
				if remove {
					delete(m, k)
				}
				continue
			}
			for _, sub := range objects(v) {
				walk(sub, p)
			}
		}
	}
	walk(m, prefix)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// onlyNewer returns the part of m that newer would remove.
func onlyNewer(m map[string]any, prefix string, consented int) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		p := join(prefix, k)
		if report.FieldSchema(p) > consented {
			out[k] = v
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if d := onlyNewer(x, p, consented); len(d) > 0 {
				out[k] = d
			}
		case []any:
			var entries []any
			for _, sub := range objects(x) {
				if d := onlyNewer(sub, p, consented); len(d) > 0 {
					entries = append(entries, d)
				}
			}
			if len(entries) > 0 {
				out[k] = entries
			}
		}
	}
	return out
}

// objects returns v when it is an object, its object entries when it is
// an array, else nothing.
func objects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if o, ok := e.(map[string]any); ok {
				out = append(out, o)
			}
		}
		return out
	}
	return nil
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// heldBack lists the report fields newer than the consented version, the
// outermost of each: what `status` says is held back.
func heldBack(consented int) []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			p := join(prefix, name)
			if report.FieldSchema(p) > consented {
				out = append(out, p)
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, p)
			}
		}
	}
	walk(reflect.TypeFor[report.Report](), "")
	return out
}
