package report

// The contract as the rest of the package reads it, derived from the
// table in fields.go once, at start.
var (
	contract = index(reportObject)

	// known lists the fields of each object by dotted path; anything else
	// is ignored (not stored) and reported back to the sender. The entries
	// of a list or map of objects share the path of the field that holds
	// them ("metrics.ab_experiments").
	known = contract.known
	// ranges gives the range of every numeric field by dotted path; a path
	// ending in ".*" stands for every value of a map of counts.
	ranges = contract.ranges
	// fieldSchema maps each field added after schema version 1 to the
	// version that introduced it (its nested fields are as new).
	fieldSchema = contract.since
	// required are the top-level fields a report must carry, not null.
	required = contract.required
)

// contractIndex is what index derives from the table.
type contractIndex struct {
	fields   map[string]*field // by dotted path
	known    map[string][]string
	ranges   map[string]numRange
	since    map[string]int
	required []string
	newest   int // the highest schema version of any field
}

// index walks the objects from root, setting each field's path and schema
// version, and derives the maps the rest of the package reads.
func index(root *object) *contractIndex {
	c := &contractIndex{fields: map[string]*field{}, known: map[string][]string{}, ranges: map[string]numRange{}, since: map[string]int{}, newest: 1}
	c.walk(root, "", 1)
	for _, f := range root.fields {
		if f.required {
			c.required = append(c.required, f.name)
		}
	}
	return c
}

func (c *contractIndex) walk(o *object, path string, version int) {
	o.path, o.newest = path, version
	for i := range o.fields {
		f := &o.fields[i]
		f.path, f.schema = join(path, f.name), max(version, f.since)
		c.fields[f.path] = f
		c.known[path] = append(c.known[path], f.name)
		if f.schema > version {
			c.since[f.path] = f.schema
		}
		c.newest = max(c.newest, f.schema)
		switch {
		case f.kind == kindCounts:
			c.ranges[f.path+".*"] = f.rng
		case f.rng != (numRange{}):
			c.ranges[f.path] = f.rng
		}
		o.newest = max(o.newest, f.schema)
		if f.elem != nil {
			c.walk(f.elem, f.path, f.schema)
			o.newest = max(o.newest, f.elem.newest)
		}
	}
	if len(o.fields) > maxFields {
		panic("report: object " + path + " has more fields than maxFields")
	}
}

// Matches reports whether s is a word the contract accepts at the dotted
// path: the value of a string field ("version"), an entry of a list of
// words ("metrics.features_used") or a key of a map of counts, words or
// objects ("metrics.algorithm_usage", "metrics.feature_usage"). It is
// false for any other path. Programs
// that check such a word before it reaches a report (the collector, the
// dashboard's filters) use it, so that the contract's patterns are
// written once.
func Matches(path, s string) bool {
	p := patternOf(path)
	return p != nil && p.MatchString(s)
}

// Pattern returns the regular expression Matches applies at path, for
// messages; "" when there is none.
func Pattern(path string) string {
	if p := patternOf(path); p != nil {
		return p.String()
	}
	return ""
}

func patternOf(path string) *pattern {
	if f := contract.fields[path]; f != nil {
		return f.pat
	}
	return nil
}
