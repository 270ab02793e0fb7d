package weekly

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

//go:embed report.html.tmpl
var htmlSource string

// page lays out a view as an HTML e-mail: inline styles, tables for
// layout, bars as sized blocks (no image, no script).
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"count": dashboard.FormatCount,
	"align": func(i int) string {
		if i == 0 {
			return "left"
		}
		return "right"
	},
	"barHeight": func(v, max int64) int64 {
		if max <= 0 {
			return 1
		}
		return max64(1, v*60/max)
	},
	// trendStyle colours a row's change (its last cell) by its trend:
	// green when it moved the good way, red the bad way.
	"trendStyle": func(t table, row, col int) template.CSS {
		if col != len(t.Columns)-1 || row >= len(t.Trends) {
			return ""
		}
		switch t.Trends[row] {
		case dashboard.TrendGood:
			return "color:#1d7a46"
		case dashboard.TrendBad:
			return "color:#b42318"
		}
		return ""
	},
}).Parse(htmlSource))

// HTML writes the report as an HTML e-mail.
func HTML(r *Report) (string, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, newView(r)); err != nil {
		return "", fmt.Errorf("weekly: render HTML: %w", err)
	}
	return b.String(), nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
