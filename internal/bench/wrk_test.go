package bench

import (
	"testing"
	"time"
)

const wrkOutput = `Running 30s test @ http://127.0.0.1:8080/api/v1/telemetry
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.21ms    2.10ms  45.12ms   88.00%
  Latency Distribution
     50%    2.80ms
     75%    3.90ms
     90%    5.10ms
     99%   11.20ms
  300123 requests in 30.10s, 61.2MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   9970.87
Transfer/sec:      2.03MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 300123 || r.Errors != 10 || r.OK != 300113 || r.Elapsed != 30100*time.Millisecond ||
		r.P50 != 2800*time.Microsecond || r.P99 != 11200*time.Microsecond {
		t.Fatalf("parseWrk = %+v", r)
	}
	if _, err := parseWrk("wrk: connection refused"); err == nil {
		t.Fatal("parseWrk accepted output without figures")
	}
}
