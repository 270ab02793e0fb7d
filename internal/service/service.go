// Package service wires the analytics service together (store, batcher,
// HTTP server, retention) and runs it until its context ends, then shuts
// down gracefully: it stops accepting connections, lets in-flight
// requests finish (their batches commit), and closes the store.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/periodic"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Options configure Run.
type Options struct {
	Listen   string // host:port; port 0 picks a free one
	Database string // sqlite:PATH or postgres:// URL
	Server   server.Config
	Ingest   ingest.Config
	Log      *slog.Logger
	// DebugListen, when set, serves Go's pprof profiles on that address
	// (keep it on loopback): for profiling, never for the public.
	DebugListen string
	// BitmapCache is how many bytes of rollup bitmaps the store keeps
	// between dashboard reads, for a store that keeps them (PostgreSQL):
	// 0 leaves the store's default, a negative number keeps none.
	BitmapCache int
	// Ready, when set, is called with the base URL once the service
	// accepts connections.
	Ready func(baseURL string)
	// Now is the service's clock (time.Now when nil): what it stamps
	// reports with and what retention counts days from.
	Now func() time.Time
	// Alerts, when a channel is configured, are evaluated at start and
	// hourly and delivered (alerts.go).
	Alerts AlertOptions
	// WeeklyHour is the hour (UTC) on Monday from which the last week's
	// report is sent through the alerts' channels, once per week
	// (weekly.Schedule); WeeklyOff sends none.
	WeeklyHour int
}

// Run serves until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, o Options) error {
	st, err := database.Open(ctx, o.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	if c, ok := st.(interface{ SetBitmapCache(int) }); ok && o.BitmapCache != 0 {
		c.SetBitmapCache(o.BitmapCache)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("service: listen on %s: %w", o.Listen, err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	metrics := server.NewMetrics()
	batcher := ingest.New(st, o.Ingest, metrics)
	srv, err := server.New(o.Server, st, batcher, metrics, o.Log, now)
	if err != nil {
		batcher.Close()
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: httpErrorLog(o.Log)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	o.Log.Info("listening", "url", base, "database", database.Redact(o.Database))
	if o.Ready != nil {
		o.Ready(base)
	}
	// The background loops stop when Run returns and are awaited before
	// the store closes: none is left writing to a closed store.
	bg, stopBG := context.WithCancel(ctx)
	var loops sync.WaitGroup
	defer func() { stopBG(); loops.Wait() }()
	loops.Go(func() { srv.Watch(bg) }) //nolint:errcheck // returns when bg ends
	loops.Go(func() { retain(bg, st, o.Server, now, o.Log) })
	compacted := make(chan struct{})
	go func() { compact(bg, st, o.Log); close(compacted) }()
	alerted := make(chan struct{})
	if o.Alerts.Notify.Enabled() {
		go func() { evaluateAlerts(bg, NewEvaluator(st, o.Server, o.Alerts, o.Log), o.Log); close(alerted) }()
	} else {
		close(alerted)
	}
	if o.Alerts.Notify.Enabled() && o.WeeklyHour != WeeklyOff {
		sched := &weekly.Schedule{Sender: NewWeeklySender(st, o.Server, o.Alerts.Notify, o.Log), Hour: o.WeeklyHour, Now: now, Log: o.Log}
		loops.Go(func() { sched.Run(bg) })
	}
	if o.DebugListen != "" {
		loops.Go(func() { serveDebug(bg, o.DebugListen, o.Log) })
	}

	select {
	case err := <-serveErr:
		batcher.Close()
		stopBG()
		<-compacted
		<-alerted
		return fmt.Errorf("service: serve: %w", err)
	case <-ctx.Done():
	}
	o.Log.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	batcher.Close() // commits whatever is still queued
	stopBG()
	<-compacted
	<-alerted
	if _, cerr := st.Compact(shutCtx); cerr != nil {
		o.Log.Error("final compaction failed; the deltas stay pending and are folded at the next start", "err", cerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("service: shutdown: %w", err)
	}
	o.Log.Info("stopped")
	return nil
}

// CompactEvery is how often pending rollup deltas are folded into the
// rollup rows; reads add whatever is pending, so this bounds their work,
// not their freshness.
const CompactEvery = time.Second

// compact folds pending deltas until ctx ends.
func compact(ctx context.Context, st store.Store, log *slog.Logger) {
	t := time.NewTicker(CompactEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := st.Compact(ctx); err != nil && ctx.Err() == nil {
			log.Error("compaction failed", "err", err)
		}
	}
}

// RetainEvery is how often expired data is deleted (and once at start).
const RetainEvery = time.Hour

// retain deletes expired raw reports and rollups, and expired error data
// and feedback, at start and every RetainEvery, counting days from now.
func retain(ctx context.Context, st store.Store, cfg server.Config, now func() time.Time, log *slog.Logger) {
	periodic.Every(ctx, RetainEvery, func(ctx context.Context) {
		today := rollup.DayOf(now())
		rawBefore := today - rollup.Day(cfg.RawRetention/(24*time.Hour))
		aggBefore := today - rollup.Day(cfg.AggregateRetention/(24*time.Hour))
		if n, err := st.Retain(ctx, rawBefore, aggBefore); err != nil {
			if ctx.Err() == nil {
				log.Error("retention failed", "err", err)
			}
		} else if n > 0 {
			log.Info("retention deleted expired reports", "reports", n)
		}
		retainErrors(ctx, st, cfg.ErrorRetention, today, aggBefore, log)
		retainFeedback(ctx, st, cfg.Feedback.Retention, now(), log)
	})
}

// retainErrors deletes the raw error reports older than keep; groups and
// daily error counters outlive them, as rollups outlive raw reports, and
// go at the aggregate retention (aggBefore).
func retainErrors(ctx context.Context, st store.Store, keep time.Duration, today, aggBefore rollup.Day, log *slog.Logger) {
	if keep <= 0 { // unset: the contract's default, never "delete everything"
		keep = report.DefaultErrorRetention
	}
	n, err := st.RetainErrors(ctx, today-rollup.Day(keep/(24*time.Hour)), aggBefore)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("error-report retention failed", "err", err)
		}
	} else if n > 0 {
		log.Info("retention deleted expired error reports", "error_reports", n)
	}
}

// serveDebug serves pprof until ctx ends.
func serveDebug(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	log.Info("debug listener (pprof)", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("debug listener failed", "err", err)
	}
}
