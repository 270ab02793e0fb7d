package scrub

import (
	"strconv"
	"strings"
)

// sqlTok classifies what the SQL lexer found; the classes are only as
// fine as normalisation needs.
type sqlTok uint8

const (
	tSpace    sqlTok = iota // white space, kept
	tComment                // -- or /* */ comment, removed
	tLiteral                // any constant, replaced by $n
	tParam                  // an existing $n, kept
	tOperand                // identifier, quoted identifier, ")" or "]": a following '-' is binary
	tOperator               // operator, "(", "[", ",", keyword: a following '-' is a sign
)

// signKeywords are the keywords after which "-5" is a negative constant
// rather than a subtraction.
var signKeywords = map[string]bool{
	"select": true, "where": true, "and": true, "or": true, "not": true,
	"when": true, "then": true, "else": true, "values": true, "set": true,
	"limit": true, "offset": true, "by": true, "in": true, "between": true,
	"like": true, "ilike": true, "is": true, "case": true, "on": true,
	"having": true, "return": true, "distinct": true, "all": true,
	"any": true, "some": true, "array": true, "default": true, "fetch": true,
}

func isIdentStart(c byte) bool { return isLetter(c) || c == '_' || c >= 0x80 }
func isIdentChar(c byte) bool  { return isWord(c) || c == '$' || c >= 0x80 }
func isTagChar(c byte) bool    { return isWord(c) || c >= 0x80 }

// nextSQLToken lexes the token starting at s[i] and returns its class and
// end. unary says whether a '-' here would be a sign. Every branch moves
// forward and never rescans, so lexing a whole string is linear.
func nextSQLToken(s string, i int, unary bool) (sqlTok, int) {
	n := len(s)
	c := s[i]
	switch {
	case isSpace(c):
		j := i + 1
		for j < n && isSpace(s[j]) {
			j++
		}
		return tSpace, j
	case c == '-' && i+1 < n && s[i+1] == '-':
		return tComment, lineEnd(s, i)
	case c == '/' && i+1 < n && s[i+1] == '*':
		return tComment, skipBlockComment(s, i)
	case c == '\'':
		return tLiteral, skipQuoted(s, i, false)
	case c == '"':
		if j, ok := skipQuotedIdent(s, i); ok {
			return tOperand, j
		}
		// An unterminated quoted identifier would hide everything after it
		// from normalisation; treat the quote as a lone character instead.
		return tOperator, i + 1
	case c == '$':
		if i+1 < n && isDigit(s[i+1]) {
			j := i + 1
			for j < n && isDigit(s[j]) {
				j++
			}
			return tParam, j
		}
		if j, ok := skipDollarQuoted(s, i); ok {
			return tLiteral, j
		}
		return tOperator, i + 1
	case isDigit(c) || (c == '.' && i+1 < n && isDigit(s[i+1])):
		return tLiteral, skipNumber(s, i)
	case c == '-' && unary && i+1 < n && (isDigit(s[i+1]) || (s[i+1] == '.' && i+2 < n && isDigit(s[i+2]))):
		return tLiteral, skipNumber(s, i+1)
	case isIdentStart(c):
		j := i + 1
		for j < n && isIdentChar(s[j]) {
			j++
		}
		return identOrPrefixedString(s, i, j)
	case c == ')' || c == ']' || c == '?':
		return tOperand, i + 1
	}
	return tOperator, i + 1
}

// identOrPrefixedString handles the word s[i:j]: E'..', B'..', X'..',
// N'..' and U&'..' are string constants, some keywords allow a sign after
// them, everything else is an identifier.
func identOrPrefixedString(s string, i, j int) (sqlTok, int) {
	word := s[i:j]
	if j < len(s) && s[j] == '\'' && len(word) == 1 {
		switch word[0] | 0x20 {
		case 'e':
			return tLiteral, skipQuoted(s, j, true)
		case 'b', 'x', 'n':
			return tLiteral, skipQuoted(s, j, false)
		}
	}
	if len(word) == 1 && word[0]|0x20 == 'u' && j+1 < len(s) && s[j] == '&' && s[j+1] == '\'' {
		return tLiteral, skipQuoted(s, j+1, false)
	}
	if len(word) <= 8 {
		var buf [8]byte
		for k := 0; k < len(word); k++ {
			buf[k] = word[k] | 0x20
		}
		if signKeywords[string(buf[:len(word)])] {
			return tOperator, j
		}
	}
	return tOperand, j
}

