package report

import (
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	key := func(kv ...any) string { return mustDecode(t, body(t, kv...)).Key() }
	base := key()
	if base != key() {
		t.Error("Key differs between two decodes of one report")
	}
	if !strings.HasPrefix(base, "sha256:") {
		t.Errorf("Key = %q", base)
	}
	const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	tests := []struct {
		name string
		kv   []any
		same bool
	}{
		{"same instant with an offset", []any{"timestamp", "2026-11-20T11:00:00+01:00"}, true},
		{"same instant without offset", []any{"timestamp", "2026-11-20T10:00:00"}, true},
		{"same instant with zero fraction", []any{"timestamp", "2026-11-20T10:00:00.000Z"}, true},
		{"other metrics", []any{"metrics.indexes_created", 1}, true},
		{"other installation", []any{"installation_id", "another-installation"}, false},
		{"other timestamp", []any{"timestamp", "2026-11-20T10:00:01Z"}, false},
		{"other fraction", []any{"timestamp", "2026-11-20T10:00:00.5Z"}, false},
	}
	for _, tt := range tests {
		if got := key(tt.kv...); (got == base) != tt.same {
			t.Errorf("%s: Key = %q, base %q", tt.name, got, base)
		}
	}
	if got := key("report_id", id); got != id {
		t.Errorf("Key with report_id = %q, want %q", got, id)
	}
	if got := key("report_id", strings.ToUpper(id), "timestamp", "2026-11-20T09:00:00Z"); got != id {
		t.Errorf("Key with upper-case report_id = %q, want %q", got, id)
	}
}
