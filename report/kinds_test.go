package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// The kinds of value no report field has yet (a map of words, a map of
// objects) and a field of a schema version after the newest, on an
// object of their own: what the next fields will be, working through the
// same table machinery as the report's.

type testUse struct {
	Uses      int64 `json:"uses"`
	Successes int64 `json:"successes,omitempty"`
}

type testDoc struct {
	Variants map[string]string  `json:"variants,omitempty"`
	Usage    map[string]testUse `json:"usage,omitempty"`
	Later    int64              `json:"later,omitempty"`
}

var (
	testUseObject = withCheck(newObject[testUse](
		whole("uses", func(u *testUse) *int64 { return &u.Uses }, numRange{0, 1000, true}, "Uses.").always(),
		whole("successes", func(u *testUse) *int64 { return &u.Successes }, numRange{0, 1000, true}, "Successes."),
	), func(u *testUse) string {
		if u.Successes > u.Uses {
			return "must satisfy successes <= uses"
		}
		return ""
	})
	testDocObject = newObject[testDoc](
		words("variants", func(d *testDoc) *map[string]string { return &d.Variants }, namePattern, variantPattern, 3,
			"Variants by experiment."),
		objectMap("usage", func(d *testDoc) *map[string]testUse { return &d.Usage }, namePattern, testUseObject, 3,
			"Use of each feature."),
		whole("later", func(d *testDoc) *int64 { return &d.Later }, numRange{0, 9, true}, "A later field.").
			sinceVersion(CurrentSchema+1),
	)
	testIndex = index(testDocObject)
)

// decodeTestDoc decodes and checks body as a testDoc of schema version sv.
func decodeTestDoc(t *testing.T, body string, sv int) (*testDoc, []string, error) {
	t.Helper()
	toks, ok := scan([]byte(body), nil)
	if !ok {
		t.Fatalf("not JSON: %s", body)
	}
	var ignored []string
	w := walker{body: []byte(body), toks: toks, sv: sv, ignored: &ignored}
	d := new(testDoc)
	out, ferr := w.nested(&field{kind: kindObject, elem: testDocObject}, 0, unsafe.Pointer(d))
	if ferr == nil {
		ferr = out.typeErr
	}
	if ferr == nil {
		dropNewer(testDocObject, unsafe.Pointer(d), sv)
		ferr = new(validation).object(testDocObject, unsafe.Pointer(d))
	}
	if ferr != nil {
		return nil, nil, ferr
	}
	slices.Sort(ignored)
	return d, ignored, nil
}

func TestNewKindsDecode(t *testing.T) {
	for _, tt := range []struct {
		body string
		sv   int
		want string // "ok", the ignored fields, or the error
	}{
		{`{"variants":{"exp_a":"control","exp_b":null},"usage":{"auto_indexing":{"uses":120,"successes":117},"x":null}}`, 1, "ok"},
		{`{"usage":{"auto_indexing":{"uses":1,"extra":2}},"later":3,"zz":1}`, 1, `["later" "usage.extra" "zz"]`},
		{`{"later":3}`, CurrentSchema + 1, "ok"},
		{`{"variants":{"exp_a":"Control"}}`, 1, "report: variants.exp_a: must match ^[a-z0-9_]{1,16}$"},
		{`{"variants":{"exp_a":7}}`, 1, "report: variants.exp_a: must be a string (got a number)"},
		{`{"variants":["a"]}`, 1, "report: variants: must be a JSON object of strings (got an array)"},
		{`{"variants":{"A":"a"}}`, 1, "report: variants: each key must match ^[a-z][a-z0-9_]{0,63}$"},
		{`{"variants":{"a":"a","b":"b","c":"c","d":"d"}}`, 1, "report: variants: must have at most 3 entries"},
		{`{"usage":{"auto_indexing":5}}`, 1, "report: usage.auto_indexing: must be a JSON object (got 5)"},
		{`{"usage":[]}`, 1, "report: usage: must be a JSON object of objects (got an array)"},
		{`{"usage":{"auto_indexing":{"uses":1001}}}`, 1, "report: usage.uses: must be a whole number between 0 and 1000 (got 1001)"},
		{`{"usage":{"auto_indexing":{"uses":1,"successes":2}}}`, 1, "report: usage: must satisfy successes <= uses"},
		{`{"usage":{"Auto":{"uses":1}}}`, 1, "report: usage: each key must match ^[a-z][a-z0-9_]{0,63}$"},
	} {
		d, ignored, err := decodeTestDoc(t, tt.body, tt.sv)
		got := "ok"
		switch {
		case err != nil:
			got = err.Error()
		case ignored != nil:
			got = fmt.Sprintf("%q", ignored)
		}
		if got != tt.want {
			t.Errorf("%s (version %d):\n got %s\nwant %s", tt.body, tt.sv, got, tt.want)
		}
		if err == nil && tt.want == "ok" && tt.sv == 1 && len(d.Usage) > 0 {
			if u := d.Usage["auto_indexing"]; u != (testUse{120, 117}) || d.Variants["exp_a"] != "control" || len(d.Variants) != 1 || len(d.Usage) != 1 {
				t.Errorf("%s decoded as %+v", tt.body, d)
			}
		}
	}
}

// TestNewKindsEncode checks that the table's encoding of the new kinds is
// json.Marshal's.
func TestNewKindsEncode(t *testing.T) {
	for _, d := range []testDoc{
		{},
		{Variants: map[string]string{"b": "x<y", "a": "\u2028"}, Usage: map[string]testUse{"z": {}, "a": {Uses: 3, Successes: 1}}, Later: 4},
	} {
		want, err := json.Marshal(&d)
		if err != nil {
			t.Fatal(err)
		}
		if got := testDocObject.appendJSON(nil, unsafe.Pointer(&d)); !bytes.Equal(got, want) {
			t.Errorf("appendJSON(%+v) = %s, want %s", d, got, want)
		}
	}
}

// TestNewKindsSchema checks the JSON Schema of the new kinds and of a
// field newer than every other: under an if/then of its own version,
// inside the then of the versions before it.
func TestNewKindsSchema(t *testing.T) {
	var b bytes.Buffer
	writeNode(&b, documentSchema(testDocObject, testIndex.newest), "")
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.Bytes())
	}
	props := doc["properties"].(map[string]any)
	variants := props["variants"].(map[string]any)
	if variants["additionalProperties"].(map[string]any)["pattern"] != variantPattern.String() || variants["maxProperties"] != 3.0 {
		t.Errorf("variants: %v", variants)
	}
	usage := props["usage"].(map[string]any)["additionalProperties"].(map[string]any)
	if usage["type"] != "object" || usage["properties"].(map[string]any)["uses"] == nil {
		t.Errorf("usage values: %v", usage)
	}
	if props["later"] != nil {
		t.Error("the later field is among the base properties")
	}
	// Versions 2 to the newest nest: if ≥2 then (if ≥3 then …).
	then := doc
	for v := 2; v <= testIndex.newest; v++ {
		cond := then["if"].(map[string]any)["properties"].(map[string]any)["schema_version"].(map[string]any)
		if cond["minimum"] != float64(v) {
			t.Fatalf("version %d: if = %v", v, cond)
		}
		then = then["then"].(map[string]any)
	}
	later := then["properties"].(map[string]any)["later"].(map[string]any)
	if d, want := later["description"].(string), "Schema version "+strconv.Itoa(testIndex.newest)+". A later field. With schema_version 1"; !strings.HasPrefix(d, want) {
		t.Errorf("later: description %q", d)
	}
}
