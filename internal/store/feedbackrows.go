package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// What both backends do with the rows of their feedback queries: the
// queries differ by dialect, the columns they return do not.

// FeedbackColumns are what ScanFeedback reads, from feedback f LEFT JOIN
// feedback_features ff.
const FeedbackColumns = `f.id, f.received_at, f.source, f.message, f.rating, f.votes, f.version, f.url, ff.feature`

// ScanFeedback reads rows of FeedbackColumns, ordered by feedback; the
// caller closes rows. prefix (the backend's name) begins its errors, as
// in the functions below.
func ScanFeedback(rows Rows, prefix string) ([]StoredFeedback, error) {
	var out []StoredFeedback
	err := ScanEach(rows, prefix, func(row Scanner) error {
		var err error
		out, err = appendFeedback(out, row, prefix)
		return err
	})
	return out, err
}

// appendFeedback scans one row of FeedbackColumns onto list
// (collectFeedback).
func appendFeedback(list []StoredFeedback, row Scanner, prefix string) ([]StoredFeedback, error) {
	var f StoredFeedback
	var rating sql.NullInt64
	var feature sql.NullString
	if err := row.Scan(&f.ID, Time{&f.Received}, &f.Source, &f.Message, &rating, &f.Votes, &f.Version, &f.URL,
		&feature); err != nil {
		return list, fmt.Errorf("%s: scan feedback: %w", prefix, err)
	}
	f.Rating = int(rating.Int64)
	var name *string
	if feature.Valid {
		name = &feature.String
	}
	return collectFeedback(list, f, name), nil
}

// ScanOneFeedback is ScanFeedback of rows of one feedback: ErrNotFound
// when there are none.
func ScanOneFeedback(rows Rows, prefix string) (*StoredFeedback, error) {
	list, err := ScanFeedback(rows, prefix)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// collectFeedback appends the feature of one row of a "feedback LEFT JOIN
// feedback_features" read, ordered by feedback, to the list: a row of a
// feedback not yet in it starts a new entry. feature is nil for a
// feedback without requests.
func collectFeedback(list []StoredFeedback, f StoredFeedback, feature *string) []StoredFeedback {
	if n := len(list); n == 0 || list[n-1].ID != f.ID {
		f.FeatureRequests = []string{}
		list = append(list, f)
	}
	if feature != nil {
		last := &list[len(list)-1]
		last.FeatureRequests = append(last.FeatureRequests, *feature)
	}
	return list
}

// ScanRatingCounts reads rows of day, rating and count; the caller closes
// rows.
func ScanRatingCounts(rows Rows, prefix string) ([]RatingCount, error) {
	return ScanList(rows, prefix, func(row Scanner) (RatingCount, error) {
		var c RatingCount
		if err := row.Scan(&c.Day, &c.Rating, &c.N); err != nil {
			return c, fmt.Errorf("%s: scan feedback rating: %w", prefix, err)
		}
		return c, nil
	})
}

// ScanVotes reads rows of feature, client votes and GitHub votes, and
// sorts them (SortVotes); the caller closes rows.
func ScanVotes(rows Rows, prefix string) ([]FeatureVote, error) {
	out, err := ScanList(rows, prefix, func(row Scanner) (FeatureVote, error) {
		var v FeatureVote
		if err := row.Scan(&v.Feature, &v.Client, &v.GitHub); err != nil {
			return v, fmt.Errorf("%s: scan feature votes: %w", prefix, err)
		}
		return v, nil
	})
	SortVotes(out)
	return out, err
}

// FeedbackOf returns the feedback sent with an installation's key.
func (r Records) FeedbackOf(ctx context.Context, installationID string) ([]StoredFeedback, error) {
	var out []StoredFeedback
	// query: feedback-of-installation
	err := r.reader().Query(ctx, `SELECT `+FeedbackColumns+` FROM feedback f
		JOIN installations i ON i.num = f.installation_num
		LEFT JOIN feedback_features ff ON ff.feedback_id = f.id
		WHERE i.installation_id = ? ORDER BY f.received_at, f.id, ff.feature`, []any{installationID},
		func(scan func(...any) error) error {
			var err error
			out, err = appendFeedback(out, scanFunc(scan), "store")
			return err
		})
	if err != nil {
		return nil, wrapRecord("feedback of installation", err)
	}
	return out, nil
}

// RetainFeedback deletes the feedback received before a time; its
// requests go with it (the cascade).
func (r Records) RetainFeedback(ctx context.Context, before time.Time) (int64, error) {
	// query: retain-feedback
	n, err := r.DB.Exec(ctx, `DELETE FROM feedback WHERE received_at < ?`, before)
	return n, wrapRecord("retain feedback", err)
}
