package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/feedback"
)

// The Feedback page: what users said (ratings over time, the most
// requested features with telemetry requests and GitHub votes side by
// side, the latest messages), rendered here in full; web/static/feedback.js
// draws the two charts from GET /api/v1/feedback with the same query.
// Messages are user text: html/template escapes them, and the script
// never touches them.

// feedbackPageLimit is how many of the latest messages the page lists.
const feedbackPageLimit = 50

// feedbackPeriods are the periods the page offers, besides the one asked.
var feedbackPeriods = []int{7, 30, 90, 365}

type feedbackPage struct {
	Sum      *feedback.Summary
	Error    string
	API      string // the script's data URL
	Periods  []option
	Versions []option
	Cards    []card
	Charts   []chartView // the ratings and the requests; ids match feedback.js
	Items    []feedbackItem
}

// feedbackItem is one message as listed.
type feedbackItem struct {
	feedback.Item
	Day, Stars, RatingText string
}

// feedbackPage serves GET /feedback to admins; others go to the sign-in
// form, which brings them back.
func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.signedIn(w, r); !ok || err != nil {
		return err
	}
	status, problem := http.StatusOK, ""
	q, err := s.feedbackQuery(r)
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		status, problem = http.StatusBadRequest, ae.Message
		q = feedback.Query{Days: 30, Limit: feedbackPageLimit}
	case err != nil:
		return err
	case r.URL.Query().Get("limit") == "":
		q.Limit = feedbackPageLimit
	}
	sum, err := s.feedback.summaries.Summary(r.Context(), s.now(), q)
	if err != nil {
		return unavailable(err)
	}
	return render(w, status, "feedback", newFeedbackPage(sum, problem))
}

func newFeedbackPage(sum *feedback.Summary, problem string) *feedbackPage {
	api := url.Values{"days": {strconv.Itoa(sum.Days)}, "limit": {"0"}}
	if sum.Version != "" {
		api.Set("version", sum.Version)
	}
	p := &feedbackPage{Sum: sum, Error: problem, API: "/api/v1/feedback?" + api.Encode(),
		Versions: versionOptions(sum.Versions, sum.Version), Cards: feedbackCards(sum),
		Charts: []chartView{ratingsChart(sum), requestsChart(sum)}}
	found := false
	for _, d := range feedbackPeriods {
		found = found || d == sum.Days
		p.Periods = append(p.Periods, option{Value: strconv.Itoa(d), Label: "Last " + strconv.Itoa(d) + " days", Selected: d == sum.Days})
	}
	if !found {
		p.Periods = append(p.Periods, option{Value: strconv.Itoa(sum.Days), Label: "Last " + strconv.Itoa(sum.Days) + " days", Selected: true})
	}
	for _, it := range sum.Feedback {
		p.Items = append(p.Items, feedbackItem{Item: it, Day: it.Received[:10], Stars: stars(it.Rating), RatingText: ratingText(it.Rating)})
	}
	return p
}

func feedbackCards(sum *feedback.Summary) []card {
	var votes, github int64
	for _, v := range sum.FeatureRequests {
		votes, github = votes+v.Votes, github+v.GitHub
	}
	avg := "–"
	if sum.AverageRating != nil {
		avg = dashboard.FormatDecimal(*sum.AverageRating) + " / 5"
	}
	return []card{
		{ID: "feedback_total", Label: "Feedback received", Value: dashboard.FormatCount(sum.Total)},
		{ID: "feedback_rated", Label: "With a rating", Value: dashboard.FormatCount(sum.Rated)},
		{ID: "feedback_average", Label: "Average rating", Value: avg},
		{ID: "feedback_votes", Label: "Feature votes (of them from GitHub)", Value: dashboard.FormatCount(votes) + " (" + dashboard.FormatCount(github) + ")"},
	}
}

// ratingsChart is the ratings per day, as the script draws them.
func ratingsChart(sum *feedback.Summary) chartView {
	c := chartView{ID: "ratings", Title: "Ratings over time",
		Desc:  "Feedback per day by rating (how well IndexPilot works, 1 to 5), and the day's average.",
		Head:  []string{"Day (UTC)", "1", "2", "3", "4", "5", "Average"},
		Empty: sum.Rated == 0}
	for _, d := range sum.RatingsByDay {
		row := []string{d.Day}
		for _, n := range d.Counts {
			row = append(row, dashboard.FormatCount(n))
		}
		avg := "–"
		if d.Average != nil {
			avg = dashboard.FormatDecimal(*d.Average)
		}
		c.Rows = append(c.Rows, append(row, avg))
	}
	return c
}

// requestsChart is the votes per requested feature.
func requestsChart(sum *feedback.Summary) chartView {
	c := chartView{ID: "requests", Title: "Most requested features",
		Desc: "Votes per feature: requests sent with indexpilot-telemetry feedback, and GitHub feature requests (thumbs-up reactions + 1 each).",
		Head: []string{"Feature", "Votes", "From users (feedback)", "From GitHub"}, Empty: len(sum.FeatureRequests) == 0}
	if sum.Version != "" {
		c.Note = "GitHub votes carry no version: they are counted whatever the version filter."
	}
	for _, v := range sum.FeatureRequests {
		c.Rows = append(c.Rows, []string{v.Feature, dashboard.FormatCount(v.Votes), dashboard.FormatCount(v.Client), dashboard.FormatCount(v.GitHub)})
	}
	return c
}

func stars(r *int) string {
	if r == nil {
		return ""
	}
	return strings.Repeat("★", *r) + strings.Repeat("☆", 5-*r)
}

func ratingText(r *int) string {
	if r == nil {
		return "no rating"
	}
	return "rated " + strconv.Itoa(*r) + " of 5"
}
