package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestFeatureUsageCommand: --add with telemetry off keeps nothing and
// says why; on, it keeps the counts, names the dropped ones, and the
// command without --add shows them; input that is not counts exits 2.
func TestFeatureUsageCommand(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	addJSON := func(in string) (int, map[string]any) {
		t.Helper()
		var out bytes.Buffer
		code, errOut := e.runWith(strings.NewReader(in), &out, time.Now(), "feature-usage", "--add", "--json")
		var ans map[string]any
		if code == exitOK && json.Unmarshal(out.Bytes(), &ans) != nil {
			t.Fatalf("not JSON: %s%s", out.String(), errOut)
		}
		return code, ans
	}
	code, ans := addJSON(`{"auto_indexing": {"uses": 3, "successes": 2}}`)
	if code != exitOK || ans["counting"] != false || ans["mode"] != "off" || !strings.Contains(ans["reason"].(string), "off") {
		t.Fatalf("off: exit %d, %v", code, ans)
	}
	e.mustRun("on")
	code, ans = addJSON(`{"auto_indexing": {"uses": 3, "successes": 2}, "Not A Name": {"uses": 1}}`)
	if dropped, _ := ans["dropped"].([]any); code != exitOK || ans["counting"] != true || len(dropped) != 1 || dropped[0] != "Not A Name" {
		t.Fatalf("on: exit %d, %v", code, ans)
	}
	if out := e.mustRun("feature-usage"); !strings.Contains(out, `"auto_indexing": {`) || !strings.Contains(out, `"uses": 3`) {
		t.Errorf("pending counts:\n%s", out)
	}
	for _, in := range []string{``, `[]`, `{"qpg": 3}`, `{"qpg": {"uses": 1, "name": "x"}}`, strings.Repeat(" ", 70_000) + "{}"} {
		if code, _ := addJSON(in); code != exitUsage {
			t.Errorf("input %.20q: exit %d, want %d", in, code, exitUsage)
		}
	}
}

// TestSendJSON: send --json says whether the report built now was stored,
// with telemetry off and against the real server.
func TestSendJSON(t *testing.T) {
	e := newEnv(t, startServer(t))
	sent := func() map[string]any {
		t.Helper()
		var ans map[string]any
		if out := e.mustRun("send", "--json"); json.Unmarshal([]byte(out), &ans) != nil {
			t.Fatalf("not JSON: %s", out)
		}
		return ans
	}
	if ans := sent(); ans["mode"] != "off" || ans["stored"] != false || ans["built"] != "" {
		t.Errorf("off: %v", ans)
	}
	e.mustRun("on")
	if ans := sent(); ans["mode"] != "on" || ans["stored"] != true || ans["built"] == "" || ans["error"] != "" {
		t.Errorf("on: %v", ans)
	}
}
