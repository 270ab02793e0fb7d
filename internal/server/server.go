// Package server is the analytics service's HTTP layer: routes (all in
// routes.go), authentication, rate limits, and the mapping of errors to
// status codes and JSON bodies. It stores through the ingest batcher and
// reads through the dashboard package; it holds no SQL.
//
// It never logs or stores a client address, a secret or a request body.
package server

import (
	"log/slog"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Config holds the server's settings; cmd/indexpilot-analytics fills it
// from flags and environment.
type Config struct {
	AdminToken         string        // INDEXPILOT_ANALYTICS_ADMIN_TOKEN; empty: only stored admin keys
	RawRetention       time.Duration // reports older than this are refused and deleted
	AggregateRetention time.Duration // rollups older than this are deleted
	ErrorRetention     time.Duration // raw error reports older than this are refused and deleted
	CollectionInterval time.Duration // next_collection is this far ahead
	KeyRatePerMinute   float64       // reports per installation key (fleet keys exempt)
	KeyBurst           int
	RegisterPerMinute  float64 // registrations per client address
	RegisterBurst      int
	KeyCacheTTL        time.Duration // how long a looked-up key is trusted without the store
	SecureCookies      bool          // set Secure on the session cookie (behind TLS)
	Feedback           FeedbackConfig
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		RawRetention:       90 * 24 * time.Hour,
		AggregateRetention: 365 * 24 * time.Hour,
		ErrorRetention:     30 * 24 * time.Hour,
		CollectionInterval: 24 * time.Hour,
		KeyRatePerMinute:   6,
		KeyBurst:           30,
		RegisterPerMinute:  10,
		RegisterBurst:      20,
		KeyCacheTTL:        30 * time.Second,
		Feedback:           DefaultFeedbackConfig(),
	}
}

// Server serves the HTTP API and the overview page.
type Server struct {
	cfg       Config
	store     store.Store
	batcher   *ingest.Batcher
	dash      *dashboard.Service
	log       *slog.Logger
	now       func() time.Time
	metrics   *Metrics
	keys      *keyCache
	keyLimits *limiters
	regLimits *limiters
	sessions  *sessions
	feedback  *feedbackRoutes

	exp         *experiment.Service // the registry and analysis (experiments.go)
	experiments *experimentCache
}

// New returns a server. The batcher must write to st; metrics may be
// shared with the batcher as its observer.
func New(cfg Config, st store.Store, b *ingest.Batcher, m *Metrics, log *slog.Logger, now func() time.Time) (*Server, error) {
	if now == nil {
		now = time.Now
	}
	sess, err := newSessions(cfg.SecureCookies)
	if err != nil {
		return nil, err
	}
	return &Server{
		cfg: cfg, store: st, batcher: b, log: log, now: now, metrics: m,
		dash:      &dashboard.Service{Store: st, AggregateDays: int(cfg.AggregateRetention.Hours() / 24)},
		keys:      newKeyCache(cfg.KeyCacheTTL),
		keyLimits: newLimiters(cfg.KeyRatePerMinute, cfg.KeyBurst),
		regLimits: newLimiters(cfg.RegisterPerMinute, cfg.RegisterBurst),
		sessions:  sess,
		feedback:  newFeedbackRoutes(cfg.Feedback, st),

		exp:         &experiment.Service{Store: st, Now: now, RawRetention: cfg.RawRetention},
		experiments: &experimentCache{ttl: cfg.KeyCacheTTL, load: st.ListExperiments},
	}, nil
}
