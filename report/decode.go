package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"time"
	"unsafe"
)

// Decoded is a report that passed every rule, with its timestamp parsed and
// the fields the server did not keep.
type Decoded struct {
	Report
	Time    time.Time // Timestamp, parsed, in UTC
	Ignored []string  // dotted paths of unknown or too new fields, sorted
}

// Decode parses and validates one report body (at most MaxBodyBytes, after
// decompression). now is the server's clock; retention is how old a
// timestamp may be (DefaultRetention when not positive). A *FieldError is
// returned for every rule a report breaks.
//
// A report that breaks several rules always gets the same error, that of
// the first in this order (the order of earlier versions of Decode, which
// senders may have come to rely on):
//
//  1. the body's size, its JSON syntax, and that it is one object;
//  2. the required fields, in the order of required, then schema_version;
//  3. the shape of each field (nested objects, arrays of objects, maps of
//     whole numbers, whole numbers), in key order, nested objects
//     depth-first;
//  4. the JSON type of the other fields (strings, numbers that may have a
//     fraction, features_used), in the order of the body; but in key
//     order within an object that is not in normal form (see outcome);
//  5. the ranges and patterns of validate.go.
//
// A repeated key counts with its last value for 3, and as encoding/json
// decodes it (every value in turn, objects merged) for 4.
func Decode(body []byte, now time.Time, retention time.Duration) (*Decoded, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	if len(body) > MaxBodyBytes {
		return nil, fieldErr("", "body must be at most %d bytes", MaxBodyBytes)
	}
	var buf [128]token // a typical report has 50 to 110 tokens
	toks, ok := scan(body, buf[:0])
	if !ok {
		return nil, syntaxError(body)
	}
	if toks[0].kind != '{' {
		return nil, fieldErr("", "body must be one JSON object")
	}
	var ignored []string
	w := walker{body: body, toks: toks, sv: 1, ignored: &ignored}
	d := new(Decoded)
	if err := w.report(&d.Report); err != nil {
		return nil, err
	}
	slices.Sort(ignored)
	d.Ignored = slices.Compact(ignored)
	if err := d.validate(now, retention); err != nil {
		return nil, err
	}
	return d, nil
}

// walker decodes the tokens of one body into a Report, following the
// table of fields.go.
type walker struct {
	body    []byte
	toks    []token
	sv      int       // the report's schema version: newer fields are ignored
	ignored *[]string // dotted paths of the fields not kept

	// ignored is a pointer so that appending to it does not, to the
	// compiler's escape analysis, leak toks (and Decode's buffer) to the heap.
}

// outcome is what decoding a value found, short of a broken rule of
// step 3 (see Decode), which ends decoding at once.
//
// A value is not in normal form when it holds, at any depth, a field that
// is not kept or a whole number written otherwise than as an integer
// (42.0, 1e3). Earlier versions of Decode rewrote such an object, fields in
// key order and repeated keys collapsed, before decoding it; the order of
// type errors in it follows from that.
type outcome struct {
	typeErr *FieldError // the first value of the wrong JSON type, or a number too large for a float64
	notNorm bool        // the value is not in normal form
}

// report decodes the top-level object, token 0, into r.
func (w *walker) report(r *Report) *FieldError {
	m := reportObject.members(w, 0)
	for _, name := range required {
		if v := m.last[reportObject.field(name)]; v == 0 || w.toks[v].kind == 'n' {
			return fieldErr(name, "is required")
		}
	}
	// Which fields count depends on schema_version, so it goes first.
	i := reportObject.field("schema_version")
	if v, sv := m.last[i], &reportObject.fields[i]; v != 0 && w.toks[v].kind != 'n' {
		x, _, ok := w.wholeIn(sv.rng, v)
		if !ok {
			return w.ruleErr(sv.path, sv.rng.rule(), v)
		}
		w.sv = int(x)
	}
	out, err := reportObject.fill(w, 0, &m, unsafe.Pointer(r))
	if err != nil {
		return err
	}
	return out.typeErr
}

// members are the fields found in one object.
type members struct {
	last     [maxFields]int32 // token index of each field's last value, 0 if none
	repeated bool             // a field appears more than once
	dropped  bool             // a key is unknown, or newer than the report
}

// maxFields is the most fields an object of the contract may have (index
// checks it); metrics has the most.
const maxFields = 24

