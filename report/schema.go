package report

// fieldSchema maps each field that was added after the seed's format to
// the schema version that introduced it; every other field is version 1.
var fieldSchema = map[string]int{
	"metrics.algorithm_decisions": 2,
	"metrics.ab_experiments":      2,
	"metrics.tenants_bucket":      2,
}

// FieldSchema returns the schema version that introduced the field at the
// dotted path (1 for the seed's fields and the first optional ones). The
// client uses it to hold back fields its user has not consented to.
func FieldSchema(path string) int {
	if v, ok := fieldSchema[path]; ok {
		return v
	}
	return 1
}
