package fleet

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Run sends the fleet's reports (those Generate lists) to c.Target through
// the HTTP API, day after day, with c.Concurrency workers. A report marked
// Resend is sent again once its first delivery is acknowledged.
//
// Run keeps going when the server refuses a report or a delivery fails
// after its retries, and returns an error at the end if any did. It stops
// early, with an error, when ctx ends or when the server answers 401, 403
// or 404, which mean a wrong key or a wrong target. The Summary is valid
// in every case.
func Run(ctx context.Context, c Config) (Summary, error) {
	begin := time.Now()
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return Summary{}, err
	}
	p := newPlan(c)
	t := &tally{reported: make([]bool, len(p.profiles))}
	client := c.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = c.Concurrency // the default, 2, would reconnect all the time
		defer tr.CloseIdleConnections()
		client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := newSender(c, p, client, t, cancel)
	bar := newBar(c.Progress, p.count())

	fanOut(ctx, c.Concurrency, p.reports(), func(pl Planned) {
		s.deliver(ctx, pl)
		bar.add()
	})
	fanOut(ctx, c.Concurrency, slices.Values(PlantedErrors(c)), func(pe PlantedError) { s.deliverError(ctx, pe) })
	bar.finish(ctx.Err() == nil)

	sum := t.summary()
	sum.Elapsed = time.Since(begin)
	return sum, t.err(ctx)
}

// fanOut calls fn for every item with n workers, and stops handing out
// items when ctx ends.
func fanOut[T any](ctx context.Context, n int, items iter.Seq[T], fn func(T)) {
	work := make(chan T, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range work {
				fn(it)
			}
		})
	}
feed:
	for it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// tally adds up the outcomes of the workers' deliveries.
type tally struct {
	mu       sync.Mutex
	sum      Summary
	reported []bool // by installation: at least one report acknowledged
	first    error  // the first rejection or failure
}

// outcome is how one delivery ended.
type outcome int

const (
	acknowledged outcome = iota
	duplicate
	rejected
	failed
	cancelled // the run ended first; not counted as sent
)

// record adds one delivery of a report of installation inst, which needed
// retries extra attempts; err explains a rejection or failure.
func (t *tally) record(inst int, o outcome, retries int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Retried += retries
	if o == cancelled {
		return
	}
	t.sum.Sent++
	switch o {
	case acknowledged, duplicate:
		t.sum.Acknowledged++
		if o == duplicate {
			t.sum.Duplicates++
		}
		if !t.reported[inst] {
			t.reported[inst] = true
			t.sum.Installations++
		}
	case rejected:
		t.sum.Rejected++
	case failed:
		t.sum.Failed++
	}
	if err != nil && t.first == nil {
		t.first = err
	}
}

// retried adds the retries of a request that is not a delivery.
func (t *tally) retried(n int) {
	t.mu.Lock()
	t.sum.Retried += n
	t.mu.Unlock()
}

func (t *tally) summary() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sum
}

// err is Run's error: why the run stopped early, else the first of the
// rejections and failures, else nil.
func (t *tally) err(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("fleet: run stopped: %w", cause)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sum.Rejected == 0 && t.sum.Failed == 0 {
		return nil
	}
	return fmt.Errorf("fleet: %d deliveries rejected and %d failed; the first: %w", t.sum.Rejected, t.sum.Failed, t.first)
}

// bar is the optional progress bar; its methods do nothing without one.
type bar struct{ pb *progressbar.ProgressBar }

func newBar(w io.Writer, total int) bar {
	if w == nil || total == 0 {
		return bar{}
	}
	return bar{progressbar.NewOptions64(int64(total),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("reports"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("reports"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)}
}

func (b bar) add() {
	if b.pb != nil {
		_ = b.pb.Add(1) // only fails past the total, which count rules out
	}
}

// finish fills the bar when the run completed and leaves it where it is
// when the run stopped early. Errors writing to the terminal must not fail
// the run.
func (b bar) finish(complete bool) {
	switch {
	case b.pb == nil:
	case complete:
		_ = b.pb.Finish()
	default:
		_ = b.pb.Exit()
	}
}
