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
	known    map[string][]string
	ranges   map[string]numRange
	since    map[string]int
	required []string
	newest   int // the highest schema version of any field
}

// index walks the objects from root, setting each field's path and schema
// version, and derives the maps the rest of the package reads.
func index(root *object) *contractIndex {
	c := &contractIndex{known: map[string][]string{}, ranges: map[string]numRange{}, since: map[string]int{}, newest: 1}
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
