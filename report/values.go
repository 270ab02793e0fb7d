package report

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// The rules for each kind of value, as Decode applies them: a value
// breaking the rule for its shape ends decoding (step 3 of Decode's
// order); one of the wrong JSON type is noted in the outcome (step 4).

// value decodes the value at token v into p, the address of the Go field
// of f. The row's kind decides the rules.
func (w *walker) value(f *field, v int32, p unsafe.Pointer) (outcome, *FieldError) {
	switch f.kind {
	case kindText:
		return w.text(f, v, (*string)(p)), nil
	case kindWhole:
		if !f.goInt {
			return w.whole(f, v, (*int64)(p))
		}
		var x int64
		out, err := w.whole(f, v, &x)
		*(*int)(p) = int(x)
		return out, err
	case kindNumber:
		return w.float(f, v, (*float64)(p)), nil
	case kindOptNumber:
		q := (**float64)(p)
		*q = nil
		if w.toks[v].kind != '0' {
			return w.float(f, v, nil), nil // null, or the wrong type
		}
		*q = new(float64)
		return w.float(f, v, *q), nil
	case kindNames:
		return w.stringList(f, v, (*[]string)(p)), nil
	case kindCounts:
		return w.counts(f, v, (*map[string]int64)(p))
	case kindWords:
		return w.words(f, v, (*map[string]string)(p)), nil
	case kindObject:
		return w.nested(f, v, p)
	case kindOptObject:
		f.nest.reset(p, -1)
		if w.toks[v].kind != '{' {
			return w.nested(f, v, nil) // null, or the wrong shape
		}
		return w.nested(f, v, f.nest.add(p))
	case kindObjects:
		return w.objects(f, v, p)
	}
	return w.objectMap(f, v, p)
}

// text decodes a string; null leaves it alone.
func (w *walker) text(f *field, v int32, p *string) outcome {
	switch w.toks[v].kind {
	case '"':
		*p = w.str(v)
	case 'n':
	default:
		return outcome{typeErr: w.typeErr(f.path, "must be a string", v)}
	}
	return outcome{}
}

// float decodes a number that may have a fraction; null leaves it alone.
func (w *walker) float(f *field, v int32, p *float64) outcome {
	switch w.toks[v].kind {
	case 'n':
		return outcome{}
	case '0':
		x, err := strconv.ParseFloat(string(w.raw(v)), 64)
		if err != nil { // beyond a float64
			return outcome{typeErr: fieldErr(f.path, "%s (got %s)", f.rng.rule(), string(w.raw(v)))}
		}
		*p = x
		return outcome{}
	}
	return outcome{typeErr: w.typeErr(f.path, f.rng.rule(), v)}
}

// whole decodes a whole number; null leaves it alone.
func (w *walker) whole(f *field, v int32, p *int64) (outcome, *FieldError) {
	if w.toks[v].kind == 'n' {
		return outcome{}, nil
	}
	x, normal, ok := w.wholeIn(f.rng, v)
	if !ok {
		return outcome{}, w.ruleErr(f.path, f.rng.rule(), v)
	}
	*p = x
	return outcome{notNorm: !normal}, nil
}

// wholeIn reads the token v as a whole number in r. It may be written with
// a zero fraction or an exponent (42.0, 1e3), which is not normal form.
func (w *walker) wholeIn(r numRange, v int32) (x int64, normal, ok bool) {
	if w.toks[v].kind != '0' {
		return 0, false, false
	}
	raw := w.raw(v)
	y, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || y != math.Trunc(y) || !r.contains(y) {
		return 0, false, false
	}
	var buf [24]byte
	return int64(y), string(strconv.AppendFloat(buf[:0], y, 'f', 0, 64)) == string(raw), true
}

// nested decodes an object of the contract into dst; null leaves dst as
// it is.
func (w *walker) nested(f *field, v int32, dst unsafe.Pointer) (outcome, *FieldError) {
	switch w.toks[v].kind {
	case 'n':
		return outcome{}, nil
	case '{':
		return f.elem.decode(w, v, dst)
	}
	return outcome{}, w.ruleErr(f.path, "must be a JSON object", v)
}

// counts decodes a map of counts. Its keys are checked in key order.
func (w *walker) counts(f *field, v int32, p *map[string]int64) (outcome, *FieldError) {
	switch w.toks[v].kind {
	case 'n':
		*p = nil
		return outcome{}, nil
	case '{':
	default:
		return outcome{}, w.ruleErr(f.path, "must be a JSON object of whole numbers", v)
	}
	m := make(map[string]int64, w.count(v)/2)
	var out outcome
	var badKey string
	var bad int32 // the value of the first key in order that breaks the rule
	for k := v + 1; k < w.toks[v].next; k = w.toks[k+1].next {
		key := w.str(k)
		if _, ok := m[key]; ok {
			return w.repeatedCounts(f, v, p)
		}
		m[key] = 0
		if w.toks[k+1].kind == 'n' {
			continue
		}
		x, normal, ok := w.wholeIn(f.rng, k+1)
		if !ok {
			if bad == 0 || key < badKey {
				badKey, bad = key, k+1
			}
			continue
		}
		m[key] = x
		out.notNorm = out.notNorm || !normal
	}
	if bad != 0 {
		return outcome{}, w.ruleErr(f.path+"."+badKey, f.rng.rule(), bad)
	}
	*p = m
	return out, nil
}

