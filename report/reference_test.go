package report

// The decoder as it was before the one-pass scanner (commit 52ab836,
// report/decode.go), kept verbatim but for the names, as the reference the
// differential fuzz test holds Decode to. It shares FieldError, Decoded,
// known, required, ranges, FieldSchema and validate with the package, and
// the helpers that did not change (topLevel, isNull, kind, join,
// decodeError, article, kindName, sortedKeys).

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// referenceDecode is Decode as it was: it parses the body into maps, has
// refPrepass rewrite it, and decodes the result with encoding/json.
func referenceDecode(body []byte, now time.Time, retention time.Duration) (*Decoded, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	top, err := topLevel(body, required)
	if err != nil {
		return nil, err
	}
	p := refPrepass{sv: 1}
	if raw := top["schema_version"]; !isNull(raw) {
		if _, err := refWhole("schema_version", "schema_version", raw); err != nil {
			return nil, err
		}
		sv, _ := strconv.ParseFloat(string(raw), 64)
		p.sv = int(sv)
	}
	clean, err := p.object("", top, body)
	if err != nil {
		return nil, err
	}
	var d Decoded
	if err := json.Unmarshal(clean, &d.Report); err != nil {
		return nil, p.typeError(err)
	}
	p.setWords(&d.Report)
	slices.Sort(p.ignored)
	d.Ignored = slices.Compact(p.ignored)
	if err := d.validate(now, retention); err != nil {
		return nil, err
	}
	return &d, nil
}

// refPrepass rewrites a report before it is decoded into a Report: it drops
// the fields the report may not carry (unknown, or newer than its schema
// version sv), so that encoding/json's case-insensitive matching cannot
// store them, and it checks and canonicalises whole numbers ("42.0" is
// 42; "42.5" is rejected) naming the map key at fault. An object it leaves
// unchanged keeps its original bytes, so the common report is not
// re-encoded.
type refPrepass struct {
	sv      int
	ignored []string
	words_  map[string]refWords // maps of words, by field (words)
}

func (p *refPrepass) object(path string, obj map[string]json.RawMessage, orig json.RawMessage) (json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(obj))
	changed := false
	for _, k := range sortedKeys(obj) {
		f := join(path, k)
		if !slices.Contains(known[path], k) || FieldSchema(f) > p.sv {
			p.ignored = append(p.ignored, f)
			changed = true
			continue
		}
		v, err := p.value(f, obj[k])
		if err != nil {
			return nil, err
		}
		changed = changed || !bytes.Equal(v, obj[k])
		out[k] = v
	}
	if !changed {
		p.plainWords(path, obj, orig)
		return orig, nil
	}
	return json.Marshal(out)
}

func (p *refPrepass) value(f string, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return raw, nil
	}
	if slices.Contains(refWordMaps, f) {
		return p.words(f, raw), nil
	}
	if _, ok := known[f]; ok {
		if refObjectMaps[f] {
			return p.objectMap(f, raw)
		}
		if f == "metrics.ab_experiments" {
			var list []json.RawMessage
			if json.Unmarshal(raw, &list) != nil {
				return nil, fieldErr(f, "must be an array of objects (got %s)", kind(raw))
			}
			changed := false
			for i, e := range list {
				var o map[string]json.RawMessage
				if json.Unmarshal(e, &o) != nil || o == nil {
					return nil, fieldErr(f, "each entry must be a JSON object (got %s)", kind(e))
				}
				v, err := p.object(f, o, e)
				if err != nil {
					return nil, err
				}
				changed = changed || !bytes.Equal(v, e)
				list[i] = v
			}
			if !changed {
				return raw, nil
			}
			return json.Marshal(list)
		}
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object (got %s)", kind(raw))
		}
		return p.object(f, o, raw)
	}
	if _, ok := ranges[f+".*"]; ok { // a map of counts
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			return nil, fieldErr(f, "must be a JSON object of whole numbers (got %s)", kind(raw))
		}
		changed := false
		for _, k := range sortedKeys(o) {
			v, err := refWhole(f+"."+k, f+".*", o[k])
			if err != nil {
				return nil, err
			}
			changed = changed || !bytes.Equal(v, o[k])
			o[k] = v
		}
		if !changed {
			return raw, nil
		}
		return json.Marshal(o)
	}
	if ranges[f].whole {
		return refWhole(f, f, raw)
	}
	return raw, nil
}

