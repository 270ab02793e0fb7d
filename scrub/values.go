package scrub

import (
	"regexp"
	"strings"
)

// Row values that PostgreSQL and MySQL quote in their messages. Each
// pattern has a prefix group that is kept and a value group that becomes
// [value]; the gate is a literal every match contains.
var quotedValueRules = []struct {
	re   *regexp.Regexp
	gate string
}{
	// invalid input syntax for type integer: "abc"; the value runs to the
	// last quote on the line because values may contain quotes.
	{regexp.MustCompile(`((?:invalid input syntax for (?:type )?[A-Za-z0-9_ ]{1,40}|invalid input value for enum [A-Za-z0-9_."]{1,64}|field value out of range|malformed (?:array|range|record|json) literal|invalid hexadecimal data|out of range for type [A-Za-z0-9_ ]{1,40}|invalid (?:value|input)): ")([^\n]*)"`), `: "`},
	// value "99999999999" is out of range for type integer; Token "x" is invalid.
	{regexp.MustCompile(`(\b(?:value|Token) ")([^"\n]*)" (?:is out of range|is invalid)`), `" is `},
	// syntax error at or near "'alice@example.com'": the token is a literal.
	{regexp.MustCompile(`(at or near ")('[^\n]*)"`), `at or near "'`},
	// MySQL: Duplicate entry 'bob@corp.com' for key 'users.email'.
	{regexp.MustCompile(`(Duplicate entry ')([^\n]*?)' for key`), "Duplicate entry '"},
	{regexp.MustCompile(`(Incorrect [A-Za-z ]{1,30} value: ')([^\n]*?)' for column`), "Incorrect "},
	// CONTEXT:  JSON data, line 1: {"ssn": 123-...: the input up to the error.
	{regexp.MustCompile(`(JSON data, line [0-9]{1,9}: )([^\n]+)`), "JSON data, line "},
	// CONTEXT:  COPY customers, line 17, column phone: "+44 20 7946 0958"
	// and COPY customers, line 17: "42,Alice,…": a row of the file.
	{regexp.MustCompile(`(COPY [^,\n]{1,128}, line [0-9]{1,12}(?:, column [^:\n]{1,128})?: ")([^\n]*)"`), "COPY "},
}

// mysqlNearRe finds MySQL's "... near 'WHERE x = 's3cret'x' at line 1": a
// statement fragment, normalised like any other statement.
var mysqlNearRe = regexp.MustCompile(`(to use near ')([^\n]*)(' at line [0-9]{1,9})`)

// keyEndings close the value list of "Key (cols)=(values) ..." details.
var keyEndings = []string{") already exists", ") is not present", ") is still referenced", ") conflicts with", ") is duplicated"}

// scrubDataValues removes row data that database errors echo back: unique
// and foreign-key details, failing rows, invalid input values and bind
// parameter lists. Column and constraint names stay.
func scrubDataValues(s string) string {
	for _, r := range quotedValueRules {
		if !strings.Contains(s, r.gate) {
			continue
		}
		s = replaceAll(r.re, s, func(b *strings.Builder, s string, m []int) {
			b.WriteString(s[m[2]:m[3]])
			if v := s[m[4]:m[5]]; v != "" && tokenLen(v, 0) == len(v) {
				b.WriteString(v) // scrubbed already ("[token]"): keep it, so a second pass changes nothing
			} else {
				b.WriteString("[value]")
			}
			b.WriteString(s[m[5]:m[1]])
		})
	}
	if strings.Contains(s, "to use near '") {
		s = replaceAll(mysqlNearRe, s, func(b *strings.Builder, s string, m []int) {
			b.WriteString(s[m[2]:m[3]])
			b.WriteString(normalizeSQL(s[m[4]:m[5]]))
			b.WriteString(s[m[6]:m[7]])
		})
	}
	s = scrubKeyTuples(s)
	s = scrubAfter(s, "Failing row contains (", ')', "[values]")
	s = scrubAfter(s, "parameters: ", 0, "[values]")
	return s
}

// scrubKeyTuples rewrites "Key (email)=(bob@corp.com) already exists" to
// "Key (email)=([value]) already exists". The values end at one of the
// known endings on the same line, else at the line's last ')'. Finders keep
// the search linear even with many tuples on one line.
func scrubKeyTuples(s string) string {
	if !strings.Contains(s, ")=(") {
		return s
	}
	ends := make([]finder, len(keyEndings))
	for i, e := range keyEndings {
		ends[i] = finder{s: s, sub: e}
	}
	nl := finder{s: s, sub: "\n"}
	var b strings.Builder
	last, i := 0, 0
	for {
		k := strings.Index(s[i:], ")=(")
		if k < 0 {
			break
		}
		vs := i + k + 3
		eol := nl.next(vs)
		if eol < 0 {
			eol = len(s)
		}
		ve := -1
		for f := range ends {
			if p := ends[f].next(vs); p >= 0 && p < eol && (ve < 0 || p < ve) {
				ve = p
			}
		}
		if ve < 0 {
			ve = eol
			if p := strings.LastIndexByte(s[vs:eol], ')'); p >= 0 {
				ve = vs + p
			}
		}
		b.WriteString(s[last:vs])
		if ve > vs {
			b.WriteString("[value]")
		}
		last, i = ve, ve
	}
	b.WriteString(s[last:])
	return b.String()
}

// scrubAfter replaces what follows each marker up to the last closer byte
// on the line (closer 0: the end of the line) by repl. "[parameters: ...]"
// (SQLAlchemy) closes at the last ']' of the line.
func scrubAfter(s, marker string, closer byte, repl string) string {
	if !strings.Contains(s, marker) {
		return s
	}
	var b strings.Builder
	last, i := 0, 0
	for {
		k := strings.Index(s[i:], marker)
		if k < 0 {
			break
		}
		vs := i + k + len(marker)
		eol := lineEnd(s, vs)
		c := closer
		if c == 0 && i+k > 0 && s[i+k-1] == '[' {
			c = ']'
		}
		ve, closed := eol, c == 0
		if c != 0 {
			if p := strings.LastIndexByte(s[vs:eol], c); p >= 0 {
				ve, closed = vs+p, true
			}
		}
		b.WriteString(s[last:vs])
		if ve > vs {
			b.WriteString(repl)
			if !closed {
				// Close what the text left open, so that scrubbing the
				// result again finds the same extent.
				b.WriteByte(c)
			}
		}
		last, i = ve, max(ve, vs)
	}
	b.WriteString(s[last:])
	return b.String()
}
