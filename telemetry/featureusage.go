package telemetry

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/client"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// FeatureUse counts one feature's uses and successes
// (metrics.feature_usage).
type FeatureUse = report.FeatureUse

// UsageResult is what AddFeatureUsage did: whether the counts were kept,
// why not, and the feature names refused.
type UsageResult = client.UsageResult

// AddFeatureUsage adds IndexPilot's counts of feature uses and successes,
// by feature name, to those the next report carries, atomically and under
// the state folder's lock. They are kept only with telemetry on or local,
// consent to the schema version of feature usage, and
// collect_usage_stats not false; otherwise nothing is written and the
// result says why. Names outside the contract's pattern, and features
// past the most one report carries, are refused and named in the result.
func (c *Client) AddFeatureUsage(ctx context.Context, counts map[string]FeatureUse) (*UsageResult, error) {
	return c.c.AddFeatureUsage(ctx, counts)
}

// PendingFeatureUsage returns the counts the next report will carry,
// writing nothing.
func (c *Client) PendingFeatureUsage() map[string]FeatureUse { return c.c.PendingFeatureUsage() }
