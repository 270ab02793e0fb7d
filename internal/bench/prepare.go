package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// CreateDatabase creates an empty PostgreSQL database on the server of
// admin and returns its URL and a function that drops it.
func CreateDatabase(ctx context.Context, admin string) (string, func(), error) {
	var b [6]byte
	rand.Read(b[:])
	name := "ipt_bench_" + hex.EncodeToString(b[:])
	dsn, _, err := NamedDatabase(ctx, admin, name)
	if err != nil {
		return "", nil, err
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			c.Close(ctx)
		}
	}
	return dsn, drop, nil
}

// NamedDatabase returns the URL of the database name on the server of
// admin, creating it empty unless it exists; existed says it did. Nothing
// drops it: a bench case can keep a database it took minutes to fill and
// measure it again.
func NamedDatabase(ctx context.Context, admin, name string) (dsn string, existed bool, err error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", false, fmt.Errorf("bench: connect to %s: %w", admin, err)
	}
	defer conn.Close(ctx)
	// query: bench-database-exists
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&existed); err != nil {
		return "", false, fmt.Errorf("bench: look for database %s: %w", name, err)
	}
	if !existed {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", false, fmt.Errorf("bench: create database %s: %w", name, err)
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", false, fmt.Errorf("bench: parse %s: %w", admin, err)
	}
	u.Path = "/" + name
	return u.String(), existed, nil
}

// Fill ingests n reports from installations installations straight into
// st, in large batches, and reports progress to log.
func Fill(ctx context.Context, st store.Store, n, installations int, log func(string)) error {
	return FillWith(ctx, st, n, func(rng *mrand.Rand, now time.Time) []byte {
		return Body(rng, installations, now, 85*24*time.Hour)
	}, log)
}

// FillWith is Fill with the reports body makes.
func FillWith(ctx context.Context, st store.Store, n int, body func(rng *mrand.Rand, now time.Time) []byte, log func(string)) error {
	rng := mrand.New(mrand.NewPCG(1, 2))
	now := time.Now()
	const batch = 5000
	start := time.Now()
	for done := 0; done < n; {
		items := make([]store.Item, 0, batch)
		for len(items) < batch && done+len(items) < n {
			d, err := report.Decode(body(rng, now), now, report.DefaultRetention)
			if err != nil {
				return fmt.Errorf("bench: generated an invalid report: %w", err)
			}
			items = append(items, store.Item{Key: d.Key(), Report: &d.Report, Time: d.Time, Received: now})
		}
		if _, err := st.Ingest(ctx, items); err != nil {
			return err
		}
		done += len(items)
		if done%100000 == 0 || done == n {
			log(fmt.Sprintf("filled %d reports (%.0f/s)", done, float64(done)/time.Since(start).Seconds()))
		}
	}
	return nil
}

// PeakRSS returns the peak resident set of a process in MiB (Linux).
func PeakRSS(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("bench: no VmHWM for process %d", pid)
}
