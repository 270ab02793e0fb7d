package scrub

import (
	"regexp"
	"strings"
)

// sqlMarkerRe finds the labels after which PostgreSQL, its drivers and its
// logs print a statement: "STATEMENT:  ", "QUERY:  ", "LINE 3: ",
// "LOG:  statement: ", "execute S_1: " and CONTEXT's `SQL statement "`.
var sqlMarkerRe = regexp.MustCompile(`\b(?:STATEMENT|QUERY|statement|Query|query|SQL):[ \t]*|\bLINE [0-9]{1,9}:[ \t]*|\bexecute [A-Za-z0-9_<>]{1,64}:[ \t]*|\bSQL statement "`)

// sqlKeywordRe finds a statement that is not labelled, e.g. in a traceback
// source line cur.execute("SELECT ..."). It asks for two keywords that go
// together (SELECT..FROM, INSERT INTO, UPDATE x SET, ...) so that English
// text is left alone.
var sqlKeywordRe = regexp.MustCompile(strings.Join([]string{
	`\b` + ci("select") + `\s[^\n]*\b` + ci("from") + `\b`,
	`\b` + ci("insert") + `\s+` + ci("into") + `\s`,
	`\b` + ci("update") + `\s+\S+\s+` + ci("set") + `\s`,
	`\b` + ci("delete") + `\s+` + ci("from") + `\s`,
	`\b` + ci("with") + `\s+\w+\s+` + ci("as") + `\s*\(`,
	`\b` + ci("create") + `\s+(?:` + ci("unique") + `\s+)?` + ci("index") + `\s`,
	`\b` + ci("alter") + `\s+` + ci("table") + `\s`,
	`\b` + ci("explain") + `\s+(?:` + ci("analyze") + `\s+)?(?:` + ci("select") + `|` + ci("insert") + `|` + ci("update") + `|` + ci("delete") + `|` + ci("with") + `)\b`,
	`\b` + ci("merge") + `\s+` + ci("into") + `\s`,
	`\b` + ci("copy") + `\s+\S+\s+(?:` + ci("from") + `|` + ci("to") + `)\s`,
	`\bVALUES\s*\(`,
}, "|"))

// sqlMarkers and sqlKeywords are literals that every match of sqlMarkerRe
// and sqlKeywordRe contains; lines without them skip the regexps.
var (
	sqlMarkers  = []string{"STATEMENT:", "QUERY:", "statement:", "Query:", "query:", "SQL:", "LINE ", "execute ", `SQL statement "`}
	sqlKeywords = []string{"select", "insert", "update", "delete", "with", "create", "alter", "explain", "merge", "copy"}
)

// scrubEmbeddedSQL normalises (see SQL) the statements it finds inside
// free text. A statement starts after a label or at a recognisable
// keyword and runs to the end of its line plus the indented continuation
// lines that follow; SQLAlchemy's "[SQL: ...]" runs to the "]" that ends a
// line. Each statement is numbered from $1 on its own.
func scrubEmbeddedSQL(s string) string {
	closer := finder{s: s, sub: "]\n"}
	trimmedEnd := -1 // index of a final ']' (lazily computed), for "[SQL: ...]" at the very end
	var b strings.Builder
	last, pos := 0, 0
	for pos < len(s) {
		eol := lineEnd(s, pos)
		start, bracket := sqlStart(s[pos:eol])
		if start < 0 {
			pos = eol + 1
			continue
		}
		fs := pos + start
		fe := eol
		if bracket {
			if p := closer.next(fs); p >= 0 {
				fe = p
			} else {
				if trimmedEnd == -1 {
					t := strings.TrimRight(s, " \t\r\n")
					trimmedEnd = -2
					if strings.HasSuffix(t, "]") {
						trimmedEnd = len(t) - 1
					}
				}
				if trimmedEnd >= fs {
					fe = trimmedEnd
				}
			}
		} else {
			for fe < len(s) {
				ne := lineEnd(s, fe+1)
				if !isSQLContinuation(s[fe+1 : ne]) {
					break
				}
				fe = ne
			}
		}
		if k := strings.Index(s[fs:fe], " (SQLSTATE "); k >= 0 {
			fe = fs + k // pgx appends "(SQLSTATE 42601)" to the message
		}
		if fe <= fs {
			pos = eol + 1
			continue
		}
		b.WriteString(s[last:fs])
		b.WriteString(normalizeSQL(s[fs:fe]))
		last, pos = fe, fe
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// sqlStart returns where the statement in line starts (after its label),
// and whether it is SQLAlchemy's bracketed form, or -1.
func sqlStart(line string) (int, bool) {
	best, bracket := -1, false
	if k := strings.Index(line, "[SQL: "); k >= 0 {
		best, bracket = k+len("[SQL: "), true
	}
	if anyOf(line, sqlMarkers...) {
		if m := sqlMarkerRe.FindStringIndex(line); m != nil && (best < 0 || m[0] < best-len("[SQL: ")) {
			best, bracket = m[1], false
		}
	}
	if best >= 0 {
		return best, bracket
	}
	if strings.Contains(line, "VALUES") || anyFold(line, sqlKeywords...) {
		if m := sqlKeywordRe.FindStringIndex(line); m != nil {
			return m[0], false
		}
	}
	return -1, false
}

// isSQLContinuation reports whether line continues a statement printed on
// the lines before it: it is indented, and is not a traceback frame, a
// Java frame or another labelled message line (HINT:, DETAIL:).
func isSQLContinuation(line string) bool {
	if line == "" || !isBlank(line[0]) {
		return false
	}
	t := strings.TrimLeft(line, " \t")
	if strings.TrimSpace(t) == "" {
		return false
	}
	for _, p := range []string{`File "`, "at ", "...", "Traceback", "During handling", "The above exception"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	w := 0
	for w < len(t) && isLetter(t[w]) {
		w++
	}
	return !(w > 0 && w < len(t) && t[w] == ':' && 'A' <= t[0] && t[0] <= 'Z')
}
