package store

import (
	"context"
	"math"
	"time"
)

// The sent ledger remembers what the service has sent (alerts, weekly
// reports) so that each message goes out once: across restarts, and when
// several processes evaluate the same alerts. A sender claims a key,
// sends, then marks it sent (or releases the claim when sending failed):
//
//	ok, err := st.ClaimSend(ctx, store.SendClaim{Key: k, Kind: "alert", Now: now, Suppress: 24 * time.Hour, Lease: 10 * time.Minute})
//	if ok { if send() == nil { st.MarkSent(ctx, k, "alert", now) } else { st.ReleaseSend(ctx, k) } }
//
// A crash between sending and marking sends again after the lease: a
// message may, rarely, go out twice, never zero times.

// Ledger is the sent ledger. Store embeds it.
type Ledger interface {
	// ClaimSend reserves c.Key for the caller and tells whether it got
	// it: not when the key was last sent less than c.Suppress before
	// c.Now, nor while another sender's claim is younger than c.Lease.
	ClaimSend(ctx context.Context, c SendClaim) (bool, error)
	// MarkSent records that key (of kind) was sent at, and drops its
	// claim. It needs no claim.
	MarkSent(ctx context.Context, key, kind string, at time.Time) error
	// ReleaseSend drops the claim on key, after a failed send, so that
	// the next attempt may claim it at once.
	ReleaseSend(ctx context.Context, key string) error
	// Sent returns the ledger's record of key, or ErrNotFound.
	Sent(ctx context.Context, key string) (SentRecord, error)
}

// Forever is a suppression window that never ends: a key sent once is
// never claimed again.
const Forever = time.Duration(math.MaxInt64)

// SendClaim asks to send one message.
type SendClaim struct {
	Key  string // what was sent, e.g. "alert:rollback:1.2.0" or "report:weekly:2026-W48"
	Kind string // e.g. "alert", "weekly-report"
	Now  time.Time
	// Suppress is how long after it was last sent the key stays quiet
	// (Forever: sent once, ever).
	Suppress time.Duration
	// Lease is how long a claim holds off other senders; a sender that
	// died holding one is taken over after it.
	Lease time.Duration
}

// SuppressedUntil returns the latest last-sent time that still lets c
// be claimed: the zero time when c.Suppress is Forever.
func (c SendClaim) SuppressedUntil() time.Time {
	if c.Suppress >= Forever || c.Now.Sub(time.Time{}) <= c.Suppress {
		return time.Time{}
	}
	return c.Now.Add(-c.Suppress)
}

// SentRecord is the ledger's record of one key.
type SentRecord struct {
	Key, Kind string
	// FirstSent and LastSent are zero while it was never sent.
	FirstSent, LastSent time.Time
	Sends               int64
	Claimed             bool
}
