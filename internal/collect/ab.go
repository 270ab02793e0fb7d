package collect

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// abExperiment is one experiment's variants, keyed by its hashed name.
type abExperiment struct {
	hash     string
	variants []report.ABExperiment
	n        int64
}

// readABExperiments summarises A/B results per experiment and variant. The
// experiment name is hashed as soon as it is read. When there are more
// variants than the report may carry, whole experiments with the most
// measurements are kept, so that each kept one can still be tested.
func readABExperiments(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	rows, err := tx.Query(ctx, qABVariants, ids.after, ids.last)
	if err != nil {
		return err
	}
	byHash := map[string]*abExperiment{}
	var name string
	var v report.ABExperiment
	invalid := 0
	_, err = pgx.ForEachRow(rows, []any{&name, &v.Variant, &v.N, &v.MeanMS, &v.VarianceMS}, func() error {
		v.Experiment = Anonymize(c.salt, name)
		if !validVariant(v) {
			invalid++
			return nil
		}
		e := byHash[v.Experiment]
		if e == nil {
			e = &abExperiment{hash: v.Experiment}
			byHash[v.Experiment] = e
		}
		e.variants = append(e.variants, v)
		e.n += v.N
		return nil
	})
	if err != nil {
		return err
	}
	if invalid > 0 {
		c.note("metrics.ab_experiments: %d variant(s) left out: mean or variance outside the report's range", invalid)
	}
	c.result.Metrics.ABExperiments = keepLargest(byHash, report.MaxListEntries, c)
	return nil
}

// validVariant checks what report's validator checks for an entry.
func validVariant(v report.ABExperiment) bool {
	return inRange(v.MeanMS, 0, report.MaxLatencyMS) && inRange(v.VarianceMS, 0, float64(report.MaxLatencyMS)*report.MaxLatencyMS)
}

// keepLargest flattens experiments, largest first, into at most limit
// entries; ties are broken by hash so the output is deterministic.
func keepLargest(byHash map[string]*abExperiment, limit int, c *collection) []report.ABExperiment {
	exps := make([]*abExperiment, 0, len(byHash))
	for _, e := range byHash {
		sort.Slice(e.variants, func(i, j int) bool { return e.variants[i].Variant < e.variants[j].Variant })
		exps = append(exps, e)
	}
	sort.Slice(exps, func(i, j int) bool {
		if exps[i].n != exps[j].n {
			return exps[i].n > exps[j].n
		}
		return exps[i].hash < exps[j].hash
	})
	var out []report.ABExperiment
	dropped := 0
	for _, e := range exps {
		if len(out)+len(e.variants) > limit {
			dropped++
			continue
		}
		out = append(out, e.variants...)
	}
	if dropped > 0 {
		c.note("metrics.ab_experiments: %d smaller experiment(s) left out: the report carries at most %d variants", dropped, limit)
	}
	return out
}
