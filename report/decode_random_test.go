package report

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var randomBodies = flag.Int("random-bodies", 3000, "how many random reports TestDecodeRandomMatchesReference tries")

// TestDecodeRandomMatchesReference compares Decode with the reference on
// reports built at random from the contract: mostly valid values, with
// repeated, unknown and case-variant keys, nulls and values of other
// types mixed in at every level. Byte-level fuzzing seldom builds such
// combinations. Run it longer with -random-bodies.
func TestDecodeRandomMatchesReference(t *testing.T) {
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range *randomBodies {
		g := generator{rng: rng, p: rng.Float64() * rng.Float64() * 0.3}
		b := g.object("")
		if diff := diffDecode(b); diff != "" {
			t.Fatalf("seed %d, body %d: Decode(%q):\n%s", seed, i, b, diff)
		}
	}
}

// generator writes random reports.
type generator struct {
	rng *rand.Rand
	p   float64 // how likely each choice is to go wrong
	sb  strings.Builder
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) pick(list ...string) string { return list[g.rng.IntN(len(list))] }

// either picks from good, or from bad with probability g.p/4.
func (g *generator) either(good, bad []string) string {
	if g.chance(g.p / 4) {
		return g.pick(bad...)
	}
	return g.pick(good...)
}

// object returns a random object for the contract's object at path.
func (g *generator) object(path string) []byte {
	g.sb.Reset()
	g.writeObject(path)
	return []byte(g.sb.String())
}

func (g *generator) writeObject(path string) {
	fields := known[path]
	g.sb.WriteByte('{')
	n := 0
	member := func(k string, value func()) {
		if n > 0 {
			g.sb.WriteByte(',')
		}
		n++
		fmt.Fprintf(&g.sb, "%q:", k)
		value()
	}
	for _, i := range g.rng.Perm(len(fields)) {
		f := fields[i]
		if path == "" && g.chance(g.p/4) || path != "" && g.chance(0.3) {
			continue
		}
		repeats := g.repeats()
		if slices.Contains(refWordMaps, join(path, f)) {
			// The old decoder the reference keeps merged a repeated map
			// key's objects; a map of words is newer than it and has no
			// such behaviour to match (kinds_test.go covers its decoding).
			repeats = 0
		}
		for range 1 + repeats {
			member(f, func() { g.value(join(path, f)) })
		}
		if g.chance(g.p / 2) {
			member(g.variant(f), func() { g.value(join(path, f)) })
		}
	}
	if g.chance(g.p) {
		member(g.pick("zz", "hostname", "", "métrique"), func() { g.value("unknown") })
	}
	g.sb.WriteByte('}')
}

func (g *generator) repeats() int {
	if g.chance(g.p / 2) {
		return 1 + g.rng.IntN(2)
	}
	return 0
}

