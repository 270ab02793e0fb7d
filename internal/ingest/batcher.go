// Package ingest is the group-commit batcher: it gathers the reports of
// concurrent requests into one store transaction, so throughput does not
// depend on one commit per report, and it answers each request only after
// the transaction holding its report has committed.
package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("ingest: batcher closed")

// Observer receives the size and commit latency of every batch, for
// metrics. It may be nil.
type Observer interface {
	Batch(size int, took time.Duration, err error)
}

// DefaultMaxBatch is the most reports one transaction commits unless
// configured.
const DefaultMaxBatch = 1000

// Config configures a Batcher.
type Config struct {
	MaxBatch int           // most reports in one transaction (default DefaultMaxBatch)
	MaxWait  time.Duration // how long a lone report may wait for company (default 0: none)
	Timeout  time.Duration // deadline of one commit (default 10 s)
	// Committers is how many batches may be in flight at once (default
	// 1). With more than one, one batch at a time forms and starts its
	// transaction, and the next forms once it is staged (see
	// store.StagedIngester: sent, its answer awaited) or
	// done; the store keeps them exact.
	Committers int
}

// Batcher commits submitted reports in batches.
type Batcher struct {
	store    store.Store
	cfg      Config
	observer Observer
	queue    chan *request
	front    sync.Mutex // held by the committer forming and starting a batch
	done     chan struct{}
	mu       sync.RWMutex // guards closed against sends on queue
	closed   bool
}

type request struct {
	item  store.Item
	reply chan result
}

type result struct {
	inserted bool
	err      error
}

// New starts a batcher on s. Close stops it.
func New(s store.Store, cfg Config, o Observer) *Batcher {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	cfg.Committers = max(cfg.Committers, 1)
	b := &Batcher{store: s, cfg: cfg, observer: o, queue: make(chan *request, cfg.MaxBatch*4), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range cfg.Committers {
		wg.Go(b.loop)
	}
	go func() { wg.Wait(); close(b.done) }()
	return b
}

// Submit queues one report and waits until it is committed. inserted is
// false when the report was already stored. An error means it was not
// stored and the sender should retry later.
func (b *Batcher) Submit(ctx context.Context, it store.Item) (inserted bool, err error) {
	req := &request{item: it, reply: make(chan result, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return false, ErrClosed
	}
	select {
	case b.queue <- req:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return false, ctx.Err()
	}
	// Once queued, the report will be committed or failed; wait for that
	// even if the client gave up, so the answer is never a guess.
	r := <-req.reply
	return r.inserted, r.err
}

// Close stops accepting reports, commits every queued one, and returns
// when the last batch is done.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	<-b.done
}

// loop is one committer: it takes the front, forms a batch, and gives the
// front up once the store has staged the batch (or stored it), so that
// the next batch forms while this one commits and takes in what arrived
// meanwhile.
func (b *Batcher) loop() {
	batch := make([]*request, 0, b.cfg.MaxBatch)
	for {
		b.front.Lock()
		first, ok := <-b.queue
		if !ok {
			b.front.Unlock()
			return
		}
		batch = append(batch[:0], first)
		batch = b.fill(batch)
		b.commit(batch, b.front.Unlock)
	}
}

// fill adds what is already queued (and, with MaxWait, what arrives
// shortly) to batch, up to MaxBatch.
func (b *Batcher) fill(batch []*request) []*request {
	var timeout <-chan time.Time
	if b.cfg.MaxWait > 0 {
		t := time.NewTimer(b.cfg.MaxWait)
		defer t.Stop()
		timeout = t.C
	}
	for len(batch) < b.cfg.MaxBatch {
		select {
		case r, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			continue
		default:
		}
		if timeout == nil {
			return batch
		}
		select {
		case r, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-timeout:
			return batch
		}
	}
	return batch
}

// commit stores batch, calls release once (when the store stages the
// batch, or at the latest when it is done) and answers the requests.
func (b *Batcher) commit(batch []*request, release func()) {
	var once sync.Once
	staged := func() { once.Do(release) }
	items := make([]store.Item, len(batch))
	for i, r := range batch {
		items[i] = r.item
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.Timeout)
	start := time.Now()
	var inserted []bool
	var err error
	if st, ok := b.store.(store.StagedIngester); ok {
		inserted, err = st.IngestStaged(ctx, items, staged)
	} else {
		inserted, err = b.store.Ingest(ctx, items)
	}
	staged()
	cancel()
	if b.observer != nil {
		b.observer.Batch(len(batch), time.Since(start), err)
	}
	for i, r := range batch {
		if err != nil {
			r.reply <- result{err: err}
			continue
		}
		r.reply <- result{inserted: inserted[i]}
	}
}
