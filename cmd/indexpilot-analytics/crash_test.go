package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// startServe starts `serve` on a free port and returns the process and its URL.
func startServe(t *testing.T, dsn string) (*exec.Cmd, string) {
	t.Helper()
	return startServeLogged(t, dsn, io.Discard, nil)
}

// startServeLogged starts `serve` on a free port with extra environment
// and flags, copies its log to logs, and returns the process and its URL.
func startServeLogged(t *testing.T, dsn string, logs io.Writer, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--database", dsn}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	return cmd, testkit.StartServe(t, cmd, logs, 60*time.Second)
}

func fleetKey(t *testing.T, dsn string) string {
	t.Helper()
	out, err := exec.Command(binary(t), "keys", "create", "--kind", "fleet", "--database", dsn).Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

type sent struct {
	id, inst string
	body     []byte
}

func crashReports(n, installations int) []sent {
	now := time.Now().UTC()
	out := make([]sent, n)
	for i := range out {
		id := uuid.NewString()
		inst := fmt.Sprintf("crash-inst-%04d", i%installations)
		ts := now.Add(-time.Duration(i%(72*60)) * time.Minute).Format(time.RFC3339)
		out[i] = sent{id: id, inst: inst, body: []byte(fmt.Sprintf(`{"report_id":%q,"installation_id":%q,"version":"1.%d.0",
			"timestamp":%q,"metrics":{"features_used":["auto_indexing"],"indexes_created":%d,"algorithm_usage":{"cert":%d}},
			"environment":{"os":"linux","postgresql_version":"16.4"}}`, id, inst, i%3, ts, i%7, i%5+1))}
	}
	return out
}

// post sends one report; it returns true only for a 200 acknowledgement.
func post(client *http.Client, url, key string, r sent) bool {
	req, _ := http.NewRequest("POST", url+"/api/v1/telemetry", bytes.NewReader(r.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// TestSIGKILLLosesNothing kills the real binary with SIGKILL in the middle
// of a load and checks that every acknowledged report is stored, that none
// is counted twice, and that re-sending everything afterwards converges on
// exactly one count per report.
func TestSIGKILLLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	for _, backend := range []string{"sqlite", "postgres", "postgres, 2 committers"} {
		t.Run(backend, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "crash.db")
			var args []string
			if backend != "sqlite" {
				dsn = pgtest.New(t)
			}
			if strings.HasSuffix(backend, "2 committers") { // the next batch starts while one commits
				args = []string{"--committers", "2"}
			}
			crashOnce(t, dsn, args...)
		})
	}
}

// crashOnce is one TestSIGKILLLosesNothing on dsn, serve run with args.
func crashOnce(t *testing.T, dsn string, args ...string) {
	key := fleetKey(t, dsn)
	cmd, url := startServeLogged(t, dsn, io.Discard, nil, args...)
	reports := crashReports(6000, 40)
	client := &http.Client{Timeout: 10 * time.Second}
	acked := sendAll(client, url, key, reports, func(i int) {
		if i == len(reports)/2 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Error(err)
			}
		}
	})
	cmd.Wait()
	if len(acked) == 0 || len(acked) == len(reports) {
		t.Fatalf("the kill did not land mid-load: %d of %d acknowledged", len(acked), len(reports))
	}
	stored := storedKeys(t, dsn, 40)
	for id := range acked {
		if !stored[id] {
			t.Fatalf("acknowledged report %s lost after SIGKILL", id)
		}
	}
	checkExact(t, dsn, len(stored))
	t.Logf("%d acknowledged before the kill, %d stored", len(acked), len(stored))

	// Restart and re-send everything: each report ends up counted once.
	cmd, url = startServeLogged(t, dsn, io.Discard, nil, args...)
	defer testkit.Stop(cmd) // on a failure; stopServe below otherwise
	if again := sendAll(client, url, key, reports, nil); len(again) != len(reports) {
		t.Fatalf("after restart %d of %d re-sent reports were acknowledged", len(again), len(reports))
	}
	stopServe(t, cmd)
	checkExact(t, dsn, len(reports))
}

// sendAll posts reports from 16 workers; before handing out report i it
// calls hook(i). It returns the ids acknowledged with 200.
func sendAll(client *http.Client, url, key string, reports []sent, hook func(int)) map[string]bool {
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	next := make(chan sent)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				if post(client, url, key, r) {
					mu.Lock()
					acked[r.id] = true
					mu.Unlock()
				}
			}
		}()
	}
	for i, r := range reports {
		if hook != nil {
			hook(i)
		}
		next <- r
	}
	close(next)
	wg.Wait()
	return acked
}

func storedKeys(t *testing.T, dsn string, installations int) map[string]bool {
	t.Helper()
	st := openStore(t, dsn)
	defer st.Close()
	keys := map[string]bool{}
	for i := 0; i < installations; i++ {
		exp, err := st.ExportInstallation(context.Background(), fmt.Sprintf("crash-inst-%04d", i))
		if err != nil {
			continue // an installation whose reports never arrived
		}
		for _, r := range exp.Reports {
			keys[r.Key] = true
		}
	}
	return keys
}

// checkExact asserts that the rollups count want reports and equal what
// recompute rebuilds from the raw reports.
func checkExact(t *testing.T, dsn string, want int) {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, dsn)
	defer st.Close()
	q := store.RollupQuery{From: 0, To: rollup.DayOf(time.Now()) + 2, Bitmaps: true}
	before, err := st.Rollups(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, r := range before {
		if r.Dim == rollup.DimAll {
			total += r.Reports
		}
	}
	if total != int64(want) {
		t.Fatalf("rollups count %d reports, %d are stored", total, want)
	}
	if err := st.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := st.Rollups(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("recompute: %d rows, ingest kept %d", len(after), len(before))
	}
	for i := range after {
		if after[i].Key != before[i].Key || after[i].Counters != before[i].Counters || !after[i].Installs.Equals(before[i].Installs) {
			t.Fatalf("row %v differs from recompute: %+v vs %+v", before[i].Key, before[i].Counters, after[i].Counters)
		}
	}
}
