package report

import (
	"maps"
	"slices"
	"strings"
	"unsafe"
)

// A field is one row of the contract table (fields.go): a key of one JSON
// object, the Go field it fills, and everything the contract says of it.
// Decode, validation, the stored encoding (AppendJSON), the allow-list,
// FieldSchema and the JSON Schema all read these rows; nothing else lists
// the fields.
type field struct {
	name   string // the JSON key
	path   string // the dotted path, as errors and Ignored name it; set by index
	schema int    // the schema version that introduced it; set by index from since
	since  int    // the version the row gives (0: its object's)
	kind   fieldKind
	off    uintptr // where the Go field is in its struct (see at)
	goInt  bool    // a whole number held in an int, not an int64

	rng      numRange // a number; each value of a map of counts
	pat      *pattern // a string; each entry of a list; each key of a map
	vals     *pattern // each value of a map of words
	enum     []string // a string's allowed values, besides ""
	max      int      // most entries of a list or map (0: no limit)
	required bool     // must be present: the JSON Schema's required; Decode checks it at the top level
	keepZero bool     // encoded even when zero (its Go field has no omitempty)
	lower    bool     // stored lowercased
	rule     string   // what a string breaks, when not "must match <pat>"

	seed bool   // sent by the first client: "(seed)" in the JSON Schema
	desc string // what it means, for the JSON Schema

	elem *object   // the object of a nested object, list or map of objects
	nest container // creates and reads what holds nested objects

	// custom, when set, replaces the rule of a string (the timestamp's,
	// which depends on the server's clock).
	custom func(v *validation, f *field, s *string) *FieldError
}

// fieldKind is the shape of a field's value; the Go type of the field follows
// from it (see the constructors below).
type fieldKind uint8

const (
	kindText      fieldKind = iota // string
	kindWhole                      // int64 or int
	kindNumber                     // float64
	kindOptNumber                  // *float64: nil is "not measured"
	kindNames                      // []string: a set of words
	kindCounts                     // map[string]int64
	kindWords                      // map[string]string
	kindObject                     // a struct
	kindOptObject                  // a pointer to a struct
	kindObjects                    // a slice of structs
	kindObjectMap                  // a map of structs
)

// at returns the address of the field's Go value in the struct at obj.
//
// Every report is decoded, checked and encoded by walking the rows, and a
// function call per field to reach its Go value cost about a tenth of
// AppendJSON's time; an offset costs nothing. It is safe: the offset is
// taken from the row's typed accessor when the row is made, and each kind
// has one Go type (TestRowsFollowStructs checks both), so a value is never
// read as another type or outside its struct.
func (f *field) at(obj unsafe.Pointer) unsafe.Pointer { return unsafe.Add(obj, f.off) }

// nested reports whether the field holds objects of its own.
func (k fieldKind) nested() bool { return k >= kindObject }

// many reports whether the field holds any number of objects: they are
// checked after their object's other fields.
func (k fieldKind) many() bool { return k == kindObjects || k == kindObjectMap }

// An object is one JSON object of the contract: its rows in table order,
// which is the order of its Go struct's fields (and so of the encoding)
// and of the JSON Schema's properties.
type object struct {
	path   string                     // set by index
	newest int                        // the newest schema version of its fields, nested ones too; set by index
	fields []field                    // in table order
	byKey  []int                      // indexes of fields, sorted by name: the order in which Decode checks them
	zero   func(p unsafe.Pointer)     // sets the struct at p to its zero value
	typed  func(p unsafe.Pointer) any // the struct at p as a pointer of its type

	// check, when set, returns the rule across fields that the object at p
	// breaks, or "": it runs after each field's own rules.
	check func(p unsafe.Pointer) string
	// identity, when set, names an entry of a list of these objects; two
	// entries with one name break repeated.
	identity func(p unsafe.Pointer) string
	repeated string
}

// newObject returns the object whose fields the rows are; T is its Go
// struct.
func newObject[T any](fields ...field) *object {
	o := &object{fields: fields,
		zero:  func(p unsafe.Pointer) { *(*T)(p) = *new(T) },
		typed: func(p unsafe.Pointer) any { return (*T)(p) }}
	o.byKey = make([]int, len(fields))
	for i := range o.byKey {
		o.byKey[i] = i
	}
	slices.SortFunc(o.byKey, func(a, b int) int { return strings.Compare(fields[a].name, fields[b].name) })
	return o
}

// withCheck adds a rule across the fields of o, whose Go struct is T:
// check returns the rule broken, or "".
func withCheck[T any](o *object, check func(*T) string) *object {
	o.check = func(p unsafe.Pointer) string { return check((*T)(p)) }
	return o
}

