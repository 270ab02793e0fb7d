package dashboard

import (
	"math"
	"strconv"
	"strings"
)

// How numbers are written for people, in one place: the overview page (its
// server-rendered HTML and the JSON its script draws from) and every other
// view or message that shows a figure use these, so that a number reads
// the same wherever it appears.

// Missing stands for a figure that is undefined (an average of nothing).
const Missing = "–"

// FormatCount writes a whole number with its thousands grouped by commas:
// 1,234,567.
func FormatCount(n int64) string {
	s := strconv.FormatInt(abs(n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteString("-")
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatOptCount is FormatCount, or Missing for nil.
func FormatOptCount(n *int64) string {
	if n == nil {
		return Missing
	}
	return FormatCount(*n)
}

// FormatPct writes a percentage with one decimal ("30.5 %"), or Missing
// for nil.
func FormatPct(f *float64) string {
	if f == nil {
		return Missing
	}
	return FormatPlain(*f) + " %"
}

// FormatRate writes a rate or a share (0.21) as a percentage ("21.0 %"),
// or Missing for nil.
func FormatRate(r *float64) string {
	if r == nil {
		return Missing
	}
	p := *r * 100
	return FormatPct(&p)
}

// FormatInterval writes an interval of percentages ("86.2 – 93.1 %"), or
// Missing when either end is nil.
func FormatInterval(low, high *float64) string {
	if low == nil || high == nil {
		return Missing
	}
	return FormatPlain(*low) + " – " + FormatPct(high)
}

// FormatDecimal writes a ratio with two decimals: 1.25.
func FormatDecimal(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64)
}

// FormatOptDecimal is FormatDecimal, or Missing for nil.
func FormatOptDecimal(f *float64) string {
	if f == nil {
		return Missing
	}
	return FormatDecimal(*f)
}

// FormatSigned writes a difference with its sign and one decimal:
// "+1.2", "−0.8" (U+2212), "±0.0".
func FormatSigned(f float64) string { return signed(round1(f), FormatPlain(math.Abs(f))) }

// FormatPlain is f with one decimal.
func FormatPlain(f float64) string { return strconv.FormatFloat(round1(f), 'f', 1, 64) }

// round1 rounds half away from zero to one decimal, and never returns
// negative zero.
func round1(f float64) float64 {
	r := math.Round(f*10) / 10
	if r == 0 {
		return 0
	}
	return r
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// Trends of a Change: whether the figure moved the way that is good.
const (
	TrendGood = "good"
	TrendBad  = "bad"
	TrendFlat = "flat"
)

// A Change is a figure as written, with how it moved against an earlier
// period: "+2 (+20.0 %)" for counts, "−2.0 pp" for percentages.
type Change struct {
	Value  string `json:"value"`
	Change string `json:"change"`
	Trend  string `json:"trend"` // TrendGood, TrendBad or TrendFlat
}

// CountChange writes a count and its change since prev, with the
// relative change when prev is not 0; more is better.
func CountChange(cur, prev int64) Change {
	d := cur - prev
	c := Change{Value: FormatCount(cur), Change: signed(float64(d), FormatCount(abs(d))), Trend: trend(float64(d), true)}
	if prev != 0 {
		r := float64(d) / float64(prev) * 100
		c.Change += " (" + signed(round1(r), FormatPlain(math.Abs(r))) + " %)"
	}
	return c
}

// PctChange writes a percentage and its change since prev in percentage
// points; higherIsBetter says which way is good.
func PctChange(cur, prev *float64, higherIsBetter bool) Change {
	c := Change{Value: FormatPct(cur), Change: Missing, Trend: TrendFlat}
	if cur != nil && prev != nil {
		d := round1(*cur - *prev)
		c.Change = signed(d, FormatPlain(math.Abs(d))) + " pp"
		c.Trend = trend(d, higherIsBetter)
	}
	return c
}

func trend(d float64, higherIsBetter bool) string {
	switch {
	case d == 0:
		return TrendFlat
	case (d > 0) == higherIsBetter:
		return TrendGood
	}
	return TrendBad
}

// signed puts the sign of d before text: "+", "−" (U+2212) or "±".
func signed(d float64, text string) string {
	switch {
	case d > 0:
		return "+" + text
	case d < 0:
		return "\u2212" + text
	}
	return "±" + text
}
