package server

import (
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/public"
)

// publicView is what the public page's template shows. Numbers are
// formatted here only; the script reads each chart's values from its
// table (data-value) and draws them.
type publicView struct {
	S       *public.Summary
	Periods []option
	Active  string
	Cards   []publicCard
}

// publicCard is one chart and its table.
type publicCard struct {
	ID, Title, Desc, Unit string
	Head                  []string
	Rows                  []publicRow
}

// publicRow is one table row: its label, the value the chart draws (nil:
// a gap) and the cells shown.
type publicRow struct {
	Label string
	Value *float64
	Cells []string
}

func newPublicView(s *public.Summary) *publicView {
	v := &publicView{S: s, Active: "withheld"}
	for _, d := range publicDays {
		v.Periods = append(v.Periods, option{Value: strconv.Itoa(d), Label: "Last " + strconv.Itoa(d) + " days", Selected: d == s.Days})
	}
	if s.ActiveInstallations == nil {
		return v
	}
	v.Active = dashboard.FormatCount(int64(*s.ActiveInstallations))
	v.Cards = []publicCard{
		breakdownCard("versions", "IndexPilot versions", "Each installation once, under the newest version it ran.", "Version", s.Versions),
		breakdownCard("features", "Features turned on", "Installations that used each feature; one may use several.", "Feature", s.Features),
		breakdownCard("algorithms", "Algorithms run", "Installations that ran each algorithm.", "Algorithm", s.Algorithms),
		breakdownCard("postgresql", "PostgreSQL versions", "Installations by PostgreSQL major version; one that upgraded counts under both.", "PostgreSQL", s.PostgresVersions),
		breakdownCard("os", "Operating systems", "Installations by operating system.", "OS", s.OperatingSystems),
		weeklyCard(s.Weekly),
	}
	return v
}

func breakdownCard(id, title, desc, what string, b public.Breakdown) publicCard {
	c := publicCard{ID: id, Title: title, Desc: desc, Unit: "% of active installations",
		Head: []string{what, "Installations", "Share"}}
	for _, cell := range b {
		pct := cell.Pct
		c.Rows = append(c.Rows, publicRow{Label: cell.Name, Value: &pct,
			Cells: []string{cell.Name, dashboard.FormatCount(int64(cell.Installations)), dashboard.FormatPct(&pct)}})
	}
	return c
}

func weeklyCard(weeks []public.Week) publicCard {
	c := publicCard{ID: "weekly", Title: "Active installations by week", Unit: "installations",
		Desc: "Installations that reported in each 7-day span (the oldest may be shorter). A week is withheld when publishing it would single out fewer than k installations.",
		Head: []string{"Week (UTC)", "Installations"}}
	for _, w := range weeks {
		label := w.From + " to " + w.To
		row := publicRow{Label: w.To, Cells: []string{label, "withheld"}}
		if w.Installations != nil {
			n := float64(*w.Installations)
			row.Value, row.Cells[1] = &n, dashboard.FormatCount(int64(*w.Installations))
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}