// repeatedCounts is counts for a map with a repeated key: the last value
// of each key counts for the rules.
func (w *walker) repeatedCounts(f *field, v int32, p *map[string]int64) (outcome, *FieldError) {
	last := make(map[string]int32)
	for k := v + 1; k < w.toks[v].next; k = w.toks[k+1].next {
		last[w.str(k)] = k + 1
	}
	m := make(map[string]int64, len(last))
	var out outcome
	for _, key := range slices.Sorted(maps.Keys(last)) {
		if w.toks[last[key]].kind == 'n' {
			m[key] = 0
			continue
		}
		x, normal, ok := w.wholeIn(f.rng, last[key])
		if !ok {
			return outcome{}, w.ruleErr(f.path+"."+key, f.rng.rule(), last[key])
		}
		m[key] = x
		out.notNorm = out.notNorm || !normal
	}
	*p = m
	if !out.notNorm {
		*p = nil
		out.typeErr = w.redecode(f.path, v, p)
	}
	return out, nil
}

// stringList decodes features_used, an array of strings.
func (w *walker) stringList(f *field, v int32, p *[]string) outcome {
	switch w.toks[v].kind {
	case 'n':
		*p = nil
		return outcome{}
	case '[':
	default:
		return outcome{typeErr: w.typeErr(f.path, "must be an array", v)}
	}
	list := make([]string, 0, w.count(v))
	var out outcome
	for e := v + 1; e < w.toks[v].next; e = w.toks[e].next {
		switch w.toks[e].kind {
		case '"':
			list = append(list, w.str(e))
			continue
		case 'n':
		default:
			if out.typeErr == nil {
				out.typeErr = w.typeErr(f.path, "each entry must be a string", e)
			}
		}
		list = append(list, "")
	}
	*p = list
	return out
}

// objects decodes an array of objects (ab_experiments).
func (w *walker) objects(f *field, v int32, p unsafe.Pointer) (outcome, *FieldError) {
	switch w.toks[v].kind {
	case 'n':
		f.nest.reset(p, -1)
		return outcome{}, nil
	case '[':
	default:
		return outcome{}, w.ruleErr(f.path, "must be an array of objects", v)
	}
	f.nest.reset(p, w.count(v))
	var out outcome
	for e := v + 1; e < w.toks[v].next; e = w.toks[e].next {
		if w.toks[e].kind != '{' {
			return outcome{}, w.ruleErr(f.path, "each entry must be a JSON object", e)
		}
		r, err := f.elem.decode(w, e, f.nest.add(p))
		if err != nil {
			return outcome{}, err
		}
		out.merge(r)
	}
	return out, nil
}

// objectMap decodes a map of objects. A null value is left out; of a
// repeated key, the last value counts.
func (w *walker) objectMap(f *field, v int32, p unsafe.Pointer) (outcome, *FieldError) {
	switch w.toks[v].kind {
	case 'n':
		f.nest.reset(p, -1)
		return outcome{}, nil
	case '{':
	default:
		return outcome{}, w.ruleErr(f.path, "must be a JSON object of objects", v)
	}
	f.nest.reset(p, w.count(v)/2)
	var out outcome
	for k := v + 1; k < w.toks[v].next; k = w.toks[k+1].next {
		switch w.toks[k+1].kind {
		case 'n':
			continue
		case '{':
		default:
			return outcome{}, w.ruleErr(f.path+"."+w.str(k), "must be a JSON object", k+1)
		}
		key := w.str(k)
		e := f.nest.add(p)
		r, err := f.elem.decode(w, k+1, e)
		if err != nil {
			return outcome{}, err
		}
		f.nest.put(p, key, e)
		out.merge(r)
	}
	return out, nil
}

// words decodes a map of strings. A null value is left out; of a
// repeated key, the last value counts.
func (w *walker) words(f *field, v int32, p *map[string]string) outcome {
	switch w.toks[v].kind {
	case 'n':
		*p = nil
		return outcome{}
	case '{':
	default:
		return outcome{typeErr: w.typeErr(f.path, "must be a JSON object of strings", v)}
	}
	m := make(map[string]string, w.count(v)/2)
	var out outcome
	for k := v + 1; k < w.toks[v].next; k = w.toks[k+1].next {
		switch w.toks[k+1].kind {
		case '"':
			m[w.str(k)] = w.str(k + 1)
		case 'n':
		default:
			if out.typeErr == nil {
				out.typeErr = w.typeErr(f.path+"."+w.str(k), "must be a string", k+1)
			}
		}
	}
	*p = m
	return out
}

// merge adds what decoding an entry of a list or map found to o: the first
// type error counts.
func (o *outcome) merge(r outcome) {
	o.notNorm = o.notNorm || r.notNorm
	if o.typeErr == nil {
		o.typeErr = r.typeErr
	}
}

// count returns the number of tokens directly inside the object or array
// at token v: twice its members, or its elements.
func (w *walker) count(v int32) int {
	n := 0
	for e := v + 1; e < w.toks[v].next; e = w.toks[e].next {
		n++
	}
	return n
}
