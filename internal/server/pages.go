package server

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/web"
)

// pages are parsed once; a template error is a build bug, caught by tests.
var pages = template.Must(web.Templates())

func staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(web.Static()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Pages name assets with a digest of their content (?v=), so a
		// cached copy is never stale; a bare name is cached briefly.
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}

func render(w http.ResponseWriter, status int, name string, data any) error {
	return renderCached(w, status, name, data, "no-store")
}

// renderCached is render with a Cache-Control other than no-store.
func renderCached(w http.ResponseWriter, status int, name string, data any, cacheControl string) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type loginView struct {
	Next, Error string
}

// signedIn tells whether the request may see a page, and sends a
// signed-out visitor to the sign-in form, to come back to the same view.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) (bool, error) {
	ok, err := s.isAdmin(r)
	if err != nil || ok {
		return ok, err
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, "/login?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
	return false, nil
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := localNext(r.URL.Query().Get("next"))
	if ok, err := s.validSession(r); err != nil {
		return err
	} else if ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return render(w, http.StatusOK, "login", loginView{Next: next})
}

// login checks an admin token from the form and starts a session. Each
// attempt is a sign-in attempt of the client address (signInAttempt), so
// guessing is slow; the key signed in with is the session's, so revoking
// it ends the session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	token, next := r.PostFormValue("token"), localNext(r.PostFormValue("next"))
	keyID, ok, err := s.signInAttempt(r, token)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
		return render(w, http.StatusTooManyRequests, "login", loginView{Next: next,
			Error: "Too many sign-in attempts from this address; try again in " + strconv.Itoa(ae.RetryAfter) + " s."})
	}
	if err != nil {
		return err
	}
	if !ok {
		return render(w, http.StatusUnauthorized, "login", loginView{Next: next, Error: "That token is not valid."})
	}
	if err := s.record(r.Context(), actor{keyID: keyID}, store.AuditEntry{Action: store.AuditSignIn}); err != nil {
		return err
	}
	if err := s.startSession(w, r, keyID); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// pagePaths are the signed-in pages a sign-in may return to.
var pagePaths = []string{"/", "/feedback", "/audit", "/insights", "/releases", "/experiments", "/reports"}

// localNext returns where to go after signing in: one of the pages with
// the query it was asked with, never another site or path.
func localNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !slices.Contains(pagePaths, u.Path) || strings.HasPrefix(next, "//") {
		return "/"
	}
	if u.RawQuery == "" {
		return u.Path
	}
	return u.Path + "?" + u.Query().Encode()
}

// logout ends the session in the store, so in every process.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
