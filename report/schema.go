package report

import "strings"

// FieldSchema returns the schema version that introduced the field at the
// dotted path (1 for the first client's fields and the first optional ones); a
// field inside a newer one ("metrics.ab_experiments.n") is as new as it.
// The client uses it to hold back fields its user has not consented to.
func FieldSchema(path string) int {
	v := 1
	for {
		v = max(v, fieldSchema[path])
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return v
		}
		path = path[:i]
	}
}
