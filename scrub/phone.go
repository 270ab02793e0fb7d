package scrub

import (
	"regexp"
	"strings"
)

// phoneRe matches a telephone number at the start of its input, in the
// forms people write them:
//
//	international  +44 20 7946 0958, +1 (415) 555-0132, +33 6 12 34 56 78, +4915112345678
//	North American (415) 555-0132, 415-555-0132, 415.555.0132
//	national       020 7946 0958, 06 12 34 56 78, 030/12345678, 0171 1234567
//
// scrubPhones checks the digit count and what surrounds a match, which
// RE2 cannot look at.
var phoneRe = regexp.MustCompile(`^(?:` +
	`\+[1-9][0-9]{0,3}(?:[ .-]?\(?[0-9]{1,5}\)?){1,6}` +
	`|\(?[2-9][0-9]{2}\)?[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}` +
	`|0[1-9][0-9]{0,3}(?:[ ./-][0-9]{2,4}){2,4}` +
	`|0[1-9][0-9]{1,4}[ /-][0-9]{5,8})`)

// phoneWindow bounds the text phoneRe looks at from a start: longer than
// any match it can make.
const phoneWindow = 64

// scrubPhones replaces telephone numbers by [phone]. A match counts when
// it has 10 to 15 digits (8 to 15 after a '+') and stands alone: not
// glued to a word, a digit, a '.', a '-' or a '+' before it, not followed
// by a digit or by a ':' (a time: "05.06.2024 10:00"), so dates, times,
// versions, sizes and ids stay. It tries phoneRe at each place a number
// can start, on a bounded window, so it is linear (a regexp's FindAll is
// not, on some inputs, in Go's backtracking engine).
func scrubPhones(s string) string {
	if !hasDigits(s, 8) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '+' && c != '(' && !isDigit(c) || i > 0 && gluedBefore(s[i-1]) {
			continue
		}
		m := phoneRe.FindStringIndex(s[i:min(len(s), i+phoneWindow)])
		if m == nil {
			continue
		}
		// The pattern takes every group it can; a number followed by
		// another one ("+44 20 7946 0958 12ab") ends a group earlier.
		j := i + m[1]
		for j > i && !isPhone(s, i, j) {
			j = lastGroup(s, i, j)
		}
		if j > i {
			b.WriteString(s[last:i])
			b.WriteString("[phone]")
			last, i = j, j-1
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// gluedBefore reports whether c, right before a number, makes it part of
// something else: a word, another number, a version, a path.
func gluedBefore(c byte) bool {
	return isWord(c) || c == '.' || c == '-' || c == '+' || c == '/' || c == '$'
}

// lastGroup returns where the digit group that ends s[i:j] starts, with
// the separator before it, or i when there is no earlier group.
func lastGroup(s string, i, j int) int {
	for j > i && (isDigit(s[j-1]) || s[j-1] == ')') {
		j--
	}
	for j > i && !isDigit(s[j-1]) {
		j--
	}
	return j
}

// isPhone decides on the candidate s[i:j].
func isPhone(s string, i, j int) bool {
	digits := 0
	for k := i; k < j; k++ {
		if isDigit(s[k]) {
			digits++
		}
	}
	least := 10
	if s[i] == '+' {
		least = 8
	}
	if digits < least || digits > 15 {
		return false
	}
	if i > 0 && gluedBefore(s[i-1]) {
		return false
	}
	if j < len(s) {
		if c := s[j]; isWord(c) || c == ':' || c == '/' || (c == '.' || c == '-') && j+1 < len(s) && isDigit(s[j+1]) {
			return false
		}
	}
	return true
}

// hasDigits reports whether s has at least n digits in all: a cheap gate
// before the regexp.
func hasDigits(s string, n int) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if n--; n == 0 {
				return true
			}
		}
	}
	return false
}
