package report

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The feedback contract (docs/feedback.md): a message a user typed, an
// optional rating and optional feature requests. Like an error report it
// carries free text, which the client scrubs before showing and sending
// it and the server scrubs again before storing it; this package only
// checks and bounds it. Unlike a report, feedback is refused rather than
// truncated when it is too long: the user is there to shorten it.

// Limits of the feedback contract.
const (
	MaxFeedbackChars       = 2000 // message, in characters (Unicode code points)
	MaxFeatureRequests     = 5    // feature requests in one feedback
	MaxFeatureRequestChars = 80   // one feature request: a name or a short title
	MinRating, MaxRating   = 1, 5
)

// Features are IndexPilot's feature switches (indexpilot_config.yaml's
// bypass.features and features sections): a feature request that names
// one, in any case and with spaces or hyphens for its underscores, is
// counted under that name.
var Features = []string{
	"approval_workflow", "auto_indexing", "auto_rollback", "cortex", "expression_checks", "mutation_logging",
	"predictive_indexing", "qpg", "stats_collection", "workload_analysis", "xgboost",
}

// Feedback is one feedback a user sends. Only Message is required.
// InstallationID links it to an installation and is accepted only with
// that installation's key; FeedbackID makes a retried send count once;
// Timestamp dates it and is accepted only from a fleet key (simulators
// and importers backfilling history), else the service's clock dates it.
type Feedback struct {
	Message         string   `json:"message"`
	Rating          int      `json:"rating,omitempty"` // 1 to 5; 0 is none
	FeatureRequests []string `json:"feature_requests,omitempty"`
	Version         string   `json:"version,omitempty"`
	InstallationID  string   `json:"installation_id,omitempty"`
	FeedbackID      string   `json:"feedback_id,omitempty"`
	Timestamp       string   `json:"timestamp,omitempty"`
}

// feedbackKnown lists the fields of a feedback; anything else is ignored
// (not stored) and named back to the sender.
var feedbackKnown = []string{"message", "rating", "feature_requests", "version", "installation_id", "feedback_id", "timestamp"}

// DecodedFeedback is a feedback that passed every rule, with its
// timestamp parsed (zero when it had none) and the fields left out.
type DecodedFeedback struct {
	Feedback
	Time    time.Time
	Ignored []string // unknown top-level fields, sorted
}

// DecodeFeedback parses and checks one feedback body (at most
// MaxBodyBytes, after decompression). now is the
// service's clock and retention how old a timestamp may be. A rule broken
// is a *FieldError naming the field.
func DecodeFeedback(body []byte, now time.Time, retention time.Duration) (*DecodedFeedback, error) {
	top, err := topLevel(body, []string{"message"})
	if err != nil {
		return nil, err
	}
	d := &DecodedFeedback{}
	for _, k := range sortedKeys(top) {
		if !slices.Contains(feedbackKnown, k) {
			d.Ignored = append(d.Ignored, k)
			continue
		}
		if err := d.field(k, top[k]); err != nil {
			return nil, err
		}
	}
	if err := d.checkTime(now, retention); err != nil {
		return nil, err
	}
	return d, d.Validate()
}

// field decodes one known field into d; null is the same as absent.
func (d *DecodedFeedback) field(k string, raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	f := &d.Feedback
	switch k {
	case "rating":
		canon, err := wholeIn(k, raw, MinRating, MaxRating)
		if err != nil {
			return err
		}
		return json.Unmarshal(canon, &f.Rating) // a whole number in range: cannot fail
	case "feature_requests":
		if json.Unmarshal(raw, &f.FeatureRequests) != nil {
			return fieldErr(k, "must be an array of strings (got %s)", kind(raw))
		}
		return nil
	}
	dst := map[string]*string{"message": &f.Message, "version": &f.Version, "installation_id": &f.InstallationID,
		"feedback_id": &f.FeedbackID, "timestamp": &f.Timestamp}[k]
	if json.Unmarshal(raw, dst) != nil {
		return fieldErr(k, "must be a string (got %s)", kind(raw))
	}
	return nil
}