// skipBlockComment returns the end of the (possibly nested, possibly
// unterminated) /* */ comment starting at s[i].
func skipBlockComment(s string, i int) int {
	depth := 0
	j := i
	for j+1 < len(s) {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return len(s)
}

// skipQuoted returns the end of the string constant whose opening quote is
// s[i]; an unterminated constant runs to the end. A doubled quote is an
// escaped quote. With esc (E'..') a backslash escapes the next byte.
// Without it, \' is still read as an escaped quote unless white space or
// one of , ) ; follows ('it\'s' but not 'C:\'), because MySQL-style and
// standard_conforming_strings=off texts show up in error messages, and
// reading them the standard way would leave the rest of the string outside
// the literal.
func skipQuoted(s string, i int, esc bool) int {
	n := len(s)
	j := i + 1
	for j < n {
		switch s[j] {
		case '\\':
			if esc {
				j += 2
				continue
			}
			if j+2 < n && s[j+1] == '\'' && !isSpace(s[j+2]) && !strings.ContainsRune(",);", rune(s[j+2])) {
				j += 2
				continue
			}
			j++
		case '\'':
			if j+1 < n && s[j+1] == '\'' {
				j += 2
				continue
			}
			return j + 1
		default:
			j++
		}
	}
	return n
}

// skipQuotedIdent returns the end of the "quoted identifier" at s[i] ("" is
// an escaped quote), or false when it is not terminated.
func skipQuotedIdent(s string, i int) (int, bool) {
	j := i + 1
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return 0, false
		}
		j += k + 1
		if j < len(s) && s[j] == '"' {
			j++
			continue
		}
		return j, true
	}
}

// skipDollarQuoted returns the end of the $tag$...$tag$ constant at s[i]
// (to the end of s when the closing tag is missing), or false when s[i] does
// not open one.
func skipDollarQuoted(s string, i int) (int, bool) {
	n := len(s)
	j := i + 1
	if j < n && s[j] != '$' {
		if !isIdentStart(s[j]) {
			return 0, false
		}
		for j < n && isTagChar(s[j]) {
			j++
		}
	}
	if j >= n || s[j] != '$' {
		return 0, false
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag), true
	}
	return n, true
}

// skipNumber returns the end of the numeric constant starting at s[i]:
// 0x/0o/0b integers, digits with _ separators, a fraction and an exponent.
func skipNumber(s string, i int) int {
	n := len(s)
	j := i
	if s[j] == '0' && j+2 < n && strings.IndexByte("xXoObB", s[j+1]) >= 0 && isHex(s[j+2]) {
		j += 2
		for j < n && (isHex(s[j]) || s[j] == '_') {
			j++
		}
		return j
	}
	for j < n && (isDigit(s[j]) || (s[j] == '_' && j+1 < n && isDigit(s[j+1]))) {
		j++
	}
	if j < n && s[j] == '.' && !(j+1 < n && s[j+1] == '.') {
		j++
		for j < n && isDigit(s[j]) {
			j++
		}
	}
	if j < n && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < n && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < n && isDigit(s[k]) {
			for k < n && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// nextUnary says whether a '-' after a token of class k is a sign.
func nextUnary(k sqlTok, unary bool) bool {
	switch k {
	case tSpace, tComment:
		return unary
	case tOperator:
		return true
	}
	return false
}

// maxParamValue caps $n values so huge numbers cannot overflow.
const maxParamValue = 999_999_999

// normalizeSQL is SQL without the size limit. It lexes twice: once to find
// the highest existing $n, once to write the result.
func normalizeSQL(s string) string {
	highest := 0
	unary := true
	for i := 0; i < len(s); {
		k, j := nextSQLToken(s, i, unary)
		if k == tParam {
			v := maxParamValue
			if j-i-1 <= 9 {
				v, _ = strconv.Atoi(s[i+1 : j])
			}
			highest = max(highest, v)
		}
		unary = nextUnary(k, unary)
		i = j
	}
	next := highest + 1
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev byte = ' ' // last byte written, ' ' at the start
	unary = true
	for i := 0; i < len(s); {
		k, j := nextSQLToken(s, i, unary)
		switch k {
		case tComment:
			// Keep the tokens on both sides apart: "a/**/b" must not
			// become "ab", and "-/**/-" must not become a new comment.
			if !isSpace(prev) && j < len(s) && !isSpace(s[j]) {
				b.WriteByte(' ')
				prev = ' '
			}
		case tLiteral:
			// "x'a'" -> "x $1": glued to a word or a '$' the
			// parameter would be read back as part of an identifier or a
			// dollar quote.
			if isIdentChar(prev) {
				b.WriteByte(' ')
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(next))
			next++
			prev = '0'
		default:
			b.WriteString(s[i:j])
			prev = s[j-1]
		}
		unary = nextUnary(k, unary)
		i = j
	}
	return strings.TrimRight(b.String(), " \t\r\n\f\v")
}
