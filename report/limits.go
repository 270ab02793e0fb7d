package report

import (
	"math"
	"strconv"
)

// numRange is the allowed range of one numeric field.
type numRange struct {
	min, max float64
	whole    bool // an integer: no fraction, no exponent beyond its value
}

// rule is the FieldError rule of a value outside r.
func (r numRange) rule() string {
	kind := "a number"
	if r.whole {
		kind = "a whole number"
	}
	return "must be " + kind + " between " + num(r.min) + " and " + num(r.max)
}

func (r numRange) contains(v float64) bool {
	return !math.IsNaN(v) && v >= r.min && v <= r.max
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
