// Package web holds the service's HTML templates and static assets,
// embedded in the binary so that nothing has to be built or installed to
// serve the pages. Pages load scripts and styles from static/ only: the
// Content-Security-Policy allows no inline script or style.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

// Templates parses the page templates. Their asset function names a
// static file with a digest of its content, so a new build's files are
// never mixed with an old one's cached copies.
func Templates() (*template.Template, error) {
	digests, err := assetDigests()
	if err != nil {
		return nil, err
	}
	return template.New("").Funcs(template.FuncMap{
		"asset": func(name string) string {
			if d, ok := digests[name]; ok {
				return "/static/" + name + "?v=" + d
			}
			return "/static/" + name
		},
		"page": newPage,
	}).ParseFS(templates, "templates/*.html")
}

// page is what the "head" template lays out: a page's title and its
// script, a file in static/ ("" for a page without one).
type page struct{ Title, Script string }

func newPage(title, script string) page { return page{title, script} }

// assetDigests returns a short content digest of every static file.
func assetDigests() (map[string]string, error) {
	m := map[string]string{}
	err := fs.WalkDir(Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), path)
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:6])
		return err
	})
	return m, err
}

// Static returns the static assets, rooted at static/.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}
