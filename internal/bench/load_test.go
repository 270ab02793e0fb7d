package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestClosedLoopRetryShare: with a retry share of one half, about half the
// requests a real loopback server receives repeat a report_id it saw
// before, byte for byte; with none, no report_id repeats.
func TestClosedLoopRetryShare(t *testing.T) {
	for _, c := range []struct {
		share    float64
		min, max float64 // bounds on the share of repeated report_ids
	}{{0, 0, 0}, {0.5, 0.2, 0.8}} {
		var mu sync.Mutex
		seen := map[string]string{}
		repeats, total := 0, 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var rep struct {
				ReportID string `json:"report_id"`
			}
			if err := json.Unmarshal(body, &rep); err != nil || rep.ReportID == "" {
				http.Error(w, "bad report", http.StatusBadRequest)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			total++
			if prev, ok := seen[rep.ReportID]; ok {
				if prev != string(body) {
					t.Errorf("report %s sent again with another body", rep.ReportID)
				}
				repeats++
			}
			seen[rep.ReportID] = string(body)
		}))
		r := ClosedLoop(context.Background(), Target{URL: srv.URL}, 4, time.Second, 100, c.share)
		srv.Close()
		if r.Errors != 0 || total < 100 {
			t.Fatalf("share %v: %d requests received, %d errors; want at least 100 and none", c.share, total, r.Errors)
		}
		got := float64(repeats) / float64(total)
		if got < c.min || got > c.max {
			t.Fatalf("share %v: %d of %d requests were retries (%.2f), want %.2f–%.2f", c.share, repeats, total, got, c.min, c.max)
		}
	}
}
