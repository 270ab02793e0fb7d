package report

import (
	"reflect"
	"strings"
	"testing"
)

// TestRowsFollowStructs checks the table against the Go structs it fills,
// found from the rows themselves: one row per JSON field of each struct,
// in the struct's order, with its key, pointing at it, and kept when zero
// exactly when the Go field has no omitempty. A Go field without a row
// would be neither decoded nor stored.
func TestRowsFollowStructs(t *testing.T) {
	checkRows(t, reportObject, reflect.TypeFor[Report]())
}

func checkRows(t *testing.T, o *object, typ reflect.Type) {
	t.Helper()
	obj := reflect.New(typ)
	var fields []reflect.StructField
	for f := range typ.Fields() {
		if f.IsExported() && f.Tag.Get("json") != "-" {
			fields = append(fields, f)
		}
	}
	if len(fields) != len(o.fields) {
		t.Errorf("%s: %d rows for the %d fields of %s", typ, len(o.fields), len(fields), typ)
	}
	if len(o.fields) > maxFields {
		t.Errorf("%s has %d fields, more than maxFields", typ, len(o.fields))
	}
	for i, sf := range fields[:min(len(fields), len(o.fields))] {
		f := &o.fields[i]
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if f.name != name {
			t.Errorf("%s row %d is %q, the struct's field %d is %q", typ, i, f.name, i, name)
			continue
		}
		if uintptr(f.at(obj.UnsafePointer())) != obj.Elem().FieldByIndex(sf.Index).Addr().Pointer() {
			t.Errorf("%s: row %q points at another Go field than %s", typ, f.name, sf.Name)
		}
		if want, ok := kindTypes[f.kind]; ok && (sf.Type != want && !(f.goInt && sf.Type == reflect.TypeFor[int]())) {
			t.Errorf("%s: row %q is of a kind held in %s, its Go field is %s", typ, f.name, want, sf.Type)
		}
		if omit := strings.Contains(opts, "omitempty"); f.kind != kindObject && omit == f.keepZero {
			t.Errorf("%s: row %q is kept when zero: %v; the Go field's omitempty: %v", typ, f.name, f.keepZero, omit)
		}
		if string(appendString(nil, f.name)) != `"`+f.name+`"` {
			t.Errorf("%s: key %q needs escaping, which AppendJSON does not do for keys", typ, f.name)
		}
		if f.elem != nil {
			checkRows(t, f.elem, structOf(sf.Type))
		}
	}
}

// kindTypes is the Go type of each kind of scalar, list and map.
var kindTypes = map[fieldKind]reflect.Type{
	kindText: reflect.TypeFor[string](), kindWhole: reflect.TypeFor[int64](), kindNumber: reflect.TypeFor[float64](),
	kindOptNumber: reflect.TypeFor[*float64](), kindNames: reflect.TypeFor[[]string](),
	kindCounts: reflect.TypeFor[map[string]int64](), kindWords: reflect.TypeFor[map[string]string](),
}

// structOf returns the struct a nested field holds.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() != reflect.Struct {
		t = t.Elem()
	}
	return t
}

// TestCurrentSchemaIsTheNewest checks that CurrentSchema is the newest
// version any row gives: a new version needs both.
func TestCurrentSchemaIsTheNewest(t *testing.T) {
	if contract.newest != CurrentSchema {
		t.Errorf("the newest field is of schema version %d, CurrentSchema is %d", contract.newest, CurrentSchema)
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		path, s string
		want    bool
	}{
		{"version", "1.1.0rc1", true}, {"version", "1.1 beta", false}, {"version", "", false},
		{"metrics.features_used", "auto_indexing", true}, {"metrics.features_used", "Auto", false},
		{"metrics.algorithm_usage", "cert", true}, {"metrics.errors", "psycopg2.OperationalError", true},
		{"environment.os", "Linux", true}, {"metrics.indexes_created", "1", false}, {"nope", "x", false},
	} {
		if got := Matches(c.path, c.s); got != c.want {
			t.Errorf("Matches(%q, %q) = %v", c.path, c.s, got)
		}
	}
	if Pattern("version") != versionPattern.String() || Pattern("metrics.indexes_created") != "" {
		t.Errorf("Pattern: %q, %q", Pattern("version"), Pattern("metrics.indexes_created"))
	}
}
