package feedback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// The GitHub import reads what
//
//	gh issue list --json number,title,body,labels,reactionGroups,createdAt,url --limit 1000
//
// writes: one JSON array of issues, each an object with those keys (gh
// sorts them; a terminal gets it indented, a file on one line). Issues
// labelled as feature requests become feature votes: each counts its 👍
// reactions plus one for every feature the mapping finds in its labels and
// title, or, when it finds none, for the issue's title as a free-text
// feature request. Other issues (bugs, questions) are skipped. Bodies are
// read by gh but never kept.

// MaxExportBytes bounds an export file: gh's --limit 1000 of long issues
// is a few megabytes.
const MaxExportBytes = 64 << 20

// InputError is a malformed import or mapping file: the command line
// exits 2 with it, naming the file and the line.
type InputError struct {
	File string
	Line int
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Issue is one issue of a gh export, with the fields the import reads.
type Issue struct {
	Number         int       `json:"number"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	URL            string    `json:"url"`
	CreatedAt      time.Time `json:"createdAt"`
	Labels         []Label   `json:"labels"`
	ReactionGroups []struct {
		Content string `json:"content"`
		Users   struct {
			TotalCount int64 `json:"totalCount"`
		} `json:"users"`
	} `json:"reactionGroups"`
}

// Label is an issue's label as gh exports it.
type Label struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Color       string `json:"color"`
}

// ThumbsUp is the issue's 👍 reactions.
func (is Issue) ThumbsUp() int64 {
	var n int64
	for _, g := range is.ReactionGroups {
		if g.Content == "THUMBS_UP" {
			n += g.Users.TotalCount
		}
	}
	return n
}

// issueURL is the address of a GitHub issue (or, should gh export them
// one day, a discussion).
var issueURL = regexp.MustCompile(`^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/(issues|discussions)/[0-9]+$`)

// ReadExport parses a gh export named file (for messages), checking every
// issue; the first problem is an *InputError naming its line.
func ReadExport(file string, r io.Reader) ([]Issue, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("feedback: reading %s: %w", file, err)
	}
	bad := func(offset int64, format string, args ...any) error {
		return &InputError{File: file, Line: lineAt(data, offset), Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxExportBytes {
		return nil, bad(0, "larger than %d MiB; export fewer issues (gh --limit)", MaxExportBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, bad(errorOffset(err, 0, 0), "not a gh issue export: it must be a JSON array of issues (gh issue list --json number,title,body,labels,reactionGroups,createdAt,url)")
	}
	var issues []Issue
	seen := map[string]int{}
	for dec.More() {
		offset := dec.InputOffset() // a type error counts from here
		start := elementStart(data, offset)
		var is Issue
		if err := dec.Decode(&is); err != nil {
			return nil, bad(errorOffset(err, offset, start), "issue %d: %s", len(issues)+1, jsonProblem(err))
		}
		line := lineAt(data, start)
		if err := is.check(); err != nil {
			return nil, bad(start, "issue %d (#%d): %v", len(issues)+1, is.Number, err)
		}
		if first, dup := seen[is.URL]; dup {
			return nil, bad(start, "issue %d: %s is listed twice (first on line %d)", len(issues)+1, is.URL, first)
		}
		seen[is.URL] = line
		issues = append(issues, is)
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(errorOffset(err, 0, int64(len(data))), "the array of issues does not end: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad(dec.InputOffset(), "text after the array of issues")
	}
	return issues, nil
}

// check applies the import's rules to one issue.
func (is Issue) check() error {
	switch {
	case is.Number < 1:
		return errors.New("number: must be a positive whole number")
	case strings.TrimSpace(is.Title) == "":
		return errors.New("title: must not be empty")
	case !issueURL.MatchString(is.URL) || !strings.HasSuffix(is.URL, fmt.Sprintf("/%d", is.Number)):
		return fmt.Errorf("url: must be the issue's address, https://github.com/OWNER/REPO/issues/%d", is.Number)
	case is.CreatedAt.IsZero():
		return errors.New("createdAt: is required (export it with --json ...,createdAt,...)")
	}
	for _, g := range is.ReactionGroups {
		if g.Users.TotalCount < 0 {
			return fmt.Errorf("reactionGroups: %s has a negative count", g.Content)
		}
	}
	return nil
}

// elementStart is where the array element after offset begins: past
// white space and the comma.
func elementStart(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// errorOffset is where a JSON error is: a syntax error's own offset (the
// decoder counts from the start of the input), a type error's from
// offset (where the decoder stood before the value), else start.
func errorOffset(err error, offset, start int64) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return offset + te.Offset
	}
	return start
}

// jsonProblem says what encoding/json found wrong, in the export's words.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: must be %s, not a JSON %s", te.Field, goKind(te.Type.Kind().String()), te.Value)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends in the middle of it"
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return "createdAt: must be an RFC 3339 time, as gh writes it"
	}
	return err.Error()
}

func goKind(k string) string {
	switch k {
	case "int", "int64":
		return "a whole number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	}
	return k
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// Items turns the feature requests among issues into what the store
// keeps, scrubbed, received at now (an issue already imported keeps its
// first import's time). skipped counts the issues that are not feature
// requests.
func (m *Mapping) Items(issues []Issue, s Scrubber, now time.Time) (items []store.FeedbackItem, skipped int, err error) {
	for _, is := range issues {
		if !m.IsRequest(is) {
			skipped++
			continue
		}
		title, err := s.text(is.Title)
		if err != nil {
			return nil, 0, err
		}
		title = report.CutChars(strings.TrimSpace(title), report.MaxFeedbackChars)
		features := m.Features(is, title)
		items = append(items, store.FeedbackItem{Key: "github:" + is.URL, Source: store.SourceGitHub, Received: now,
			Message: title, URL: is.URL, Requests: features, Votes: is.ThumbsUp() + 1})
	}
	return items, skipped, nil
}

// text scrubs one text; a panic of the scrubber is ErrScrub.
func (s Scrubber) text(t string) (out string, err error) {
	f := report.Feedback{Message: t}
	if err := s.scrub(&f); err != nil {
		return "", err
	}
	return f.Message, nil
}

// ImportResult is what ImportGitHub did.
type ImportResult struct {
	store.ImportCounts
	Skipped int // issues that are not feature requests
}

// ImportGitHub reads a gh export named file from r and stores its feature
// requests, as m maps them, in one transaction: the whole file or nothing.
func ImportGitHub(ctx context.Context, st store.FeedbackStore, file string, r io.Reader, m *Mapping, now time.Time) (ImportResult, error) {
	issues, err := ReadExport(file, r)
	if err != nil {
		return ImportResult{}, err
	}
	items, skipped, err := m.Items(issues, Scrubber{}, now)
	if err != nil {
		return ImportResult{}, err
	}
	counts, err := st.ImportFeedback(ctx, items)
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{ImportCounts: counts, Skipped: skipped}, nil
}
