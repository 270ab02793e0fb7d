package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (t txn) InsertFeedback(ctx context.Context, it store.FeedbackItem, num *uint32) (int64, bool, error) {
	var key, rating any // NULL when absent
	if it.Key != "" {
		key = it.Key
	}
	if it.Rating != 0 {
		rating = it.Rating
	}
	var id int64
	// query: insert-feedback
	err := t.tx.QueryRowContext(ctx, `INSERT INTO feedback (feedback_key, source, received_at, day, installation_num,
			version, rating, votes, message, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (feedback_key) DO NOTHING RETURNING id`,
		key, it.Source, formatTime(it.Received), rollup.DayOf(it.Received), num, it.Version, rating, it.Votes,
		it.Message, it.URL).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: insert feedback: %w", err)
	}
	return id, true, t.insertRequests(ctx, id, it.Requests)
}

func (t txn) insertRequests(ctx context.Context, id int64, requests []string) error {
	for _, f := range store.SortedRequests(requests) {
		// query: insert-feedback-feature
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO feedback_features (feedback_id, feature) VALUES (?, ?)`, id, f); err != nil {
			return fmt.Errorf("sqlite: insert feedback feature: %w", err)
		}
	}
	return nil
}

func (t txn) FeedbackByKey(ctx context.Context, key string) (*store.StoredFeedback, error) {
	// query: feedback-by-key
	rows, err := t.tx.QueryContext(ctx, `SELECT `+store.FeedbackColumns+` FROM feedback f
		LEFT JOIN feedback_features ff ON ff.feedback_id = f.id WHERE f.feedback_key = ? ORDER BY ff.feature`, key)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feedback by key: %w", err)
	}
	defer rows.Close()
	return store.ScanOneFeedback(rows, "sqlite")
}

func (t txn) UpdateFeedback(ctx context.Context, id int64, it store.FeedbackItem) error {
	// query: update-feedback
	if _, err := t.tx.ExecContext(ctx, `UPDATE feedback SET message = ?, url = ?, votes = ? WHERE id = ?`,
		it.Message, it.URL, it.Votes, id); err != nil {
		return fmt.Errorf("sqlite: update feedback: %w", err)
	}
	// query: delete-feedback-features
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM feedback_features WHERE feedback_id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: update feedback: %w", err)
	}
	return t.insertRequests(ctx, id, it.Requests)
}

// scanFeedback is store.ScanFeedback on rows, which it closes.
func scanFeedback(rows *sql.Rows) ([]store.StoredFeedback, error) {
	defer rows.Close()
	return store.ScanFeedback(rows, "sqlite")
}

// FeedbackWindow reads the feedback q selects in one read snapshot.
func (s *Store) FeedbackWindow(ctx context.Context, q store.FeedbackQuery) (*store.FeedbackWindow, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: read feedback: %w", err)
	}
	defer tx.Rollback()
	from, to := formatTime(q.From), formatTime(q.To)
	w := &store.FeedbackWindow{}
	// query: count-feedback
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM feedback WHERE received_at >= ? AND received_at < ?
		AND (? = '' OR version = ?)`, from, to, q.Version, q.Version).Scan(&w.Total); err != nil {
		return nil, fmt.Errorf("sqlite: count feedback: %w", err)
	}
	// query: latest-feedback
	rows, err := tx.QueryContext(ctx, `SELECT `+store.FeedbackColumns+` FROM (SELECT * FROM feedback
			WHERE received_at >= ? AND received_at < ? AND (? = '' OR version = ?)
			ORDER BY received_at DESC, id DESC LIMIT ?) f
		LEFT JOIN feedback_features ff ON ff.feedback_id = f.id ORDER BY f.received_at DESC, f.id DESC, ff.feature`,
		from, to, q.Version, q.Version, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: latest feedback: %w", err)
	}
	if w.Latest, err = scanFeedback(rows); err != nil {
		return nil, err
	}
	if w.Ratings, err = ratingCounts(ctx, tx, from, to, q.Version); err != nil {
		return nil, err
	}
	if w.Votes, err = featureVotes(ctx, tx, from, to, q.Version); err != nil {
		return nil, err
	}
	w.Versions, err = feedbackVersions(ctx, tx, from, to)
	return w, err
}

func ratingCounts(ctx context.Context, q querier, from, to, version string) ([]store.RatingCount, error) {
	// query: feedback-ratings
	rows, err := q.QueryContext(ctx, `SELECT day, rating, count(*) FROM feedback
		WHERE received_at >= ? AND received_at < ? AND rating IS NOT NULL AND (? = '' OR version = ?)
		GROUP BY day, rating ORDER BY day, rating`, from, to, version, version)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feedback ratings: %w", err)
	}
	defer rows.Close()
	return store.ScanRatingCounts(rows, "sqlite")
}

// featureVotes counts the votes per feature; with a version, clients'
// votes of that version only (GitHub's carry none).
func featureVotes(ctx context.Context, q querier, from, to, version string) ([]store.FeatureVote, error) {
	// query: feature-votes
	rows, err := q.QueryContext(ctx, `SELECT ff.feature,
			sum(CASE WHEN f.source = 'client' THEN f.votes ELSE 0 END),
			sum(CASE WHEN f.source = 'github' THEN f.votes ELSE 0 END)
		FROM feedback_features ff JOIN feedback f ON f.id = ff.feedback_id
		WHERE f.received_at >= ? AND f.received_at < ? AND (? = '' OR f.source = 'github' OR f.version = ?)
		GROUP BY ff.feature`, from, to, version, version)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feature votes: %w", err)
	}
	defer rows.Close()
	return store.ScanVotes(rows, "sqlite")
}

func feedbackVersions(ctx context.Context, q querier, from, to string) ([]string, error) {
	// query: feedback-versions
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT version FROM feedback
		WHERE received_at >= ? AND received_at < ? AND version <> '' ORDER BY version`, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feedback versions: %w", err)
	}
	defer rows.Close()
	return store.ScanStrings(rows, "sqlite: feedback versions")
}

// FeatureVotes returns the votes per requested feature among the feedback
// received in [from, to).
func (s *Store) FeatureVotes(ctx context.Context, from, to time.Time) ([]store.FeatureVote, error) {
	return featureVotes(ctx, s.rdb, formatTime(from), formatTime(to), "")
}
