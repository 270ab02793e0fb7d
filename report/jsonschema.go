package report

import (
	_ "embed"
	"slices"
)

//go:embed schema.json
var jsonSchema []byte

// Schema returns the contract as a JSON Schema (draft 2020-12) document.
// Each call returns a fresh copy that the caller may modify.
func Schema() []byte { return slices.Clone(jsonSchema) }
