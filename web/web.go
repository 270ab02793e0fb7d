// Package web holds the service's HTML templates and static assets,
// embedded in the binary so that nothing has to be built or installed to
// serve the pages.
package web

import (
	"embed"
	"html/template"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

// Templates parses the page templates.
func Templates() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"pct":    func(f float64) string { return template.HTMLEscapeString(formatFloat(f, 1)) + " %" },
		"num":    func(f float64) string { return formatFloat(f, 2) },
		"mul100": func(f float64) float64 { return f * 100 },
		"pair":   func(title string, rows any) map[string]any { return map[string]any{"Title": title, "Rows": rows} },
	}).ParseFS(templates, "templates/*.html")
}

// Static returns the static assets, rooted at static/.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}
