package feedback

import (
	"context"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Summary is the answer of GET /api/v1/feedback and what the Feedback
// page shows: the feedback received over whole UTC days, From to To.
type Summary struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Days     int      `json:"days"`
	Version  string   `json:"version,omitempty"`
	Versions []string `json:"versions"`
	// Total is the feedback received (of the version), Latest lists the
	// newest of it.
	Total    int64  `json:"total"`
	Feedback []Item `json:"feedback"`
	// Ratings counts the feedback per rating, "1" to "5".
	Ratings       map[string]int64 `json:"ratings"`
	Rated         int64            `json:"rated"`
	AverageRating *float64         `json:"average_rating"`
	RatingsByDay  []DayRatings     `json:"ratings_by_day"`
	// FeatureRequests are the votes per requested feature, the most voted
	// first: telemetry clients' requests and GitHub issues' votes.
	FeatureRequests []Votes `json:"feature_requests"`
}

// Item is one feedback as listed.
type Item struct {
	ID              int64    `json:"id"`
	Received        string   `json:"received"` // RFC 3339, UTC
	Message         string   `json:"message"`
	Rating          *int     `json:"rating"`
	FeatureRequests []string `json:"feature_requests"`
	Version         string   `json:"version"`
	Source          string   `json:"source"` // client or github
	URL             string   `json:"url,omitempty"`
	Votes           int64    `json:"votes"`
}

// DayRatings is one UTC day's ratings: Counts[0] counts the 1s.
type DayRatings struct {
	Day     string   `json:"day"`
	Counts  [5]int64 `json:"counts"`
	Average *float64 `json:"average"`
}

// Votes is one requested feature's votes.
type Votes struct {
	Feature string `json:"feature"`
	Votes   int64  `json:"votes"`
	Client  int64  `json:"client"`
	GitHub  int64  `json:"github"`
}

// Query selects a summary: the last Days UTC days up to today, of one
// Version (all when empty), listing at most Limit feedback.
type Query struct {
	Days    int
	Version string
	Limit   int
}

// Service reads summaries from a store.
type Service struct {
	Store store.FeedbackStore
}

// Summary summarises the feedback q selects, as of now.
func (s *Service) Summary(ctx context.Context, now time.Time, q Query) (*Summary, error) {
	to := rollup.DayOf(now)
	from := to - rollup.Day(q.Days) + 1
	w, err := s.Store.FeedbackWindow(ctx, store.FeedbackQuery{From: from.Time(), To: (to + 1).Time(),
		Version: q.Version, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	sum := &Summary{From: from.String(), To: to.String(), Days: q.Days, Version: q.Version, Versions: orEmpty(w.Versions),
		Total: w.Total, Feedback: items(w.Latest), Ratings: map[string]int64{}, FeatureRequests: votes(w.Votes)}
	for r := 1; r <= 5; r++ {
		sum.Ratings[strconv.Itoa(r)] = 0
	}
	sum.RatingsByDay = make([]DayRatings, q.Days)
	for i := range sum.RatingsByDay {
		sum.RatingsByDay[i].Day = (from + rollup.Day(i)).String()
	}
	var total int64
	for _, c := range w.Ratings {
		sum.Ratings[strconv.Itoa(c.Rating)] += c.N
		sum.Rated += c.N
		total += c.N * int64(c.Rating)
		if i := int(c.Day - from); i >= 0 && i < q.Days {
			sum.RatingsByDay[i].Counts[c.Rating-1] += c.N
		}
	}
	sum.AverageRating = average(total, sum.Rated)
	for i := range sum.RatingsByDay {
		d := &sum.RatingsByDay[i]
		var n, t int64
		for r, c := range d.Counts {
			n, t = n+c, t+c*int64(r+1)
		}
		d.Average = average(t, n)
	}
	return sum, nil
}

// average is total/n to two decimals, or nil when n is 0.
func average(total, n int64) *float64 {
	if n == 0 {
		return nil
	}
	a := float64(int64(float64(total)/float64(n)*100+0.5)) / 100
	return &a
}

func items(list []store.StoredFeedback) []Item {
	out := make([]Item, len(list))
	for i, f := range list {
		out[i] = Item{ID: f.ID, Received: f.Received.UTC().Format(time.RFC3339), Message: f.Message,
			FeatureRequests: orEmpty(f.FeatureRequests), Version: f.Version, Source: f.Source, URL: f.URL, Votes: f.Votes}
		if f.Rating != 0 {
			r := f.Rating
			out[i].Rating = &r
		}
	}
	return out
}

func votes(list []store.FeatureVote) []Votes {
	out := make([]Votes, len(list))
	for i, v := range list {
		out[i] = Votes{Feature: v.Feature, Votes: v.Total(), Client: v.Client, GitHub: v.GitHub}
	}
	return out
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
