package report

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// schemaNodes parses Schema() and returns its subschemas by dotted field
// path: "metrics.algorithm_usage.*" is the schema of a map's values and
// "metrics.algorithm_usage.<key>" the schema of its keys. A path may have
// several nodes (the base schema and the "then" of schema version 2).
func schemaNodes(t *testing.T) (map[string]any, map[string][]map[string]any) {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(Schema(), &root); err != nil {
		t.Fatalf("schema.json does not parse: %v", err)
	}
	nodes := map[string][]map[string]any{}
	var walk func(path string, n map[string]any)
	walk = func(path string, n map[string]any) {
		nodes[path] = append(nodes[path], n)
		if props, ok := n["properties"].(map[string]any); ok {
			for k, v := range props {
				walk(join(path, k), v.(map[string]any))
			}
		}
		for _, k := range []string{"items", "then", "else"} {
			if v, ok := n[k].(map[string]any); ok {
				walk(path, v)
			}
		}
		if v, ok := n["anyOf"].([]any); ok {
			for _, s := range v {
				walk(path, s.(map[string]any))
			}
		}
		if v, ok := n["additionalProperties"].(map[string]any); ok && v["properties"] != nil {
			walk(path, v) // a map of objects: its entries share its path, as known has them
		} else if ok && v["type"] != nil {
			walk(path+".*", v)
		}
		if v, ok := n["propertyNames"].(map[string]any); ok {
			walk(path+".<key>", v)
		}
	}
	walk("", root)
	return root, nodes
}

// first returns the value of keyword k in the nodes at path, if any.
func first(nodes []map[string]any, k string) (any, bool) {
	for _, n := range nodes {
		if v, ok := n[k]; ok {
			return v, true
		}
	}
	return nil, false
}

func TestSchemaCopy(t *testing.T) {
	a := Schema()
	a[0] = 'x'
	if b := Schema(); b[0] != '{' {
		t.Error("Schema() returns shared memory")
	}
}

func TestSchemaFields(t *testing.T) {
	root, nodes := schemaNodes(t)
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", root["$schema"])
	}
	var req []string
	for _, r := range root["required"].([]any) {
		req = append(req, r.(string))
	}
	if !slices.Equal(req, required) {
		t.Errorf("required = %q, want %q", req, required)
	}
	for obj, fields := range known {
		if _, ok := nodes[obj]; !ok {
			t.Errorf("object %q missing", obj)
		}
		for _, k := range fields {
			f := join(obj, k)
			ns, ok := nodes[f]
			if !ok {
				t.Errorf("field %q missing", f)
				continue
			}
			d, _ := first(ns, "description")
			if v := "Schema version " + strconv.Itoa(FieldSchema(f)); !strings.HasPrefix(d.(string), v) {
				t.Errorf("%s: description %q does not start with %q", f, d, v)
			}
		}
		for _, n := range nodes[obj] {
			if n["properties"] == nil || n["type"] == nil { // skip if/then parts
				continue
			}
			ap, _ := n["additionalProperties"].(map[string]any)
			if d, _ := ap["description"].(string); len(ap) != 1 || !strings.Contains(d, "ignored, not stored") {
				t.Errorf("%q: additionalProperties = %v", obj, n["additionalProperties"])
			}
		}
	}
	for path, ns := range nodes {
		for _, n := range ns {
			props, _ := n["properties"].(map[string]any)
			for k := range props {
				if !slices.Contains(known[path], k) {
					t.Errorf("schema field %q is not in known", join(path, k))
				}
			}
		}
	}
}

// TestSchemaVersionCondition checks that the fields of each schema
// version after the first are constrained only when schema_version is at
// least that version: in the then of its if, each version's nested in the
// previous one's.
func TestSchemaVersionCondition(t *testing.T) {
	root, _ := schemaNodes(t)
	base := root["properties"].(map[string]any)["metrics"].(map[string]any)["properties"].(map[string]any)
	level := root
	for v := 2; v <= CurrentSchema; v++ {
		cond, _ := level["if"].(map[string]any)
		sv, _ := cond["properties"].(map[string]any)["schema_version"].(map[string]any)
		if sv["minimum"] != float64(v) || !slices.Contains(cond["required"].([]any), any("schema_version")) {
			t.Fatalf("if = %v, want schema_version required with minimum %d", cond, v)
		}
		level = level["then"].(map[string]any)
		metrics, _ := level["properties"].(map[string]any)["metrics"].(map[string]any)
		then, _ := metrics["properties"].(map[string]any)
		for f, fv := range fieldSchema {
			k := strings.TrimPrefix(f, "metrics.")
			if fv == v && (then[k] == nil || base[k] != nil) {
				t.Errorf("%s (version %d) must be defined only under the then of version %d", f, fv, v)
			}
		}
	}
}

