package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// token is one JSON value of a scanned body. The token of an object is
// followed by those of its members, each a key (a string token) and a
// value; the token of an array by those of its elements. Decode reads a
// body's bytes once to build its tokens, and then only the bytes of the
// values it keeps.
type token struct {
	kind  byte  // '{', '[', '"', '0' (any number), 't', 'f' or 'n' (null)
	plain bool  // a string without escapes or non-ASCII bytes: its bytes are its value
	start int32 // offset of the value's first byte
	end   int32 // offset just past its last byte
	next  int32 // index of the token after the value and all that it contains
}

// maxDepth is encoding/json's limit on nesting: a deeper body is not JSON.
const maxDepth = 10000

// scan appends the tokens of body to toks and reports whether body is one
// valid JSON value, by the rules of encoding/json (the fuzz tests hold it
// to them). It loops instead of recursing, so that a deeply nested body
// cannot exhaust the stack, and keeps its state in local variables, so
// that a caller's toks can stay on its stack.
func scan(body []byte, toks []token) ([]token, bool) {
	var buf [16]int32
	open := buf[:0] // the objects and arrays not yet closed, as token indexes
	i := 0          // offset of the next byte to read
	for {
		// A value starts here.
		i = space(body, i)
		if i == len(body) {
			return toks, false
		}
		if c := body[i]; c == '{' || c == '[' {
			if len(open) == maxDepth {
				return toks, false
			}
			open = append(open, int32(len(toks)))
			toks = append(toks, token{kind: c, start: int32(i)})
			i = space(body, i+1)
			if i == len(body) || body[i] != c+2 { // '}' is '{'+2 and ']' is '['+2
				if c == '{' {
					if toks, i = key(body, i, toks); i < 0 {
						return toks, false
					}
				}
				continue // its first value follows
			}
			open = closeLast(toks, open, i) // empty
			i++
		} else {
			kind, end, plain := scalar(body, i)
			if end < 0 {
				return toks, false
			}
			toks = append(toks, token{kind: kind, plain: plain, start: int32(i), end: int32(end), next: int32(len(toks) + 1)})
			i = end
		}
		// A value ended: close what it ends, until a comma asks for the
		// next value.
		for {
			i = space(body, i)
			if len(open) == 0 {
				return toks, i == len(body)
			}
			if i == len(body) {
				return toks, false
			}
			in := toks[open[len(open)-1]].kind
			if body[i] == ',' {
				if in == '{' {
					if toks, i = key(body, i+1, toks); i < 0 {
						return toks, false
					}
				} else {
					i++
				}
				break
			}
			if body[i] != in+2 {
				return toks, false
			}
			open = closeLast(toks, open, i)
			i++
		}
	}
}

// closeLast ends the innermost open object or array at its closing byte,
// at offset i, and returns the others.
func closeLast(toks []token, open []int32, i int) []int32 {
	n := open[len(open)-1]
	toks[n].end = int32(i + 1)
	toks[n].next = int32(len(toks))
	return open[:len(open)-1]
}

// scalar reads the string, number, true, false or null at b[i:] and
// returns its token kind, the offset after it (-1 if it is not valid), and
// for a string whether it is plain.
func scalar(b []byte, i int) (kind byte, end int, plain bool) {
	switch c := b[i]; c {
	case '"':
		end, plain = str(b, i)
		return c, end, plain
	case 't':
		return c, literal(b, i, "true"), false
	case 'f':
		return c, literal(b, i, "false"), false
	case 'n':
		return c, literal(b, i, "null"), false
	}
	return '0', number(b, i), false
}

func space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// key reads an object key at or after offset i, and the colon after it.
// It returns the offset after the colon, or -1.
func key(b []byte, i int, toks []token) ([]token, int) {
	i = space(b, i)
	if i == len(b) || b[i] != '"' {
		return toks, -1
	}
	end, plain := str(b, i)
	if end < 0 {
		return toks, -1
	}
	toks = append(toks, token{kind: '"', plain: plain, start: int32(i), end: int32(end), next: int32(len(toks) + 1)})
	i = space(b, end)
	if i == len(b) || b[i] != ':' {
		return toks, -1
	}
	return toks, i + 1
}

// literal returns the offset after word at b[i:], or -1.
func literal(b []byte, i int, word string) int {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// str returns the offset after the string at b[i:], or -1, and whether it
// is plain: no escapes and no bytes beyond ASCII. A string holds no
// control characters and only JSON's escapes; invalid UTF-8 is allowed, as
// encoding/json allows it.
func str(b []byte, i int) (end int, plain bool) {
	plain = true
	for i++; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			return i + 1, plain
		case c < ' ':
			return -1, false
		case c == '\\':
			plain = false
			if i+1 == len(b) {
				return -1, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(b[i+2:]) < 0 {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		case c >= utf8.RuneSelf:
			plain = false
			i++
		default:
			i++
		}
	}
	return -1, false
}

// number returns the offset after the number at b[i:], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// digits returns the offset of the first byte at or after i that is not
// a decimal digit.
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// hex4 returns the value of the four hexadecimal digits b starts with, or
// -1 when it does not start with four.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// syntaxError is the rule a body that is not JSON breaks. encoding/json
// finds the offset, so that senders get the same one as they always did.
func syntaxError(body []byte) *FieldError {
	var se *json.SyntaxError
	if err := json.Unmarshal(body, new(json.RawMessage)); errors.As(err, &se) {
		return fieldErr("", "body is not valid JSON at byte %d", se.Offset)
	}
	// Unreachable while scan and encoding/json agree on what JSON is.
	return fieldErr("", "body is not valid JSON")
}

// unquote returns the value of the string token t, whose bytes are b, as
// encoding/json decodes it: invalid UTF-8 and lone UTF-16 surrogates
// become U+FFFD.
func unquote(b []byte, t token) string {
	raw := b[t.start+1 : t.end-1]
	if t.plain || (bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw)) {
		return string(raw)
	}
	out := make([]byte, 0, len(raw)+2*utf8.UTFMax)
	for i := 0; i < len(raw); {
		switch c := raw[i]; {
		case c == '\\':
			var r rune
			r, i = unescape(raw, i)
			out = utf8.AppendRune(out, r)
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r)
			i += n
		}
	}
	return string(out)
}

// unescape decodes the escape sequence at raw[i] (valid, as scan checked)
// and returns its rune and the offset after it. A UTF-16 surrogate pair
// written as two \u escapes is one rune.
func unescape(raw []byte, i int) (rune, int) {
	switch c := raw[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // '"', '\\' or '/'
		return rune(c), i + 2
	}
	r := hex4(raw[i+2:])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(raw[i+2:])); pair != utf8.RuneError {
			return pair, i + 6
		}
	}
	return utf8.RuneError, i
}
