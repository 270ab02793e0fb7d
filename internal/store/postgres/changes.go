package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// changesChannel is the channel migration 020's triggers notify.
const changesChannel = "indexpilot_changes"

// codeErased is the SQLSTATE of migration 020's refusal to create an
// erased installation again.
const codeErased = "IP410"

// Watch timing: a connection that has said nothing for heartbeatEvery is
// pinged, and one that does not answer within pingTimeout is given up (a
// peer gone without closing the socket would otherwise leave the caches
// trusted but blind); a failed connection is retried after retryEvery.
const (
	heartbeatEvery = 5 * time.Second
	pingTimeout    = 2 * time.Second
	retryEvery     = time.Second
)

// WatchChanges listens for the notifications of migration 020's triggers
// on a connection of its own (not one of the pool's) until ctx ends.
func (s *Store) WatchChanges(ctx context.Context, fn func(store.Change)) error {
	for {
		err := s.listen(ctx, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fn(store.Change{Kind: store.ChangeBlind, Err: err})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryEvery):
		}
	}
}

// listen runs one LISTEN connection until it fails or ctx ends.
func (s *Store) listen(ctx context.Context, fn func(store.Change)) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("postgres: watch: connect: %w", err)
	}
	defer conn.Close(context.Background())
	// query: listen-changes
	if _, err := conn.Exec(ctx, `LISTEN `+changesChannel); err != nil {
		return fmt.Errorf("postgres: watch: listen: %w", err)
	}
	fn(store.Change{Kind: store.ChangeResync})
	for {
		wait, cancel := context.WithTimeout(ctx, heartbeatEvery)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			if c, ok := store.ParseChange(n.Payload); ok {
				fn(c)
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case wait.Err() != nil: // quiet: make sure the server is still there
			if err := ping(ctx, conn); err != nil {
				return err
			}
		default:
			return fmt.Errorf("postgres: watch: %w", err)
		}
	}
}

func ping(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: watch: ping: %w", err)
	}
	return nil
}
