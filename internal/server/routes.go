package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns every route of the service.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/installations", s.handle(s.register))
	mux.HandleFunc("DELETE /api/v1/installations/me", s.handle(s.forget))
	mux.HandleFunc("GET /api/v1/installations/me/export", s.handle(s.export))
	mux.HandleFunc("POST /api/v1/telemetry", s.handle(s.telemetry))
	mux.HandleFunc("POST /api/v1/errors", s.handle(s.errorReport))
	mux.HandleFunc("GET /api/v1/errors/groups", s.handle(s.requireAdmin(s.errorGroups)))
	mux.HandleFunc("POST /api/v1/feedback", s.handle(s.postFeedback))
	mux.HandleFunc("GET /api/v1/feedback", s.handle(s.requireAdmin(s.listFeedback)))
	mux.HandleFunc("GET /feedback", s.handle(s.feedbackPage))
	mux.HandleFunc("GET /api/v1/insights/releases", s.handle(s.requireAdmin(s.insightReleases)))
	mux.HandleFunc("GET /api/v1/insights/anomalies", s.handle(s.requireAdmin(s.insightAnomalies)))
	mux.HandleFunc("GET /api/v1/schema", s.schema)
	mux.HandleFunc("GET /api/v1/dashboard/stats", s.handle(s.requireAdmin(s.stats)))
	mux.HandleFunc("GET /api/v1/dashboard/trends", s.handle(s.requireAdmin(s.trends)))
	mux.HandleFunc("GET /api/v1/dashboard/overview", s.handle(s.requireAdmin(s.overviewData)))
	mux.HandleFunc("GET /api/v1/dashboard/overview/view", s.handle(s.requireAdmin(s.overviewViewData)))
	mux.HandleFunc("GET /api/v1/admin/installations/{id}", s.handle(s.withAdmin(s.operatorExport)))
	mux.HandleFunc("DELETE /api/v1/admin/installations/{id}", s.handle(s.withAdmin(s.operatorDelete)))
	mux.HandleFunc("GET /api/v1/admin/audit", s.handle(s.requireAdmin(s.auditLog)))
	mux.HandleFunc("GET /audit", s.handle(s.auditHTML))
	mux.HandleFunc("GET /api/v1/public/summary", s.handle(s.publicSummary))
	mux.HandleFunc("GET /public", s.handle(s.publicHTML))
	mux.HandleFunc("GET /api/v1/insights/features", s.handle(s.requireAdmin(s.insightFeatures)))
	mux.HandleFunc("GET /api/v1/insights/algorithms", s.handle(s.requireAdmin(s.insightAlgorithms)))
	mux.HandleFunc("GET /api/v1/insights/patterns", s.handle(s.requireAdmin(s.insightPatterns)))
	mux.HandleFunc("GET /api/v1/insights/forecasts", s.handle(s.requireAdmin(s.insightForecasts)))
	mux.HandleFunc("GET /insights", s.handle(s.insightsPage))
	mux.HandleFunc("GET /healthz", s.handle(s.health))
	mux.HandleFunc("POST /api/v1/experiments", s.handle(s.requireAdmin(s.createExperiment)))
	mux.HandleFunc("GET /api/v1/experiments", s.handle(s.requireAdmin(s.experimentList)))
	mux.HandleFunc("GET /api/v1/experiments/active", s.handle(s.activeExperiments))
	mux.HandleFunc("GET /api/v1/experiments/{name}", s.handle(s.requireAdmin(s.experimentAnalysis)))
	mux.HandleFunc("POST /api/v1/experiments/{name}/stop", s.handle(s.requireAdmin(s.stopExperiment)))
	mux.HandleFunc("GET /experiments", s.handle(s.experimentsPage))
	mux.HandleFunc("GET /api/v1/reports/weekly", s.handle(s.requireAdmin(s.weeklyReport)))
	mux.HandleFunc("GET /reports", s.handle(s.reportsPage))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /login", s.handle(s.loginPage))
	mux.HandleFunc("POST /login", s.handle(s.login))
	mux.HandleFunc("POST /logout", s.handle(s.logout))
	mux.HandleFunc("GET /{$}", s.handle(s.overview))
	mux.HandleFunc("GET /releases", s.handle(s.releasesPage))
	mux.Handle("GET /static/", staticHandler())
	return s.instrument(securityHeaders(mux))
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// instrument counts requests by route pattern (never by raw path, so
// cardinality stays bounded) and status.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.request(route, rec.code)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}