// variant returns k spelled another way that encoding/json would match.
func (g *generator) variant(k string) string {
	switch g.rng.IntN(4) {
	case 0:
		return strings.ToUpper(k)
	case 1:
		return strings.ReplaceAll(k, "s", "ſ")
	case 2:
		return strings.ReplaceAll(k, "k", "\u212A")
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// value writes a value for the field at path: one of the right type most
// of the time.
func (g *generator) value(path string) {
	if g.chance(g.p / 4) {
		g.sb.WriteString(g.pick(oddValues...))
		return
	}
	text := choice{[]string{`"linux"`, `"x86_64"`, `"docker"`, `"Linux"`}, []string{`"Mac OS"`, `""`, `"-x"`}}
	choices := map[string]choice{
		"schema_version":  {[]string{"1", "2", "3", "3", "2.0", "1e0", "null"}, []string{"4", "0", `"2"`}},
		"report_id":       {[]string{`"6ba7b810-9dad-11d1-80b4-00c04fd430c8"`, `"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"`, `""`}, []string{`"x"`}},
		"installation_id": {[]string{`"3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60"`, `"bench-000042"`, `"a\u0062cdefgh"`}, []string{`"short"`}},
		"version":         {[]string{`"1.1.0"`, `"15.0"`, `"1.2.0rc1"`}, []string{`"v 1"`, `""`}},
		"timestamp": {[]string{`"2026-11-20T10:00:00Z"`, `"2026-11-20T11:00:00.123456+01:00"`, `"2026-11-20T10:00:00"`},
			[]string{`"2025-01-01T00:00:00Z"`, `"x"`}},
		"metrics.tenants_bucket":              {[]string{`"2-10"`, `"1"`, `">1000"`}, []string{`"5"`}},
		"metrics.ab_experiments.experiment":   {[]string{`"0123456789abcdef"`, `"9f86d081884c7d65"`}, []string{`"checkout"`}},
		"metrics.ab_experiments.variant":      {[]string{`"a"`, `"b"`, `"control"`}, []string{`"Control"`}},
		"environment.python_version":          {[]string{`"3.11.0"`}, []string{`"3.11 x"`}},
		"environment.postgresql_version":      {[]string{`"15.0"`}, []string{`""`}},
		"environment.os":                      text,
		"environment.arch":                    text,
		"environment.runtime":                 text,
		"metrics.performance_improvement_pct": {[]string{"30.5", "-12", "0", "null"}, []string{"101", "1e400", `"1"`}},
	}
	switch path {
	case "metrics", "metrics.query_latency_ms", "environment":
		g.writeObject(path)
	case "metrics.features_used":
		g.list(func() {
			g.sb.WriteString(g.either([]string{`"auto_indexing"`, `"pattern_detection"`, `"a"`}, []string{`"Bad Name"`, `null`, `1`}))
		})
	case "metrics.ab_experiments":
		g.list(func() {
			if g.chance(g.p) {
				g.sb.WriteString(g.pick(oddValues...))
			} else {
				g.writeObject(path)
			}
		})
	case "metrics.algorithm_usage", "metrics.errors", "metrics.algorithm_decisions": // counts
		g.keyed(choice{[]string{"cert", "qpg", "cert", "psycopg2.OperationalError"}, []string{"Cert", "a b", ""}},
			choice{[]string{"1", "8", "8.0", "1e3", "null"}, []string{"-1", "1.5", `"8"`, "{}"}})
	case "metrics.experiments": // words: experiment to variant
		g.keyed(choice{[]string{"cert_threshold_v2", "qpg_cost", "cert_threshold_v2", "a"}, []string{"Cert", "a b", ""}},
			choice{[]string{`"control"`, `"treatment"`, `"b"`, "null"}, []string{`"Control"`, `""`, "1", "{}", "true"}})
	default:
		c, ok := choices[path]
		if !ok { // a number
			c = choice{[]string{"0", "1", "8", "42", "42.0", "1e3", "30.5", "null"}, []string{"-1", "1.5", "1e400", "1000000000000000", `"1"`}}
		}
		g.sb.WriteString(g.either(c.good, c.bad))
	}
}

// list writes an array of up to three elements.
func (g *generator) list(elem func()) {
	g.sb.WriteByte('[')
	for i := range g.rng.IntN(4) {
		if i > 0 {
			g.sb.WriteByte(',')
		}
		elem()
	}
	g.sb.WriteByte(']')
}

// keyed writes a map of up to four entries, keys sometimes repeated.
func (g *generator) keyed(keys, values choice) {
	g.sb.WriteByte('{')
	for i := range g.rng.IntN(5) {
		if i > 0 {
			g.sb.WriteByte(',')
		}
		k := g.either(keys.good, keys.bad)
		fmt.Fprintf(&g.sb, "%q:%s", k, g.either(values.good, values.bad))
	}
	g.sb.WriteByte('}')
}

// choice is what a generator picks from: values the contract accepts and
// values it refuses.
type choice struct{ good, bad []string }
