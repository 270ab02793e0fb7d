package scrub

import "strings"

// keyKind says what a key=value pair's value is, and so which token
// replaces it.
type keyKind uint8

const (
	kNone keyKind = iota
	kPassword
	kSecret
	kToken
	kAuth
	kCookie
	kSession
	kUser
	kHost
	kDB
)

var kindToken = [...]string{
	kPassword: "[password]", kSecret: "[secret]", kToken: "[token]",
	kAuth: "[credentials]", kCookie: "[cookie]", kSession: "[session]",
	kUser: "[user]", kHost: "[host]", kDB: "[db]",
}

// Exact last segments (after the last '.' or '-') of keys; everything
// else is decided by substrings in classifyKey.
var exactKeys = map[string]keyKind{
	"pwd": kPassword, "pass": kPassword, "pgpass": kPassword,
	"key": kSecret, "sig": kSecret, "signature": kSecret,
	"bearer": kToken, "jwt": kToken,
	"auth": kAuth, "authorization": kAuth, "http_auth": kAuth, "basic_auth": kAuth,
	"session": kSession, "sessionid": kSession, "session_id": kSession,
	"sessid": kSession, "phpsessid": kSession, "jsessionid": kSession, "session_key": kSession,
	"user": kUser, "username": kUser, "user_name": kUser, "login": kUser,
	"pguser": kUser, "dbuser": kUser, "db_user": kUser, "uid": kUser,
	"host": kHost, "hostname": kHost, "hostaddr": kHost, "server": kHost,
	"pghost": kHost, "dbhost": kHost, "db_host": kHost,
	"dbname": kDB, "database": kDB, "db": kDB, "pgdatabase": kDB, "db_name": kDB,
}

var secretSubstrings = []struct {
	sub  string
	kind keyKind
}{
	{"password", kPassword}, {"passwd", kPassword}, {"passphrase", kPassword},
	{"secret", kSecret}, {"token", kToken}, {"apikey", kSecret},
	{"api_key", kSecret}, {"api-key", kSecret}, {"access_key", kSecret},
	{"accesskey", kSecret}, {"private_key", kSecret}, {"privatekey", kSecret},
	{"signing_key", kSecret}, {"encryption_key", kSecret}, {"account_key", kSecret},
	{"accountkey", kSecret}, {"master_key", kSecret}, {"credential", kSecret},
	{"cookie", kCookie},
}

// keyInfo is what classifyKey found out about a key.
type keyInfo struct {
	kind keyKind
	// prose: the key is also an everyday word ("auth", "user", "host",
	// "key"), so "key: value" only counts when the key is quoted or starts
	// its line (YAML, JSON), never in a sentence like "SASL auth: FATAL".
	prose bool
	// header: an HTTP header whose value runs to the end of the line.
	header bool
	// eqOnly: only "key=value" counts. "Server=db1;" is an ODBC host but
	// "'Server': 'nginx'" is an HTTP banner.
	eqOnly bool
}

// classifyKey decides whether key names a secret (or a libpq host, user
// or database). Matching substrings catches DB_PASSWORD, PGPASSWORD,
// aws_secret_access_key, x-auth-token and friends.
func classifyKey(key string) keyInfo {
	kind, seg := classifyKeyKind(key)
	switch {
	case kind == kNone:
		return keyInfo{}
	case seg == "server":
		return keyInfo{kind: kind, eqOnly: true}
	case kind == kUser || kind == kHost || kind == kDB || kind == kSession:
		return keyInfo{kind: kind, prose: true}
	case seg == "auth" || seg == "key" || seg == "sig":
		return keyInfo{kind: kind, prose: true}
	case seg == "authorization" || kind == kCookie:
		return keyInfo{kind: kind, header: true}
	}
	return keyInfo{kind: kind}
}

// isClassPath reports whether key is a dotted path to a class
// ("psycopg2.errors.InvalidPassword"), which a traceback follows with
// ": message", not with a secret. A property path
// ("spring.datasource.password") is lower case.
func isClassPath(key string) bool {
	dot := strings.LastIndexByte(key, '.')
	if dot < 0 || dot+1 >= len(key) || !('A' <= key[dot+1] && key[dot+1] <= 'Z') {
		return false
	}
	lower, inner := false, false
	for i := dot + 2; i < len(key); i++ {
		c := key[i]
		lower = lower || 'a' <= c && c <= 'z'
		inner = inner || 'A' <= c && c <= 'Z'
	}
	return lower && inner
}

// errorSuffixes end exception class names such as InvalidPasswordError,
// which are followed by ": message", not by a secret.
var errorSuffixes = []string{"error", "exception", "warning", "failure", "expired", "invalid", "required", "missing"}

// classifyKeyKind returns the kind of key and its last segment (after the
// last '.' or '-'), lower-cased.
func classifyKeyKind(key string) (keyKind, string) {
	// Keys are ASCII; lower-case them without allocating for the usual
	// short ones. Long runs ("...AAAApassword") are still classified.
	var buf [64]byte
	lower := buf[:0]
	if len(key) > len(buf) {
		lower = make([]byte, 0, len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	k := strings.TrimLeft(string(lower), "-_.")
	seg := k
	if i := strings.LastIndexAny(k, ".-"); i >= 0 {
		seg = k[i+1:]
	}
	for _, e := range errorSuffixes {
		if strings.HasSuffix(seg, e) {
			return kNone, seg
		}
	}
	for _, e := range secretSubstrings {
		if strings.Contains(k, e.sub) {
			if e.kind == kToken && (strings.HasSuffix(k, "tokens") || strings.Contains(k, "tokeniz")) {
				continue // max_tokens=, tokenizer=
			}
			return e.kind, seg
		}
	}
	if kind, ok := exactKeys[seg]; ok {
		return kind, seg
	}
	switch {
	case strings.HasSuffix(k, "_pwd") || strings.HasSuffix(k, "_pass"):
		return kPassword, seg
	case strings.HasSuffix(k, "_auth"):
		return kAuth, seg
	case strings.HasSuffix(k, "_user"):
		return kUser, seg
	case strings.HasSuffix(k, "_host"):
		return kHost, seg
	case strings.HasSuffix(k, "_db") || strings.HasSuffix(k, "_dbname") || strings.HasSuffix(k, "_database"):
		return kDB, seg
	}
	return kNone, seg
}
