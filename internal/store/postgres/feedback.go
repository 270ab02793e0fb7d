package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (t txn) InsertFeedback(ctx context.Context, it store.FeedbackItem, num *uint32) (int64, bool, error) {
	var key *string
	if it.Key != "" {
		key = &it.Key
	}
	var rating *int16
	if it.Rating != 0 {
		r := int16(it.Rating)
		rating = &r
	}
	var inst *int32
	if num != nil {
		n := int32(*num)
		inst = &n
	}
	var id int64
	// query: insert-feedback
	err := t.tx.QueryRow(ctx, `INSERT INTO feedback (feedback_key, source, received_at, day, installation_num,
			version, rating, votes, message, url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (feedback_key) DO NOTHING RETURNING id`,
		key, it.Source, it.Received, int32(rollup.DayOf(it.Received)), inst, it.Version, rating, it.Votes,
		it.Message, it.URL).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("postgres: insert feedback: %w", err)
	}
	// query: insert-feedback-features
	if _, err := t.tx.Exec(ctx, `INSERT INTO feedback_features (feedback_id, feature)
		SELECT $1, f FROM unnest($2::text[]) AS u(f)`, id, store.SortedRequests(it.Requests)); err != nil {
		return 0, false, fmt.Errorf("postgres: insert feedback features: %w", err)
	}
	return id, true, nil
}

func (t txn) FeedbackByKey(ctx context.Context, key string) (*store.StoredFeedback, error) {
	// query: feedback-by-key
	rows, err := t.tx.Query(ctx, `SELECT `+store.FeedbackColumns+` FROM feedback f
		LEFT JOIN feedback_features ff ON ff.feedback_id = f.id WHERE f.feedback_key = $1 ORDER BY ff.feature`, key)
	if err != nil {
		return nil, fmt.Errorf("postgres: feedback by key: %w", err)
	}
	defer rows.Close()
	return store.ScanOneFeedback(rows, "postgres")
}

func (t txn) UpdateFeedback(ctx context.Context, id int64, it store.FeedbackItem) error {
	b := &pgx.Batch{}
	// query: update-feedback
	b.Queue(`UPDATE feedback SET message = $2, url = $3, votes = $4 WHERE id = $1`, id, it.Message, it.URL, it.Votes)
	// query: delete-feedback-features
	b.Queue(`DELETE FROM feedback_features WHERE feedback_id = $1`, id)
	// query: insert-feedback-features
	b.Queue(`INSERT INTO feedback_features (feedback_id, feature) SELECT $1, f FROM unnest($2::text[]) AS u(f)`,
		id, store.SortedRequests(it.Requests))
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: update feedback: %w", err)
	}
	return nil
}

// scanFeedback is store.ScanFeedback on rows, which it closes.
func scanFeedback(rows pgx.Rows) ([]store.StoredFeedback, error) {
	defer rows.Close()
	return store.ScanFeedback(rows, "postgres")
}

// FeedbackWindow reads the feedback q selects in one snapshot.
func (s *Store) FeedbackWindow(ctx context.Context, q store.FeedbackQuery) (*store.FeedbackWindow, error) {
	w := &store.FeedbackWindow{}
	err := s.inTxOpts(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		*w = store.FeedbackWindow{}
		// query: count-feedback
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM feedback WHERE received_at >= $1 AND received_at < $2
			AND ($3 = '' OR version = $3)`, q.From, q.To, q.Version).Scan(&w.Total); err != nil {
			return fmt.Errorf("postgres: count feedback: %w", err)
		}
		// query: latest-feedback
		rows, err := tx.Query(ctx, `SELECT `+store.FeedbackColumns+` FROM (SELECT * FROM feedback
				WHERE received_at >= $1 AND received_at < $2 AND ($3 = '' OR version = $3)
				ORDER BY received_at DESC, id DESC LIMIT $4) f
			LEFT JOIN feedback_features ff ON ff.feedback_id = f.id ORDER BY f.received_at DESC, f.id DESC, ff.feature`,
			q.From, q.To, q.Version, q.Limit)
		if err != nil {
			return fmt.Errorf("postgres: latest feedback: %w", err)
		}
		if w.Latest, err = scanFeedback(rows); err != nil {
			return err
		}
		if w.Ratings, err = ratingCounts(ctx, tx, q); err != nil {
			return err
		}
		if w.Votes, err = featureVotes(ctx, tx, q.From, q.To, q.Version); err != nil {
			return err
		}
		w.Versions, err = feedbackVersions(ctx, tx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

func ratingCounts(ctx context.Context, db querier, q store.FeedbackQuery) ([]store.RatingCount, error) {
	// query: feedback-ratings
	rows, err := db.Query(ctx, `SELECT day, rating, count(*) FROM feedback
		WHERE received_at >= $1 AND received_at < $2 AND rating IS NOT NULL AND ($3 = '' OR version = $3)
		GROUP BY day, rating ORDER BY day, rating`, q.From, q.To, q.Version)
	if err != nil {
		return nil, fmt.Errorf("postgres: feedback ratings: %w", err)
	}
	defer rows.Close()
	return store.ScanRatingCounts(rows, "postgres")
}

// featureVotes counts the votes per feature; with a version, clients'
// votes of that version only (GitHub's carry none).
func featureVotes(ctx context.Context, db querier, from, to time.Time, version string) ([]store.FeatureVote, error) {
	// query: feature-votes
	rows, err := db.Query(ctx, `SELECT ff.feature,
			sum(CASE WHEN f.source = 'client' THEN f.votes ELSE 0 END)::bigint,
			sum(CASE WHEN f.source = 'github' THEN f.votes ELSE 0 END)::bigint
		FROM feedback_features ff JOIN feedback f ON f.id = ff.feedback_id
		WHERE f.received_at >= $1 AND f.received_at < $2 AND ($3 = '' OR f.source = 'github' OR f.version = $3)
		GROUP BY ff.feature`, from, to, version)
	if err != nil {
		return nil, fmt.Errorf("postgres: feature votes: %w", err)
	}
	defer rows.Close()
	return store.ScanVotes(rows, "postgres")
}

func feedbackVersions(ctx context.Context, db querier, q store.FeedbackQuery) ([]string, error) {
	// query: feedback-versions
	rows, err := db.Query(ctx, `SELECT DISTINCT version FROM feedback
		WHERE received_at >= $1 AND received_at < $2 AND version <> '' ORDER BY version`, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("postgres: feedback versions: %w", err)
	}
	defer rows.Close()
	return store.ScanStrings(rows, "postgres: feedback versions")
}

// FeatureVotes returns the votes per requested feature among the feedback
// received in [from, to).
func (s *Store) FeatureVotes(ctx context.Context, from, to time.Time) ([]store.FeatureVote, error) {
	return featureVotes(ctx, s.pool, from, to, "")
}
