// Package privacy checks the analytics store against the scrubber: it
// reads every text the store keeps (store.TextSources: report strings,
// error messages and frames, versions, environment strings, key names,
// the audit log) and counts what scrub.String would still remove. The
// service scrubs and validates everything before it stores it, so a clean
// store scans clean; a finding is a text that went around the scrubber or
// that a newer rule catches.
//
// It reads only, and it never prints or returns a text it found something
// in: a finding names the place (table, column, row, JSON field) and the
// kinds of thing found, not the thing.
package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// MaxFindings is how many findings a Result lists; the counts cover all.
const MaxFindings = 100

// Finding is one stored text in which the scrubber finds something.
type Finding struct {
	Source string         `json:"source"`          // "table.column"
	Row    string         `json:"row"`             // the row's key column
	Field  string         `json:"field,omitempty"` // the path inside a JSON column
	Kinds  map[string]int `json:"kinds"`           // what was found, by kind
}

// Result is what a scan found.
type Result struct {
	Sources int `json:"sources"` // places read
	Texts   int `json:"texts"`   // texts checked
	// WithFindings counts the texts with something in them.
	WithFindings int `json:"texts_with_findings"`
	// Kinds counts what was found by kind, over all texts.
	Kinds map[string]int `json:"kinds"`
	// Places counts the texts with findings by source.
	Places   map[string]int `json:"places"`
	Findings []Finding      `json:"findings"` // the first MaxFindings
}

// Clean reports whether nothing was found.
func (r *Result) Clean() bool { return r.WithFindings == 0 }

// Scan checks every text of sources.
func Scan(ctx context.Context, st store.Texts, sources []store.TextSource) (*Result, error) {
	sc := &scanner{res: &Result{Kinds: map[string]int{}, Places: map[string]int{}, Findings: []Finding{}},
		memo: map[string]map[string]int{}}
	for _, src := range sources {
		sc.res.Sources++
		err := st.ScanTexts(ctx, src, func(row, text string) error {
			if !src.JSON {
				sc.check(src, row, "", text)
				return nil
			}
			var v any
			if err := json.Unmarshal([]byte(text), &v); err != nil {
				return fmt.Errorf("privacy: %s row %s is not JSON: %w", src.Name(), row, err)
			}
			sc.walk(src, row, "", v)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return sc.res, nil
}

// scanner is the state of one scan.
type scanner struct {
	res  *Result
	memo map[string]map[string]int // Find of short texts seen before
}

// maxMemo bounds the memo; stored texts repeat a lot (versions, OS
// names, feature names), so a small one saves most of the work.
const (
	maxMemo     = 50_000
	maxMemoText = 256
)

// walk checks every string of a decoded JSON value, object keys included.
func (sc *scanner) walk(src store.TextSource, row, path string, v any) {
	switch x := v.(type) {
	case string:
		sc.check(src, row, path, x)
	case []any:
		for i, e := range x {
			sc.walk(src, row, path+"["+strconv.Itoa(i)+"]", e)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			sc.check(src, row, p+" (key)", k)
			sc.walk(src, row, p, x[k])
		}
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// check counts one text.
func (sc *scanner) check(src store.TextSource, row, field, text string) {
	sc.res.Texts++
	found, ok := sc.memo[text]
	if !ok {
		found = scrub.Find(text)
		if len(text) <= maxMemoText && len(sc.memo) < maxMemo {
			sc.memo[text] = found
		}
	}
	if found == nil {
		return
	}
	sc.res.WithFindings++
	sc.res.Places[src.Name()]++
	for k, n := range found {
		sc.res.Kinds[k] += n
	}
	if len(sc.res.Findings) < MaxFindings {
		sc.res.Findings = append(sc.res.Findings, Finding{Source: src.Name(), Row: row, Field: field, Kinds: maps.Clone(found)})
	}
}
