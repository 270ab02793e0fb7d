package scrub

import (
	"regexp"
	"strings"
)

// cloudTokens are the big cloud providers' secrets that have a shape of
// their own (the access key ids are in vendorTokens). Gates as there.
var cloudTokens = []struct {
	re   *regexp.Regexp
	gate []string
	repl string
}{
	// AWS STS session tokens: base64 of a binary header that names "aws".
	{regexp.MustCompile(`(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}`), []string{"FwoGZXIvYXdz", "IQoJb3JpZ2lu"}, "[aws-session-token]"},
	// Microsoft Entra (Azure AD) client secrets: three characters, a digit, "Q~".
	{regexp.MustCompile(`[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}`), []string{"Q~"}, "[azure-secret]"},
	// Google OAuth client secrets, access and refresh tokens.
	{regexp.MustCompile(`GOCSPX-[A-Za-z0-9_-]{28}`), []string{"GOCSPX-"}, "[gcp-secret]"},
	{regexp.MustCompile(`\bya29\.[0-9A-Za-z_-]{20,}|\b1//0[0-9A-Za-z_-]{30,}`), []string{"ya29.", "1//0"}, "[google-token]"},
	// Alibaba Cloud access key ids.
	{regexp.MustCompile(`\bLTAI[A-Za-z0-9]{12,20}\b`), []string{"LTAI"}, "[cloud-key]"},
	// DigitalOcean personal, OAuth and refresh tokens.
	{regexp.MustCompile(`\bdo[opr]_v1_[a-f0-9]{64}`), []string{"_v1_"}, "[api-key]"},
}

// scrubCloudKeys replaces cloud secrets: those in cloudTokens, AWS secret
// access keys (40 base64 characters: "wJalrXUtnFEMI/K7MDENG/bPxRfiCY…")
// and Azure storage account keys (86 base64 characters and "=="), which
// are recognised by their length and mix of characters wherever they are,
// so a secret key printed next to its key id goes with it.
func scrubCloudKeys(s string) string {
	for _, t := range cloudTokens {
		if anyOf(s, t.gate...) {
			s = t.re.ReplaceAllLiteralString(s, t.repl)
		}
	}
	return scrubBase64Keys(s)
}

func isB64(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }

// scrubBase64Keys finds maximal runs of base64 characters that stand
// alone (not glued to a word, a '-' or a '_') and replaces those of an
// AWS secret key's or an Azure storage key's length that mix upper case,
// lower case and digits as random keys do. Git hashes (lower-case hex)
// and paths (which start with '/' or hold dots) stay.
func scrubBase64Keys(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isB64(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isB64(s[j]) {
			j++
		}
		e := j
		for e < len(s) && s[e] == '=' && e-j < 2 {
			e++
		}
		tok := base64KeyToken(s[i:j], e-j)
		glued := (i > 0 && (s[i-1] == '_' || s[i-1] == '-' || s[i-1] >= 0x80)) ||
			(e < len(s) && (isWord(s[e]) || s[e] == '-' || s[e] == '=' || s[e] >= 0x80))
		if tok == "" || glued {
			i = e
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(tok)
		last, i = e, e
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// base64KeyToken names the run of base64 characters run followed by pad
// '=' characters, or returns "" when it is not a cloud key.
func base64KeyToken(run string, pad int) string {
	switch {
	case run[0] == '/' || !mixedCase(run):
		return ""
	case len(run) == 40 && pad == 0:
		return "[aws-secret]"
	case len(run) == 86 && pad == 2:
		return "[azure-key]"
	}
	return ""
}

// mixedCase reports whether s has an upper-case letter, a lower-case
// letter and a digit.
func mixedCase(s string) bool {
	var upper, lower, digit bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper = upper || 'A' <= c && c <= 'Z'
		lower = lower || 'a' <= c && c <= 'z'
		digit = digit || isDigit(c)
	}
	return upper && lower && digit
}
