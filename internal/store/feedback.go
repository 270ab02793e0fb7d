package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Feedback (docs/feedback.md) is what users send with
// `indexpilot-telemetry feedback` (POST /api/v1/feedback), and the feature
// requests imported from a GitHub issue export. Its free text is scrubbed
// twice before it gets here and lives in three named columns only:
// feedback.message, feedback.url and feedback_features.feature (plus
// feedback.version, from a fixed pattern). The address a feedback came
// from is never stored; an installation only when the feedback was sent
// with its key, and deleting the installation deletes its feedback.

// Feedback sources.
const (
	SourceClient = "client" // a user, through the API
	SourceGitHub = "github" // an imported GitHub issue
)

// FeedbackStore is the store's part for feedback; Store embeds it.
type FeedbackStore interface {
	// AddFeedback stores one feedback and returns its id. A feedback whose
	// Key is stored already (a retried send) is not stored again: its id
	// is returned with inserted false.
	AddFeedback(ctx context.Context, it FeedbackItem) (id int64, inserted bool, err error)
	// ImportFeedback stores imported items in one transaction: an item
	// whose Key is new is added, one whose stored copy differs (title,
	// votes, requested features) is updated and keeps its received time,
	// one equal to its stored copy is left alone.
	ImportFeedback(ctx context.Context, items []FeedbackItem) (ImportCounts, error)
	// FeedbackWindow reads what the feedback API and page show for q, in
	// one snapshot.
	FeedbackWindow(ctx context.Context, q FeedbackQuery) (*FeedbackWindow, error)
	// FeatureVotes returns the votes per requested feature name among feedback received in [from, to): each
	// feature request in a client's feedback counts one vote (Client), each imported GitHub issue counts its
	// 👍 reactions plus one (GitHub).
	FeatureVotes(ctx context.Context, from, to time.Time) ([]FeatureVote, error)
	// FeedbackOf returns the feedback sent with an installation's key,
	// oldest first (none for an unknown installation).
	FeedbackOf(ctx context.Context, installationID string) ([]StoredFeedback, error)
	// RetainFeedback deletes feedback received before the given time and
	// returns how many it deleted.
	RetainFeedback(ctx context.Context, before time.Time) (int64, error)
}

// FeedbackItem is one scrubbed feedback to store.
type FeedbackItem struct {
	// Key makes storing idempotent: "client:" and the feedback_id, or
	// "github:" and the URL. Empty: none, every send is new.
	Key            string
	Source         string
	Received       time.Time
	InstallationID string // empty: not linked to an installation
	Version        string // empty: not given
	Rating         int    // 1 to 5; 0: none
	Message        string // scrubbed
	URL            string // an imported issue's address; empty for a client's
	// Requests are the requested features, each counting Votes votes: 1
	// for a client's feedback, a GitHub issue's 👍 reactions plus one.
	Requests []string
	Votes    int64
}

// StoredFeedback is one stored feedback, as the API lists it and an
// installation's export holds it.
type StoredFeedback struct {
	ID              int64     `json:"id"`
	Received        time.Time `json:"received"`
	Source          string    `json:"source"`
	Message         string    `json:"message"`
	Rating          int       `json:"rating,omitempty"`
	FeatureRequests []string  `json:"feature_requests"`
	Votes           int64     `json:"votes"`
	Version         string    `json:"version,omitempty"`
	URL             string    `json:"url,omitempty"`
}

// FeatureVote is the votes for one requested feature: from clients'
// feedback and from imported GitHub issues.
type FeatureVote struct {
	Feature        string
	Client, GitHub int64
}

// Total is all of a feature's votes.
func (v FeatureVote) Total() int64 { return v.Client + v.GitHub }

// SortVotes orders votes the most voted first, then by name.
func SortVotes(votes []FeatureVote) {
	slices.SortFunc(votes, func(a, b FeatureVote) int {
		return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(a.Feature, b.Feature))
	})
}

