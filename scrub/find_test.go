package scrub

import (
	"maps"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]int
	}{
		{"psycopg2.OperationalError: could not connect", nil},
		{`connection to server at "[host]" ([ip]), port 5432 failed`, nil},
		{"mail alice@example.com or bob@example.org from 10.0.0.5", map[string]int{"email": 2, "ip": 1}},
		{"the password is hunter2, call +44 20 7946 0958", map[string]int{"password": 1, "phone": 1}},
		{"STATEMENT:  SELECT 1 FROM t WHERE a = 'x'", map[string]int{"sql-literal": 2}},
		{"[info] token abc123 and [email]", map[string]int{"token": 1}},
		{strings.Repeat("a", MaxInput+10), nil},
	}
	for _, tc := range tests {
		if got := Find(tc.in); !maps.Equal(got, tc.want) {
			t.Errorf("Find(%.60q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestFindCorpus: every corpus input with a planted secret is found
// before scrubbing and clean after.
func TestFindCorpus(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if len(e.secrets) > 0 && Find(e.input) == nil {
			t.Errorf("%s: Find sees nothing in an input with planted secrets", e.name)
		}
		if got := Find(String(e.input)); got != nil {
			t.Errorf("%s: Find(String(x)) = %v, want nil", e.name, got)
		}
	}
}
