package report

import (
	"regexp"
	"regexp/syntax"
)

// A pattern is one of the contract's patterns. Its regular expression is
// the definition (docs/contract.md and the JSON Schema give it verbatim);
// when the expression is a plain run of ASCII character classes, such as
// ^[a-z][a-z0-9_]{0,63}$, MatchString checks the class of each byte
// instead of running the regexp engine, which was half of Decode's time.
// Tests check that both answers agree on every input they try.
type pattern struct {
	re    *regexp.Regexp
	steps []step // nil: only re can answer
}

// A step matches between min and max bytes of one ASCII set.
type step struct {
	set      asciiSet
	min, max int
}

// asciiSet holds bytes below 128, one bit each.
type asciiSet [2]uint64

func (s *asciiSet) add(lo, hi rune) {
	for c := lo; c <= hi; c++ {
		s[c/64] |= 1 << (c % 64)
	}
}

func (s *asciiSet) has(c byte) bool {
	return c < 128 && s[c/64]&(1<<(c%64)) != 0
}

func mustPattern(expr string) *pattern {
	return &pattern{re: regexp.MustCompile(expr), steps: compileSteps(expr)}
}

// String returns the regular expression.
func (p *pattern) String() string { return p.re.String() }

// MatchString reports whether s matches the pattern.
func (p *pattern) MatchString(s string) bool {
	if p.steps == nil {
		return p.re.MatchString(s)
	}
	i := 0
	for _, st := range p.steps {
		n := 0
		for i < len(s) && n < st.max && st.set.has(s[i]) {
			i++
			n++
		}
		if n < st.min {
			return false
		}
	}
	return i == len(s)
}

// compileSteps turns ^ step step … $ into steps, or answers nil when the
// expression has another shape. Matching each step greedily is exact only
// when every step but the last has a fixed length, so other expressions
// are left to the regexp engine.
func compileSteps(expr string) []step {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 3 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return nil
	}
	var steps []step
	for _, sub := range re.Sub[1 : len(re.Sub)-1] {
		if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 && len(sub.Rune) > 1 {
			for _, r := range sub.Rune { // "ab": one step per rune
				if r >= 128 {
					return nil
				}
				var st step
				st.min, st.max = 1, 1
				st.set.add(r, r)
				steps = append(steps, st)
			}
			continue
		}
		st := step{min: 1, max: 1}
		if sub.Op == syntax.OpRepeat {
			st.min, st.max, sub = sub.Min, sub.Max, sub.Sub[0]
			if st.max < 0 {
				return nil
			}
		}
		var runes []rune
		switch sub.Op {
		case syntax.OpCharClass:
			runes = sub.Rune
		case syntax.OpLiteral:
			if len(sub.Rune) != 1 || sub.Flags&syntax.FoldCase != 0 {
				return nil
			}
			runes = []rune{sub.Rune[0], sub.Rune[0]}
		default:
			return nil
		}
		for i := 0; i < len(runes); i += 2 {
			if runes[i+1] >= 128 {
				return nil
			}
			st.set.add(runes[i], runes[i+1])
		}
		steps = append(steps, st)
	}
	for _, st := range steps[:len(steps)-1] {
		if st.min != st.max {
			return nil
		}
	}
	return steps
}
