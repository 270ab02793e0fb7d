package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Feature usage (metrics.feature_usage): IndexPilot counts each feature's
// uses and successes in its own memory (the Python package's
// track_feature_usage) and hands the counts over now and then;
// AddFeatureUsage adds them to feature_usage.json, and the next report
// built takes them. The file is bounded like the report field: at most
// report.MaxListEntries features, each count at most report.MaxCount.
//
// A report takes the counts in three steps, under the state folder's
// lock: the file is marked with the report's id, the report is kept (in
// the spool or local/), the file is removed. A crash between the first
// and the last leaves the mark, and the next reader settles it: when the
// report was kept, the counts went with it and are dropped; otherwise
// they are still to be reported.
const usageFile = "feature_usage.json"

// usageCounts is feature_usage.json.
type usageCounts struct {
	Features map[string]report.FeatureUse `json:"features,omitempty"`
	// TakenBy is the report_id of the report being kept with Features.
	TakenBy string `json:"taken_by,omitempty"`
}

// UsageResult is what AddFeatureUsage did.
type UsageResult struct {
	// Counting is true when the counts were kept: telemetry is on or
	// local, the user consented to the schema version of feature usage,
	// and collect_usage_stats is not false. Otherwise nothing was written,
	// and Reason says why.
	Counting bool
	Mode     Mode
	Reason   string
	// Dropped names the features refused: a name outside the contract's
	// pattern, counts that are not uses ≥ successes ≥ 0, or a feature past
	// the most a report carries.
	Dropped []string
}

// countsUsage says whether feature usage is counted under s, and why not.
func countsUsage(s *settings) (bool, string) {
	need := report.FieldSchema("metrics.feature_usage")
	switch {
	case s.mode == Off:
		return false, "telemetry is off (" + s.reason + ")"
	case s.consented < need:
		return false, fmt.Sprintf("feature usage belongs to schema version %d and the consent is to version %d; `indexpilot-telemetry on` consents to it",
			need, s.consented)
	case !s.collects(s.file.CollectUsageStats):
		return false, "collect_usage_stats: false in " + s.configPath
	}
	return true, ""
}

// AddFeatureUsage adds counts, by feature name, to those the next report
// takes. With telemetry off, without consent to feature usage, or with
// usage stats turned off, it writes nothing and says why.
func (c *Client) AddFeatureUsage(ctx context.Context, counts map[string]report.FeatureUse) (*UsageResult, error) {
	v := c.view()
	res := &UsageResult{Mode: v.s.mode}
	if err := v.err(); err != nil {
		res.Reason = err.Error()
		return res, err
	}
	if res.Counting, res.Reason = countsUsage(v.s); !res.Counting {
		return res, nil
	}
	v, unlock, err := c.viewLocked(ctx, v.f)
	if err != nil {
		return res, err
	}
	defer unlock()
	res.Mode = v.s.mode
	if res.Counting, res.Reason = countsUsage(v.s); !res.Counting || v.err() != nil {
		return res, v.err()
	}
	u, err := v.f.settledUsage()
	if err != nil {
		return res, err
	}
	res.Dropped = u.add(counts)
	return res, v.f.saveUsage(u)
}

// add adds counts to u and returns the names it refused.
func (u *usageCounts) add(counts map[string]report.FeatureUse) (dropped []string) {
	if u.Features == nil {
		u.Features = map[string]report.FeatureUse{}
	}
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		n := counts[name]
		cur, known := u.Features[name]
		switch {
		case !report.Matches("metrics.feature_usage", name), n.Uses < 0, n.Successes < 0, n.Successes > n.Uses,
			!known && len(u.Features) >= report.MaxListEntries:
			dropped = append(dropped, name)
		case n.Uses > 0:
			u.Features[name] = report.FeatureUse{Uses: min(cur.Uses+n.Uses, report.MaxCount),
				Successes: min(cur.Successes+n.Successes, report.MaxCount)}
		}
	}
	return dropped
}

// loadUsage reads feature_usage.json; none is no counts. A file that
// cannot be read as counts is dropped: it holds nothing that could be
// reported as it is.
func (f folder) loadUsage() (*usageCounts, error) {
	data, err := os.ReadFile(f.path(usageFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &usageCounts{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("client: reading %s: %w", f.path(usageFile), err)
	}
	u := &usageCounts{}
	if json.Unmarshal(data, u) != nil {
		return &usageCounts{}, nil
	}
	maps.DeleteFunc(u.Features, func(name string, n report.FeatureUse) bool {
		return !report.Matches("metrics.feature_usage", name) || n.Uses < 1 || n.Uses > report.MaxCount || n.Successes < 0 || n.Successes > n.Uses
	})
	return u, nil
}

// settledUsage reads the counts and settles a mark left by a report that
// was being kept: its counts are gone when it was.
func (f folder) settledUsage() (*usageCounts, error) {
	u, err := f.loadUsage()
	if err != nil || u.TakenBy == "" {
		return u, err
	}
	if f.kept(u.TakenBy) {
		u.Features = nil
	}
	u.TakenBy = ""
	return u, nil
}

// kept reports whether the report id is in one of the report folders.
func (f folder) kept(id string) bool {
	for _, dir := range []string{spoolDir, sentDir, rejectedDir, localDir} {
		if _, ok, _ := (box{f.path(dir)}).find(id); ok {
			return true
		}
	}
	return false
}

// saveUsage writes the counts atomically, or removes the file when there
// are none.
func (f folder) saveUsage(u *usageCounts) error {
	if len(u.Features) == 0 && u.TakenBy == "" {
		return f.removeUsage()
	}
	data, err := json.MarshalIndent(u, "", "  ")
	if err != nil {
		return fmt.Errorf("client: encoding the feature usage: %w", err)
	}
	return writeAtomic(f.path(usageFile), append(data, '\n'))
}

// removeUsage deletes the counts.
func (f folder) removeUsage() error {
	if err := os.Remove(f.path(usageFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("client: removing the feature usage: %w", err)
	}
	return nil
}

// pendingUsage returns the counts the next report takes, writing nothing:
// unreadable counts are none.
func (f folder) pendingUsage() map[string]report.FeatureUse {
	u, err := f.settledUsage()
	if err != nil {
		return nil
	}
	return u.Features
}

// takeUsage keeps b, which was built from the counts read before it: it
// marks them as taken by b, runs keep (which keeps b), and removes them.
// Counts the report left out (held back for want of consent, or turned
// off) go with the others: they are never sent. The caller holds the
// lock.
func (f folder) takeUsage(b *built, keep func() error) error {
	if len(b.usage) > 0 {
		if err := f.saveUsage(&usageCounts{Features: b.usage, TakenBy: b.id}); err != nil {
			return err
		}
	}
	if err := keep(); err != nil {
		return err // a mark is settled by the next reader: b was not kept
	}
	return f.removeUsage() // b took whatever was pending, a settled mark too
}

// PendingFeatureUsage returns the counts the next report takes, writing
// nothing; none without a state folder.
func (c *Client) PendingFeatureUsage() map[string]report.FeatureUse {
	if c.stateDirErr != nil {
		return nil
	}
	return folder{c.stateDir}.pendingUsage()
}
