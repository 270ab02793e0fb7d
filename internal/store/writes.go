package store

import (
	"context"
	"time"
)

// WriteTx is what a backend's write transaction provides for Writes.
type WriteTx interface {
	ErrorTx
	FeedbackTx
}

// Writes are the methods of Store that are each one function of this
// package run in a backend's write transaction: storing an error report
// or feedback. Each backend embeds Writes, built on its transactions.
type Writes struct {
	// InTx runs fn in a write transaction and commits it, or rolls it
	// back when fn fails.
	InTx func(ctx context.Context, fn func(WriteTx) error) error
	// Now is the backend's clock.
	Now func() time.Time
}

// IngestError stores one error report, its group and its daily counter in
// one transaction (IngestErrorTx).
func (w Writes) IngestError(ctx context.Context, it ErrorItem) (bool, error) {
	var inserted bool
	err := w.InTx(ctx, func(tx WriteTx) error {
		var err error
		inserted, err = IngestErrorTx(ctx, tx, it, w.Now())
		return err
	})
	return inserted, err
}

// AddFeedback stores one feedback and its requests in one transaction
// (AddFeedbackTx).
func (w Writes) AddFeedback(ctx context.Context, it FeedbackItem) (int64, bool, error) {
	var id int64
	var inserted bool
	err := w.InTx(ctx, func(tx WriteTx) error {
		var err error
		id, inserted, err = AddFeedbackTx(ctx, tx, it, w.Now())
		return err
	})
	return id, inserted, err
}

// ImportFeedback stores imported feedback in one transaction
// (ImportFeedbackTx).
func (w Writes) ImportFeedback(ctx context.Context, items []FeedbackItem) (ImportCounts, error) {
	var n ImportCounts
	err := w.InTx(ctx, func(tx WriteTx) error {
		var err error
		n, err = ImportFeedbackTx(ctx, tx, items)
		return err
	})
	return n, err
}
