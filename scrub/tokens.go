package scrub

import (
	"regexp"
	"strings"
)

// scrubPEM replaces every PEM block (any type: private keys, certificates,
// PGP blocks), header to footer, by [pem]. A block without its footer is
// removed to the end of the text, since the rest of it is key material.
// Works on real newlines and on JSON-escaped "\n" alike because it only
// looks for the dashes.
func scrubPEM(s string) string {
	const begin, end, dashes = "-----BEGIN ", "-----END ", "-----"
	if !strings.Contains(s, begin) {
		return s
	}
	var b strings.Builder
	last, i := 0, 0
	for {
		k := strings.Index(s[i:], begin)
		if k < 0 {
			break
		}
		start := i + k
		hs := start + len(begin)
		// The label ("RSA PRIVATE KEY") is short; bound the search so that
		// many headers without closing dashes stay linear.
		h := strings.Index(s[hs:min(len(s), hs+80)], dashes)
		if h < 0 {
			i = hs
			continue
		}
		stop := len(s)
		body := hs + h + len(dashes)
		if e := strings.Index(s[body:], end); e >= 0 {
			ls := body + e + len(end)
			if f := strings.Index(s[ls:min(len(s), ls+80)], dashes); f >= 0 {
				stop = ls + f + len(dashes)
			}
		}
		b.WriteString(s[last:start])
		b.WriteString("[pem]")
		last, i = stop, stop
	}
	b.WriteString(s[last:])
	return b.String()
}

// vendorTokens are credentials recognisable by their own shape, wherever
// they appear. Each gate is a cheap test that holds whenever the pattern
// can match, so most texts never reach the regexp engine.
var vendorTokens = []struct {
	re   *regexp.Regexp
	gate []string
	repl string
}{
	// JWTs and their fragments: base64url JSON always starts with eyJ;
	// encrypted ones (JWE) have five parts.
	{regexp.MustCompile(`eyJ[A-Za-z0-9_=-]{8,}(?:\.[A-Za-z0-9_=-]+){0,4}`), []string{"eyJ"}, "[jwt]"},
	// JWTs whose JSON has a blank or a newline after the brace: eyAi…,
	// ewog…, in both of the first two parts.
	{regexp.MustCompile(`\be[wy][A-Za-z0-9_-]{10,}\.e[wy][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*`), []string{".ey", ".ew"}, "[jwt]"},
	{regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b`),
		[]string{"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA", "ASCA"}, "[aws-key]"},
	{regexp.MustCompile(`(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}`),
		[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, "[github-token]"},
	{regexp.MustCompile(`xox[abposre]-[A-Za-z0-9-]{10,}`), []string{"xox"}, "[slack-token]"},
	{regexp.MustCompile(`hooks\.slack\.com/(?:services|workflows|triggers)/[^\s"'<>]+`), []string{"hooks.slack.com/"}, "hooks.slack.com/[secret]"},
	{regexp.MustCompile(`AIza[0-9A-Za-z_-]{35}`), []string{"AIza"}, "[google-api-key]"},
	{regexp.MustCompile(`\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}|\bwhsec_[0-9A-Za-z]{20,}`),
		[]string{"_live_", "_test_", "whsec_"}, "[stripe-key]"},
	{regexp.MustCompile(`\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|\bglpat-[A-Za-z0-9_-]{20,}|\bnpm_[A-Za-z0-9]{36,}|\bpypi-[A-Za-z0-9_-]{50,}|\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`),
		[]string{"sk-", "glpat-", "npm_", "pypi-", "SG."}, "[api-key]"},
}

// bearerRe finds "Bearer <token>" outside of any header or key.
var bearerRe = regexp.MustCompile(`\b(` + ci("bearer") + `)([ \t]+)([A-Za-z0-9._~+/=-]{6,})`)

// scrubVendorTokens applies vendorTokens and the free-standing Bearer rule.
func scrubVendorTokens(s string) string {
	for _, t := range vendorTokens {
		if anyOf(s, t.gate...) {
			s = t.re.ReplaceAllLiteralString(s, t.repl)
		}
	}
	if !containsFold(s, "bearer") {
		return s
	}
	return replaceAll(bearerRe, s, func(b *strings.Builder, s string, m []int) {
		b.WriteString(s[m[0]:m[6]])
		// Bearer realm="api" (WWW-Authenticate) names a parameter.
		if tok := s[m[6]:m[7]]; looksLikeToken(tok) && !(m[1] < len(s) && s[m[1]] == '"') {
			b.WriteString("[token]")
		} else {
			b.WriteString(tok)
		}
	})
}

// looksLikeToken keeps English ("bearer authentication") out of the Bearer
// rule: tokens contain digits or punctuation, or are long.
func looksLikeToken(t string) bool {
	if len(t) >= 20 {
		return true
	}
	for i := 0; i < len(t); i++ {
		if !isLetter(t[i]) {
			return true
		}
	}
	return false
}
