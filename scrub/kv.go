package scrub

import "strings"

// isKeyChar reports whether c can be part of a key: DB_PASSWORD,
// spring.datasource.password, x-api-key, --password.
func isKeyChar(c byte) bool { return isWord(c) || c == '.' || c == '-' }

// isValueDelim ends an unquoted value.
func isValueDelim(c byte) bool {
	return isSpace(c) || strings.IndexByte("&,;\"'`)]}<>(", c) >= 0
}

// scrubKeyValues replaces the values of secret-looking keys in every
// key=value, key: value, "key": "value", 'key': 'value', \"key\": \"value\"
// and HTTP header (Authorization: Bearer x) form, and after credential
// words in prose (prose.go). The scanner looks at each run of key
// characters at most twice and skips every value it replaces, so it is
// linear.
func scrubKeyValues(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isKeyChar(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		info := classifyKey(s[i:j])
		if info.kind == kNone {
			i = j
			continue
		}
		vs, ve, repl, ok := keyValue(s, i, j, info)
		if !ok {
			vs, ve, repl, ok = proseValue(s, i, j, info)
		}
		if !ok || vs < last {
			i = j
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s) + 32)
		}
		b.WriteString(s[last:vs])
		b.WriteString(repl)
		last, i = ve, ve
		if isCredentialWord(s[vs:ve]) {
			// A bare value may itself be a credential word with a value
			// of its own: "AccountKey= secret wJalr…". Such a word is
			// looked at twice, every other character once.
			i = vs
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isCredentialWord reports whether w is one run of key characters that
// names a secret.
func isCredentialWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isKeyChar(w[i]) {
			return false
		}
	}
	return w != "" && classifyKey(w).kind != kNone
}

// keyValue parses what follows the key s[ks:ke]: an optional closing
// quote, a separator and the value. It returns the value's span and its
// replacement.
func keyValue(s string, ks, ke int, info keyInfo) (vs, ve int, repl string, ok bool) {
	n := len(s)
	j := ke
	var open byte // quote before the key, if any
	if ks > 0 && (s[ks-1] == '"' || s[ks-1] == '\'') {
		open = s[ks-1]
	}
	quotedKey := false
	switch {
	case open != 0 && j < n && s[j] == open:
		j++
		quotedKey = true
	case open == '"' && ks > 1 && s[ks-2] == '\\' && j+1 < n && s[j] == '\\' && s[j+1] == '"':
		j += 2
		quotedKey = true
	}
	for j < n && isBlank(s[j]) {
		j++
	}
	if j >= n {
		return
	}
	colon := false
	blankBefore := j > ke && isBlank(s[j-1])
	switch {
	case s[j] == '=':
		j++
		if j < n && (s[j] == '=' || s[j] == '>') {
			j++
		}
	case s[j] == ':' && j+1 < n && s[j+1] == '=':
		j += 2
	case s[j] == ':' && (j+1 >= n || (s[j+1] != ':' && s[j+1] != '/')):
		j++
		colon = true
	default:
		return
	}
	if colon && (info.eqOnly || info.prose && !quotedKey && !firstOnLine(s, ks) || isClassPath(s[ks:ke])) {
		return
	}
	sepEnd := j
	for j < n && isBlank(s[j]) {
		j++
	}
	if j >= n || s[j] == '\n' || s[j] == '\r' {
		return
	}
	vs = j
	// "key=value" packed in a query string, a DSN or an ODBC string and
	// "key": value in JSON end at & , ; — "key = value" and key: value
	// (INI, YAML, prose) only end at white space, so "pass = a&b;c" is
	// removed whole.
	wide := colon && !quotedKey || !colon && (blankBefore || j > sepEnd)
	return valueSpan(s, vs, info.kind, colon && !quotedKey && info.header, open, wide)
}

// firstOnLine reports whether only blanks, YAML list dashes and curl's
// "> " / "< " precede s[i] on its line.
func firstOnLine(s string, i int) bool {
	for i > 0 {
		c := s[i-1]
		if c == '\n' {
			return true
		}
		if !isBlank(c) && c != '-' && c != '>' && c != '<' {
			return false
		}
		i--
	}
	return true
}

