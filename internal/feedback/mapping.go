package feedback

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// A mapping file says which issues are feature requests and which
// features they ask for, one rule a line (# starts a comment; a name with
// spaces goes in double quotes):
//
//	request-label NAME       issues with this label are feature requests
//	                         (the file's list replaces the default one)
//	label NAME FEATURE       an issue with this label asks for FEATURE
//	word PHRASE FEATURE      an issue whose title holds PHRASE (whole
//	                         words, any case) asks for FEATURE
//
// Labels match in any case. FEATURE is counted as report.NormalizeFeature
// makes it: one of IndexPilot's feature names, or a short title. Without a
// file (and in addition to one), a title that names one of IndexPilot's
// features (auto_rollback, "auto rollback", "Auto-Rollback") asks for it.

// MappingHelp is the rules above, for --help.
const MappingHelp = `A mapping file has one rule a line (# starts a comment; quote names with spaces):
  request-label NAME       issues with this label are feature requests
                           (the file's list replaces the default one)
  label NAME FEATURE       an issue with this label asks for FEATURE
  word PHRASE FEATURE      an issue whose title holds PHRASE asks for FEATURE
A title that names one of IndexPilot's features always asks for it.`

// DefaultRequestLabels mark feature requests when a mapping file lists
// none: GitHub's default "enhancement" and the usual alternatives.
var DefaultRequestLabels = []string{"enhancement", "feature", "feature request", "feature-request", "type: feature", "kind/feature"}

// Mapping is a parsed mapping file.
type Mapping struct {
	requestLabels []string          // lower case
	labels        map[string]string // lower-case label: feature
	phrases       []phrase
}

// phrase is a word rule: a run of title words and the feature it names.
type phrase struct {
	words   []string
	feature string
}

// DefaultMapping is the mapping without a file.
func DefaultMapping() *Mapping {
	m := &Mapping{requestLabels: DefaultRequestLabels, labels: map[string]string{}}
	for _, f := range report.Features {
		m.phrases = append(m.phrases, phrase{words: words(f), feature: f})
	}
	return m
}

// ReadMapping parses a mapping file named file (for messages); the first
// problem is an *InputError naming its line.
func ReadMapping(file string, r io.Reader) (*Mapping, error) {
	m := DefaultMapping()
	var requestLabels []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		bad := func(format string, args ...any) error {
			return &InputError{File: file, Line: n, Msg: fmt.Sprintf(format, args...)}
		}
		fields, err := splitRule(sc.Text())
		if err != nil {
			return nil, bad("%v", err)
		}
		if len(fields) == 0 {
			continue
		}
		if err := m.rule(fields, &requestLabels); err != nil {
			return nil, bad("%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &InputError{File: file, Msg: err.Error()}
	}
	if len(requestLabels) > 0 {
		m.requestLabels = requestLabels
	}
	return m, nil
}

// rule adds one parsed line to m.
func (m *Mapping) rule(f []string, requestLabels *[]string) error {
	want := map[string]int{"request-label": 2, "label": 3, "word": 3}[f[0]]
	switch {
	case want == 0:
		return fmt.Errorf("unknown rule %q; the rules are request-label, label and word", f[0])
	case len(f) != want:
		return fmt.Errorf("%s takes %d argument(s), got %d", f[0], want-1, len(f)-1)
	case strings.TrimSpace(f[1]) == "":
		return fmt.Errorf("%s: the name must not be empty", f[0])
	}
	if f[0] == "request-label" {
		*requestLabels = append(*requestLabels, strings.ToLower(strings.TrimSpace(f[1])))
		return nil
	}
	feature := report.NormalizeFeature(f[2])
	if n := utf8.RuneCountInString(feature); n == 0 || n > report.MaxFeatureRequestChars {
		return fmt.Errorf("the feature must be 1 to %d characters", report.MaxFeatureRequestChars)
	}
	if f[0] == "label" {
		m.labels[strings.ToLower(strings.TrimSpace(f[1]))] = feature
		return nil
	}
	w := words(f[1])
	if len(w) == 0 {
		return fmt.Errorf("word: %q holds no word", f[1])
	}
	m.phrases = append(m.phrases, phrase{words: w, feature: feature})
	return nil
}

// splitRule splits a line into its fields: white-space separated, double
// quotes around a field with spaces, # to the end of the line a comment.
func splitRule(line string) ([]string, error) {
	var fields []string
	for line = strings.TrimSpace(line); line != "" && line[0] != '#'; line = strings.TrimSpace(line) {
		if line[0] != '"' {
			end := strings.IndexFunc(line, unicode.IsSpace)
			if end < 0 {
				end = len(line)
			}
			fields, line = append(fields, line[:end]), line[end:]
			continue
		}
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("a quote is not closed")
		}
		fields, line = append(fields, line[1:end+1]), line[end+2:]
	}
	return fields, nil
}

// IsRequest tells whether an issue is a feature request: one of its
// labels marks it so.
func (m *Mapping) IsRequest(is Issue) bool {
	for _, l := range is.Labels {
		if slices.Contains(m.requestLabels, strings.ToLower(strings.TrimSpace(l.Name))) {
			return true
		}
	}
	return false
}

// Features returns the features a feature request asks for, sorted: those
// its labels and its title name, at most report.MaxFeatureRequests; when
// they name none, its (scrubbed) title as a free-text request.
func (m *Mapping) Features(is Issue, title string) []string {
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, l := range is.Labels {
		if f, ok := m.labels[strings.ToLower(strings.TrimSpace(l.Name))]; ok {
			add(f)
		}
	}
	tw := words(title)
	for _, p := range m.phrases {
		if holds(tw, p.words) {
			add(p.feature)
		}
	}
	if len(out) == 0 {
		return []string{report.NormalizeFeature(report.CutChars(title, report.MaxFeatureRequestChars))}
	}
	slices.Sort(out)
	return out[:min(len(out), report.MaxFeatureRequests)]
}

// words splits a text into lower-case words of letters and digits, so
// that auto_rollback, auto-rollback and "Auto rollback" are the same.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// holds tells whether the run of words p appears in w.
func holds(w, p []string) bool {
	for i := 0; i+len(p) <= len(w); i++ {
		if slices.Equal(w[i:i+len(p)], p) {
			return true
		}
	}
	return false
}
