package scrub

import "strings"

// Find reports what String would remove from s, as counts by kind: the
// name of each replacement token String would add ("password", "email",
// "ip", "phone", …), "sql-literal" for each SQL literal it would turn into
// a $n parameter, and "other" when it would change s in another way. It
// returns nil when String leaves s as it is. Since String(String(x)) ==
// String(x), a text that went through String is clean; Find tells a
// stored text that did not (or that a newer rule catches) from one that
// did. A text longer than MaxInput is judged on its first MaxInput bytes.
func Find(s string) map[string]int {
	out := String(s)
	if len(s) > MaxInput {
		s = cutAt(s, MaxInput-len(TruncationMarker))
		out = strings.TrimSuffix(out, TruncationMarker)
	}
	if out == s {
		return nil
	}
	found := map[string]int{}
	before := countTokens(s)
	for name, n := range countTokens(out) {
		if d := n - before[name]; d > 0 {
			found[name] = d
		}
	}
	if len(found) == 0 {
		found["other"] = 1
	}
	return found
}

// countTokens counts the replacement tokens ("[email]") and SQL
// parameters ("$3", as "sql-literal") in s.
func countTokens(s string) map[string]int {
	m := map[string]int{}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '[':
			if n := tokenLen(s, i); n > 0 {
				m[s[i+1:i+n-1]]++
				i += n - 1
			}
		case s[i] == '$' && i+1 < len(s) && isDigit(s[i+1]):
			m["sql-literal"]++
		}
	}
	return m
}
