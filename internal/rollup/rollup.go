package rollup

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Dimensions of the rollup. DimAll has the empty key.
const (
	DimAll       = "all"
	DimVersion   = "version"
	DimFeature   = "feature"
	DimAlgorithm = "algorithm"
	DimDecision  = "decision"
	DimError     = "error"
	DimPostgres  = "pg"
	DimOS        = "os"
	DimAB        = "ab"    // key: experiment "/" variant
	DimUsage     = "usage" // key: feature name; from metrics.feature_usage
	// DimVersionErrored counts a version's reports that carried an error:
	// its bitmap is the installations with an errored report of the
	// version that day, what release health tests with the installation
	// as the unit (error-free installations, errored days per
	// installation).
	DimVersionErrored = "version_errored"
	// DimVersionError counts one error type in one version's reports (key:
	// version "/" type; versions have no "/"): errors per report by type,
	// per version.
	DimVersionError = "version_error"
)

// Scale of the fixed-point sums: percentages in 1/10,000ths, latencies in
// microseconds. Integers keep the sums exact and order-independent.
const (
	PctScale     = 10_000
	LatencyScale = 1_000
	ABSqScale    = 100    // sums of squares in (0.1 ms)²
	PerfSqScale  = 10_000 // squared percentages in 1/10,000ths: exact for two decimals
)

// DefaultRetention is how long daily rollups are kept unless the operator
// says otherwise (--aggregate-retention-days): how far back "all time"
// reaches.
const DefaultRetention = 365 * 24 * time.Hour

// Day is a UTC calendar day counted from 1970-01-01.
type Day int32

// DayOf returns the UTC day of t.
func DayOf(t time.Time) Day { return Day(t.UTC().Unix() / 86400) }

// Time returns midnight UTC of d.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats d as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// Key identifies one rollup row.
type Key struct {
	Day Day
	Dim string
	Key string
}

// Less orders keys; stores lock rows in this order so that concurrent
// writers cannot deadlock.
func (k Key) Less(o Key) bool {
	if k.Day != o.Day {
		return k.Day < o.Day
	}
	if k.Dim != o.Dim {
		return k.Dim < o.Dim
	}
	return k.Key < o.Key
}

// Row is one rollup row: its key, counters and installations.
type Row struct {
	Key
	Counters
	InstallsN int64           // cardinality of Installs, kept so reads need not decode it
	Installs  *roaring.Bitmap // nil when read without bitmaps
	// Version identifies the stored version of the row whose bitmap
	// Installs is, unchanged, for caches of what is derived from it
	// (Unions); 0 when unknown: a store that does not version its rows,
	// or a row changed since it was read.
	Version uint64
}

// NewRow returns an empty row for k.
func NewRow(k Key) *Row { return &Row{Key: k, Installs: roaring.New()} }

// Merge adds d into r.
func (r *Row) Merge(d *Row) {
	r.Counters.Add(d.Counters)
	r.Installs.Or(d.Installs)
}

// Contribution is one stored report with the dense number of its
// installation.
type Contribution struct {
	Num    uint32
	Report *report.Report
	Time   time.Time
}

// Deltas returns the rollup rows that the contributions add, keyed.
func Deltas(cs []Contribution) map[Key]*Row {
	rows := make(map[Key]*Row)
	for _, c := range cs {
		Add(rows, c)
	}
	return rows
}

// Add adds one contribution to the rows it falls under, creating them.
func Add(rows map[Key]*Row, c Contribution) {
	each(c.Report, c.Time, func(k Key, cs Counters) {
		r, ok := rows[k]
		if !ok {
			r = NewRow(k)
			rows[k] = r
		}
		r.Counters.Add(cs)
		r.Installs.Add(c.Num)
	})
}

// each calls add with the key and counters of every row that report r,
// timestamped t, counts in: the one definition of what a report adds to
// the rollups, whether its rows are added at once (Add) or encoded for
// later (AppendShare). A key that comes twice counts twice.
func each(r *report.Report, t time.Time, add func(Key, Counters)) {
	day := DayOf(t)
	m := &r.Metrics
	base := baseCounters(r)
	put := func(dim, key string, total int64) {
		cs := base
		cs.Total = total
		add(Key{Day: day, Dim: dim, Key: key}, cs)
	}
	put(DimAll, "", 0)
	put(DimVersion, r.Version, 0)
	for _, f := range m.FeaturesUsed {
		put(DimFeature, f, 0)
	}
	for name, n := range m.AlgorithmUsage {
		put(DimAlgorithm, name, n)
	}
	for name, n := range m.AlgorithmDecisions {
		put(DimDecision, name, n)
	}
	for typ, n := range m.Errors {
		put(DimError, typ, n)
		if n > 0 {
			put(DimVersionError, r.Version+"/"+typ, n)
		}
	}
	if base.ErrorReports > 0 {
		put(DimVersionErrored, r.Version, 0)
	}
	if v := PostgresMajor(r.Environment.PostgreSQLVersion); v != "" {
		put(DimPostgres, v, 0)
	}
	if os := r.Environment.OS; os != "" {
		put(DimOS, os, 0)
	}
	// Rows that count only their own counters.
	for _, e := range m.ABExperiments {
		add(Key{Day: day, Dim: DimAB, Key: e.Experiment + "/" + e.Variant}, abCounters(e))
	}
	for name, u := range m.FeatureUsage {
		add(Key{Day: day, Dim: DimUsage, Key: name}, usageCounters(u))
	}
}

// abCounters turns one variant's summary into additive sums: count, sum
// and sum of squares combine exactly across reports, and give back the
// pooled mean and variance (see ABStats). Fixed point keeps them exact;
// each term saturates far beyond any real experiment.
func abCounters(e report.ABExperiment) Counters {
	n := float64(e.N)
	sumSq := ((n-1)*e.VarianceMS + n*e.MeanMS*e.MeanMS) * ABSqScale
	return Counters{Reports: 1, Total: e.N, ABSum: saturate(n * e.MeanMS * LatencyScale), ABSumSq: saturate(max(sumSq, 0))}
}

func saturate(f float64) int64 {
	const limit = 1 << 60 // leaves room to add thousands of saturated terms
	if f >= limit {
		return limit
	}
	return int64(math.Round(f))
}

// ABStats returns the pooled n, mean (ms) and sample variance (ms²) of an
// A/B row's counters.
func ABStats(c Counters) (n int64, mean, variance float64) {
	n = c.Total
	if n == 0 {
		return 0, 0, 0
	}
	mean = float64(c.ABSum) / LatencyScale / float64(n)
	if n > 1 {
		variance = (float64(c.ABSumSq)/ABSqScale - float64(n)*mean*mean) / float64(n-1)
	}
	return n, mean, max(variance, 0)
}

// PostgresMajor returns the major version of a PostgreSQL version string
// ("15" of "15.4"; "9.6" of "9.6.24", since 9.x majors had two parts).
func PostgresMajor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if parts[0] == "" {
		return ""
	}
	if len(parts[0]) == 1 && len(parts) > 1 { // 9.6 and older: two-part majors
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// SortedKeys returns the keys of rows in lock order.
func SortedKeys(rows map[Key]*Row) []Key {
	keys := make([]Key, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Less(keys[j]) })
	return keys
}
