package report

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite schema.json from the table of fields.go")

// TestSchemaFileIsCurrent checks that the committed schema.json, which
// the service serves, is what the table of fields.go gives; with -update
// (go generate ./report) it rewrites the file.
func TestSchemaFileIsCurrent(t *testing.T) {
	got := generateSchema()
	if *update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, jsonSchema) {
		t.Errorf("schema.json is not what fields.go gives; run go generate ./report and commit it.\n%s", firstDiff(jsonSchema, got))
	}
}

// firstDiff shows where two documents start to differ, line by line.
func firstDiff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := range max(len(w), len(g)) {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			return "line " + strconv.Itoa(i+1) + ":\n committed: " + string(wl) + "\n generated: " + string(gl)
		}
	}
	return ""
}
