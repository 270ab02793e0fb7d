package dashboard

import "testing"

func TestFormatting(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct{ got, want string }{
		{FormatCount(0), "0"}, {FormatCount(999), "999"}, {FormatCount(1000), "1,000"}, {FormatCount(1234567), "1,234,567"},
		{FormatCount(-1234), "-1,234"},
		{FormatPct(nil), "–"}, {FormatPct(f(30.45)), "30.5 %"}, {FormatPct(f(0.25)), "0.3 %"}, {FormatPct(f(-0.04)), "0.0 %"},
		{FormatPct(f(-2.25)), "-2.3 %"},
		{FormatRate(nil), "–"}, {FormatRate(f(0.21)), "21.0 %"}, {FormatRate(f(0.0004)), "0.0 %"},
		{FormatDecimal(1.234), "1.23"}, {FormatDecimal(0.005), "0.01"}, {FormatOptCount(nil), "–"},
		{FormatOptDecimal(nil), "–"}, {FormatOptDecimal(f(0.675)), "0.68"},
		{CountChange(12, 10).Change, "+2 (+20.0 %)"}, {CountChange(9, 10).Change, "\u22121 (\u221210.0 %)"},
		{CountChange(5, 0).Change, "+5"}, {CountChange(0, 0).Change, "±0"},
		{PctChange(f(10), f(12.04), true).Change, "\u22122.0 pp"}, {PctChange(f(10), nil, true).Change, "–"},
		{PctChange(f(10), f(12), false).Trend, "good"}, {PctChange(f(12), f(10), false).Trend, "bad"},
		{CountChange(3, 3).Trend, "flat"}, {CountChange(1234, 1).Value, "1,234"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
