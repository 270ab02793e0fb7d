package dashboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Service computes dashboard answers from a store.
type Service struct {
	Store store.Store
	// AggregateDays is how long rollups are kept, in days: how far back
	// "all time" looks. rollup.DefaultRetention when not positive.
	AggregateDays int
}

// RetentionDays returns how many days rollups are kept.
func (s *Service) RetentionDays() int {
	if s.AggregateDays <= 0 {
		return int(rollup.DefaultRetention / (24 * time.Hour))
	}
	return s.AggregateDays
}

// Retained returns the days whose rollups are kept on day to: "all time"
// as of that day.
func (s *Service) Retained(to rollup.Day) Period {
	return Period{From: to - rollup.Day(s.RetentionDays()), To: to}
}

// Window reads the rows of p in dims (every dimension when none is
// given), with their installation bitmaps, which every figure counting
// installations over more than one day needs.
func (s *Service) Window(ctx context.Context, p Period, dims ...string) (*Window, error) {
	return s.read(ctx, p, true, dims)
}

// Counts reads the rows of p in dims without their bitmaps: enough for
// counters and each day's installations (Counts, Installations), and
// much cheaper over long periods.
func (s *Service) Counts(ctx context.Context, p Period, dims ...string) (*Window, error) {
	return s.read(ctx, p, false, dims)
}

func (s *Service) read(ctx context.Context, p Period, bitmaps bool, dims []string) (*Window, error) {
	rows, err := s.Store.Rollups(ctx, store.RollupQuery{From: p.From, To: p.To, Dims: dims, Bitmaps: bitmaps})
	if err != nil {
		return nil, fmt.Errorf("dashboard: read rollups of %s to %s: %w", p.From, p.To, err)
	}
	return s.newWindow(p, rows), nil
}

// newWindow groups rows as NewWindow does, its unions kept between reads
// in the store's cache when the store has one (PostgreSQL's: exact across
// processes, see rollup.Unions).
func (s *Service) newWindow(p Period, rows []*rollup.Row) *Window {
	w := NewWindow(p, rows)
	if c, ok := s.Store.(interface{ Unions() *rollup.Unions }); ok {
		w.cache = c.Unions()
	}
	return w
}

// Seen returns every installation that reported in p.
func (s *Service) Seen(ctx context.Context, p Period) (*roaring.Bitmap, error) {
	w, err := s.Window(ctx, p, rollup.DimAll)
	if err != nil {
		return nil, err
	}
	return w.Active(), nil
}

// readParts returns a read of p's rows per r of rs, the i-th filling
// parts[i], to run beside other reads with parallel; prefix names them in
// errors.
func (s *Service) readParts(ctx context.Context, p Period, rs []windowRead, parts [][]*rollup.Row, prefix string) []func() error {
	fns := make([]func() error, len(rs))
	for i, r := range rs {
		fns[i] = func() (err error) {
			parts[i], err = s.Store.Rollups(ctx, store.RollupQuery{From: p.From, To: p.To, Dims: r.dims, Bitmaps: r.bitmaps})
			return wrap(prefix, err)
		}
	}
	return fns
}

// parallel runs the independent reads fns at the same time and returns
// their errors joined.
func parallel(fns ...func() error) error {
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errs <- fn() }()
	}
	var all []error
	for range fns {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

func wrap(prefix string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
