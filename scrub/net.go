package scrub

import (
	"net/netip"
	"regexp"
	"strings"
)

// emailRe matches e-mail addresses, also percent-encoded in URLs. The
// top-level domain must be letters so that "pkg@1.2.3" stays.
var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+(?:@|%40)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}`)

// scrubEmails replaces e-mail addresses by [email].
func scrubEmails(s string) string {
	if !strings.Contains(s, "@") && !strings.Contains(s, "%40") {
		return s
	}
	return emailRe.ReplaceAllLiteralString(s, "[email]")
}

func isIP6Char(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// scrubIPv6 replaces IPv6 addresses (::1, fe80::1%eth0, [2001:db8::1]:5432,
// ::ffff:10.0.0.5) by [ip]. Candidates are maximal runs of hex digits,
// colons and dots with at least two colons that stand alone (not glued to
// a word, so "std::vector" and "x::int" stay) and that net/netip accepts,
// which rules out times like 10:00:00. Runs are disjoint, so this is linear.
func scrubIPv6(s string) string {
	if strings.Count(s, ":") < 2 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isIP6Char(s[i]) {
			i++
			continue
		}
		j, colons := i, 0
		for j < len(s) && isIP6Char(s[j]) {
			if s[j] == ':' {
				colons++
			}
			j++
		}
		rs, re, ok := ipv6Span(s, i, j, colons)
		if !ok {
			i = j
			continue
		}
		if rs > 0 && s[rs-1] == '[' && re < len(s) && s[re] == ']' {
			rs, re = rs-1, re+1 // [2001:db8::1]:5432 -> [ip]:5432
		}
		b.WriteString(s[last:rs])
		b.WriteString("[ip]")
		last, i = re, re
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// ipv6Span decides whether the run s[i:j] holds an IPv6 address and
// returns its span including a %zone.
func ipv6Span(s string, i, j, colons int) (int, int, bool) {
	if colons < 2 || j-i > 64 {
		return 0, 0, false
	}
	if i > 0 && (isWord(s[i-1]) || s[i-1] == '$') {
		// Glued to a word: only "error:fe80::1"-like text, where the run
		// starts with a single colon, is worth a second look.
		if s[i] != ':' || (i+1 < j && s[i+1] == ':') {
			return 0, 0, false
		}
		i++
	}
	cand := s[i:j]
	for trim := 0; trim <= 2 && len(cand) > 0; trim++ {
		if trim > 0 {
			c := cand[len(cand)-1]
			if c != '.' && c != ':' {
				break
			}
			cand = cand[:len(cand)-1]
		}
		if !hasHexDigit(cand) {
			return 0, 0, false
		}
		end := i + len(cand)
		if end < len(s) && s[end] == '%' {
			z := end + 1
			for z < len(s) && (isWord(s[z]) || s[z] == '.' || s[z] == '-') && z-end < 32 {
				z++
			}
			if a, err := netip.ParseAddr(s[i:z]); err == nil && a.Is6() {
				return i, zoneTail(s, z), true
			}
		}
		if end < len(s) && (isWord(s[end]) || s[end] == '%') {
			continue
		}
		if a, err := netip.ParseAddr(cand); err == nil && a.Is6() {
			return i, end, true
		}
	}
	if e, ok := mixedIPv6(s[i:j]); ok && (j == len(s) || !isWord(s[j])) {
		return i, i + e, true
	}
	return 0, 0, false
}

// zoneTail returns where an address whose zone ends at z ends: address
// characters glued to the zone ("fe80::1%eth0:5432", "0::%0::0") go with
// it, but for trailing dots and colons. Left behind, they would be glued
// to "[ip]" instead of the zone, and scrubbing the result again would take
// them for an address of their own.
func zoneTail(s string, z int) int {
	e := z
	for e < len(s) && isIP6Char(s[e]) {
		e++
	}
	for e > z && (s[e-1] == '.' || s[e-1] == ':') {
		e--
	}
	return e
}

// mixedIPv6 handles runs that mix an IPv4 dotted quad into IPv6-looking
// text which net/netip rejects (leading zeros "::00.0.0.0", too many
// groups). scrubIPv4 would replace the quad, and scrubbing the result
// again would then find the IPv6-looking remainder on its own; deciding on
// the whole run now keeps String idempotent. It returns the length of the
// address in run.
func mixedIPv6(run string) (int, bool) {
	if !strings.Contains(run, ".") {
		return 0, false
	}
	end := len(run)
	for end > 0 && run[end-1] == '.' {
		end--
	}
	if k := strings.LastIndexByte(run[:end], ':'); k >= 0 {
		// The quad may be followed by more dots and hex digits
		// ("::0:0.0.0.0.A"): scrubIPv4 would still take it.
		q := k + 1
		for q < end && (isDigit(run[q]) || run[q] == '.') {
			q++
		}
		for q > k+1 && run[q-1] == '.' {
			q--
		}
		if (q == end || run[q] == '.') && isDottedQuad(run[k+1:q]) {
			if a, err := netip.ParseAddr(run[:k+1] + "0.0.0.0"); err == nil && a.Is6() {
				return q, true
			}
			if parses6(run[:k+1]) {
				return q, true
			}
		}
	}
	if q := strings.IndexByte(run, ':'); q > 0 && isDottedQuad(run[:q]) && parses6(run[q:]) {
		return len(run), true
	}
	return 0, false
}

// parses6 reports whether run, or run without up to two trailing dots or
// colons, is an IPv6 address (the same trimming ipv6Span does).
func parses6(run string) bool {
	for trim := 0; trim <= 2 && run != ""; trim++ {
		if trim > 0 {
			if c := run[len(run)-1]; c != '.' && c != ':' {
				return false
			}
			run = run[:len(run)-1]
		}
		if a, err := netip.ParseAddr(run); err == nil && a.Is6() && hasHexDigit(run) {
			return true
		}
	}
	return false
}

// hasHexDigit rules out runs of bare colons and dots ("::", "...").
func hasHexDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isHex(s[i]) {
			return true
		}
	}
	return false
}

// scrubIPv4 replaces dotted-quad IPv4 addresses by [ip]. A candidate is a
// maximal run of digits and dots that is not glued to a word and has
// exactly four parts of at most 255, so versions (15.4, 1.1.0a8, 19.3.0.0.0)
// and decimals stay.
func scrubIPv4(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
			j++
		}
		end := j
		for end > i && s[end-1] == '.' {
			end--
		}
		glued := (i > 0 && (isWord(s[i-1]) || s[i-1] == '$')) || (end == j && j < len(s) && isWord(s[j]))
		if glued || !isDottedQuad(s[i:end]) {
			i = j
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString("[ip]")
		last, i = end, j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isDottedQuad reports whether s is four dot-separated decimal numbers of
// at most 255 (leading zeros allowed).
func isDottedQuad(s string) bool {
	parts := 0
	for _, p := range strings.SplitN(s, ".", 5) {
		parts++
		if len(p) == 0 || len(p) > 3 {
			return false
		}
		v := 0
		for k := 0; k < len(p); k++ {
			v = v*10 + int(p[k]-'0')
		}
		if v > 255 {
			return false
		}
	}
	return parts == 4
}
