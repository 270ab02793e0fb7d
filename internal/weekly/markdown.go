package weekly

import (
	"fmt"
	"strings"
)

// Markdown writes the report for a GitHub discussion or a chat; it is
// also the plain-text part of the e-mail and the webhook's text.
func Markdown(r *Report) string {
	v := newView(r)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", v.Title, v.Subtitle)
	if v.Note != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Note)
	}
	if len(v.Top) > 0 {
		b.WriteString("\n## The three that matter most\n\n")
		writeList(&b, v.Top)
	}
	for _, s := range v.Sections {
		fmt.Fprintf(&b, "\n## %s\n", s.Heading)
		if s.Bars != nil {
			fmt.Fprintf(&b, "\n%s: %s\n\n", s.Bars.Label, sparkline(s.Bars))
			writeTable(&b, table{Columns: s.Bars.Days, Rows: [][]string{counts(s.Bars.Values)}})
		}
		for _, t := range s.Tables {
			if t.Heading != "" {
				fmt.Fprintf(&b, "\n### %s\n", t.Heading)
			}
			b.WriteString("\n")
			writeTable(&b, t)
		}
		if len(s.List) > 0 {
			b.WriteString("\n")
			writeList(&b, s.List)
		}
	}
	return b.String()
}

func writeList(b *strings.Builder, rs []Recommendation) {
	for i, r := range rs {
		fmt.Fprintf(b, "%d. **%s**: %s\n", i+1, mdEscape(r.Title), mdEscape(r.Text))
	}
}

func writeTable(b *strings.Builder, t table) {
	row := func(cells []string) {
		for i, c := range cells {
			if i == 0 {
				b.WriteString("|")
			}
			b.WriteString(" " + mdEscape(c) + " |")
		}
		b.WriteString("\n")
	}
	row(t.Columns)
	seps := make([]string, len(t.Columns))
	for i := range seps {
		seps[i] = "---:"
	}
	if t.Heading != "" || len(t.Rows) != 1 {
		seps[0] = "---" // a name column
	}
	b.WriteString("|" + strings.Join(seps, "|") + "|\n")
	for _, r := range t.Rows {
		row(r)
	}
}

// mdEscape keeps text (an error message, a name) from breaking a table
// or turning into markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "\n", " ").Replace(s)
}

// sparkline draws a series with block characters, lowest to highest.
func sparkline(b *bars) string {
	const levels = "▁▂▃▄▅▆▇█"
	r := []rune(levels)
	var out []rune
	for _, v := range b.Values {
		i := 0
		if b.Max > 0 {
			i = int(v * int64(len(r)-1) / b.Max)
		}
		out = append(out, r[i])
	}
	return string(out)
}

func counts(vs []int64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmtCount(v)
	}
	return out
}
