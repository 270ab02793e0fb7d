package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

//go:generate go test -run TestSchemaFileIsCurrent -update .

//go:embed schema.json
var jsonSchema []byte

// Schema returns the contract as a JSON Schema (draft 2020-12) document.
// Each call returns a fresh copy that the caller may modify.
//
// The document, schema.json, is generated from the table of fields.go by
// `go generate ./report`; a test fails when the committed file is not
// what the table gives.
func Schema() []byte { return slices.Clone(jsonSchema) }

// generateSchema writes the JSON Schema of the contract. Fields of schema
// version 1 are the document's properties; those of each later version
// are constrained only when schema_version is at least that version (an
// if/then, the next version's nested in the previous one's then).
func generateSchema() []byte {
	root := openNode(
		"$schema", "https://json-schema.org/draft/2020-12/schema",
		"title", "IndexPilot telemetry report",
		"description", fmt.Sprintf("One opt-in telemetry report of an IndexPilot installation, as accepted by report.Decode "+
			"(see docs/contract.md). The body is at most %d bytes after gzip decompression. Unknown fields are allowed at every "+
			"level: they are ignored, not stored, and listed back in ignored_fields; so are fields newer than the report's "+
			"schema_version. An optional field that is null, or an optional string that is empty, counts as left out. "+
			"Rules JSON Schema cannot state are given in descriptions.", MaxBodyBytes),
	)
	root.add(documentSchema(reportObject, contract.newest).members()...)
	var b bytes.Buffer
	writeNode(&b, root, "")
	b.WriteByte('\n')
	return b.Bytes()
}

// documentSchema is the schema of the object root, whose fields are of
// schema versions 1 to newest.
func documentSchema(root *object, newest int) *node {
	n := objectSchema(root, 1)
	n.addVersions(root, 2, newest)
	return n
}

// addVersions adds the if/then of schema version v and, inside its then,
// those of the later versions up to newest.
func (n *node) addVersions(root *object, v, newest int) {
	if v > newest {
		return
	}
	then := newerFields(root, v)
	if then == nil { // a version that only changed rules
		then = openNode()
	}
	then.addVersions(root, v+1, newest)
	n.add("if", inlineNode("required", []any{"schema_version"},
		"properties", inlineNode("schema_version", inlineNode("minimum", v))), "then", then)
}

// newerFields is the properties of o that version v added, with the
// objects on the way to them, or nil when there are none.
func newerFields(o *object, v int) *node {
	props := openNode()
	for i := range o.fields {
		f := &o.fields[i]
		switch {
		case f.since == v:
			props.add(f.name, fieldNode(f))
		case f.elem != nil && f.schema < v:
			if inner := newerFields(f.elem, v); inner != nil {
				props.add(f.name, wrapEntries(f, inner))
			}
		}
	}
	if len(props.keys) == 0 {
		return nil
	}
	return openNode("properties", props)
}

// wrapEntries puts the schema of an object's properties where a field of
// f's kind holds its object.
func wrapEntries(f *field, obj *node) *node {
	switch f.kind {
	case kindObjects:
		return openNode("items", obj)
	case kindObjectMap:
		return openNode("additionalProperties", obj)
	}
	return obj
}

// unknownField is the schema of a key an object does not list.
func unknownField() *node {
	return inlineNode("description", "Unknown field: ignored, not stored, listed in ignored_fields.")
}

// objectSchema is the schema of o's fields of schema version v or older.
func objectSchema(o *object, v int) *node {
	n := openNode()
	var req []any
	for _, f := range o.fields {
		if f.required && f.schema <= v {
			req = append(req, f.name)
		}
	}
	n.add("type", "object")
	if req != nil {
		n.add("required", req)
	}
	props := openNode()
	for i := range o.fields {
		if f := &o.fields[i]; f.schema <= v {
			props.add(f.name, fieldNode(f))
		}
	}
	n.add("additionalProperties", unknownField(), "properties", props)
	return n
}

