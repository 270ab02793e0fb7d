// Package server is the analytics service's HTTP layer: routes (all in
// routes.go), authentication, rate limits, and the mapping of errors to
// status codes and JSON bodies. It stores through the ingest batcher and
// reads through the dashboard package; it holds no SQL.
//
// It never logs or stores a client address, a secret or a request body.
package server

import (
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
	"github.com/indexpilot/indexpilot-telemetry/report"
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
	KeyCacheTTL        time.Duration // how long a looked-up key or session is trusted without the store
	SecureCookies      bool          // set Secure on the session cookie (behind TLS)
	Feedback           FeedbackConfig
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client (see clientAddr).
	TrustedProxies []netip.Prefix
	// Processes is how many serve processes share the load: rate limits
	// are divided among them (see limiters).
	Processes int
	// PublicPage serves /public and /api/v1/public/summary (public.go).
	PublicPage bool
	// PublicK is the least installations a public figure counts;
	// public.DefaultK when 0.
	PublicK  int
	Insights insights.Settings // priority weights and algorithm thresholds
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		RawRetention:       report.DefaultRetention,
		AggregateRetention: rollup.DefaultRetention,
		ErrorRetention:     report.DefaultErrorRetention,
		CollectionInterval: 24 * time.Hour,
		KeyRatePerMinute:   6,
		KeyBurst:           30,
		RegisterPerMinute:  10,
		RegisterBurst:      20,
		KeyCacheTTL:        30 * time.Second,
		Feedback:           DefaultFeedbackConfig(),
		Processes:          1,
		Insights:           insights.DefaultSettings(),
	}
}

// Server serves the HTTP API and the overview page.
type Server struct {
	cfg       Config
	store     store.Store
	batcher   *ingest.Batcher
	dash      *dashboard.Service
	insights  *insights.Decisions
	log       *slog.Logger
	now       func() time.Time
	metrics   *Metrics
	keys      *ttlCache[keyRecord]
	keyLimits *limiters
	regLimits *limiters // registrations and sign-in attempts, per client address
	sessions  *sessions
	feedback  *feedbackRoutes
	erased    *erasedSet
	watching  atomic.Bool // the store's change feed is followed (changes.go)
	public    *publicCache

	releaseHealth *insights.Health    // release health and anomalies
	exp           *experiment.Service // the registry and analysis (experiments.go)
	experiments   *experimentCache
	weekly        *weekly.Builder // the weekly report (reports.go)
}

// New returns a server. The batcher must write to st; metrics may be
// shared with the batcher as its observer. Run Watch beside it: until it
// runs, nothing is cached.
func New(cfg Config, st store.Store, b *ingest.Batcher, m *Metrics, log *slog.Logger, now func() time.Time) (*Server, error) {
	if now == nil {
		now = time.Now
	}
	dash := &dashboard.Service{Store: st, AggregateDays: int(cfg.AggregateRetention.Hours() / 24)}
	s := &Server{
		cfg: cfg, store: st, batcher: b, log: log, now: now, metrics: m,
		dash:      dash,
		insights:  &insights.Decisions{Model: dash, Votes: st, Settings: cfg.Insights},
		keys:      newTTLCache[keyRecord](cfg.KeyCacheTTL, maxCachedKeys),
		keyLimits: newLimiters(cfg.KeyRatePerMinute, cfg.KeyBurst, cfg.Processes),
		regLimits: newLimiters(cfg.RegisterPerMinute, cfg.RegisterBurst, cfg.Processes),
		sessions:  newSessions(cfg),
		erased:    &erasedSet{},
		feedback:  newFeedbackRoutes(cfg.Feedback, cfg.Processes, st),
		public:    newPublicCache(),

		releaseHealth: insights.NewHealth(dash),
		exp:           &experiment.Service{Store: st, Now: now, RawRetention: cfg.RawRetention},
		experiments:   &experimentCache{ttl: cfg.KeyCacheTTL, load: st.ListExperiments},
	}
	// The report reads through the server's own readers: the same
	// figures, and the same caches, as the API.
	s.weekly = &weekly.Builder{Model: dash, Decisions: s.insights, Health: s.releaseHealth, RawRetention: cfg.RawRetention}
	return s, nil
}
