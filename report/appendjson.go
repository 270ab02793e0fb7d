package report

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the JSON encoding of m to b and returns the result:
// the bytes json.Marshal(m) gives, without its reflection. (NaN and the
// infinities, which json.Marshal refuses and Decode never produces, are
// written as null.)
func (m *Metrics) AppendJSON(b []byte) []byte {
	o := openObject(b)
	if len(m.FeaturesUsed) > 0 {
		o.key("features_used")
		o.b = append(o.b, '[')
		for i, f := range m.FeaturesUsed {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendString(o.b, f)
		}
		o.b = append(o.b, ']')
	}
	o.int("indexes_created", m.IndexesCreated)
	o.int("indexes_recommended", m.IndexesRecommended)
	o.int("queries_analyzed", m.QueriesAnalyzed)
	if m.PerformanceImprovementPct != nil {
		o.key("performance_improvement_pct")
		o.b = appendFloat(o.b, *m.PerformanceImprovementPct)
	}
	if m.ExplainCoveragePct != nil {
		o.key("explain_coverage_pct")
		o.b = appendFloat(o.b, *m.ExplainCoveragePct)
	}
	o.counts("algorithm_usage", m.AlgorithmUsage)
	o.counts("errors", m.Errors)
	if l := m.QueryLatencyMS; l != nil {
		o.key("query_latency_ms")
		lo := openObject(o.b)
		lo.float("p50", l.P50)
		lo.float("p95", l.P95)
		lo.float("p99", l.P99)
		o.b = lo.close()
	}
	o.counts("algorithm_decisions", m.AlgorithmDecisions)
	if len(m.ABExperiments) > 0 {
		o.key("ab_experiments")
		o.b = append(o.b, '[')
		for i := range m.ABExperiments {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = m.ABExperiments[i].appendJSON(o.b)
		}
		o.b = append(o.b, ']')
	}
	o.str("tenants_bucket", m.TenantsBucket)
	return o.close()
}

func (e *ABExperiment) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.key("experiment")
	o.b = appendString(o.b, e.Experiment)
	o.key("variant")
	o.b = appendString(o.b, e.Variant)
	o.key("n")
	o.b = strconv.AppendInt(o.b, e.N, 10)
	o.float("mean_ms", e.MeanMS)
	o.float("variance_ms2", e.VarianceMS)
	return o.close()
}

// AppendJSON appends the JSON encoding of e to b and returns the result:
// the bytes json.Marshal(e) gives, without its reflection.
func (e *Environment) AppendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("python_version", e.PythonVersion)
	o.str("postgresql_version", e.PostgreSQLVersion)
	o.str("os", e.OS)
	o.str("arch", e.Arch)
	o.int("cpu_cores", int64(e.CPUCores))
	o.str("runtime", e.Runtime)
	return o.close()
}

// jsonObject is a JSON object being appended to b. Its methods named for
// a Go type leave out the zero value, as the omitempty option does.
type jsonObject struct {
	b     []byte
	start int // offset of the opening brace
}

func openObject(b []byte) jsonObject {
	return jsonObject{b: append(b, '{'), start: len(b)}
}

func (o *jsonObject) close() []byte { return append(o.b, '}') }

// key appends a key (one that needs no escaping) and its colon.
func (o *jsonObject) key(k string) {
	if len(o.b) > o.start+1 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendString(o.b, v)
	}
}

func (o *jsonObject) int(k string, v int64) {
	if v != 0 {
		o.key(k)
		o.b = strconv.AppendInt(o.b, v, 10)
	}
}

// float appends a number even when it is zero: no field that may be zero
// has omitempty.
func (o *jsonObject) float(k string, v float64) {
	o.key(k)
	o.b = appendFloat(o.b, v)
}

// counts appends a map of counts, in key order as encoding/json does.
func (o *jsonObject) counts(k string, m map[string]int64) {
	if len(m) == 0 {
		return
	}
	o.key(k)
	var buf [MaxListEntries]string
	keys := buf[:0]
	for name := range m {
		keys = append(keys, name)
	}
	slices.Sort(keys)
	c := openObject(o.b)
	for _, name := range keys {
		if len(c.b) > c.start+1 {
			c.b = append(c.b, ',')
		}
		c.b = appendString(c.b, name)
		c.b = append(c.b, ':')
		c.b = strconv.AppendInt(c.b, m[name], 10)
	}
	o.b = c.close()
}

// appendFloat formats f as encoding/json does, like JavaScript: no
// exponent from 1e-6 up to 1e21, and "e-7" rather than "e-07".
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString appends s as a JSON string as encoding/json does: <, > and
// & escaped for HTML, U+2028 and U+2029 for JavaScript, and invalid UTF-8
// replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // the bytes from start to i need no escaping
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
