package store

import "context"

// ExportAll returns everything st holds about installation id: its
// reports, error reports and feedback (empty lists, never null). The
// installation's own export and an operator's export are this. It returns
// ErrNotFound for an unknown installation.
func ExportAll(ctx context.Context, st Store, id string) (*Export, error) {
	exp, err := st.ExportInstallation(ctx, id)
	if err != nil {
		return nil, err
	}
	if exp.Reports == nil {
		exp.Reports = []StoredReport{}
	}
	if exp.ErrorReports, err = st.ErrorReports(ctx, id); err != nil {
		return nil, err
	}
	if exp.ErrorReports == nil {
		exp.ErrorReports = []StoredError{}
	}
	if exp.Feedback, err = st.FeedbackOf(ctx, id); err != nil {
		return nil, err
	}
	if exp.Feedback == nil {
		exp.Feedback = []StoredFeedback{}
	}
	return exp, nil
}
