// Package public turns the cohorts of a period into the figures the
// public page publishes, so that small groups of installations stay
// hidden: every published figure counts at least K installations, and so
// does every group that subtracting one published figure from another can
// reveal. docs/public.md states the rule; Publish applies it. The package
// does no I/O and never sees an installation id, only the dense numbers
// of the rollup bitmaps.
package public

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// K bounds: the default, and the least a setting may ask for.
const (
	DefaultK = 5
	MinK     = 3
)

// Other names the cell of the installations in none of a breakdown's
// named cells: another value, or none reported. Values have no
// parentheses, so it cannot be one.
const Other = "(other)"

// Summary is what the public page shows for one period.
type Summary struct {
	From string `json:"from"` // first day, UTC
	To   string `json:"to"`   // last day, UTC: the last complete day
	Days int    `json:"days"`
	K    int    `json:"k"`
	// ActiveInstallations counts the installations that reported in the
	// period; null, with nothing else published, when the period is
	// withheld (Withheld says why).
	ActiveInstallations *uint64 `json:"active_installations"`
	Withheld            string  `json:"withheld,omitempty"`
	// Versions counts each installation once, under the newest version it
	// ran: its cells add up to ActiveInstallations.
	Versions Breakdown `json:"versions"`
	// The other breakdowns may overlap: an installation counts in each
	// cell it reported.
	Features         Breakdown `json:"features"`
	Algorithms       Breakdown `json:"algorithms"`
	PostgresVersions Breakdown `json:"postgresql_versions"`
	OperatingSystems Breakdown `json:"operating_systems"`
	// Weekly counts the installations active in each 7-day span ending
	// on To (the oldest may be shorter); null where withheld.
	Weekly []Week `json:"weekly_active_installations"`
}

// Breakdown is one published breakdown, largest cell first and Other last.
type Breakdown []Cell

// Cell is one published figure of a breakdown.
type Cell struct {
	Name          string  `json:"name"`
	Installations uint64  `json:"installations"`
	Pct           float64 `json:"pct"` // of ActiveInstallations
	Other         bool    `json:"other,omitempty"`
}

// Week is one span of Summary.Weekly.
type Week struct {
	From          string  `json:"from"`
	To            string  `json:"to"`
	Installations *uint64 `json:"installations"`
}

// Publish applies the rule with k (at least MinK) to c.
func Publish(c *dashboard.Cohorts, k int) *Summary { return PublishAll([]*dashboard.Cohorts{c}, k)[0] }

// PublishAll applies the rule with k (at least MinK) to the periods cs
// together, as the page publishes them on one day: a figure of one period
// and a figure of another obey it too, so subtracting the 30-day count
// from the 90-day one reveals no small group either.
func PublishAll(cs []*dashboard.Cohorts, k int) []*Summary {
	k = max(k, MinK)
	p := &publication{k: uint64(k)}
	out := make([]*Summary, len(cs))
	for i, c := range cs {
		s := &Summary{From: c.Period.From.String(), To: c.Period.To.String(), Days: c.Period.Days(), K: k,
			Versions: Breakdown{}, Features: Breakdown{}, Algorithms: Breakdown{}, PostgresVersions: Breakdown{},
			OperatingSystems: Breakdown{}, Weekly: []Week{}}
		out[i] = s
		if c.Active.GetCardinality() >= uint64(k) {
			p.periods = append(p.periods, newPeriod(c))
		} else {
			p.periods = append(p.periods, nil) // nothing of it is published
			s.Withheld = WithheldFew
		}
	}
	p.settle()
	for i, pd := range p.periods {
		switch {
		case pd != nil:
			pd.fill(out[i], cs[i])
		case out[i].Withheld == "":
			out[i].Withheld = WithheldDifference
		}
	}
	return out
}

// Why a period is withheld.
const (
	WithheldFew        = "fewer than k installations reported in this period"
	WithheldDifference = "its total and another period's differ by fewer than k installations"
)

