package report

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// validation checks a decoded report against the rules of its rows
// (fields.go), in table order, and puts its values in the form they are
// stored in: repeated features collapsed, report_id, os and arch
// lowercased, the timestamp canonical.
//
// Within an object, the lists and maps of objects are checked after the
// other fields, each entry in turn, and a rule across the object's fields
// (Latency's order) last. A report that breaks several rules always gets
// the error of the first.
type validation struct {
	now       time.Time
	retention time.Duration
	time      time.Time // the report's timestamp, as its rule parsed it
}

func (d *Decoded) validate(now time.Time, retention time.Duration) error {
	r := &d.Report
	if r.SchemaVersion == 0 {
		r.SchemaVersion = 1
	}
	dropNewer(reportObject, unsafe.Pointer(r), r.SchemaVersion) // listed in Ignored by Decode; never stored
	v := validation{now: now, retention: retention}
	if err := v.object(reportObject, unsafe.Pointer(r)); err != nil {
		return err
	}
	d.Time = v.time
	return nil
}

// object checks the object at p, whose rows o has.
func (v *validation) object(o *object, p unsafe.Pointer) *FieldError {
	for _, many := range []bool{false, true} {
		for i := range o.fields {
			if f := &o.fields[i]; f.kind.many() == many {
				if err := v.field(f, f.at(p)); err != nil {
					return err
				}
			}
		}
	}
	if o.check != nil {
		if rule := o.check(p); rule != "" {
			return fieldErr(o.path, "%s", rule)
		}
	}
	return nil
}

// field checks the value at p of the field f.
func (v *validation) field(f *field, p unsafe.Pointer) *FieldError {
	switch f.kind {
	case kindText:
		return v.text(f, (*string)(p))
	case kindWhole:
		if f.goInt {
			return f.checkRange(f.path, float64(*(*int)(p)))
		}
		return f.checkRange(f.path, float64(*(*int64)(p)))
	case kindNumber:
		return f.checkRange(f.path, *(*float64)(p))
	case kindOptNumber:
		if x := *(**float64)(p); x != nil {
			return f.checkRange(f.path, *x)
		}
	case kindNames:
		return f.checkNames((*[]string)(p))
	case kindCounts:
		return f.checkCounts(*(*map[string]int64)(p))
	case kindWords:
		return f.checkWords(*(*map[string]string)(p))
	case kindObject, kindOptObject:
		return f.eachEntry(p, func(e unsafe.Pointer) *FieldError { return v.object(f.elem, e) })
	case kindObjects:
		return v.list(f, p)
	case kindObjectMap:
		return v.objectMap(f, p)
	}
	return nil
}

// text checks a string: a custom rule, else its allowed values or its
// pattern. An optional string may be empty.
func (v *validation) text(f *field, s *string) *FieldError {
	switch {
	case f.custom != nil:
		return f.custom(v, f, s)
	case *s == "" && !f.required:
	case f.enum != nil:
		if !slices.Contains(f.enum, *s) {
			return fieldErr(f.path, "%s", enumRule(f.enum))
		}
	case !f.pat.MatchString(*s):
		if f.rule != "" {
			return fieldErr(f.path, "%s", f.rule)
		}
		return fieldErr(f.path, "must match %s", f.pat)
	}
	if f.lower {
		*s = strings.ToLower(*s)
	}
	return nil
}

// checkRange checks v against f's range and names path in the error.
func (f *field) checkRange(path string, v float64) *FieldError {
	if !f.rng.contains(v) {
		return fieldErr(path, "%s", f.rng.rule())
	}
	return nil
}

// checkNames checks a set of words and collapses its repeats.
func (f *field) checkNames(p *[]string) *FieldError {
	seen := make(map[string]bool, len(*p))
	kept := (*p)[:0]
	for _, s := range *p {
		if !f.pat.MatchString(s) {
			return fieldErr(f.path, "each entry must match %s", f.pat)
		}
		if !seen[s] { // a name listed twice is there once
			seen[s] = true
			kept = append(kept, s)
		}
	}
	if f.max > 0 && len(kept) > f.max {
		return fieldErr(f.path, "must have at most %d distinct entries", f.max)
	}
	*p = kept
	return nil
}

// checkCounts checks a map of counts in key order, so that a report that
// breaks several rules always gets the same error.
func (f *field) checkCounts(m map[string]int64) *FieldError {
	keys, err := checkKeys(f, m)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := f.checkRange(f.path+"."+k, float64(m[k])); err != nil {
			return err
		}
	}
	return nil
}

// checkWords checks a map of words in key order.
func (f *field) checkWords(m map[string]string) *FieldError {
	keys, err := checkKeys(f, m)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !f.vals.MatchString(m[k]) {
			return fieldErr(f.path+"."+k, "must match %s", f.vals)
		}
	}
	return nil
}

