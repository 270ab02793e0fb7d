package client

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"
)

// maxConfigBytes bounds how much of IndexPilot's config file is read; its
// own file is about 25 KB.
const maxConfigBytes = 1 << 20

// fileSettings is the telemetry section of indexpilot_config.yaml, with
// the seed's keys. A nil field is absent.
type fileSettings struct {
	Enabled                   *bool
	CollectUsageStats         *bool
	CollectErrorReports       *bool
	CollectPerformanceMetrics *bool
	AnonymizeData             *bool
	Endpoint                  *string
	Survey                    *bool // the feedback invitation (survey.go)
}

// readFileSettings reads the telemetry section of the config file at path
// into fs. A missing file, or one without the section, leaves fs empty and
// is no error. found says whether the file exists.
//
// The tree is walked by hand, the last of a repeated key winning, because
// IndexPilot's shipped file repeats keys, which PyYAML accepts and
// yaml.v3's decoding into structs rejects.
func readFileSettings(path string, out *fileSettings) (found bool, err error) {
	bad := func(problem string) error {
		return &ConfigError{Problem: fmt.Sprintf("the IndexPilot config file %s %s", path, problem),
			Fix: "correct it, or point INDEXPILOT_CONFIG_FILE at a valid one"}
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, bad(fmt.Sprintf("cannot be opened (%v)", err))
	}
	defer f.Close() // read-only: a close error cannot lose data
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes))
	if err != nil {
		return true, bad(fmt.Sprintf("cannot be read (%v)", err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return true, bad(fmt.Sprintf("is not valid YAML (%v)", err))
	}
	if len(doc.Content) == 0 {
		return true, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return true, bad("is not a YAML mapping")
	}
	section := last(root, "telemetry")
	if section == nil || section.Tag == "!!null" {
		return true, nil
	}
	if section.Kind != yaml.MappingNode {
		return true, bad("has a telemetry: section that is not a mapping")
	}
	for _, b := range []struct {
		key string
		dst **bool
	}{
		{"enabled", &out.Enabled},
		{"collect_usage_stats", &out.CollectUsageStats},
		{"collect_error_reports", &out.CollectErrorReports},
		{"collect_performance_metrics", &out.CollectPerformanceMetrics},
		{"anonymize_data", &out.AnonymizeData},
		{"survey", &out.Survey},
	} {
		n := last(section, b.key)
		if n == nil || n.Tag == "!!null" {
			continue
		}
		var v bool
		if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
			return true, bad(fmt.Sprintf("sets telemetry.%s to %q at line %d, which is neither true nor false", b.key, n.Value, n.Line))
		}
		*b.dst = &v
	}
	if n := last(section, "endpoint"); n != nil && n.Tag != "!!null" {
		if n.Kind != yaml.ScalarNode {
			return true, bad(fmt.Sprintf("sets telemetry.endpoint at line %d to something that is not a URL", n.Line))
		}
		if n.Value != "" { // empty: the default
			out.Endpoint = &n.Value
		}
	}
	return true, nil
}

// last returns the value of the last occurrence of key in mapping n, with
// aliases resolved, or nil.
func last(n *yaml.Node, key string) *yaml.Node {
	var found *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			found = n.Content[i+1]
		}
	}
	for found != nil && found.Kind == yaml.AliasNode {
		found = found.Alias
	}
	return found
}
