package insights

import (
	"math"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/stats"
)

// sample is one side of a comparison: one version over some days.
type sample struct {
	version   string
	days      []rollup.Day
	c         rollup.Counters
	perfSumSq float64
	types     map[string]int64
	// errored are, per installation, its days with an errored report over
	// its days with a report: the unit of the error-rate test.
	errored   stats.Ratio
	installs  int // distinct installations
	errorFree int // of them, those without an errored report
}

// newSample sums version's days of h.
func newSample(h *ReleaseHistory, version string, days []rollup.Day) *sample {
	s := &sample{version: version, days: days, types: map[string]int64{}}
	var reported, errored []*roaring.Bitmap
	for _, d := range days {
		vd := h.Versions[version][d]
		if vd == nil {
			continue
		}
		s.c.Add(vd.Counters)
		s.perfSumSq += vd.PerfSumSq
		for t, n := range vd.ErrorTypes {
			s.types[t] += n
		}
		if vd.Reported != nil {
			reported = append(reported, vd.Reported)
		}
		if vd.Errored != nil {
			errored = append(errored, vd.Errored)
		}
	}
	s.unitCounts(reported, errored)
	return s
}

// unitCounts counts each installation's reported and errored days: dense
// arrays indexed by installation number, since the numbers are dense.
func (s *sample) unitCounts(reported, errored []*roaring.Bitmap) {
	var top uint32
	for _, b := range reported {
		if !b.IsEmpty() {
			top = max(top, b.Maximum())
		}
	}
	days := make([]uint16, top+1)
	bad := make([]uint16, top+1)
	buf := make([]uint32, 1024)
	count := func(bs []*roaring.Bitmap, into []uint16) {
		for _, b := range bs {
			it := b.ManyIterator()
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for _, x := range buf[:n] {
					if x <= top {
						into[x]++
					}
				}
			}
		}
	}
	count(reported, days)
	count(errored, bad)
	var num, den []float64
	for i, n := range days {
		if n == 0 {
			continue
		}
		num, den = append(num, float64(min(bad[i], n))), append(den, float64(n))
		if bad[i] == 0 {
			s.errorFree++
		}
	}
	s.installs = len(den)
	s.errored = stats.NewRatio(num, den)
}

// errorRate is the share of the sample's reports with an error (the
// dashboard's error rate, as a fraction).
func (s *sample) errorRate() *float64 { return fraction(dashboard.ErrorRatePct(s.c)) }

// improvement is the sample's average performance improvement, with its
// installations as the independent units.
func (s *sample) improvement() stats.Mean {
	return stats.MeanOf(float64(s.c.PerfSum)/rollup.PctScale, s.perfSumSq, float64(s.c.PerfN), float64(s.installs))
}

func (s *sample) avgImprovement() *float64 { return dashboard.AvgImprovement(s.c) }

func (s *sample) latency() *Latency {
	p50, p95, p99, n := dashboard.MeanLatency(s.c)
	if n == 0 {
		return nil
	}
	return &Latency{P50: p50, P95: p95, P99: p99}
}

// fraction turns a percentage into a fraction.
func fraction(pct *float64) *float64 {
	if pct == nil {
		return nil
	}
	return ptr(*pct / 100)
}

func (s *sample) errorsPerReport() map[string]float64 {
	out := map[string]float64{}
	if s.c.Reports == 0 {
		return out
	}
	for t, n := range s.types {
		out[t] = float64(n) / float64(s.c.Reports)
	}
	return out
}

func ptr(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
