package server

import (
	"bytes"
	"compress/gzip"
	"net/http/httptest"
	"testing"
)

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sample is a body of the first client's size; readBody does not parse it.
func sample(id string) []byte {
	return []byte(`{"installation_id": "` + id + `", "version": "1.1.0", "timestamp": "2026-11-20T10:00:00Z",
	 "metrics": {"features_used": ["auto_indexing", "pattern_detection"], "indexes_created": 42,
	             "queries_analyzed": 10000, "performance_improvement_pct": 30.5,
	             "algorithm_usage": {"predictive_indexing": 15, "cert": 8, "qpg": 12}},
	 "environment": {"python_version": "3.11.0", "postgresql_version": "15.0", "os": "linux", "cpu_cores": 8}}`)
}

func readGzip(body []byte, limit int64) ([]byte, error) {
	r := httptest.NewRequest("POST", "/api/v1/telemetry", bytes.NewReader(body))
	r.Header.Set("Content-Encoding", "gzip")
	return readBody(httptest.NewRecorder(), r, limit)
}

// TestGzipReadersAreReusedCleanly sends good, broken and oversized gzip
// bodies one after another: gzip readers are pooled, and nothing of one
// body may show in the next.
func TestGzipReadersAreReusedCleanly(t *testing.T) {
	a := sample("installation-a")
	b := sample("installation-b")
	bomb := gzipped(t, append(append([]byte{}, a...), bytes.Repeat([]byte(" "), 2048)...))
	truncated := gzipped(t, b)
	truncated = truncated[:len(truncated)-9]
	for i := range 50 {
		for _, c := range []struct {
			in   []byte
			want []byte // nil: an error
		}{
			{gzipped(t, a), a},
			{[]byte("not gzip at all"), nil},
			{gzipped(t, b), b},
			{bomb, nil},
			{truncated, nil},
			{append(gzipped(t, a), gzipped(t, b)...), append(append([]byte{}, a...), b...)}, // two members
		} {
			got, err := readGzip(c.in, 1024)
			switch {
			case c.want == nil && err == nil:
				t.Fatalf("round %d: %q read without error", i, got)
			case c.want != nil && (err != nil || !bytes.Equal(got, c.want)):
				t.Fatalf("round %d: got %q, %v; want %q", i, got, err, c.want)
			}
		}
	}
}

func BenchmarkReadGzipBody(b *testing.B) {
	in := gzipped(b, sample("installation-a"))
	for b.Loop() {
		if _, err := readGzip(in, 64<<10); err != nil {
			b.Fatal(err)
		}
	}
}
