package scrub

import "strings"

// authScheme returns the length of "Bearer " (or another HTTP auth scheme
// and its blanks) at the start of v, or 0.
func authScheme(v string) int {
	for _, w := range []string{"bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey", "jwt", "aws4-hmac-sha256"} {
		if len(v) > len(w) && strings.EqualFold(v[:len(w)], w) && isBlank(v[len(w)]) {
			k := len(w)
			for k < len(v) && isBlank(v[k]) {
				k++
			}
			return k
		}
	}
	return 0
}

// authToken names what follows an HTTP auth scheme.
func authToken(scheme string) string {
	switch strings.ToLower(strings.TrimSpace(scheme)) {
	case "basic":
		return "[credentials]"
	case "bearer", "token", "jwt":
		return "[token]"
	}
	return "[secret]"
}

// keptValue lists unquoted values that hide nothing and help diagnosis:
// null-ish words, masks like *** and xxx (psycopg2 prints password=xxx),
// and MySQL's "using password: YES".
func keptValue(v string, kind keyKind) bool {
	switch v {
	case "None", "null", "NULL", "nil", "true", "false", "True", "False":
		return true
	case "YES", "NO":
		return kind == kPassword
	}
	return len(v) >= 3 && (strings.Trim(v, "*") == "" || strings.Trim(v, "xX") == "")
}

// placeholderLen returns the length of a bind placeholder at s[i] ($1, %s,
// %(name)s, ?): a statement's shape, not data.
func placeholderLen(s string, i int) int {
	n := len(s)
	j := i + 1
	switch s[i] {
	case '$':
		for j < n && isDigit(s[j]) {
			j++
		}
	case '?':
	case '%':
		if j < n && s[j] == 's' {
			j++
		} else if j < n && s[j] == '(' {
			j++
			for j < n && isWord(s[j]) {
				j++
			}
			if j+1 >= n || s[j] != ')' || s[j+1] != 's' {
				return 0
			}
			j += 2
		} else {
			return 0
		}
	default:
		// Not ":name": a password may well start with a colon.
		return 0
	}
	if j == i+1 && s[i] != '?' || (j < n && !isValueDelim(s[j])) {
		return 0
	}
	return j - i
}

// isStringPrefix reports whether p is a Python string prefix (b'..', r"..").
func isStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "b", "r", "u", "f", "rb", "br", "fr", "rf":
		return true
	}
	return false
}

// scanQuoted returns the end of the quoted string at s[i] (quote q) and
// whether it was closed on the same line. A backslash escapes the next
// byte; a doubled quote stands for one quote.
func scanQuoted(s string, i int, q byte) (int, bool) {
	n := len(s)
	j := i + 1
	for j < n {
		c := s[j]
		switch {
		case c == '\n':
			return j, false
		case c == '\\' && j+1 < n && s[j+1] != '\n':
			j += 2
		case c == q:
			if j+1 < n && s[j+1] == q && j > i+1 {
				j += 2
				continue
			}
			return j + 1, true
		default:
			j++
		}
	}
	return n, false
}

// scanEscapedQuoted handles \"...\" (JSON inside a JSON string).
func scanEscapedQuoted(s string, i int) (int, bool) {
	n := len(s)
	j := i + 2
	for j < n && s[j] != '\n' {
		if s[j] == '\\' && j+1 < n && s[j+1] != '\n' {
			if s[j+1] == '"' {
				return j + 2, true
			}
			j += 2
			continue
		}
		j++
	}
	return j, false
}

// scanBracket returns the end of the bracketed value at s[i], or the end of
// the line when it is not closed there.
func scanBracket(s string, i int) int {
	depth := 0
	j := i
	for j < len(s) {
		switch c := s[j]; c {
		case '\n':
			return j
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '"', '\'':
			e, closed := scanQuoted(s, j, c)
			if !closed {
				return e
			}
			j = e
			continue
		}
		j++
	}
	return len(s)
}

// startsWithKnownURL reports whether v starts with "scheme://" for a scheme
// that scrubURLs treats as private (databases) or a web scheme.
func startsWithKnownURL(v string) bool {
	k := strings.Index(v, "://")
	if k <= 0 {
		return false
	}
	scheme := strings.ToLower(v[:k])
	if p := strings.IndexByte(scheme, '+'); p >= 0 {
		scheme = scheme[:p]
	}
	return dbSchemes[scheme] || scheme == "http" || scheme == "https"
}
