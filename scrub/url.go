package scrub

import "strings"

// dbSchemes are URL schemes whose host and path (the database name) are
// private by nature: a DSN names the user's infrastructure.
var dbSchemes = map[string]bool{
	"postgres": true, "postgresql": true, "pgsql": true, "cockroachdb": true,
	"mysql": true, "mariadb": true, "redis": true, "rediss": true,
	"mongodb": true, "amqp": true, "amqps": true, "mssql": true,
	"sqlserver": true, "oracle": true, "clickhouse": true, "memcached": true,
	"ldap": true, "ldaps": true, "kafka": true, "nats": true, "sqlite": true,
	"timescaledb": true, "yugabytedb": true, "supabase": true,
}

func isSchemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' }

// isAuthorityEnd reports whether c ends the authority part of a URL. '@',
// ':' , ',' and ')' do not: unencoded passwords contain them and the
// userinfo must be removed as a whole.
func isAuthorityEnd(c byte) bool {
	return isSpace(c) || c < 0x20 || strings.IndexByte("/?#\\\"'<>`{}|", c) >= 0
}

// scrubURLs rewrites the authority of every "scheme://" URL:
//
//	scheme://user:pass@host:port/path -> scheme://[credentials]@[host]:port/path
//	dbscheme://host:port/dbname       -> dbscheme://[host]:port/[db]
//
// A web URL without userinfo keeps its host (documentation links are
// useful) unless what follows ':' is not a port, which means the text was
// cut inside the userinfo. Query strings are left to scrubKeyValues.
func scrubURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	last, i := 0, 0
	for {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		sep := i + k
		st := sep
		for st > last && st > sep-40 && isSchemeChar(s[st-1]) {
			st--
		}
		for st < sep && !isLetter(s[st]) {
			st++
		}
		scheme := strings.ToLower(s[st:sep])
		if p := strings.IndexByte(scheme, '+'); p >= 0 {
			scheme = scheme[:p] // postgresql+psycopg2, mongodb+srv
		}
		as := sep + 3
		ae := as
		for ae < len(s) && !isAuthorityEnd(s[ae]) {
			ae++
		}
		db := dbSchemes[scheme]
		b.WriteString(s[last:as])
		b.WriteString(rewriteAuthority(s[as:ae], db))
		last, i = ae, ae
		if db && ae < len(s) && s[ae] == '/' {
			// The first path segment of a DSN is the database name.
			pe := ae + 1
			for pe < len(s) && !isAuthorityEnd(s[pe]) && s[pe] != '&' && s[pe] != ';' && s[pe] != ',' && s[pe] != ')' {
				pe++
			}
			if pe > ae+1 {
				b.WriteString("/[db]")
				last, i = pe, pe
			}
		}
		if i > as && s[i-1] == ':' && strings.HasPrefix(s[i:], "//") {
			// "a://b:c://d", "db://h/x:c://d": the next URL's "://"
			// starts on the last byte of this authority or path; search
			// from there so it is not skipped.
			i--
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// rewriteAuthority rewrites "userinfo@host:port,host2:port2".
func rewriteAuthority(a string, db bool) string {
	if a == "" {
		return a
	}
	hostport := a
	var b strings.Builder
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		if at > 0 {
			b.WriteString("[credentials]")
		}
		b.WriteByte('@')
		hostport = a[at+1:]
		db = true // a host that comes with credentials is private
	}
	// Trailing sentence punctuation is not part of the host; neither is a
	// ']' that closes nothing.
	tail := len(hostport)
	opens, closes := strings.Count(hostport, "["), strings.Count(hostport, "]")
	for tail > 0 {
		c := hostport[tail-1]
		if c == ']' && closes > opens {
			closes--
		} else if strings.IndexByte(".,;)>", c) < 0 {
			break
		}
		tail--
	}
	hostport, suffix := hostport[:tail], hostport[tail:]
	switch {
	case db:
		b.WriteString(redactHosts(hostport))
	case hasNonPortColon(hostport):
		b.WriteString("[credentials]")
	default:
		b.WriteString(hostport)
	}
	b.WriteString(suffix)
	return b.String()
}

// redactHosts replaces each host of a comma-separated host list by [host]
// and keeps the ports.
func redactHosts(hp string) string {
	if hp == "" {
		return hp
	}
	var b strings.Builder
	for i, h := range strings.Split(hp, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		port := ""
		if strings.HasPrefix(h, "[") {
			if e := strings.IndexByte(h, ']'); e >= 0 {
				port, h = h[e+1:], h[:e+1]
			}
		} else if c := strings.LastIndexByte(h, ':'); c >= 0 {
			port, h = h[c:], h[:c]
		}
		if !isPort(port) {
			h, port = h+port, ""
		}
		if h != "" {
			b.WriteString("[host]")
		}
		b.WriteString(port)
	}
	return b.String()
}

// isPort reports whether p is ":" followed by 1-5 digits.
func isPort(p string) bool {
	if len(p) < 2 || len(p) > 6 || p[0] != ':' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if !isDigit(p[i]) {
			return false
		}
	}
	return true
}

// hasNonPortColon reports whether a host:port has something after the
// colon that is not a port (an IPv6 literal in brackets is fine).
func hasNonPortColon(hp string) bool {
	if strings.HasPrefix(hp, "[") {
		return false
	}
	c := strings.LastIndexByte(hp, ':')
	return c >= 0 && !isPort(hp[c:]) && c+1 < len(hp)
}
