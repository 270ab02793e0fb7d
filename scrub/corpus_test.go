package scrub

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusEntry is one realistic error text with what must disappear from it
// and what must survive scrubbing. testdata/corpus/README.md describes the
// file format.
type corpusEntry struct {
	file, name string
	input      string
	secrets    []string
	keep       []string
}

// loadCorpus reads every testdata/corpus/*.txt file.
func loadCorpus(tb testing.TB) []corpusEntry {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	var all []corpusEntry
	seen := map[string]bool{}
	for _, f := range files {
		es, err := parseCorpusFile(f)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, e := range es {
			if seen[e.name] {
				tb.Fatalf("%s: duplicate entry name %q", f, e.name)
			}
			seen[e.name] = true
		}
		all = append(all, es...)
	}
	return all
}

func parseCorpusFile(path string) ([]corpusEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		entries []corpusEntry
		cur     *corpusEntry
		section string
		input   []string
	)
	flush := func() {
		if cur != nil {
			cur.input = strings.TrimRight(strings.Join(input, "\n"), "\n")
			entries = append(entries, *cur)
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			cur = &corpusEntry{file: filepath.Base(path), name: strings.TrimSpace(line[4:])}
			section, input = "input", nil
		case cur == nil:
			// comments and blank lines before the first entry
		case line == "--- secrets":
			section = "secrets"
		case line == "--- keep":
			section = "keep"
		case section == "input":
			input = append(input, line)
		case strings.TrimSpace(line) == "":
		case section == "secrets":
			cur.secrets = append(cur.secrets, line)
		case section == "keep":
			cur.keep = append(cur.keep, line)
		}
	}
	flush()
	return entries, sc.Err()
}

const minCorpusEntries = 180

func TestCorpus(t *testing.T) {
	entries := loadCorpus(t)
	if len(entries) < minCorpusEntries {
		t.Errorf("corpus has %d entries, want at least %d", len(entries), minCorpusEntries)
	}
	secrets := 0
	for _, e := range entries {
		secrets += len(e.secrets)
		t.Run(e.name, func(t *testing.T) {
			if e.input == "" {
				t.Fatal("empty input")
			}
			for _, s := range e.secrets {
				if !strings.Contains(e.input, s) {
					t.Errorf("planted secret %q is not in the input (typo in the corpus?)", s)
				}
			}
			out := String(e.input)
			lower := strings.ToLower(out)
			for _, s := range e.secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q survived:\n%s", s, out)
				} else if strings.Contains(lower, strings.ToLower(s)) {
					t.Errorf("secret %q survived with different case:\n%s", s, out)
				}
			}
			for _, k := range e.keep {
				if !strings.Contains(out, k) {
					t.Errorf("useful text %q was lost:\n%s", k, out)
				}
			}
		})
	}
	t.Logf("%d corpus entries, %d planted secrets", len(entries), secrets)
}

func TestCorpusDeterministicAndIdempotent(t *testing.T) {
	for _, e := range loadCorpus(t) {
		first := String(e.input)
		if second := String(e.input); second != first {
			t.Errorf("%s: two runs differ:\n%s\n---\n%s", e.name, first, second)
		}
		if again := String(first); again != first {
			t.Errorf("%s: not idempotent:\nonce:  %q\ntwice: %q", e.name, first, again)
		}
	}
}
