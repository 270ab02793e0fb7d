package report

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// AppendJSON appends the JSON encoding of m to b and returns the result:
// the bytes json.Marshal(m) gives, without its reflection. (NaN and the
// infinities, which json.Marshal refuses and Decode never produces, are
// written as null.) It is how the service stores a report's metrics.
func (m *Metrics) AppendJSON(b []byte) []byte { return metricsObject.appendJSON(b, unsafe.Pointer(m)) }

// AppendJSON appends the JSON encoding of e to b and returns the result:
// the bytes json.Marshal(e) gives, without its reflection.
func (e *Environment) AppendJSON(b []byte) []byte {
	return environmentObject.appendJSON(b, unsafe.Pointer(e))
}

// appendJSON appends the object at p, a pointer to o's Go struct, as
// json.Marshal writes it: fields in table order (the struct's), zero
// values left out unless the row keeps them (the Go field has no
// omitempty).
func (o *object) appendJSON(b []byte, p unsafe.Pointer) []byte {
	j := openObject(b)
	for i := range o.fields {
		j.field(&o.fields[i], o.fields[i].at(p))
	}
	return j.close()
}

// field appends the field f whose Go value is at p, unless it is left out.
func (o *jsonObject) field(f *field, p unsafe.Pointer) {
	switch f.kind {
	case kindText:
		if s := *(*string)(p); s != "" || f.keepZero {
			o.key(f.name)
			o.b = appendString(o.b, s)
		}
	case kindWhole:
		if f.goInt {
			o.int(f, int64(*(*int)(p)))
		} else {
			o.int(f, *(*int64)(p))
		}
	case kindNumber:
		if x := *(*float64)(p); x != 0 || f.keepZero {
			o.key(f.name)
			o.b = appendFloat(o.b, x)
		}
	case kindOptNumber:
		if x := *(**float64)(p); x != nil {
			o.key(f.name)
			o.b = appendFloat(o.b, *x)
		}
	case kindNames:
		o.strings(f.name, *(*[]string)(p))
	case kindCounts:
		o.counts(f.name, *(*map[string]int64)(p))
	case kindWords:
		o.words(f.name, *(*map[string]string)(p))
	default:
		o.nested(f, p)
	}
}

func (o *jsonObject) int(f *field, v int64) {
	if v != 0 || f.keepZero {
		o.key(f.name)
		o.b = strconv.AppendInt(o.b, v, 10)
	}
}

// nested appends the objects of f at p: a struct always (omitempty does
// not leave structs out), others unless they hold none.
func (o *jsonObject) nested(f *field, p unsafe.Pointer) {
	switch f.kind {
	case kindObject:
		o.key(f.name)
		o.b = f.elem.appendJSON(o.b, p)
	case kindOptObject:
		if obj := *(*unsafe.Pointer)(p); obj != nil {
			o.key(f.name)
			o.b = f.elem.appendJSON(o.b, obj)
		}
	case kindObjects:
		first, n, stride := f.nest.items(p)
		if n == 0 {
			return
		}
		o.key(f.name)
		o.b = append(o.b, '[')
		for i := range n {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = f.elem.appendJSON(o.b, unsafe.Add(first, uintptr(i)*stride))
		}
		o.b = append(o.b, ']')
	case kindObjectMap:
		keys := f.nest.keys(p)
		if len(keys) == 0 {
			return
		}
		o.key(f.name)
		c := openObject(o.b)
		for _, k := range keys {
			c.mapKey(k)
			c.b = f.elem.appendJSON(c.b, f.nest.get(p, k))
		}
		o.b = c.close()
	}
}

// jsonObject is a JSON object being appended to b. Its methods named for
// a Go type leave out the zero value, as the omitempty option does.
type jsonObject struct {
	b     []byte
	start int // offset of the opening brace
}

func openObject(b []byte) jsonObject {
	return jsonObject{b: append(b, '{'), start: len(b)}
}

func (o *jsonObject) close() []byte { return append(o.b, '}') }

// key appends a field's key, which needs no escaping, and its colon.
func (o *jsonObject) key(k string) {
	o.comma()
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// mapKey appends a key from a map, escaped, and its colon.
func (o *jsonObject) mapKey(k string) {
	o.comma()
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObject) comma() {
	if len(o.b) > o.start+1 {
		o.b = append(o.b, ',')
	}
}

// strings appends a list of strings.
func (o *jsonObject) strings(k string, list []string) {
	if len(list) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, s := range list {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, s)
	}
	o.b = append(o.b, ']')
}

// counts appends a map of counts, in key order as encoding/json does.
func (o *jsonObject) counts(k string, m map[string]int64) {
	if len(m) == 0 {
		return
	}
	o.key(k)
	c := openObject(o.b)
	var buf [MaxListEntries]string
	for _, name := range sortedNames(buf[:0], m) {
		c.mapKey(name)
		c.b = strconv.AppendInt(c.b, m[name], 10)
	}
	o.b = c.close()
}

// words appends a map of strings, in key order.
func (o *jsonObject) words(k string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	o.key(k)
	c := openObject(o.b)
	var buf [MaxListEntries]string
	for _, name := range sortedNames(buf[:0], m) {
		c.mapKey(name)
		c.b = appendString(c.b, m[name])
	}
	o.b = c.close()
}

// sortedNames appends the keys of m to buf and sorts them.
func sortedNames[V any](buf []string, m map[string]V) []string {
	for name := range m {
		buf = append(buf, name)
	}
	slices.Sort(buf)
	return buf
}

// appendFloat formats f as encoding/json does, like JavaScript: no
// exponent from 1e-6 up to 1e21, and "e-7" rather than "e-07".
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString appends s as a JSON string as encoding/json does: <, > and
// & escaped for HTML, U+2028 and U+2029 for JavaScript, and invalid UTF-8
// replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // the bytes from start to i need no escaping
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
