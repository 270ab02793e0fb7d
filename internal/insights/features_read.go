package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// VoteSource gives the feature requests and votes received in [from, to)
// (from clients' feedback and imported GitHub issues); store.Store is one.
type VoteSource interface {
	FeatureVotes(ctx context.Context, from, to time.Time) ([]store.FeatureVote, error)
}

// Request sources, as the features answer names them.
const (
	RequestsNone     = "none"     // no feedback channel: every requests score is 0
	RequestsFeedback = "feedback" // votes from the client and GitHub
)

// Decisions answers the product questions of the rollups: which features
// matter, which algorithms need work, which features run together, and
// where adoption is heading. It reads rollups only, never raw reports,
// through the dashboard model: its periods, unions of installations, sums
// of counters and per-day series are those every other view shows.
type Decisions struct {
	Model *dashboard.Service
	// Votes, when set, gives the requests score (the service sets the
	// store's feedback); without it the score is 0 and answers say
	// "requests_source": "none".
	Votes VoteSource
	Settings

	cache forecastCache
}

// Settings are the operator's choices: the service's --priority-weights
// and --algorithm-* options.
type Settings struct {
	Weights    Weights
	Thresholds Thresholds
}

// DefaultSettings are the seed design's weights and thresholds.
func DefaultSettings() Settings {
	return Settings{Weights: DefaultWeights(), Thresholds: DefaultThresholds()}
}

// span is a period as the answers show it.
type span struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

func spanOf(p dashboard.Period) span {
	return span{From: p.From.String(), To: p.To.String(), Days: p.Days()}
}

// FeaturesAnswer is GET /api/v1/insights/features.
type FeaturesAnswer struct {
	span
	Weights        Weights    `json:"weights"`
	RequestsSource string     `json:"requests_source"`
	Features       []Priority `json:"features"`
}

// Features scores every feature over p.
func (d *Decisions) Features(ctx context.Context, p dashboard.Period) (*FeaturesAnswer, error) {
	w, err := d.Model.Window(ctx, p, rollup.DimAll, rollup.DimFeature)
	if err != nil {
		return nil, fmt.Errorf("insights: features: %w", err)
	}
	in := priorityInput(w)
	ans := &FeaturesAnswer{span: spanOf(p), Weights: d.Weights, RequestsSource: RequestsNone}
	if d.Votes != nil {
		votes, err := d.Votes.FeatureVotes(ctx, p.From.Time(), (p.To + 1).Time())
		if err != nil {
			return nil, fmt.Errorf("insights: feature votes: %w", err)
		}
		in.Votes = map[string]int64{}
		for _, v := range votes {
			in.Votes[v.Feature] += v.Total()
		}
		ans.RequestsSource = RequestsFeedback
	}
	ans.Features = Prioritize(in, d.Weights)
	return ans, nil
}

// priorityInput reads a window's active installations, each feature's
// and their improvements.
func priorityInput(w *dashboard.Window) PriorityInput {
	in := PriorityInput{Active: w.Active().GetCardinality(), All: improvementOf(w.Sum(rollup.DimAll, ""))}
	for _, name := range w.Keys(rollup.DimFeature) {
		in.Features = append(in.Features, FeatureUse{Name: name, Installations: w.Installs(rollup.DimFeature, name).GetCardinality(),
			Improvement: improvementOf(w.Sum(rollup.DimFeature, name))})
	}
	return in
}

func improvementOf(c rollup.Counters) Improvement {
	return Improvement{SumPct: float64(c.PerfSum) / rollup.PctScale, Reports: c.PerfN}
}
