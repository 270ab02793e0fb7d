package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// The experiment benchmarks' fleet: BenchInstallations installations over
// BenchDays days up to Now's day, each reporting on 7 days of 10, half in
// each variant of BenchExperiment; the backends fill it with their own
// SQL (a report's metrics as the client sends them, about 450 bytes).
const (
	BenchInstallations = 20000
	BenchDays          = 30
	BenchExperiment    = "cert_threshold_v2"
)

// BenchExperimentAnalysis measures what the dashboard pays for one
// experiment's analysis over the filled store: the first one (every day
// read), one with nothing new (only the days' stamps read), and one after
// a new report today (today read again). addReport stores the i-th new
// report of today.
func BenchExperimentAnalysis(b *testing.B, s store.Store, addReport func(i int) error) {
	ctx := context.Background()
	e := Experiment(BenchExperiment, Now.Add(-(BenchDays-1)*24*time.Hour).Truncate(24*time.Hour))
	if err := s.CreateExperiment(ctx, e); err != nil {
		b.Fatal(err)
	}
	now := func() time.Time { return Now }
	analyse := func(svc *experiment.Service) {
		a, err := svc.Analyze(ctx, BenchExperiment)
		if err != nil || a.Variants[0].Installations < BenchInstallations/3 || len(a.History) != BenchDays {
			b.Fatalf("analysis: %v (%+v)", err, a)
		}
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			analyse(&experiment.Service{Store: s, Now: now, RawRetention: 90 * 24 * time.Hour})
		}
	})
	svc := &experiment.Service{Store: s, Now: now, RawRetention: 90 * 24 * time.Hour}
	analyse(svc)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			analyse(svc)
		}
	})
	i := 0
	b.Run("new-report-today", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := addReport(i); err != nil {
				b.Fatal(err)
			}
			i++
			b.StartTimer()
			analyse(svc)
		}
	})
}
