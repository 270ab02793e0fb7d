package insights

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// RollupReader reads rollup rows; store.Store is one.
type RollupReader interface {
	Rollups(ctx context.Context, q store.RollupQuery) ([]*rollup.Row, error)
}

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
// where adoption is heading. It reads rollups only, never raw reports.
type Decisions struct {
	Rollups RollupReader
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

// Window is a span of whole UTC days, both ends included: the
// dashboard's period.
type Window = dashboard.Period

// span is a window as the answers show it.
type span struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

func spanOf(w Window) span { return span{From: w.From.String(), To: w.To.String(), Days: w.Days()} }

// FeaturesAnswer is GET /api/v1/insights/features.
type FeaturesAnswer struct {
	span
	Weights        Weights    `json:"weights"`
	RequestsSource string     `json:"requests_source"`
	Features       []Priority `json:"features"`
}

// Features scores every feature over w.
func (d *Decisions) Features(ctx context.Context, w Window) (*FeaturesAnswer, error) {
	rows, err := d.Rollups.Rollups(ctx, store.RollupQuery{From: w.From, To: w.To,
		Dims: []string{rollup.DimAll, rollup.DimFeature}, Bitmaps: true})
	if err != nil {
		return nil, fmt.Errorf("insights: features: %w", err)
	}
	in := priorityInput(rows)
	ans := &FeaturesAnswer{span: spanOf(w), Weights: d.Weights, RequestsSource: RequestsNone}
	if d.Votes != nil {
		votes, err := d.Votes.FeatureVotes(ctx, w.From.Time(), (w.To + 1).Time())
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

// priorityInput sums a window's all and feature rows.
func priorityInput(rows []*rollup.Row) PriorityInput {
	g := groupRows(rows)
	in := PriorityInput{Active: g.union(rollup.DimAll, "").GetCardinality(), All: improvementOf(g.rows[rollup.DimAll][""])}
	for _, name := range g.keys(rollup.DimFeature) {
		in.Features = append(in.Features, FeatureUse{Name: name, Installations: g.union(rollup.DimFeature, name).GetCardinality(),
			Improvement: improvementOf(g.rows[rollup.DimFeature][name])})
	}
	return in
}

func improvementOf(rows []*rollup.Row) Improvement {
	var m Improvement
	var sum int64
	for _, r := range rows {
		sum += r.PerfSum
		m.Reports += r.PerfN
	}
	m.SumPct = float64(sum) / rollup.PctScale
	return m
}

// grouped holds rollup rows by dimension and key.
type grouped struct {
	rows map[string]map[string][]*rollup.Row
}

func groupRows(rows []*rollup.Row) grouped {
	g := grouped{rows: map[string]map[string][]*rollup.Row{}}
	for _, r := range rows {
		if g.rows[r.Dim] == nil {
			g.rows[r.Dim] = map[string][]*rollup.Row{}
		}
		g.rows[r.Dim][r.Key.Key] = append(g.rows[r.Dim][r.Key.Key], r)
	}
	return g
}

func (g grouped) keys(dim string) []string {
	var out []string
	for k := range g.rows[dim] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// union is the installations of every day of dim/key.
func (g grouped) union(dim, key string) *roaring.Bitmap {
	var parts []*roaring.Bitmap
	for _, r := range g.rows[dim][key] {
		if r.Installs != nil {
			parts = append(parts, r.Installs)
		}
	}
	return roaring.FastOr(parts...)
}
