package client

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
)

// fileSettings is the telemetry section of indexpilot_config.yaml, with
// the first client's keys. A nil field is absent.
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
// into out, with the collector's reader of that file. A missing file, or
// one without the section, leaves out empty and is no error. found says
// whether the file exists.
func readFileSettings(path string, out *fileSettings) (found bool, err error) {
	inFile := func(problem string) error {
		return &ConfigError{Problem: (&collect.ConfigFileError{Path: path, Problem: problem}).Error(),
			Fix: "correct it, or point INDEXPILOT_CONFIG_FILE at a valid one"}
	}
	file, err := collect.ReadConfig(path)
	var ce *collect.ConfigFileError
	if errors.As(err, &ce) {
		return ce.Opened, inFile(ce.Problem)
	}
	if file == nil {
		return false, nil
	}
	if !file.Mapping() {
		return true, inFile("is not a YAML mapping")
	}
	section := file.Lookup("telemetry")
	if section == nil || section.Tag == "!!null" {
		return true, nil
	}
	if section.Kind != yaml.MappingNode {
		return true, inFile("has a telemetry: section that is not a mapping")
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
		n := file.Lookup("telemetry", b.key)
		if n == nil || n.Tag == "!!null" {
			continue
		}
		var v bool
		if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
			return true, inFile(fmt.Sprintf("sets telemetry.%s to %q at line %d, which is neither true nor false", b.key, n.Value, n.Line))
		}
		*b.dst = &v
	}
	if n := file.Lookup("telemetry", "endpoint"); n != nil && n.Tag != "!!null" {
		if n.Kind != yaml.ScalarNode {
			return true, inFile(fmt.Sprintf("sets telemetry.endpoint at line %d to something that is not a URL", n.Line))
		}
		if n.Value != "" { // empty: the default
			out.Endpoint = &n.Value
		}
	}
	return true, nil
}
