package scrub

import "strings"

// Credential words in prose: "bad passphrase 'Tr0ub4dor&3'", "secret
// hunter2x", "bad DB_PASSWORD value 'S3cr3t!'", "the password is
// swordfish", "API key is sk_9f8e". The key=value rule only sees values
// after = or :; these are the values people and libraries write after a
// credential word with a blank, "is", "was", "value" or "set to" between.

// proseKeyQualifiers make the everyday word "key" a credential word when
// they come right before it: "API key", "secret access key".
var proseKeyQualifiers = map[string]bool{
	"api": true, "access": true, "secret": true, "signing": true, "encryption": true, "master": true,
	"account": true, "private": true, "client": true, "license": true, "licence": true, "subscription": true,
	"app": true, "application": true, "deploy": true, "service": true, "storage": true, "shared": true,
}

// proseStopWords follow a credential word (and "is", "value", …) in
// ordinary sentences: "password is required", "token was revoked",
// "password value must not be empty". Any other word there is taken for
// the credential itself.
var proseStopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`not no none null nil empty blank missing required needed necessary mandatory
		optional incorrect invalid wrong bad correct valid ok okay expired expiring revoked disabled enabled locked
		unlocked set unset changed reset stored saved encrypted hashed hidden masked redacted too very a an the
		being been in on at for from with without of by must should shall cannot can could will would may might
		has have had does did do is was are were be contains exceeds matches used unused only already now still
		same different longer shorter weak strong short long accepted rejected denied unknown unavailable
		unsupported supported undefined defined configured provided supplied specified given present absent
		known malformed truncated deprecated ignored true false yes supposed about going expected unexpected
		either neither also and or but if when that this it its stale old new out mismatched unchanged generated
		created updated deleted removed rotated refreshed length size type format file field authentication
		authorization verification check prompt policy hash hashing manager reset`) {
		m[w] = true
	}
	return m
}()

// proseValue finds the value after the credential word s[ks:ke] when no
// '=' or ':' follows it directly (keyValue handles those). It returns the
// value's span and its token.
func proseValue(s string, ks, ke int, info keyInfo) (vs, ve int, repl string, ok bool) {
	if !isProseCredential(s, ks, ke) || ke >= len(s) {
		return
	}
	if !isBlank(s[ke]) && !(info.prose && s[ke] == ':') {
		return
	}
	v, connected := skipConnectors(s, ke)
	if v >= len(s) {
		return
	}
	tok := kindToken[info.kind]
	switch c := s[v]; {
	case c == '"' || c == '\'' || c == '`' || (c == '\\' && v+1 < len(s) && s[v+1] == '"'):
		if q := 1 + strings.Count(s[v:v+1], "\\"); tokenLen(s, v+q) > 0 {
			return // scrubbed already: '[password]'
		}
		return valueSpan(s, v, info.kind, false, 0, false)
	case c == '\n' || c == '\r' || c == '(' || c == '[' || c == '{' || isValueDelim(c):
		return
	}
	if placeholderLen(s, v) > 0 {
		return
	}
	e := v
	for e < len(s) && !isValueDelim(s[e]) {
		e++
	}
	for e > v && (s[e-1] == '.' || s[e-1] == ':') {
		e-- // the sentence's full stop, not the secret's
	}
	word := s[v:e]
	switch {
	case word == "" || keptValue(word, info.kind) || proseStopWords[strings.ToLower(word)] || !hasAlnum(word):
		return
	case !connected && !looksSecret(word):
		return
	case hasShape(word):
		return // the shape rules name it better: [jwt], [aws-key]
	}
	return v, e, tok, true
}

// isProseCredential reports whether the key s[ks:ke] is a credential word
// that may be followed by its value in prose: password, passphrase,
// secret, token, credentials and the like, or "key" after "API",
// "access", "secret"… Short or everyday keys (pass, pwd, key, auth, sig,
// user, host, session) are left to the key=value rule.
func isProseCredential(s string, ks, ke int) bool {
	key := s[ks:ke]
	if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "-") {
		return false // "…the password. Then" ends a sentence
	}
	kind, seg := classifyKeyKind(key)
	if kind != kPassword && kind != kSecret && kind != kToken {
		return false
	}
	switch seg {
	case "pwd", "pass", "pgpass", "sig", "signature", "bearer", "jwt":
		return false
	case "key":
		return proseKeyQualifiers[strings.ToLower(previousWord(s, ks))]
	}
	return true
}

// previousWord returns the word that ends, after blanks, just before s[i].
func previousWord(s string, i int) string {
	e := i
	for e > 0 && isBlank(s[e-1]) {
		e--
	}
	if e == i {
		return "" // glued: "x-key", "DB_key"
	}
	b := e
	for b > 0 && isAlnum(s[b-1]) {
		b--
	}
	return s[b:e]
}

// skipConnectors skips blanks and the words that join a credential word to
// its value ("is", "was", "value", "set to", "=", ":"), and tells whether
// there was one.
func skipConnectors(s string, i int) (int, bool) {
	connected := false
	for range 4 {
		if i < len(s) && (s[i] == ':' || s[i] == '=') {
			i++
			connected = true
		}
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		w := i
		for w < len(s) && isLetter(s[w]) {
			w++
		}
		if w == len(s) || !isBlank(s[w]) && s[w] != ':' && s[w] != '=' {
			return i, connected
		}
		switch strings.ToLower(s[i:w]) {
		case "is", "was", "value", "equals":
		case "set":
			if to := skipBlanks(s, w); strings.HasPrefix(strings.ToLower(s[to:]), "to ") {
				w = to + 2
				break
			}
			return i, connected
		default:
			return i, connected
		}
		i, connected = w, true
	}
	return i, connected
}

func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}

// looksSecret tells a credential from an English word where no "is" or
// "=" says which it is: secrets have digits, symbols or inner capitals,
// or are long.
func looksSecret(w string) bool {
	if len(w) >= 16 {
		return true
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !isLetter(c) || (i > 0 && 'A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

// hasAlnum reports whether w has a letter or a digit: "->", "…" and "*"
// are not values.
func hasAlnum(w string) bool {
	for i := 0; i < len(w); i++ {
		if isAlnum(w[i]) || w[i] >= 0x80 {
			return true
		}
	}
	return false
}

// hasShape reports whether a rule that knows credentials by their shape
// would replace the whole of w.
func hasShape(w string) bool {
	out := scrubCloudKeys(scrubVendorTokens(w))
	return tokenLen(out, 0) == len(out)
}

// tokenLen returns the length of a replacement token ("[password]",
// "[aws-secret]") at s[i], or 0.
func tokenLen(s string, i int) int {
	if i >= len(s) || s[i] != '[' {
		return 0
	}
	j := i + 1
	for j < len(s) && ('a' <= s[j] && s[j] <= 'z' || s[j] == '-') {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != ']' {
		return 0
	}
	return j + 1 - i
}