// withIdentity makes two entries of a list of o with the same name break
// rule.
func withIdentity[T any](o *object, name func(*T) string, rule string) *object {
	o.identity, o.repeated = func(p unsafe.Pointer) string { return name((*T)(p)) }, rule
	return o
}

// field returns the index of the field called name, or -1.
func (o *object) field(name string) int {
	return slices.IndexFunc(o.fields, func(f field) bool { return f.name == name })
}

// The constructors of rows, one per kind. Each takes the object's Go type
// T and a function returning the Go field, so that a row cannot point at
// a field of the wrong type.

func row[T, V any](name string, k fieldKind, get func(*T) *V, desc string) field {
	var obj T
	off := uintptr(unsafe.Pointer(get(&obj))) - uintptr(unsafe.Pointer(&obj))
	if off >= unsafe.Sizeof(obj) {
		panic("report: the row " + name + " does not give a field of its object")
	}
	_, goInt := any((*V)(nil)).(*int)
	return field{name: name, kind: k, desc: desc, off: off, goInt: goInt}
}

// text is a string matching p.
func text[T any](name string, get func(*T) *string, p *pattern, desc string) field {
	f := row(name, kindText, get, desc)
	f.pat = p
	return f
}

// whole is a whole number in r.
func whole[T any, N int64 | int](name string, get func(*T) *N, r numRange, desc string) field {
	f := row(name, kindWhole, get, desc)
	f.rng = r
	return f
}

// float is a number in r that is always present (0 when left out).
func float[T any](name string, get func(*T) *float64, r numRange, desc string) field {
	f := row(name, kindNumber, get, desc)
	f.rng, f.keepZero = r, true
	return f
}

// optFloat is a number in r, or nil when left out.
func optFloat[T any](name string, get func(*T) **float64, r numRange, desc string) field {
	f := row(name, kindOptNumber, get, desc)
	f.rng = r
	return f
}

// names is a set of words matching p: repeats are collapsed, and at most
// max distinct ones are allowed.
func names[T any](name string, get func(*T) *[]string, p *pattern, max int, desc string) field {
	f := row(name, kindNames, get, desc)
	f.pat, f.max = p, max
	return f
}

// counts is a map from keys matching keys to whole numbers in r.
func counts[T any](name string, get func(*T) *map[string]int64, keys *pattern, r numRange, max int, desc string) field {
	f := row(name, kindCounts, get, desc)
	f.pat, f.rng, f.max = keys, r, max
	return f
}

// words is a map from keys matching keys to strings matching vals.
func words[T any](name string, get func(*T) *map[string]string, keys, vals *pattern, max int, desc string) field {
	f := row(name, kindWords, get, desc)
	f.pat, f.vals, f.max = keys, vals, max
	return f
}

// objectField is an object, o, held by value.
func objectField[T, U any](name string, get func(*T) *U, o *object, desc string) field {
	f := row(name, kindObject, get, desc)
	f.elem = o
	return f
}

// optObject is an object, o, or nil when left out.
func optObject[T, U any](name string, get func(*T) **U, o *object, desc string) field {
	f := row(name, kindOptObject, get, desc)
	f.elem, f.nest = o, ptrOf[U]{}
	return f
}

// objectList is an array of at most max objects o. Its entries share its
// path: "metrics.ab_experiments.n".
func objectList[T, U any](name string, get func(*T) *[]U, o *object, max int, desc string) field {
	f := row(name, kindObjects, get, desc)
	f.elem, f.nest, f.max = o, listOf[U]{}, max
	return f
}

// objectMap is a map from keys matching keys to objects o, at most max.
// Like a list's entries, its values' fields share its path.
func objectMap[T, U any](name string, get func(*T) *map[string]U, keys *pattern, o *object, max int, desc string) field {
	f := row(name, kindObjectMap, get, desc)
	f.elem, f.nest, f.pat, f.max = o, mapOf[U]{}, keys, max
	return f
}

// eachEntry calls fn with each object the nested field f holds at p, in
// order (a map's in key order, each a copy that is put back after fn),
// until fn returns an error.
func (f *field) eachEntry(p unsafe.Pointer, fn func(obj unsafe.Pointer) *FieldError) *FieldError {
	if f.kind == kindObject {
		return fn(p)
	}
	if f.kind == kindObjectMap {
		for _, k := range f.nest.keys(p) {
			e := f.nest.get(p, k)
			if err := fn(e); err != nil {
				return err
			}
			f.nest.put(p, k, e)
		}
		return nil
	}
	first, n, stride := f.nest.items(p)
	for i := range n {
		if err := fn(unsafe.Add(first, uintptr(i)*stride)); err != nil {
			return err
		}
	}
	return nil
}

// The options of a row, chained after its constructor.

