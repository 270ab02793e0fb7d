package experiment

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Reading an experiment's raw reports costs a JSON extraction per report
// (seconds for 20,000 installations over 30 days: BENCHMARKS.md), but a
// day's reports rarely change once the day is over. The service therefore
// keeps, in memory, each day's rows with the number of reports the day
// had (store.ReportDayCounts, from an index) and reads again only the
// days whose count changed: today, a day a late report reached, a day an
// erasure touched. A day is read again after maxRowAge in any case, so
// that an erasure and a late report that leave a day's count as it was are
// seen within the hour. Nothing is kept on disk.

// maxRowAge is the longest a day's rows are kept without reading them again.
const maxRowAge = time.Hour

// maxCachedExperiments bounds the memory: past it the cache starts afresh.
const maxCachedExperiments = 32

// rowCache is the cache of every experiment the service analysed.
type rowCache struct {
	mu  sync.Mutex
	exp map[string]*cachedExperiment
}

type cachedExperiment struct {
	metric string
	days   map[rollup.Day]cachedDay
}

type cachedDay struct {
	reports int64 // the day's reports, all experiments, when it was read
	read    time.Time
	rows    []store.UnitDay
}

// rows returns experiment e's rows of days from..to, in day order,
// reading from the store only the days whose reports changed.
func (c *rowCache) rows(ctx context.Context, st store.Experiments, e store.Experiment, from, to rollup.Day, now time.Time) ([]store.UnitDay, error) {
	counts, err := st.ReportDayCounts(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("experiment: analyse %s: %w", e.Name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ce := c.experiment(e)
	for d := range ce.days {
		if d < from || d > to {
			delete(ce.days, d)
		}
	}
	fresh := func(d rollup.Day) bool {
		cd, ok := ce.days[d]
		return ok && cd.reports == counts[d] && now.Sub(cd.read) < maxRowAge
	}
	for d := from; d <= to; d++ {
		if fresh(d) {
			continue
		}
		end := d
		for end < to && !fresh(end+1) {
			end++
		}
		if err := ce.read(ctx, st, e, d, end, counts, now); err != nil {
			return nil, err
		}
		d = end
	}
	n := 0
	for d := from; d <= to; d++ {
		n += len(ce.days[d].rows)
	}
	out := make([]store.UnitDay, 0, n)
	for d := from; d <= to; d++ {
		out = append(out, ce.days[d].rows...)
	}
	return out, nil
}

func (c *rowCache) experiment(e store.Experiment) *cachedExperiment {
	if c.exp == nil || len(c.exp) >= maxCachedExperiments && c.exp[e.Name] == nil {
		c.exp = map[string]*cachedExperiment{}
	}
	ce := c.exp[e.Name]
	if ce == nil || ce.metric != e.Metric {
		ce = &cachedExperiment{metric: e.Metric, days: map[rollup.Day]cachedDay{}}
		c.exp[e.Name] = ce
	}
	return ce
}

// read reads days from..to and keeps each with its count.
func (ce *cachedExperiment) read(ctx context.Context, st store.Experiments, e store.Experiment, from, to rollup.Day,
	counts map[rollup.Day]int64, now time.Time) error {
	rows, err := st.ExperimentUnitDays(ctx, store.ExperimentQuery{Name: e.Name, Metric: e.Metric, From: from, To: to})
	if err != nil {
		return fmt.Errorf("experiment: analyse %s: %w", e.Name, err)
	}
	for d := from; d <= to; d++ {
		ce.days[d] = cachedDay{reports: counts[d], read: now}
	}
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Day == rows[i].Day {
			j++
		}
		ce.days[rows[i].Day] = cachedDay{reports: counts[rows[i].Day], read: now, rows: rows[i:j:j]}
		i = j
	}
	return nil
}
