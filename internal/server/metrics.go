package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the service's Prometheus metrics, on a registry of their
// own (no package globals).
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	reports     *prometheus.CounterVec
	batchSize   prometheus.Histogram
	batchTime   prometheus.Histogram
	storeErrors prometheus.Counter
}

// NewMetrics registers the service's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indexpilot_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indexpilot_reports_total", Help: "Acknowledged reports: stored, or duplicate (a retry counted once).",
		}, []string{"result"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "indexpilot_ingest_batch_size", Help: "Reports per committed ingest transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		batchTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "indexpilot_ingest_batch_seconds", Help: "Time to commit one ingest batch.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "indexpilot_store_errors_total", Help: "Failed store operations (batches and reads).",
		}),
	}
	m.Registry.MustRegister(m.requests, m.reports, m.batchSize, m.batchTime, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Batch records one committed (or failed) ingest batch; it makes Metrics
// an ingest.Observer.
func (m *Metrics) Batch(size int, took time.Duration, err error) {
	if err != nil {
		m.storeErrors.Inc()
		return
	}
	m.batchSize.Observe(float64(size))
	m.batchTime.Observe(took.Seconds())
}

func (m *Metrics) request(route string, code int) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
}