func (d *DecodedFeedback) checkTime(now time.Time, retention time.Duration) error {
	if d.Timestamp == "" {
		return nil
	}
	t, err := ParseTime(d.Timestamp)
	switch {
	case err != nil:
		return fieldErr("timestamp", "must be an RFC 3339 date-time, e.g. 2026-11-20T10:00:00Z (no offset means UTC)")
	case t.After(now.Add(MaxFutureSkew)):
		return fieldErr("timestamp", "must not be more than %s in the future", MaxFutureSkew)
	case retention > 0 && t.Before(now.Add(-retention)):
		return fieldErr("timestamp", "must not be older than the feedback retention (%d days)", int(retention.Hours()/24))
	}
	d.Time = t.Truncate(time.Microsecond)
	d.Timestamp = d.Time.Format(time.RFC3339Nano)
	return nil
}

// Validate checks the rules that do not depend on the clock and puts the
// text in its canonical form in place: control characters replaced, the
// message trimmed, feature requests normalised (NormalizeFeature) and
// deduplicated, report_id-style ids lower-cased. The client calls it on
// what the user typed and again after scrubbing; the server after
// decoding and again after its own scrubbing.
func (f *Feedback) Validate() error {
	f.Message = strings.TrimSpace(cleanText(f.Message))
	switch n := utf8.RuneCountInString(f.Message); {
	case n == 0:
		return fieldErr("message", "must not be empty")
	case n > MaxFeedbackChars:
		return fieldErr("message", "must be at most %d characters (got %d)", MaxFeedbackChars, n)
	}
	if f.Rating != 0 && (f.Rating < MinRating || f.Rating > MaxRating) {
		return fieldErr("rating", "must be a whole number between %d and %d (got %d)", MinRating, MaxRating, f.Rating)
	}
	if err := f.validateRequests(); err != nil {
		return err
	}
	if f.Version != "" && !versionPattern.MatchString(f.Version) {
		return fieldErr("version", "must match %s", versionPattern)
	}
	if f.InstallationID != "" && !installationIDPattern.MatchString(f.InstallationID) {
		return fieldErr("installation_id", "must match %s", installationIDPattern)
	}
	if f.FeedbackID != "" {
		if !uuidPattern.MatchString(f.FeedbackID) {
			return fieldErr("feedback_id", "must be a UUID in its 36-character form")
		}
		f.FeedbackID = strings.ToLower(f.FeedbackID)
	}
	return nil
}

func (f *Feedback) validateRequests() error {
	if n := len(f.FeatureRequests); n > MaxFeatureRequests {
		return fieldErr("feature_requests", "must hold at most %d requests (got %d)", MaxFeatureRequests, n)
	}
	out := make([]string, 0, len(f.FeatureRequests))
	for i, r := range f.FeatureRequests {
		r = NormalizeFeature(r)
		switch n := utf8.RuneCountInString(r); {
		case n == 0:
			return fieldErr("feature_requests", "request %d must not be empty", i+1)
		case n > MaxFeatureRequestChars:
			return fieldErr("feature_requests", "request %d must be at most %d characters (got %d)", i+1, MaxFeatureRequestChars, n)
		}
		if !slices.Contains(out, r) { // one feedback, one vote per feature
			out = append(out, r)
		}
	}
	f.FeatureRequests = nil
	if len(out) > 0 {
		f.FeatureRequests = out
	}
	return nil
}

// CutChars keeps at most limit characters of s, ending a cut text with
// TruncationMarker: how text that scrubbing lengthened past a limit is
// kept (the sender kept to the limit, so it is not refused).
func CutChars(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	keep := limit - utf8.RuneCountInString(TruncationMarker)
	s = strings.TrimSuffix(s, TruncationMarker)
	for i := range s {
		if keep == 0 {
			return s[:i] + TruncationMarker
		}
		keep--
	}
	return s + TruncationMarker
}

// NormalizeFeature is the form a feature request is counted under: white
// space collapsed and trimmed, and a request that names one of Features
// (in any case, with spaces or hyphens for underscores) replaced by that
// name. Any other request is a short free-text title, kept as typed.
func NormalizeFeature(s string) string {
	s = strings.Join(strings.FieldsFunc(cleanText(s), unicode.IsSpace), " ")
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, s)
	if slices.Contains(Features, name) {
		return name
	}
	return s
}