func TestSchemaPatterns(t *testing.T) {
	_, nodes := schemaNodes(t)
	want := map[string]*pattern{
		"report_id":                         uuidPattern,
		"installation_id":                   installationIDPattern,
		"version":                           versionPattern,
		"timestamp":                         timestampPattern,
		"metrics.features_used":             namePattern,
		"metrics.algorithm_usage.<key>":     namePattern,
		"metrics.errors.<key>":              errorTypePattern,
		"metrics.algorithm_decisions.<key>": namePattern,
		"metrics.ab_experiments.experiment": experimentPattern,
		"metrics.ab_experiments.variant":    variantPattern,
		"metrics.feature_usage.<key>":       namePattern,
		"metrics.experiments.<key>":         fleetNamePattern,
		"metrics.experiments.*":             variantPattern,
		"environment.python_version":        versionPattern,
		"environment.postgresql_version":    versionPattern,
		"environment.os":                    envWordPattern,
		"environment.arch":                  envWordPattern,
		"environment.runtime":               runtimePattern,
	}
	for path, ns := range nodes {
		p, ok := first(ns, "pattern")
		re := want[path]
		switch {
		case !ok && re == nil:
		case !ok:
			t.Errorf("%s: no pattern, want %s", path, re)
		case re == nil:
			t.Errorf("%s: pattern %s that validate.go does not have", path, p)
		case p != re.String():
			t.Errorf("%s: pattern %s, validate.go has %s", path, p, re)
		}
		delete(want, path)
	}
	for path := range want {
		t.Errorf("%s: missing from the schema", path)
	}
}

func TestSchemaLimits(t *testing.T) {
	_, nodes := schemaNodes(t)
	for path, r := range ranges {
		ns, ok := nodes[path]
		if !ok {
			t.Errorf("%s: missing from the schema", path)
			continue
		}
		lo, _ := first(ns, "minimum")
		hi, _ := first(ns, "maximum")
		typ, _ := first(ns, "type")
		if lo != r.min || hi != r.max {
			t.Errorf("%s: schema range [%v, %v], want [%v, %v]", path, lo, hi, r.min, r.max)
		}
		types, _ := typ.([]any)
		if typ, ok := typ.(string); ok { // a required field is never null
			types = []any{typ}
		}
		if want := map[bool]string{true: "integer", false: "number"}[r.whole]; !slices.Contains(types, any(want)) {
			t.Errorf("%s: type %v, want %s", path, typ, want)
		}
	}
	for path, ns := range nodes {
		if _, ok := first(ns, "maximum"); ok && ranges[path] == (numRange{}) {
			t.Errorf("%s: a range that validate.go does not have", path)
		}
	}
	for _, path := range []string{"metrics.algorithm_usage", "metrics.errors", "metrics.algorithm_decisions", "metrics.feature_usage"} {
		if v, _ := first(nodes[path], "maxProperties"); v != float64(MaxListEntries) {
			t.Errorf("%s: maxProperties %v, want %d", path, v, MaxListEntries)
		}
	}
	if v, _ := first(nodes["metrics.ab_experiments"], "maxItems"); v != float64(MaxListEntries) {
		t.Errorf("ab_experiments: maxItems %v, want %d", v, MaxListEntries)
	}
	if d, _ := first(nodes["metrics.features_used"], "description"); !strings.Contains(d.(string), "at most "+strconv.Itoa(MaxListEntries)+" distinct") {
		t.Errorf("features_used: description %q does not give the limit", d)
	}
	enum, _ := first(nodes["metrics.tenants_bucket"], "enum")
	var buckets []string
	for _, b := range enum.([]any) {
		if s, ok := b.(string); ok && s != "" {
			buckets = append(buckets, s)
		}
	}
	if !slices.Equal(buckets, TenantBuckets) {
		t.Errorf("tenants_bucket enum %q, want %q", buckets, TenantBuckets)
	}
	d := nodes[""][0]["description"].(string)
	if !strings.Contains(d, strconv.Itoa(MaxBodyBytes)+" bytes") {
		t.Errorf("top description does not give the body limit %d", MaxBodyBytes)
	}
	ts, _ := first(nodes["timestamp"], "description")
	if days := strconv.Itoa(int(DefaultRetention.Hours() / 24)); !strings.Contains(ts.(string), days+" days") ||
		!strings.Contains(ts.(string), strconv.Itoa(int(MaxFutureSkew.Hours()/24))+" day") {
		t.Errorf("timestamp description %q does not give the limits", ts)
	}
}