// fill writes the figures of pd into s.
func (pd *period) fill(s *Summary, c *dashboard.Cohorts) {
	active := pd.active.GetCardinality()
	s.ActiveInstallations = &active
	for i, out := range []*Breakdown{&s.Versions, &s.Features, &s.Algorithms, &s.PostgresVersions, &s.OperatingSystems} {
		*out = pd.breakdown(i, active)
	}
	for i, w := range c.Weeks {
		wk := Week{From: w.From.String(), To: w.To.String()}
		if pd.weekShown[i] {
			n := pd.weeks[i].GetCardinality()
			wk.Installations = &n
		}
		s.Weekly = append(s.Weekly, wk)
	}
}

// publication is the state of PublishAll: its periods, nil for one with
// fewer than k active installations.
type publication struct {
	k       uint64
	periods []*period
}

// period is which cells of one period are shown by name and which weeks
// are shown.
type period struct {
	active    *roaring.Bitmap
	families  [][]dashboard.Cohort // cells restricted to the active installations
	named     [][]bool             // by family and cell: shown by name
	weeks     []*roaring.Bitmap
	weekShown []bool
}

func newPeriod(c *dashboard.Cohorts) *period {
	p := &period{active: c.Active}
	for _, fam := range [][]dashboard.Cohort{c.Versions, c.Features, c.Algorithms, c.PostgresVersions, c.OperatingSystems} {
		cells := make([]dashboard.Cohort, len(fam))
		named := make([]bool, len(fam))
		for i, cell := range fam {
			cells[i] = dashboard.Cohort{Name: cell.Name, Installs: roaring.And(cell.Installs, c.Active)}
			named[i] = true
		}
		p.families = append(p.families, cells)
		p.named = append(p.named, named)
	}
	for _, w := range c.Weeks {
		p.weeks = append(p.weeks, roaring.And(w.Installs, c.Active))
		p.weekShown = append(p.weekShown, true)
	}
	return p
}

// settle hides figures until no violation is left. Each round hides one
// cell (into its breakdown's Other), withholds one week or withholds one
// period whole, so it ends.
func (p *publication) settle() {
	for {
		v, ok := firstViolation(p.figures(), p.k)
		if !ok {
			return
		}
		p.hide(v)
	}
}

// hide resolves one violation: a cell shown by name goes into Other (the
// smaller one of a pair), else a week is withheld, else, for two Others
// or an Other and a total, the smallest named cell of the Others'
// breakdowns goes into its Other, else (two totals, or nothing left to
// merge) the shorter period is withheld whole.
func (p *publication) hide(v []figure) {
	for _, f := range v {
		if f.what == named {
			p.periods[f.period].named[f.family][f.cell] = false
			return
		}
	}
	for _, f := range v {
		if f.what == week {
			p.periods[f.period].weekShown[f.cell] = false
			return
		}
	}
	var best *bool
	bestN := uint64(0)
	for _, f := range v {
		if f.what != other {
			continue
		}
		pd := p.periods[f.period]
		for i, shown := range pd.named[f.family] {
			if n := pd.families[f.family][i].Installs.GetCardinality(); shown && (best == nil || n < bestN) {
				best, bestN = &pd.named[f.family][i], n
			}
		}
	}
	if best != nil {
		*best = false
		return
	}
	p.periods[v[0].period] = nil // the smaller figure's period: the shorter one
}

// breakdown returns family i as published.
func (p *period) breakdown(i int, active uint64) Breakdown {
	out := Breakdown{}
	for j, c := range p.families[i] {
		if p.named[i][j] {
			out = append(out, cell(c.Name, c.Installs.GetCardinality(), active, false))
		}
	}
	slices.SortFunc(out, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(b.Installations, a.Installations), cmp.Compare(a.Name, b.Name))
	})
	if n := p.other(i).GetCardinality(); n > 0 {
		out = append(out, cell(Other, n, active, true))
	}
	return out
}

func cell(name string, n, active uint64, isOther bool) Cell {
	return Cell{Name: name, Installations: n, Pct: dashboard.Pct(float64(n), float64(active)), Other: isOther}
}

// other is the active installations in none of family i's named cells.
func (p *period) other(i int) *roaring.Bitmap {
	var shown []*roaring.Bitmap
	for j, c := range p.families[i] {
		if p.named[i][j] {
			shown = append(shown, c.Installs)
		}
	}
	return roaring.AndNot(p.active, roaring.FastOr(shown...))
}
