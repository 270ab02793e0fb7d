package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// NoopHandler only decodes the JSON body: the ceiling of any Go endpoint
// on this machine.
func NoopHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil || json.Unmarshal(body, &v) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success"}`))
	})
}

// seedSchema is the baseline design's tables: raw JSONB rows and the daily
// aggregate it upserts per report.
const seedSchema = `
CREATE TABLE IF NOT EXISTS telemetry_data (
    id SERIAL PRIMARY KEY, installation_id VARCHAR(64) NOT NULL, version VARCHAR(32) NOT NULL,
    timestamp TIMESTAMP NOT NULL, metrics JSONB NOT NULL, environment JSONB NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS idx_telemetry_installation ON telemetry_data (installation_id);
CREATE INDEX IF NOT EXISTS idx_telemetry_version ON telemetry_data (version);
CREATE INDEX IF NOT EXISTS idx_telemetry_timestamp ON telemetry_data (timestamp);
CREATE TABLE IF NOT EXISTS telemetry_daily_aggregates (
    date DATE NOT NULL, version VARCHAR(32) NOT NULL, total_installations INTEGER,
    total_indexes_created BIGINT, avg_performance_improvement NUMERIC,
    feature_usage JSONB, algorithm_usage JSONB, PRIMARY KEY (date, version));`

// SeedHandler is the baseline design, as its document wrote it: per report one
// INSERT and one aggregate upsert (running average, jsonb || merge). It is
// a baseline only; its aggregates are wrong by design.
func SeedHandler(ctx context.Context, pool *pgxpool.Pool) (http.Handler, error) {
	if _, err := pool.Exec(ctx, seedSchema); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			InstallationID string          `json:"installation_id"`
			Version        string          `json:"version"`
			Timestamp      time.Time       `json:"timestamp"`
			Metrics        json.RawMessage `json:"metrics"`
			Environment    json.RawMessage `json:"environment"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&p); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		var m struct {
			Features   []string         `json:"features_used"`
			Indexes    int64            `json:"indexes_created"`
			Perf       float64          `json:"performance_improvement_pct"`
			Algorithms map[string]int64 `json:"algorithm_usage"`
		}
		json.Unmarshal(p.Metrics, &m)
		feat, _ := json.Marshal(m.Features)
		alg, _ := json.Marshal(m.Algorithms)
		// query: seed-insert
		_, err := pool.Exec(r.Context(), `INSERT INTO telemetry_data (installation_id, version, timestamp, metrics, environment)
			VALUES ($1, $2, $3, $4, $5)`, p.InstallationID, p.Version, p.Timestamp, p.Metrics, p.Environment)
		if err == nil {
			// query: seed-aggregate (the baseline design's upsert, wrong on purpose)
			_, err = pool.Exec(r.Context(), `INSERT INTO telemetry_daily_aggregates
				(date, version, total_installations, total_indexes_created, avg_performance_improvement, feature_usage, algorithm_usage)
				VALUES (CURRENT_DATE, $1, 1, $2, $3, $4, $5)
				ON CONFLICT (date, version) DO UPDATE SET
				total_installations = telemetry_daily_aggregates.total_installations + 1,
				total_indexes_created = telemetry_daily_aggregates.total_indexes_created + $2,
				avg_performance_improvement = (telemetry_daily_aggregates.avg_performance_improvement *
					telemetry_daily_aggregates.total_installations + $3) / (telemetry_daily_aggregates.total_installations + 1),
				feature_usage = telemetry_daily_aggregates.feature_usage || $4::jsonb,
				algorithm_usage = telemetry_daily_aggregates.algorithm_usage || $5::jsonb`,
				p.Version, m.Indexes, m.Perf, feat, alg)
		}
		if err != nil {
			http.Error(w, "store", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success"}`))
	}), nil
}
