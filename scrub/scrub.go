package scrub

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxInput is the largest number of bytes String, SQL and Path look at, and
// the largest result they return. A longer input is cut at a rune boundary
// before it is scrubbed, so a huge input cannot cost more than a bounded
// amount of work, and TruncationMarker is appended to the result. A result
// that grew past MaxInput while being scrubbed (tokens can be longer than
// what they replace) is cut the same way.
const MaxInput = 16 << 10

// TruncationMarker ends every result whose input, or whose scrubbed form,
// was longer than MaxInput. It is appended after scrubbing so that no rule
// can swallow it.
const TruncationMarker = "…[truncated]"

// String scrubs free text: an error message, a traceback, a log line or a
// stack frame. It replaces credentials, tokens, keys, e-mail and IP
// addresses, host, user and database names, home-directory user names and
// SQL literals with bracketed tokens (see RULES.md) and keeps the rest of
// the text, including exception names, SQLSTATE codes and line numbers.
func String(s string) string { return bounded(s, scrubSettled) }

// SQL normalises one SQL statement the way pg_stat_statements does: every
// literal (quoted strings, also with an E, U&, B, X or N prefix,
// dollar-quoted strings, numbers including a sign after an operator)
// becomes a parameter $1, $2, … in order of appearance, numbered after the
// highest $n already present.
// Existing parameters, identifiers, quoted identifiers, keywords and
// operators are kept; comments are removed and trailing white space is
// trimmed. The input does not need to be valid SQL.
func SQL(query string) string { return bounded(query, normalizeSQL) }

// Path scrubs a file path: the user name in a home directory
// (/home/NAME, /Users/NAME, C:\Users\NAME, in either slash style) becomes
// [user]. Everything else, /root included, is kept.
func Path(p string) string { return bounded(p, scrubHomeDirs) }

// scrubText is String without the size limit. The order matters: PEM
// blocks go first because their base64 bodies look like many other
// things; row values and SQL literals go before the credential rules so
// that data inside a statement is removed as a whole; the key=value rule
// and the host/user/database rules go before the shape-based rules
// (e-mail, vendor tokens), which could otherwise swallow a key
// ("a@b.password", "ghp_...password") and leave its value behind; e-mail
// goes before the vendor tokens, which could otherwise cut an address in
// two; IP addresses go late because earlier rules replace whole URLs and
// host names that contain them; telephone numbers go last, once the
// addresses, dates in keys and versions in URLs that look like them are
// gone.
func scrubText(s string) string {
	s = scrubPEM(s)
	s = scrubDataValues(s)
	s = scrubEmbeddedSQL(s)
	s = scrubURLs(s)
	s = scrubKeyValues(s)
	s = scrubConnectionNames(s)
	s = scrubEmails(s)
	s = scrubVendorTokens(s)
	s = scrubCloudKeys(s)
	s = scrubHomeDirs(s)
	s = scrubIPv6(s)
	s = scrubIPv4(s)
	s = scrubPhones(s)
	return s
}

// maxPasses bounds scrubSettled. One pass can leave what the next one
// removes (a PEM header whose over-long label a later rule shortened into
// reach), so String repeats the rules until they change nothing: a
// second scrubbing, on the server, then finds nothing the first missed.
// Clean text takes one pass, text with secrets usually two.
const maxPasses = 4

// scrubSettled applies scrubText until the text stops changing.
func scrubSettled(s string) string {
	for range maxPasses {
		out := scrubText(s)
		if out == s {
			break
		}
		s = out
	}
	return s
}

// bounded applies f to at most MaxInput bytes of s and keeps the result
// within MaxInput bytes.
func bounded(s string, f func(string) string) string {
	cut := false
	if len(s) > MaxInput {
		s = cutAt(s, MaxInput-len(TruncationMarker))
		cut = true
	}
	out := f(s)
	if cut || len(out) > MaxInput {
		out = cutAt(out, MaxInput-len(TruncationMarker)) + TruncationMarker
	}
	return out
}

// cutAt returns the longest prefix of s that is at most n bytes long and
// does not end inside a UTF-8 sequence (for valid UTF-8 input).
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for k := 0; k < utf8.UTFMax && n > 0 && !utf8.RuneStart(s[n]); k++ {
		n--
	}
	return s[:n]
}

// replaceAll calls f for every match of re in s (f writes the replacement
// for s[m[0]:m[1]] given the submatch indexes m) and copies the rest.
func replaceAll(re *regexp.Regexp, s string, f func(b *strings.Builder, s string, m []int)) string {
	ms := re.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		f(&b, s, m)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// lineEnd returns the index of the first '\n' at or after i, or len(s).
func lineEnd(s string, i int) int {
	if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(s)
}

// finder answers "where is the next sub at or after i" for non-decreasing
// i without searching the same bytes twice, which keeps callers linear.
type finder struct {
	s, sub string
	at     int // last answer; -1 means "none at or after from"
	from   int // position the last search started at
	valid  bool
}

// next returns the index of the first sub at or after i, or -1.
func (f *finder) next(i int) int {
	if f.valid && i >= f.from && (f.at < 0 || f.at >= i) {
		return f.at
	}
	f.valid, f.from = true, i
	if k := strings.Index(f.s[i:], f.sub); k >= 0 {
		f.at = i + k
	} else {
		f.at = -1
	}
	return f.at
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isWord(c byte) bool   { return isAlnum(c) || c == '_' }
func isHex(c byte) bool    { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }
func isBlank(c byte) bool  { return c == ' ' || c == '\t' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// ci turns an ASCII word into a case-insensitive pattern ("ab" ->
// "[Aa][Bb]"). Go's (?i) also folds non-ASCII look-alikes (ſ matches s,
// K matches k), which would make the ASCII pre-checks in gated rules miss
// matches; spelling the classes out keeps the pre-checks exact.
func ci(word string) string {
	var b strings.Builder
	for i := 0; i < len(word); i++ {
		c := word[i]
		if isLetter(c) {
			b.WriteByte('[')
			b.WriteByte(c &^ 0x20)
			b.WriteByte(c | 0x20)
			b.WriteByte(']')
		} else {
			b.WriteString(regexp.QuoteMeta(word[i : i+1]))
		}
	}
	return b.String()
}

// containsFold reports whether s contains the lower-case ASCII word w,
// ignoring ASCII case.
func containsFold(s, w string) bool {
	lo, hi := w[0], w[0]
	if isLetter(lo) {
		hi = lo &^ 0x20
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if c := s[i]; c == lo || c == hi {
			k := 1
			for k < len(w) && (s[i+k]|0x20 == w[k] || s[i+k] == w[k]) {
				k++
			}
			if k == len(w) {
				return true
			}
		}
	}
	return false
}

// anyFold reports whether s contains any of the lower-case words,
// ignoring ASCII case.
func anyFold(s string, words ...string) bool {
	for _, w := range words {
		if containsFold(s, w) {
			return true
		}
	}
	return false
}

// anyOf reports whether s contains any of subs.
func anyOf(s string, subs ...string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