// refObjectMaps are the fields that hold a map of objects, whose entries
// share the field's path.
var refObjectMaps = map[string]bool{"metrics.feature_usage": true}

// objectMap checks and rewrites a map of objects: a null entry is left
// out, any other must be an object, rewritten as p.object does.
func (p *refPrepass) objectMap(f string, raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, fieldErr(f, "must be a JSON object of objects (got %s)", kind(raw))
	}
	changed := false
	for _, k := range sortedKeys(m) {
		e := m[k]
		if isNull(e) {
			delete(m, k)
			changed = true
			continue
		}
		var o map[string]json.RawMessage
		if json.Unmarshal(e, &o) != nil || o == nil {
			return nil, fieldErr(f+"."+k, "must be a JSON object (got %s)", kind(e))
		}
		v, err := p.object(f, o, e)
		if err != nil {
			return nil, err
		}
		changed = changed || !bytes.Equal(v, e)
		m[k] = v
	}
	if !changed {
		return raw, nil
	}
	return json.Marshal(m)
}

// refWhole checks that raw, the value of field f, is null or a JSON number
// with an integral value in ranges[key], and returns it as an integer.
func refWhole(f, key string, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return raw, nil
	}
	r := ranges[key]
	x, err := strconv.ParseFloat(string(raw), 64) // raw is valid JSON
	if err != nil || x != math.Trunc(x) || !r.contains(x) {
		return nil, fieldErr(f, "%s (got %s)", r.rule(), kind(raw))
	}
	return strconv.AppendFloat(nil, x, 'f', 0, 64), nil
}

// refWordMaps are the fields that are maps of words (metrics.experiments,
// schema version 3), which the reference learnt after the one-pass
// scanner: Decode keeps, for each key, its last string value, leaves out
// a key whose values are all null, and notes a value of another type, or
// a map that is not an object, as a type error.
var refWordMaps = []string{"metrics.experiments"}

// refWords is what Decode makes of one map of words: the map, or the
// type error it notes.
type refWords struct {
	m   map[string]string
	err *FieldError
}

// words reads a map of words as Decode does and notes the result in
// p.words; the value is left as it is, so that encoding/json meets it
// where Decode does: a type error there is the one noted (typeError), and
// the map it decodes is replaced by Decode's (setWords).
func (p *refPrepass) words(f string, raw json.RawMessage) json.RawMessage {
	if p.words_ == nil {
		p.words_ = map[string]refWords{}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		p.words_[f] = refWords{err: fieldErr(f, "must be a JSON object of strings (got %s)", refTypeName(raw))}
		return raw
	}
	w := refWords{m: map[string]string{}}
	for dec.More() {
		t, _ := dec.Token()
		k, _ := t.(string)
		var v json.RawMessage
		dec.Decode(&v) // raw is valid JSON
		switch {
		case isNull(v):
		case v[0] == '"':
			var s string
			json.Unmarshal(v, &s)
			w.m[k] = s
		case w.err == nil:
			w.err = fieldErr(f+"."+k, "must be a string (got %s)", refTypeName(v))
		}
	}
	p.words_[f] = w
	return raw
}

// plainWords forgets the maps of words inside an object that
// encoding/json will decode as it stands, repeated keys included: Decode
// then decodes the object with encoding/json too (its redecode), maps of
// words included.
func (p *refPrepass) plainWords(path string, obj map[string]json.RawMessage, orig json.RawMessage) {
	dec := json.NewDecoder(bytes.NewReader(orig))
	dec.Token()
	n := 0
	for ; dec.More(); n++ {
		dec.Token()
		var v json.RawMessage
		dec.Decode(&v)
	}
	if n == len(obj) {
		return
	}
	for f := range p.words_ {
		if path == "" || strings.HasPrefix(f, path+".") {
			delete(p.words_, f)
		}
	}
}

// typeError is the error of a report encoding/json could not decode: the
// type error Decode notes for a map of words, else decodeError's.
func (p *refPrepass) typeError(err error) *FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && p.words_[te.Field].err != nil {
		return p.words_[te.Field].err
	}
	return decodeError(err)
}

// setWords puts Decode's maps of words in r.
func (p *refPrepass) setWords(r *Report) {
	if w, ok := p.words_["metrics.experiments"]; ok {
		r.Metrics.Experiments = w.m
	}
}

// refTypeName names a JSON value's type as Decode's type errors do.
func refTypeName(raw json.RawMessage) string {
	switch raw = bytes.TrimSpace(raw); raw[0] {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a number"
}
