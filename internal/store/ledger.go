package store

import (
	"context"
	"errors"
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

// ClaimSend reserves a key of the sent ledger (see Ledger).
func (r Records) ClaimSend(ctx context.Context, c SendClaim) (bool, error) {
	// query: claim-send
	err := queryOne(ctx, r.DB, `INSERT INTO sent_ledger (key, kind, claimed_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at
		WHERE (sent_ledger.last_sent IS NULL OR sent_ledger.last_sent <= ?)
		  AND (sent_ledger.claimed_at IS NULL OR sent_ledger.claimed_at <= ?)
		RETURNING key`, []any{c.Key, c.Kind, c.Now, c.SuppressedUntil(), c.Now.Add(-c.Lease)},
		func(func(...any) error) error { return nil })
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, wrapRecord("claim send", err)
}

// MarkSent records a sent key and drops its claim.
func (r Records) MarkSent(ctx context.Context, key, kind string, at time.Time) error {
	// query: mark-sent
	_, err := r.DB.Exec(ctx, `INSERT INTO sent_ledger (key, kind, first_sent, last_sent, sends) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET first_sent = COALESCE(sent_ledger.first_sent, excluded.first_sent),
			last_sent = excluded.last_sent, sends = sent_ledger.sends + 1, claimed_at = NULL`, key, kind, at, at)
	return wrapRecord("mark sent", err)
}

// ReleaseSend drops the claim on key.
func (r Records) ReleaseSend(ctx context.Context, key string) error {
	// query: release-send
	_, err := r.DB.Exec(ctx, `UPDATE sent_ledger SET claimed_at = NULL WHERE key = ?`, key)
	return wrapRecord("release send", err)
}

// Sent returns the ledger's record of key.
func (r Records) Sent(ctx context.Context, key string) (SentRecord, error) {
	rec := SentRecord{Key: key}
	var first, last, claimed *time.Time
	// query: sent-record
	err := queryOne(ctx, r.reader(), `SELECT kind, first_sent, last_sent, sends, claimed_at FROM sent_ledger WHERE key = ?`,
		[]any{key}, func(scan func(...any) error) error {
			return scan(&rec.Kind, OptTime{&first}, OptTime{&last}, &rec.Sends, OptTime{&claimed})
		})
	if err != nil {
		return rec, wrapRecord("sent record", err)
	}
	if first != nil {
		rec.FirstSent = *first
	}
	if last != nil {
		rec.LastSent = *last
	}
	rec.Claimed = claimed != nil
	return rec, nil
}
