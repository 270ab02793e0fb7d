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
	"math"
	"slices"
	"strconv"
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
		return nil, decodeError(err)
	}
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
		return orig, nil
	}
	return json.Marshal(out)
}

func (p *refPrepass) value(f string, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return raw, nil
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