// ImportCounts is what ImportFeedback did.
type ImportCounts struct {
	Added, Updated, Unchanged int
}

// FeedbackQuery selects the feedback received in [From, To). With a
// Version, only feedback that named that version counts, except GitHub
// votes, which carry no version; Latest lists at most Limit feedback
// (none when Limit is 0).
type FeedbackQuery struct {
	From, To time.Time
	Version  string
	Limit    int
}

// FeedbackWindow is what FeedbackWindow returns.
type FeedbackWindow struct {
	Total    int64            // feedback in the window (of the version)
	Latest   []StoredFeedback // newest first
	Ratings  []RatingCount    // by day, then rating
	Votes    []FeatureVote    // the most voted first
	Versions []string         // the versions feedback named in the window, sorted
}

// RatingCount is how many feedback of one UTC day gave one rating.
type RatingCount struct {
	Day    rollup.Day
	Rating int
	N      int64
}

// FeedbackTx is what a backend provides, inside one write transaction,
// for AddFeedbackTx and ImportFeedbackTx.
type FeedbackTx interface {
	// InstallationNums returns the dense number of each installation id,
	// creating the installations not seen before, each held so that an
	// erasure cannot remove it under this transaction.
	InstallationNums(ctx context.Context, ids []string, now time.Time) (map[string]uint32, error)
	// InsertFeedback inserts a feedback and its requests unless its key
	// is stored, and returns its id and whether it inserted it. num is
	// its installation's number, nil when it has none.
	InsertFeedback(ctx context.Context, it FeedbackItem, num *uint32) (id int64, inserted bool, err error)
	// FeedbackByKey returns the stored feedback of a key, or ErrNotFound.
	FeedbackByKey(ctx context.Context, key string) (*StoredFeedback, error)
	// UpdateFeedback replaces the message, URL, votes and requests of the
	// stored feedback id with it's.
	UpdateFeedback(ctx context.Context, id int64, it FeedbackItem) error
}

// AddFeedbackTx stores it through tx, numbering its installation first
// when it has one.
func AddFeedbackTx(ctx context.Context, tx FeedbackTx, it FeedbackItem, now time.Time) (int64, bool, error) {
	var num *uint32
	if it.InstallationID != "" {
		nums, err := tx.InstallationNums(ctx, []string{it.InstallationID}, now)
		if err != nil {
			return 0, false, err
		}
		n := nums[it.InstallationID]
		num = &n
	}
	id, inserted, err := tx.InsertFeedback(ctx, it, num)
	if err != nil || inserted {
		return id, inserted, err
	}
	old, err := tx.FeedbackByKey(ctx, it.Key)
	if err != nil {
		return 0, false, err
	}
	return old.ID, false, nil
}

// ImportFeedbackTx is ImportFeedback through tx.
func ImportFeedbackTx(ctx context.Context, tx FeedbackTx, items []FeedbackItem) (ImportCounts, error) {
	var n ImportCounts
	for _, it := range items {
		old, err := tx.FeedbackByKey(ctx, it.Key)
		switch {
		case errors.Is(err, ErrNotFound):
			_, _, err = tx.InsertFeedback(ctx, it, nil)
			n.Added++
		case err != nil:
		case sameFeedback(old, it):
			n.Unchanged++
		default:
			err = tx.UpdateFeedback(ctx, old.ID, it)
			n.Updated++
		}
		if err != nil {
			return ImportCounts{}, err
		}
	}
	return n, nil
}

// sameFeedback tells whether storing it over old would change anything
// an import can change.
func sameFeedback(old *StoredFeedback, it FeedbackItem) bool {
	return old.Message == it.Message && old.URL == it.URL && old.Votes == it.Votes &&
		slices.Equal(old.FeatureRequests, SortedRequests(it.Requests))
}

// SortedRequests returns the requests sorted, as the stores list them.
func SortedRequests(requests []string) []string {
	out := slices.Clone(requests)
	slices.Sort(out)
	return slices.Compact(out)
}