// members finds the fields of o in the object at token v and lists its
// other keys in w.ignored.
func (o *object) members(w *walker, v int32) members {
	var m members
	for k := v + 1; k < w.toks[v].next; k = w.toks[k+1].next {
		i := o.lookup(w, k)
		if i < 0 || o.fields[i].schema > w.sv {
			*w.ignored = append(*w.ignored, join(o.path, w.str(k)))
			m.dropped = true
			continue
		}
		m.repeated = m.repeated || m.last[i] != 0
		m.last[i] = k + 1
	}
	return m
}

// lookup returns the index in o.fields of the key at token k, or -1. Keys
// match exactly: encoding/json would also take "Installation_ID" for
// installation_id, which the contract does not.
func (o *object) lookup(w *walker, k int32) int {
	t := w.toks[k]
	if !t.plain {
		return o.field(w.str(k))
	}
	key := w.body[t.start+1 : t.end-1]
	for i := range o.fields {
		if string(key) == o.fields[i].name {
			return i
		}
	}
	return -1
}

// decode decodes the object at token v into dst, a pointer to the
// object's Go struct, which holds zero values.
func (o *object) decode(w *walker, v int32, dst unsafe.Pointer) (outcome, *FieldError) {
	m := o.members(w, v)
	return o.fill(w, v, &m, dst)
}

// fill decodes the fields m found in the object at token v into dst, in
// key order, and picks the type error to report (see outcome).
func (o *object) fill(w *walker, v int32, m *members, dst unsafe.Pointer) (outcome, *FieldError) {
	out := outcome{notNorm: m.dropped}
	var inKeyOrder, inBodyOrder *FieldError
	var at int32 // the token of inBodyOrder's value
	for _, i := range o.byKey {
		val := m.last[i]
		if val == 0 {
			continue
		}
		f := &o.fields[i]
		r, err := w.value(f, val, f.at(dst))
		if err != nil {
			return outcome{}, err
		}
		out.notNorm = out.notNorm || r.notNorm
		if r.typeErr == nil {
			continue
		}
		if inKeyOrder == nil {
			inKeyOrder = r.typeErr
		}
		if inBodyOrder == nil || val < at {
			inBodyOrder, at = r.typeErr, val
		}
	}
	switch {
	case out.notNorm:
		out.typeErr = inKeyOrder
	case m.repeated:
		o.zero(dst)
		out.typeErr = w.redecode(o.path, v, o.typed(dst))
	default:
		out.typeErr = inBodyOrder
	}
	return out, nil
}

// redecode decodes the value at token v into dst, a zero value, with
// encoding/json, and returns the first type error, named as Decode names
// it; path is the value's. It serves an object in normal form with a
// repeated key: encoding/json decodes each of the key's values in turn,
// merging objects and maps into what the earlier ones left, and earlier
// versions of Decode let it. Clients do not repeat keys, so this slow way
// costs nothing in practice and keeps those answers exactly.
func (w *walker) redecode(path string, v int32, dst any) *FieldError {
	// A copy, or the compiler's escape analysis would move all that w
	// points to, Decode's token buffer too, to the heap.
	err := json.Unmarshal(bytes.Clone(w.raw(v)), dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch {
		case te.Field == "":
			te.Field = path
		case path != "":
			te.Field = path + "." + te.Field
		}
	}
	return decodeError(err)
}

// str returns the value of the string token k.
func (w *walker) str(k int32) string { return unquote(w.body, w.toks[k]) }

// raw returns the bytes of the value at token v.
func (w *walker) raw(v int32) []byte {
	t := w.toks[v]
	return w.body[t.start:t.end]
}

// ruleErr is the error of the value at token v, which breaks rule.
func (w *walker) ruleErr(path, rule string, v int32) *FieldError {
	return fieldErr(path, "%s (got %s)", rule, kind(w.raw(v)))
}

// typeErr is the error of the value at token v, which is of the wrong JSON
// type for a field that must be as rule says: it words the value's type as
// encoding/json's type errors do.
func (w *walker) typeErr(path, rule string, v int32) *FieldError {
	got := "a string"
	switch w.toks[v].kind {
	case '0':
		got = "a number"
	case 't', 'f':
		got = "a boolean"
	case '{':
		got = "an object"
	case '[':
		got = "an array"
	}
	return fieldErr(path, "%s (got %s)", rule, got)
}
