package collect

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// DefaultConfigFile is IndexPilot's config file name, looked up in the
// current directory when neither a path nor $INDEXPILOT_CONFIG_FILE is given.
const DefaultConfigFile = "indexpilot_config.yaml"

// maxConfigBytes bounds how much of the config file is read; IndexPilot's
// own file is about 25 KB.
const maxConfigBytes = 1 << 20

// ResolveConfigPath returns the config file to read: explicit when set,
// else $INDEXPILOT_CONFIG_FILE, else DefaultConfigFile in the current
// directory, which is how IndexPilot finds it.
func ResolveConfigPath(explicit string, getenv func(string) string) string {
	if explicit != "" {
		return explicit
	}
	if p := getenv("INDEXPILOT_CONFIG_FILE"); p != "" {
		return p
	}
	return DefaultConfigFile
}

// FeaturesFromConfig returns the enabled feature switches of the
// indexpilot_config.yaml at path, sorted: every bypass.features.<name> and
// features.<name> whose enabled is true, and auto_indexer_mode_apply or
// auto_indexer_mode_advisory for features.auto_indexer.mode (advisory, the
// default, when unset). Names that do not fit report's feature pattern are
// dropped. A missing file means no features and no error; a file that is
// not YAML is an error for the caller to report.
func FeaturesFromConfig(path string) ([]string, error) {
	features, _, err := readFeatures(path)
	return features, err
}

// readFeatures is FeaturesFromConfig that also says which switches it
// dropped, for Result.Notes.
func readFeatures(path string) (features, dropped []string, err error) {
	file, err := ReadConfig(path)
	if err != nil || file.Empty() {
		return nil, nil, err
	}
	seen := map[string]bool{}
	add := func(name string) {
		switch {
		case seen[name]:
		case report.Matches("metrics.features_used", name):
			features = append(features, name)
		default:
			dropped = append(dropped, name)
		}
		seen[name] = true
	}
	for _, sw := range switches(file.Lookup("bypass", "features")) {
		add(sw)
	}
	featuresNode := file.Lookup("features")
	for _, sw := range switches(featuresNode) {
		add(sw)
	}
	add("auto_indexer_mode_" + autoIndexerMode(lookup(featuresNode, "auto_indexer", "mode")))
	sort.Strings(features)
	sort.Strings(dropped)
	return features, dropped, nil
}

// ConfigFile is IndexPilot's config file, parsed; the collector reads its
// feature switches, the users' client its telemetry: section, both
// through Lookup. It is read once, whole (at most maxConfigBytes), and
// never written.
//
// The tree is walked by hand rather than decoded into a map because
// IndexPilot's shipped file repeats keys (features.auto_indexer), which
// PyYAML accepts (the last one wins) and yaml.v3's decoding rejects.
type ConfigFile struct {
	Path string
	root *yaml.Node // nil for an empty file
}

// ConfigFileError is a config file that cannot be used.
type ConfigFileError struct {
	Path    string
	Problem string // "is not valid YAML (…)", …
	Opened  bool   // false when it could not even be opened
}

// Error names the file and the problem.
func (e *ConfigFileError) Error() string {
	return "the IndexPilot config file " + e.Path + " " + e.Problem
}

// ReadConfig reads the config file at path: nil, and no error, when it
// does not exist; a *ConfigFileError when it cannot be read or is not
// YAML.
func ReadConfig(path string) (*ConfigFile, error) {
	bad := func(problem string, args ...any) error {
		return &ConfigFileError{Path: path, Problem: fmt.Sprintf(problem, args...), Opened: true}
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &ConfigFileError{Path: path, Problem: fmt.Sprintf("cannot be opened (%v)", err)}
	}
	defer f.Close() // read-only: a close error cannot lose data
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes))
	if err != nil {
		return nil, bad("cannot be read (%v)", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, bad("is not valid YAML (%v)", err)
	}
	c := &ConfigFile{Path: path}
	if len(doc.Content) == 0 { // an empty file
		return c, nil
	}
	c.root = resolve(doc.Content[0])
	return c, nil
}

// Empty reports whether the file holds nothing (or does not exist).
func (c *ConfigFile) Empty() bool { return c == nil || c.root == nil }

// Mapping reports whether the file is a YAML mapping, as IndexPilot's is;
// an empty one counts as one.
func (c *ConfigFile) Mapping() bool { return c.Empty() || c.root.Kind == yaml.MappingNode }

// Lookup follows keys through the file's nested mappings and returns the
// value node, or nil (for a nil file too). A repeated key resolves to its
// last value, as in PyYAML, and aliases to what they name.
func (c *ConfigFile) Lookup(keys ...string) *yaml.Node {
	if c == nil {
		return nil
	}
	return lookup(c.root, keys...)
}

// lookup follows keys through nested mappings and returns the value node,
// or nil. A repeated key resolves to its last value, as in PyYAML.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		n = resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var found *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				found = n.Content[i+1]
			}
		}
		n = found
	}
	return resolve(n)
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// switches returns the keys of a mapping whose value has enabled: true.
func switches(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var names []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		enabled := lookup(n, name, "enabled") // the last value of a repeated key
		var on bool
		if enabled != nil && enabled.Kind == yaml.ScalarNode && enabled.Decode(&on) == nil && on {
			names = append(names, name)
		}
	}
	return names
}

// autoIndexerMode maps features.auto_indexer.mode to a fixed word.
func autoIndexerMode(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode && n.Value == "apply" {
		return "apply"
	}
	return "advisory" // IndexPilot's default; anything else is not apply
}
