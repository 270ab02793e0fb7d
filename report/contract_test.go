package report

import (
	"slices"
	"testing"
)

// TestContractObjects checks that the tables Decode walks list exactly the
// fields of known, in key order, and fit in members.
func TestContractObjects(t *testing.T) {
	names := func(fields []fieldInfo) []string {
		var out []string
		for _, f := range fields {
			out = append(out, f.name)
		}
		return out
	}
	objects := map[string][]fieldInfo{
		reportObject.path:      infos(reportObject),
		metricsObject.path:     infos(metricsObject),
		latencyObject.path:     infos(latencyObject),
		experimentObject.path:  infos(experimentObject),
		environmentObject.path: infos(environmentObject),
	}
	if len(objects) != len(known) {
		t.Errorf("%d objects, known has %d", len(objects), len(known))
	}
	for path, fields := range objects {
		got, want := names(fields), slices.Sorted(slices.Values(known[path]))
		if !slices.Equal(got, want) {
			t.Errorf("object %q has fields %q, want %q", path, got, want)
		}
		if len(fields) > maxFields {
			t.Errorf("object %q has %d fields, more than maxFields", path, len(fields))
		}
	}
}

func infos[T any](o *object[T]) []fieldInfo {
	var out []fieldInfo
	for _, f := range o.fields {
		out = append(out, f.fieldInfo)
	}
	return out
}
