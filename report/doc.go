// Package report owns the telemetry wire contract: the JSON report an
// IndexPilot installation sends, the rules a report must satisfy, and the
// JSON Schema that documents them.
//
// Both sides import it: the users' client builds reports with these types
// and the analytics service decodes and validates them with Decode. One
// table, fields.go, defines every field once; Decode, the validation, the
// stored encoding (AppendJSON), FieldSchema and the JSON Schema follow it. The
// package imports only the standard library so that any Go program can use
// it, and it must never grow a field that carries free text: every value is
// a count, a statistic, a version string or a word from a fixed pattern.
//
// The one exception is the error-report contract (errorreport.go,
// docs/errors.md, DecodeError): an error's message and frame paths are free
// text, which this package bounds but does not scrub. Whoever sends or
// stores them scrubs them first (package scrub).
package report
