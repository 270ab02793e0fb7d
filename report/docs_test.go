package report

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestContractExamples decodes the JSON examples of docs/contract.md.
func TestContractExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/contract.md")
	if err != nil {
		t.Skip(err)
	}
	blocks := strings.Split(string(doc), "```json\n")[1:]
	reports := 0
	for _, b := range blocks {
		b = b[:strings.Index(b, "```")]
		if !json.Valid([]byte(b)) {
			t.Errorf("invalid JSON example:\n%s", b)
			continue
		}
		if !strings.Contains(b, `"installation_id"`) {
			continue
		}
		reports++
		d := mustDecode(t, []byte(b))
		if d.Ignored != nil {
			t.Errorf("example has ignored fields %q", d.Ignored)
		}
		if d.SchemaVersion != CurrentSchema {
			continue
		}
		var v any
		json.Unmarshal([]byte(b), &v)
		have := map[string]bool{}
		paths("", v, have)
		for obj, fields := range known {
			for _, f := range fields {
				if !have[join(obj, f)] {
					t.Errorf("the full example lacks %s", join(obj, f))
				}
			}
		}
	}
	for _, re := range []*pattern{uuidPattern, installationIDPattern, versionPattern, timestampPattern, namePattern,
		errorTypePattern, envWordPattern, runtimePattern, experimentPattern, variantPattern} {
		if !strings.Contains(string(doc), "`"+re.String()+"`") {
			t.Errorf("docs/contract.md does not give the pattern %s", re)
		}
	}
	if reports < 2 {
		t.Errorf("found %d report examples, want the first client's and a full one", reports)
	}
}

// paths records the dotted paths of the object fields in v.
func paths(path string, v any, have map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if refObjectMaps[path] { // its entries share its path
			for _, x := range v {
				for k, y := range x.(map[string]any) {
					have[join(path, k)] = true
					paths(join(path, k), y, have)
				}
			}
			return
		}
		for k, x := range v {
			have[join(path, k)] = true
			paths(join(path, k), x, have)
		}
	case []any:
		for _, x := range v {
			paths(path, x, have)
		}
	}
}

// TestContractTable checks that the field table of docs/contract.md has a
// row for every field, with its schema version.
func TestContractTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/contract.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // path -> the table row that names it
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		var last string
		for _, p := range strings.Split(cells[1], ",") {
			p = strings.Trim(strings.TrimSpace(p), "`")
			if strings.HasPrefix(p, ".") { // `.p95` after `metrics.query_latency_ms.p50`
				p = last[:strings.LastIndexByte(last, '.')] + p
			}
			rows[p], last = line, p
		}
	}
	for obj, fields := range known {
		for _, f := range fields {
			p := join(obj, f)
			row, ok := rows[p]
			if !ok {
				t.Errorf("docs/contract.md: no row for %s", p)
				continue
			}
			if v := strings.TrimSpace(strings.Split(row, "|")[4]); v != strconv.Itoa(FieldSchema(p)) {
				t.Errorf("docs/contract.md: %s is of schema version %s there, %d in the table", p, v, FieldSchema(p))
			}
		}
	}
}
