// Package bench measures the service against baselines with one load
// generator: closed-loop throughput with N connections, open-loop latency
// at a fixed rate, and dashboard query latency. It is what
// `indexpilot-analytics bench` runs; BENCHMARKS.md records its figures.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Result is one load run.
type Result struct {
	Requests int
	OK       int
	Errors   int // transport errors and non-200 answers
	Elapsed  time.Duration
	P50, P99 time.Duration
}

// Rate is acknowledged requests per second.
func (r Result) Rate() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%d ok / %d sent in %s: %.0f/s, p50 %s, p99 %s, %d errors", r.OK, r.Requests,
		r.Elapsed.Round(time.Millisecond), r.Rate(), r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors)
}

// Body makes a valid seed-format report with a fresh report_id, from one of
// installations installations, timestamped within the spread before now.
// Live traffic carries the last day's timestamps (clients send within a day
// of collecting); a backfill spreads over weeks.
func Body(rng *rand.Rand, installations int, now time.Time, spread time.Duration) []byte {
	inst := rng.IntN(installations)
	ts := now.Add(-time.Duration(rng.Int64N(int64(spread)))).UTC().Format(time.RFC3339)
	return fmt.Appendf(nil, `{"report_id":%q,"installation_id":"bench-%06d","version":"1.%d.%d","timestamp":%q,`+
		`"metrics":{"features_used":["auto_indexing","pattern_detection"],"indexes_created":%d,"queries_analyzed":%d,`+
		`"performance_improvement_pct":%.1f,"algorithm_usage":{"predictive_indexing":%d,"cert":%d,"qpg":%d}},`+
		`"environment":{"python_version":"3.11.0","postgresql_version":"1%d.0","os":"linux","cpu_cores":8}}`,
		uuid.NewString(), inst, inst%3, rng.IntN(3), ts, rng.IntN(50), rng.IntN(100000), rng.Float64()*60,
		rng.IntN(20), rng.IntN(10), rng.IntN(15), 4+inst%4)
}

// LiveSpread is how far back live traffic's timestamps reach.
const LiveSpread = 24 * time.Hour

// Target is where load goes.
type Target struct {
	URL string // the telemetry endpoint
	Key string // X-API-Key, if any
}

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
}

func (t Target) post(c *http.Client, body []byte) bool {
	req, _ := http.NewRequest("POST", t.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if t.Key != "" {
		req.Header.Set("X-API-Key", t.Key)
	}
	res, err := c.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// ClosedLoop sends from conns connections, each as fast as answers come,
// for d. A retryShare of the requests (0 to 1) send again a report the
// connection sent before, byte for byte: a client retrying after an
// outage. The rest are reports with a fresh report_id.
func ClosedLoop(ctx context.Context, t Target, conns int, d time.Duration, installations int, retryShare float64) Result {
	c := newClient(conns)
	deadline := time.Now().Add(d)
	lat := make([][]time.Duration, conns)
	var ok, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			var sent retries
			for time.Now().Before(deadline) && ctx.Err() == nil {
				body := sent.pick(rng, retryShare)
				if body == nil {
					body = Body(rng, installations, start, LiveSpread)
				}
				t0 := time.Now()
				if t.post(c, body) {
					ok.Add(1)
					sent.keep(body)
				} else {
					errs.Add(1)
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i)
	}
	wg.Wait()
	return summarise(lat, int(ok.Load()), int(errs.Load()), time.Since(start))
}

// retries holds the last reports a connection had acknowledged, to send
// again.
type retries struct {
	bodies [64][]byte
	n      int // bodies kept in all
}

// pick returns, with probability share, one of the kept bodies; else (or
// when none is kept) nil.
func (r *retries) pick(rng *rand.Rand, share float64) []byte {
	if r.n == 0 || share <= 0 || rng.Float64() >= share {
		return nil
	}
	return r.bodies[rng.IntN(min(r.n, len(r.bodies)))]
}

// keep remembers an acknowledged body.
func (r *retries) keep(body []byte) {
	r.bodies[r.n%len(r.bodies)] = body
	r.n++
}

// OpenLoop sends rate requests per second for warmup, then for d, on
// schedule whatever the answers do; latency counts from the scheduled
// time, so a stalled server cannot hide its queue (no coordinated
// omission). Only requests due after the warm-up count: it opens the
// generator's connections and lets the server reach its steady state, as
// wrk2's calibration period does.
func OpenLoop(ctx context.Context, t Target, rate int, warmup, d time.Duration, installations int) Result {
	const workers = 512
	c := newClient(workers)
	n := int(float64(rate) * (warmup + d).Seconds())
	due := make(chan time.Time, n)
	lat := make([][]time.Duration, workers)
	var ok, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	measured := start.Add(warmup)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			for at := range due {
				if s := time.Until(at); s > 0 {
					time.Sleep(s)
				}
				sent := t.post(c, Body(rng, installations, start, LiveSpread))
				if at.Before(measured) {
					continue
				}
				if sent {
					ok.Add(1)
				} else {
					errs.Add(1)
				}
				lat[i] = append(lat[i], time.Since(at))
			}
		}(i)
	}
	interval := time.Second / time.Duration(rate)
	for k := 0; k < n && ctx.Err() == nil; k++ {
		due <- start.Add(time.Duration(k) * interval)
	}
	close(due)
	wg.Wait()
	return summarise(lat, int(ok.Load()), int(errs.Load()), time.Since(measured))
}

func summarise(lat [][]time.Duration, ok, errs int, elapsed time.Duration) Result {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := Result{Requests: len(all), OK: ok, Errors: errs, Elapsed: elapsed}
	if len(all) > 0 {
		r.P50, r.P99 = Percentile(all, 0.50), Percentile(all, 0.99)
	}
	return r
}

// Percentile returns the q-quantile of sorted durations (nearest rank).
func Percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