// fieldNode is the schema of one field: its description, its JSON
// types, and the rules of its kind.
func fieldNode(f *field) *node {
	n := inlineNode("description", describe(f))
	n.open = strings.Count(f.path, ".") < 2 || f.kind.nested()
	typ := func(t string) any {
		if f.required {
			return t
		}
		return []any{t, "null"}
	}
	switch f.kind {
	case kindText:
		n.add("type", typ("string"))
		switch {
		case f.enum != nil:
			enum := []any{""}
			for _, e := range f.enum {
				enum = append(enum, e)
			}
			n.add("enum", append(enum, nil))
		case f.required:
			n.add("pattern", f.pat.String())
		default:
			n.add("anyOf", []any{inlineNode("const", ""), inlineNode("pattern", f.pat.String())})
		}
	case kindWhole:
		n.add("type", typ("integer"), "minimum", f.rng.min, "maximum", f.rng.max)
	case kindNumber, kindOptNumber:
		n.add("type", typ("number"), "minimum", f.rng.min, "maximum", f.rng.max)
	case kindNames:
		n.add("type", typ("array"), "items", inlineNode("type", "string", "pattern", f.pat.String()))
	case kindCounts:
		n.add("type", typ("object"))
		n.addMap(f, inlineNode("type", []any{"integer", "null"}, "minimum", f.rng.min, "maximum", f.rng.max))
	case kindWords:
		n.add("type", typ("object"))
		n.addMap(f, inlineNode("type", "string", "pattern", f.vals.String()))
	case kindObject, kindOptObject:
		obj := objectSchema(f.elem, f.schema)
		obj.keys[0], obj.vals[0] = "type", typ("object")
		n.add(obj.members()...)
	case kindObjects:
		n.add("type", typ("array"), "maxItems", f.max, "items", objectSchema(f.elem, f.schema))
	case kindObjectMap:
		n.add("type", typ("object"))
		n.addMap(f, objectSchema(f.elem, f.schema))
	}
	return n
}

// addMap adds the rules of a map: its size, its keys and its values.
func (n *node) addMap(f *field, values *node) {
	n.add("maxProperties", f.max, "propertyNames", inlineNode("pattern", f.pat.String()), "additionalProperties", values)
}

// describe is a field's description: its schema version (and whether the
// first client sends it), what it means, and when it is ignored.
func describe(f *field) string {
	d := "Schema version " + strconv.Itoa(f.schema)
	if f.seed {
		d += " (seed)"
	}
	d += ". " + f.desc
	if f.since > 1 {
		older := "1"
		switch {
		case f.since == 3:
			older = "1 or 2"
		case f.since > 3:
			older = "1 to " + strconv.Itoa(f.since-1)
		}
		d += " With schema_version " + older + " or left out: ignored."
	}
	return d
}

// A node is a JSON object whose members keep their order. An open node is
// written one member per line, others on one line.
type node struct {
	keys []string
	vals []any
	open bool
}

func openNode(kv ...any) *node {
	n := inlineNode(kv...)
	n.open = true
	return n
}

func inlineNode(kv ...any) *node {
	n := &node{}
	n.add(kv...)
	return n
}

// add appends members given as key, value, key, value…
func (n *node) add(kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		n.keys = append(n.keys, kv[i].(string))
		n.vals = append(n.vals, kv[i+1])
	}
}

// members returns n's members as add takes them.
func (n *node) members() []any {
	var kv []any
	for i, k := range n.keys {
		kv = append(kv, k, n.vals[i])
	}
	return kv
}

// writeNode writes v, indented by indent when it is an open node.
func writeNode(b *bytes.Buffer, v any, indent string) {
	switch v := v.(type) {
	case *node:
		b.WriteByte('{')
		for i, k := range v.keys {
			switch {
			case v.open:
				b.WriteString("\n" + indent + "  ")
			case i > 0:
				b.WriteString(" ")
			}
			writeNode(b, k, "")
			b.WriteString(": ")
			writeNode(b, v.vals[i], indent+"  ")
			if i < len(v.keys)-1 {
				b.WriteByte(',')
			}
		}
		if v.open {
			b.WriteString("\n" + indent)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeNode(b, e, indent)
		}
		b.WriteByte(']')
	case float64:
		b.WriteString(num(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	default:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.Encode(v)           //nolint:errcheck // strings and nil always encode
		b.Truncate(b.Len() - 1) // Encode's newline
	}
}
