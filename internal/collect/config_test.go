package collect

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "indexpilot_config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFeaturesFromConfig(t *testing.T) {
	for _, c := range []struct {
		name, yaml    string
		want, dropped []string
	}{
		{"IndexPilot's shape, repeated key", testConfig, testFeatures, nil},
		{"empty file", "", nil, nil},
		{"no features: mode defaults to advisory", "system:\n  database: {host: x}\n", []string{"auto_indexer_mode_advisory"}, nil},
		{"unknown mode is not apply", "features:\n  auto_indexer: {mode: dry_run}\n", []string{"auto_indexer_mode_advisory"}, nil},
		{"quoted true is a string, not a switch", "features:\n  qpg: {enabled: \"true\"}\n", []string{"auto_indexer_mode_advisory"}, nil},
		{"scalar and list entries are ignored", "features:\n  qpg: true\n  cortex: [1]\n  alex: {enabled: on}\n", []string{"alex", "auto_indexer_mode_advisory"}, nil},
		{"names outside the pattern are dropped", "features:\n  Cortex-X: {enabled: true}\n  customers secret: {enabled: true}\n",
			[]string{"auto_indexer_mode_advisory"}, []string{"Cortex-X", "customers secret"}},
		{"a feature in both sections counts once", "bypass:\n  features:\n    auto_indexing: {enabled: true}\nfeatures:\n  auto_indexing: {enabled: true}\n",
			[]string{"auto_indexer_mode_advisory", "auto_indexing"}, nil},
		{"the last of a repeated key wins", "features:\n  qpg: {enabled: true}\n  qpg: {enabled: false}\n", []string{"auto_indexer_mode_advisory"}, nil},
		{"anchors and aliases", "base: &on {enabled: true}\nfeatures:\n  cortex: *on\n", []string{"auto_indexer_mode_advisory", "cortex"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, dropped, err := readFeatures(writeFile(t, c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) || !slices.Equal(dropped, c.dropped) {
				t.Errorf("features %q dropped %q, want %q and %q", got, dropped, c.want, c.dropped)
			}
		})
	}
}

func TestFeaturesFromConfigMissingAndMalformed(t *testing.T) {
	got, err := FeaturesFromConfig(filepath.Join(t.TempDir(), "absent.yaml"))
	if err != nil || got != nil {
		t.Errorf("missing file: %q, %v; want no features and no error", got, err)
	}
	if _, err := FeaturesFromConfig(writeFile(t, "features: [unclosed\n")); err == nil {
		t.Error("malformed YAML gave no error")
	}
}

func TestResolveConfigPath(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "INDEXPILOT_CONFIG_FILE" {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct{ explicit, env, want string }{
		{"/etc/ip.yaml", "/env.yaml", "/etc/ip.yaml"},
		{"", "/env.yaml", "/env.yaml"},
		{"", "", "indexpilot_config.yaml"},
	} {
		if got := ResolveConfigPath(c.explicit, env(c.env)); got != c.want {
			t.Errorf("ResolveConfigPath(%q) with env %q = %q, want %q", c.explicit, c.env, got, c.want)
		}
	}
}