// fromSeed marks a field the first client sends (the glossary's "seed").
func (f field) fromSeed() field { f.seed = true; return f }

// sinceVersion marks a field introduced by schema version v; its nested
// fields are as new.
func (f field) sinceVersion(v int) field { f.since = v; return f }

// mustHave marks a field the object must carry, so always encoded.
func (f field) mustHave() field {
	f.required, f.keepZero = true, true
	return f
}

// lowered marks a string stored lowercased.
func (f field) lowered() field { f.lower = true; return f }

// breaking sets the rule a string that does not match breaks.
func (f field) breaking(rule string) field { f.rule = rule; return f }

// oneOf restricts a string to the values given (or "").
func (f field) oneOf(values []string) field { f.enum = values; return f }

// always marks a field encoded even when zero.
func (f field) always() field { f.keepZero = true; return f }

// A container creates and reads the Go values that hold nested objects,
// whose types the walker and the encoder do not know. p is the address of
// the field; an object is the address of its struct.
type container interface {
	// reset sets the field at p to its zero value, or to an empty value
	// with room for size objects when size is not negative.
	reset(p unsafe.Pointer, size int)
	// add makes a new zero object in the field at p and returns it; for a
	// map, it is put under key once filled.
	add(p unsafe.Pointer) unsafe.Pointer
	put(p unsafe.Pointer, key string, obj unsafe.Pointer)
	// items returns the n objects the pointer or slice at p holds, stride
	// bytes apart from the first.
	items(p unsafe.Pointer) (first unsafe.Pointer, n int, stride uintptr)
	// keys returns the keys of the map at p, sorted; get returns a copy of
	// the object under key.
	keys(p unsafe.Pointer) []string
	get(p unsafe.Pointer, key string) unsafe.Pointer
}

// ptrOf holds one object through a pointer (optObject).
type ptrOf[U any] struct{}

func (ptrOf[U]) reset(p unsafe.Pointer, _ int) { *(**U)(p) = nil }
func (ptrOf[U]) add(p unsafe.Pointer) unsafe.Pointer {
	*(**U)(p) = new(U)
	return unsafe.Pointer(*(**U)(p))
}
func (ptrOf[U]) put(unsafe.Pointer, string, unsafe.Pointer) {}
func (ptrOf[U]) items(p unsafe.Pointer) (unsafe.Pointer, int, uintptr) {
	if *(**U)(p) == nil {
		return nil, 0, 0
	}
	return unsafe.Pointer(*(**U)(p)), 1, 0
}
func (ptrOf[U]) keys(unsafe.Pointer) []string              { return nil }
func (ptrOf[U]) get(unsafe.Pointer, string) unsafe.Pointer { return nil }

// listOf holds objects in a slice (objectList).
type listOf[U any] struct{}

func (listOf[U]) reset(p unsafe.Pointer, size int) {
	if size < 0 {
		*(*[]U)(p) = nil
		return
	}
	*(*[]U)(p) = make([]U, 0, size)
}
func (listOf[U]) add(p unsafe.Pointer) unsafe.Pointer {
	l := (*[]U)(p)
	*l = append(*l, *new(U))
	return unsafe.Pointer(&(*l)[len(*l)-1])
}
func (listOf[U]) put(unsafe.Pointer, string, unsafe.Pointer) {}
func (listOf[U]) items(p unsafe.Pointer) (unsafe.Pointer, int, uintptr) {
	l := *(*[]U)(p)
	return unsafe.Pointer(unsafe.SliceData(l)), len(l), unsafe.Sizeof(*new(U))
}
func (listOf[U]) keys(unsafe.Pointer) []string              { return nil }
func (listOf[U]) get(unsafe.Pointer, string) unsafe.Pointer { return nil }

// mapOf holds objects in a map by name (objectMap).
type mapOf[U any] struct{}

func (mapOf[U]) reset(p unsafe.Pointer, size int) {
	if size < 0 {
		*(*map[string]U)(p) = nil
		return
	}
	*(*map[string]U)(p) = make(map[string]U, size)
}
func (mapOf[U]) add(unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer(new(U)) }
func (mapOf[U]) put(p unsafe.Pointer, key string, obj unsafe.Pointer) {
	(*(*map[string]U)(p))[key] = *(*U)(obj)
}
func (mapOf[U]) items(unsafe.Pointer) (unsafe.Pointer, int, uintptr) { return nil, 0, 0 }
func (mapOf[U]) keys(p unsafe.Pointer) []string {
	return slices.Sorted(maps.Keys(*(*map[string]U)(p)))
}
func (mapOf[U]) get(p unsafe.Pointer, key string) unsafe.Pointer {
	v := (*(*map[string]U)(p))[key]
	return unsafe.Pointer(&v)
}
