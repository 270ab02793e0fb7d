package server

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/web"
)

// pages are parsed once; a template error is a build bug, caught by tests.
var pages = template.Must(web.Templates())

func staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(web.Static()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

func render(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// overview is the plain server-rendered stats page; signed-out visitors
// are sent to the sign-in form.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.isAdmin(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	st, err := s.dash.Stats(r.Context(), s.now())
	if err != nil {
		return unavailable(err)
	}
	return render(w, http.StatusOK, "overview", map[string]any{"Stats": st, "Window": dashboard.ActiveWindow})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	return render(w, http.StatusOK, "login", map[string]any{})
}

// login checks an admin token from the form and starts a session. Wrong
// tokens share the registration limiter's budget per address.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	token := r.PostFormValue("token")
	ok, err := s.checkAdminToken(r.Context(), token)
	if err != nil {
		return err
	}
	if !ok {
		if allowed, wait := s.regLimits.allow("login:"+clientHost(r), s.now()); !allowed {
			return tooMany(wait, "too many failed sign-ins; retry later")
		}
		return render(w, http.StatusUnauthorized, "login", map[string]any{"Error": "That token is not valid."})
	}
	s.sessions.start(w, s.now())
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	s.sessions.end(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