// checkKeys checks the number of keys of the map that f holds and, in
// order, their pattern; it returns them sorted.
func checkKeys[V any](f *field, m map[string]V) ([]string, *FieldError) {
	if f.max > 0 && len(m) > f.max {
		return nil, fieldErr(f.path, "must have at most %d entries", f.max)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !f.pat.MatchString(k) {
			return nil, fieldErr(f.path, "each key must match %s", f.pat)
		}
	}
	return keys, nil
}

// list checks a list of objects: its length, then each entry, whose name
// (when its object has one) must not repeat an earlier entry's.
func (v *validation) list(f *field, p unsafe.Pointer) *FieldError {
	first, n, stride := f.nest.items(p)
	if f.max > 0 && n > f.max {
		return fieldErr(f.path, "must have at most %d entries", f.max)
	}
	var seen map[string]bool
	if f.elem.identity != nil {
		seen = make(map[string]bool, n)
	}
	for i := range n {
		e := unsafe.Add(first, uintptr(i)*stride)
		var name string
		if seen != nil {
			if name = f.elem.identity(e); seen[name] {
				return fieldErr(f.path, "%s", f.elem.repeated)
			}
		}
		if err := v.object(f.elem, e); err != nil {
			return err
		}
		if seen != nil {
			seen[name] = true
		}
	}
	return nil
}

// objectMap checks a map of objects: its keys, then each value in key
// order.
func (v *validation) objectMap(f *field, p unsafe.Pointer) *FieldError {
	keys := f.nest.keys(p)
	if f.max > 0 && len(keys) > f.max {
		return fieldErr(f.path, "must have at most %d entries", f.max)
	}
	for _, k := range keys {
		if !f.pat.MatchString(k) {
			return fieldErr(f.path, "each key must match %s", f.pat)
		}
	}
	return f.eachEntry(p, func(e unsafe.Pointer) *FieldError { return v.object(f.elem, e) })
}

// dropNewer zeroes every field of the object at p newer than version sv.
func dropNewer(o *object, p unsafe.Pointer, sv int) {
	if o.newest <= sv {
		return
	}
	for i := range o.fields {
		f := &o.fields[i]
		switch q := f.at(p); {
		case f.schema > sv:
			f.clear(q)
		case f.kind.nested():
			f.eachEntry(q, func(e unsafe.Pointer) *FieldError { dropNewer(f.elem, e, sv); return nil })
		}
	}
}

// clear sets the Go field at p to its zero value.
func (f *field) clear(p unsafe.Pointer) {
	switch f.kind {
	case kindText:
		*(*string)(p) = ""
	case kindWhole:
		if f.goInt {
			*(*int)(p) = 0
		} else {
			*(*int64)(p) = 0
		}
	case kindNumber:
		*(*float64)(p) = 0
	case kindOptNumber:
		*(**float64)(p) = nil
	case kindNames:
		*(*[]string)(p) = nil
	case kindCounts:
		*(*map[string]int64)(p) = nil
	case kindWords:
		*(*map[string]string)(p) = nil
	case kindObject:
		f.elem.zero(p)
	default:
		f.nest.reset(p, -1)
	}
}

// checkIdentity checks, by the rows of a telemetry report, the fields the
// error-report contract shares with it: report_id (made lower case),
// installation_id and version.
func checkIdentity(reportID *string, installationID, version string) error {
	var v validation
	for _, c := range []struct {
		name string
		s    *string
	}{{"report_id", reportID}, {"installation_id", &installationID}, {"version", &version}} {
		if err := v.text(&reportObject.fields[reportObject.field(c.name)], c.s); err != nil {
			return err
		}
	}
	return nil
}

// timestampField gives the timestamp its rule, which depends on the
// server's clock and the retention.
func timestampField(f field) field {
	f.custom = checkTimestamp
	return f
}

// checkTimestamp parses the report's timestamp, checks that it is neither
// too far ahead nor older than the retention, and makes it canonical.
func checkTimestamp(v *validation, f *field, s *string) *FieldError {
	t, err := ParseTime(*s)
	if err != nil {
		return fieldErr(f.path, "must be an RFC 3339 date-time, e.g. 2026-11-20T10:00:00Z (no offset means UTC)")
	}
	if t.After(v.now.Add(MaxFutureSkew)) {
		return fieldErr(f.path, "must not be more than %s in the future", MaxFutureSkew)
	}
	if t.Before(v.now.Add(-v.retention)) {
		return fieldErr(f.path, "must not be older than the raw-data retention (%d days)", int(v.retention.Hours()/24))
	}
	// Microseconds: what PostgreSQL keeps, so both stores hold the same
	// instant and the idempotency key does not depend on the backend.
	v.time = t.Truncate(time.Microsecond)
	*s = v.time.Format(time.RFC3339Nano)
	return nil
}

// ParseTime parses a report timestamp: RFC 3339 with an upper-case T and
// at most nine fractional digits, or the first client's Python isoformat()
// without an offset, which is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	if !timestampPattern.MatchString(s) {
		return time.Time{}, errors.New("report: timestamp must match " + timestampPattern.String())
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	}
	return t.UTC(), err
}
