package fleet

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// The fleet's users also talk (docs/feedback.md): some send feedback with
// indexpilot-telemetry feedback, rating how well their release works and
// asking for features, and the project's GitHub issues hold feature
// requests with 👍 votes. Both are pure functions of the Config, like the
// reports, so the demo's Feedback view shows the same thing every time.

// kindFeedback is the random stream of an installation's feedback (the
// other kinds are in rand.go).
const kindFeedback = 41

// feedbackShare is the share of installations that send feedback.
const feedbackShare = 0.12

// wish is a feature users ask for, and how often.
type wish struct {
	name   string
	weight float64
}

// wishes are what the simulated users want: more of some features
// IndexPilot has, and some it has not.
var wishes = []wish{
	{"auto_rollback", 6}, {"Support multi-column (composite) index candidates", 5}, {"predictive_indexing", 4},
	{"BRIN index support", 3}, {"workload_analysis", 3}, {"approval_workflow", 2},
	{"Prometheus metrics endpoint", 2}, {"Partial index candidates", 2}, {"qpg", 1},
}

// messages are what users write, by how well IndexPilot works for them.
var messages = [3][]string{
	{
		"Since the upgrade the auto-indexer proposes far more indexes than before and most of them are never used.",
		"Rollback removed an index our nightly report needs. Please look at longer observation windows.",
		"It keeps failing to connect with postgres://indexpilot:s3cret-pw@10.20.1.7:5432/prod and I had to turn it off.",
		"Too many recommendations on small tables; the advisory output is hard to act on.",
	},
	{
		"Works, but I would like to understand why an index was recommended.",
		"Good results on reads, but write-heavy tables get indexes they do not need.",
		"Fine so far. The approval workflow needs notifications, pending approvals sit for days.",
		"Decent. Composite indexes would help most of our slow queries.",
	},
	{
		"Cut our p95 latency by a third without touching the application. Thank you!",
		"Very happy with it; predictive indexing picked up our month-end workload.",
		"Great tool. Contact me at dba-team@example.org if you want a case study.",
		"Works very well on our multi-tenant database; the rollback gives us confidence to run apply mode.",
	},
}

// PlannedFeedback is one feedback of the simulated fleet.
type PlannedFeedback struct {
	Feedback     report.Feedback
	Time         time.Time
	Installation int
}

// GenerateFeedback lists the fleet's feedback, oldest first: a pure
// function of c's Installations, Days, Seed and Now.
func GenerateFeedback(c Config) []PlannedFeedback {
	p := newPlan(c.withDefaults())
	var out []PlannedFeedback
	for inst, pr := range p.profiles {
		if chance(p.seed, kindFeedback, inst, 0) >= feedbackShare {
			continue
		}
		first, last := max(pr.join, 0), min(pr.churn, p.days)-1
		if last < first {
			continue
		}
		r := stream(p.seed, kindFeedback, inst, 0)
		d := first + r.IntN(last-first+1)
		at := p.reportTime(inst, d).Add(time.Duration(r.IntN(3600)) * time.Second)
		if at.After(p.now) || at.Before(p.oldest) {
			continue
		}
		out = append(out, PlannedFeedback{Feedback: userFeedback(r, pr, pr.release(d), at), Time: at, Installation: inst})
	}
	slices.SortFunc(out, func(a, b PlannedFeedback) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Installation, b.Installation))
	})
	return out
}

// userFeedback is what one user of release rel says at a time.
func userFeedback(r *rand.Rand, pr *profile, rel release, at time.Time) report.Feedback {
	// A better release is rated higher; 1.1.0a8, the regression, lower.
	score := 3.4 + (rel.perf-16)/6 - (rel.errRate-1)*0.6 + 0.9*r.NormFloat64()
	rating := int(math.Min(5, math.Max(1, math.Round(score))))
	f := report.Feedback{Message: pick(r, messages[min((rating-1)*3/5, 2)]), FeedbackID: newUUID(r),
		Timestamp: at.Format(time.RFC3339Nano)}
	if r.Float64() < 0.8 {
		f.Rating = rating
	}
	if r.Float64() < 0.85 {
		f.Version = rel.version
	}
	if r.Float64() < 0.7 { // telemetry is on: the feedback names the installation
		f.InstallationID = pr.id
	}
	weights := make([]float64, len(wishes))
	for i, w := range wishes {
		weights[i] = w.weight
	}
	for n := pickWeighted(r, []float64{30, 40, 20, 10}); n > 0; n-- {
		i := pickWeighted(r, weights)
		weights[i] = 0 // once per feedback
		f.FeatureRequests = append(f.FeatureRequests, wishes[i].name)
	}
	return f
}

// FeedbackSummary is what SendFeedback did.
type FeedbackSummary struct {
	Sent, Stored, Duplicates int
}

// SendFeedback sends the fleet's feedback (GenerateFeedback) to c.Target
// through POST /api/v1/feedback with c.Key, which must be a fleet key:
// only a fleet key may date feedback in the past and name any
// installation. It stops at the first refusal or failure.
func SendFeedback(ctx context.Context, c Config) (FeedbackSummary, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return FeedbackSummary{}, err
	}
	if c.Key == "" {
		return FeedbackSummary{}, errors.New("fleet: feedback needs a fleet key, to date it")
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	s := &sender{target: c.Target, client: client, tally: &tally{}, stop: func(error) {}}
	var sum FeedbackSummary
	for _, pf := range GenerateFeedback(c) {
		body, err := json.Marshal(pf.Feedback)
		if err != nil {
			return sum, err
		}
		status, answer, _, err := s.do(ctx, func() (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target+"/api/v1/feedback", bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", c.Key)
			}
			return req, err
		})
		if err == nil && status != http.StatusCreated && status != http.StatusOK {
			err = statusError(status, answer)
		}
		if err != nil {
			return sum, fmt.Errorf("fleet: feedback of installation %d: %w", pf.Installation, err)
		}
		sum.Sent++
		if status == http.StatusOK {
			sum.Duplicates++
		} else {
			sum.Stored++
		}
	}
	return sum, nil
}
