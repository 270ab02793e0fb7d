package scrub

import (
	"regexp"
	"strings"
)

// homeRe finds home-directory prefixes: /home/ and /Users/ (Linux, macOS,
// WSL's /mnt/c/Users/) and Windows' \Users\, \\Users\\ (escaped in repr
// and JSON), C:/Users/ and \Documents and Settings\.
var homeRe = regexp.MustCompile(`/home/|/Users/|\\\\` + ci("users") + `\\\\|\\` + ci("users") + `\\|\\\\` + ci("documents and settings") + `\\\\|\\` + ci("documents and settings") + `\\|\b[A-Za-z]:/` + ci("users") + `/`)

// notUsers are directories under /Users or C:\Users that belong to nobody.
var notUsers = map[string]bool{"Shared": true, "Public": true, "Default": true, "All Users": true, "Default User": true}

// isPathStop ends a user name in a path.
func isPathStop(c byte) bool {
	return c < 0x20 || strings.IndexByte(" /\\\"'`:;,<>|*?()[]{}=&", c) >= 0
}

// scrubHomeDirs replaces the user name after a home-directory prefix by
// [user]. Windows user names may contain spaces ("C:\Users\Jane Doe\"): a
// name with spaces is taken whole only when a path separator follows it
// within 64 bytes.
func scrubHomeDirs(s string) string {
	if !anyOf(s, "/home/", "/Users/") && !(anyOf(s, "\\", ":/") && anyFold(s, "users", "documents and settings")) {
		return s
	}
	ms := homeRe.FindAllStringIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		if m[0] < last {
			continue
		}
		ns := m[1]
		ne := ns
		for ne < len(s) && !isPathStop(s[ne]) {
			ne++
		}
		if ne < len(s) && s[ne] == ' ' && s[m[1]-1] == '\\' {
			k := ne
			for k < len(s) && k-ns < 64 && (s[k] == ' ' || !isPathStop(s[k])) {
				k++
			}
			if k < len(s) && s[k] == '\\' {
				ne = k
			}
		}
		if ne == ns || notUsers[s[ns:ne]] {
			continue
		}
		b.WriteString(s[last:ns])
		b.WriteString("[user]")
		last = ne
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
