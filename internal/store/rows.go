package store

import "fmt"

// Scanner is one row to scan: what pgx's Row and Rows and database/sql's
// Row and Rows all have.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows are what both drivers' query results have: rows to scan in turn.
// Closing differs (pgx's Close returns nothing), so the callers of the
// functions below close their rows.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// EachRow calls row with the Scan of each of rows, until an error; the
// caller closes rows.
func EachRow(rows Rows, row func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ScanList scans each of rows with scan, until an error; the caller
// closes rows. An interrupted read's error is prefixed with what, which
// names the read (scan wraps its own errors).
func ScanList[T any](rows Rows, what string, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	err := ScanEach(rows, what, func(row Scanner) error {
		v, err := scan(row)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanEach calls fn with each of rows, until an error; the caller closes
// rows. An interrupted read's error is prefixed with what.
func ScanEach(rows Rows, what string, fn func(Scanner) error) error {
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ScanStrings reads rows of one text column; the caller closes rows.
// prefix begins its errors.
func ScanStrings(rows Rows, prefix string) ([]string, error) {
	return ScanList(rows, prefix, func(row Scanner) (string, error) {
		var s string
		if err := row.Scan(&s); err != nil {
			return s, fmt.Errorf("%s: scan text: %w", prefix, err)
		}
		return s, nil
	})
}

// scanFunc is a row's Scan as SQL.Query gives it, made a Scanner.
type scanFunc func(dest ...any) error

// Scan implements Scanner.
func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
