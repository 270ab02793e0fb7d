package scrub

import (
	"regexp"
	"strings"
)

// quotedNameRe finds the quoted host, user and database names in libpq,
// PostgreSQL and MySQL connection errors:
//
//	connection to server at "db.prod" (10.0.0.5), port 5432 failed
//	could not translate host name "db.internal" to address
//	password authentication failed for user "alice"
//	database "acme_prod" does not exist / role "bob" does not exist
//	no pg_hba.conf entry for host "10.0.0.5", user "u", database "d"
//	Can't connect to MySQL server on 'db.internal' / Access denied for user 'root'
var quotedNameRe = regexp.MustCompile(`\b(` + strings.Join(nameKeywords, "|") + `)([ \t]+)("[^"\n]*"|'[^'\n]*')`)

// nameKeywords, longest first so that "host name" wins over "host".
var nameKeywords = func() []string {
	var out []string
	for _, w := range []string{"host name", "hostname", "hostaddr", "host", "server at", "server on", "server", "resolve", "username", "user", "role", "database", "dbname"} {
		out = append(out, ci(w))
	}
	return out
}()

// hostRules find unquoted host (and one database) names in the shapes
// that drivers print them; each gate holds whenever the pattern can match.
var hostRules = []struct {
	re   *regexp.Regexp
	gate func(string) bool
	tok  string
}{
	// MySQL 'user'@'host'
	{regexp.MustCompile(`('@')([^'\n]+)(')`), func(s string) bool { return strings.Contains(s, "'@'") }, "[host]"},
	// Go: dial tcp: lookup db.internal on 127.0.0.53:53: no such host
	{regexp.MustCompile(`(\blookup )([A-Za-z0-9][A-Za-z0-9._-]*)( on |: )`), func(s string) bool { return strings.Contains(s, "lookup ") }, "[host]"},
	// redis-py / JDBC: Error 111 connecting to redis.internal:6379.
	{regexp.MustCompile(`(\b` + ci("connect") + `(?:` + ci("ing") + `|` + ci("ion") + `)? ` + ci("to") + ` )([A-Za-z0-9][A-Za-z0-9._-]*)(:[0-9]{1,5}\b)`),
		func(s string) bool { return containsFold(s, "connect") }, "[host]"},
	// pgx: 10.0.0.5:5432 (db.internal): dial error
	{regexp.MustCompile(`(:[0-9]{1,5} \()([A-Za-z0-9][A-Za-z0-9._-]*)(\):)`), func(s string) bool { return strings.Contains(s, "):") }, "[host]"},
	// Node: getaddrinfo ENOTFOUND db.internal
	{regexp.MustCompile(`(\b(?:ENOTFOUND|EAI_AGAIN) )([A-Za-z0-9][A-Za-z0-9._-]*)()`), func(s string) bool { return anyOf(s, "ENOTFOUND ", "EAI_AGAIN ") }, "[host]"},
	// permission denied for database acme_prod (unquoted since PostgreSQL 15).
	{regexp.MustCompile(`(\b` + ci("for database") + ` )([A-Za-z0-9_$]+)()`), func(s string) bool { return containsFold(s, "for database ") }, "[db]"},
}

// scrubConnectionNames replaces host, user and database names that
// connection errors quote or print in a known position.
func scrubConnectionNames(s string) string {
	if anyOf(s, "\"", "'") && anyFold(s, "host", "server", "resolve", "user", "role", "database", "dbname") {
		s = scrubQuotedNames(s)
	}
	for _, r := range hostRules {
		if r.gate(s) {
			s = replaceSub(r.re, s, r.tok)
		}
	}
	return s
}

// scrubQuotedNames applies quotedNameRe, keeping the keyword and the
// quotes: host name "[host]", user '[user]', database "[db]".
func scrubQuotedNames(s string) string {
	return replaceAll(quotedNameRe, s, func(b *strings.Builder, s string, m []int) {
		v := s[m[6]:m[7]]
		b.WriteString(s[m[0]:m[6]])
		if len(v) <= 2 {
			b.WriteString(v)
			return
		}
		b.WriteByte(v[0])
		b.WriteString(nameToken(s[m[2]:m[3]]))
		b.WriteByte(v[len(v)-1])
	})
}

// replaceSub replaces group 2 of every match with tok, keeping groups 1
// and 3.
func replaceSub(re *regexp.Regexp, s, tok string) string {
	return replaceAll(re, s, func(b *strings.Builder, s string, m []int) {
		b.WriteString(s[m[2]:m[3]])
		b.WriteString(tok)
		b.WriteString(s[m[6]:m[7]])
	})
}

// nameToken is the token for the value after a quotedNameRe keyword.
func nameToken(keyword string) string {
	switch strings.ToLower(keyword) {
	case "user", "username", "role":
		return "[user]"
	case "database", "dbname":
		return "[db]"
	}
	return "[host]"
}
