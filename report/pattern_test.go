package report

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// contractPatterns are every pattern validation uses, by name.
var contractPatterns = map[string]*pattern{
	"installationID": installationIDPattern, "version": versionPattern, "name": namePattern,
	"errorType": errorTypePattern, "envWord": envWordPattern, "runtime": runtimePattern,
	"experiment": experimentPattern, "variant": variantPattern, "uuid": uuidPattern,
	"timestamp": timestampPattern, "errorTypeName": errorTypeNamePattern, "sqlstate": sqlstatePattern,
	"contextWord": contextWordPattern, "function": functionPattern,
}

// TestPatternsSkipTheRegexpEngine keeps the patterns checked on every
// report on the fast path: a change of shape that sends one back to the
// regexp engine should be a decision, not an accident.
func TestPatternsSkipTheRegexpEngine(t *testing.T) {
	slow := map[string]bool{"timestamp": true, "function": true} // optional groups; Unicode classes
	for name, p := range contractPatterns {
		if got := p.steps != nil; got == slow[name] {
			t.Errorf("%s (%s): compiled to steps = %v", name, p, got)
		}
	}
}

func TestPatternShapes(t *testing.T) {
	for _, c := range []struct {
		expr  string
		steps bool
	}{
		{`^[a-z][a-z0-9_]{0,63}$`, true},
		{`^[0-9a-f]{16,64}$`, true},
		{`^x-[0-9]{2}$`, true},
		{`^[a-z]{1,3}[0-9]$`, false}, // a variable step before another
		{`^[a-z]+$`, false},          // unbounded
		{`^[a-z]*$`, false},          // unbounded
		{`^[é]{2}$`, false},          // not ASCII
		{`[a-z]{2}`, false},          // unanchored
		{`^[a-z]{2}`, false},         // unanchored end
		{`^a|b$`, false},
		{`^ab[0-9]{0,2}$`, true},
		{`^(?:ab){2}$`, false}, // a repeated literal of two runes
	} {
		if got := compileSteps(c.expr) != nil; got != c.steps {
			t.Errorf("compileSteps(%s) != nil is %v, want %v", c.expr, got, c.steps)
		}
	}
}

// TestPatternsAgreeWithRegexp compares MatchString with the regexp on
// strings built to sit on the edges: every byte of the sets and near
// them, lengths around each bound, non-ASCII runes.
func TestPatternsAgreeWithRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "z", "A", "Z", "0", "9", "_", "-", ".", "+", "/", " ", "<", ">", "T", "Z", ":",
		"@", "`", "{", "[", "\x00", "\x7f", "\x80", "é", "ж", "\u00a0", "\n", "f", "g", "F", "G"}
	for name, p := range contractPatterns {
		for range 20_000 {
			var b strings.Builder
			n := rng.IntN(72)
			for range n {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			checkPattern(t, name, p, b.String())
		}
		for _, s := range samples(p) {
			checkPattern(t, name, p, s)
		}
	}
}

// samples returns strings that match p's steps and their neighbours:
// one byte shorter, longer, or replaced.
func samples(p *pattern) []string {
	if p.steps == nil {
		return nil
	}
	var out []string
	for _, n := range []string{"min", "max"} {
		var b []byte
		for _, st := range p.steps {
			k := st.min
			if n == "max" {
				k = st.max
			}
			for range k {
				b = append(b, firstOf(st.set))
			}
		}
		s := string(b)
		out = append(out, s, s+"a", s+"\x80")
		if len(s) > 0 {
			out = append(out, s[:len(s)-1], s[1:])
			for i := range s {
				out = append(out, s[:i]+"!"+s[i+1:], s[:i]+"é"+s[i+1:])
			}
		}
	}
	return out
}

func firstOf(s asciiSet) byte {
	for c := byte(0); c < 128; c++ {
		if s.has(c) {
			return c
		}
	}
	return 0
}

func checkPattern(t *testing.T, name string, p *pattern, s string) {
	t.Helper()
	if got, want := p.MatchString(s), p.re.MatchString(s); got != want {
		t.Fatalf("%s: MatchString(%q) = %v, the regexp %s says %v", name, s, got, p, want)
	}
}

func FuzzPatternsAgreeWithRegexp(f *testing.F) {
	for _, s := range []string{"", "abcdefgh", "1.1.0", "3f2a9c4e-1b2d-4c3e-8f9a-0b1c2d3e4f5a", "linux", "42P01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, p := range contractPatterns {
			checkPattern(t, name, p, s)
		}
	})
}