// valueSpan finds the end of the value at s[vs] and builds its
// replacement. header values (Authorization: ..., Cookie: ...) run to the
// end of the line or to the quote that opened the key.
func valueSpan(s string, vs int, kind keyKind, header bool, open byte, wide bool) (int, int, string, bool) {
	n := len(s)
	tok := kindToken[kind]
	if kind == kAuth {
		if w := authScheme(s[vs:]); w > 0 {
			tok = authToken(s[vs : vs+w])
			vs += w
			for vs < n && isBlank(s[vs]) {
				vs++
			}
			if vs >= n || s[vs] == '\n' {
				return 0, 0, "", false
			}
		}
	}
	if header {
		ve := vs
		for ve < n && s[ve] != '\n' && s[ve] != '\r' && (open == 0 || s[ve] != open || !closesQuote(s, ve+1)) {
			ve++
		}
		return vs, ve, tok, true
	}
	c := s[vs]
	switch {
	case c == '"' || c == '\'' || c == '`':
		ve, closed := scanQuoted(s, vs, c)
		for closed && !closesQuote(s, ve) {
			// 'a 'b' c': the quote before b is inside the value.
			ve, closed = scanQuoted(s, ve-1, c)
		}
		return quotedValue(s, vs, ve, 1, 1, closed, kind, tok)
	case c == '\\' && vs+1 < n && s[vs+1] == '"':
		ve, closed := scanEscapedQuoted(s, vs)
		return quotedValue(s, vs, ve, 2, 2, closed, kind, tok)
	case c == '{' && (kind == kUser || kind == kHost || kind == kDB):
		// "database": {"host": ..., "password": ...}: a section, not a
		// value; its own keys are scrubbed one by one.
		return 0, 0, "", false
	case c == '(' || c == '[' || c == '{':
		return vs, scanBracket(s, vs), tok, true
	}
	if p := placeholderLen(s, vs); p > 0 {
		return 0, 0, "", false
	}
	ve := vs
	for ve < n && !isValueDelim(s[ve]) || (wide && ve < n && strings.IndexByte("&,;", s[ve]) >= 0) {
		ve++
	}
	if ve < n && (s[ve] == '"' || s[ve] == '\'') && ve-vs <= 2 && isStringPrefix(s[vs:ve]) {
		e, closed := scanQuoted(s, ve, s[ve]) // b'...', r"..."
		return quotedValue(s, vs, e, ve-vs+1, 1, closed, kind, tok)
	}
	if ve < n && s[ve] == '(' {
		ve = scanBracket(s, ve) // HTTPBasicAuth('u', 'p')
	}
	if ve == vs || keptValue(s[vs:ve], kind) {
		return 0, 0, "", false
	}
	if (kind == kHost || kind == kDB || kind == kUser) && startsWithKnownURL(s[vs:ve]) {
		// --dbname=postgresql://...: scrubURLs has rewritten the URL
		// already; replacing it whole would lose its shape.
		return 0, 0, "", false
	}
	return vs, ve, tok, true
}

// closesQuote reports whether what follows a quote at s[i-1] is what
// follows the end of a quoted string in a dump: {'Cookie': 'a=b; c', …}.
// A quote followed by a word character is inside the value.
func closesQuote(s string, i int) bool {
	return i >= len(s) || strings.IndexByte(",;:)]} \t\r\n", s[i]) >= 0
}

// quotedValue replaces the inside of the quoted value s[vs:ve] and keeps
// its quotes: q bytes open it (quote plus any b/r prefix), closeLen bytes
// close it when closed. An empty value hides nothing.
func quotedValue(s string, vs, ve, q, closeLen int, closed bool, kind keyKind, tok string) (int, int, string, bool) {
	cs, ce := vs+q, ve
	if closed {
		ce = ve - closeLen
	}
	if ce <= cs {
		return 0, 0, "", false
	}
	if kind == kAuth {
		if w := authScheme(s[cs:ce]); w > 0 && cs+w < ce {
			tok = s[cs:cs+w] + authToken(s[cs:cs+w])
		}
	}
	return cs, ce, tok, true
}
