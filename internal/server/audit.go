package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// actor is the admin a request comes from: the id of a stored admin key,
// or the configured token's tag (configPrefix…, see sessions).
type actor struct{ keyID string }

// record appends an audit entry for an act of a, before the act: an act
// whose entry cannot be stored is not done (the caller gets a 503). The
// entry names the admin key by its id and its name, never its secret.
// Other acts that must be audited (key revocation through an API,
// sessions kept in the store) call this the same way.
func (s *Server) record(ctx context.Context, a actor, e store.AuditEntry) error {
	e.At = s.now()
	e.Actor, e.ActorKeyID = store.ActorEnvironment, ""
	if !strings.HasPrefix(a.keyID, configPrefix) {
		e.ActorKeyID = a.keyID
		k, err := s.store.Key(ctx, a.keyID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			e.Actor = "(unknown key)"
		case err != nil:
			return unavailable(err)
		default:
			e.Actor = k.Name
		}
	}
	if _, err := s.store.AppendAudit(ctx, e); err != nil {
		return unavailable(err)
	}
	return nil
}

// withAdmin wraps a handler that only admins may call and that needs to
// know which one calls it.
func (s *Server) withAdmin(h func(w http.ResponseWriter, r *http.Request, a actor) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, ok, err := s.adminOf(r)
		if err != nil {
			return err
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="indexpilot-analytics"`)
			return unauthorized("an admin token is required: Authorization: Bearer <token>")
		}
		return h(w, r, a)
	}
}

// auditPage is the answer of GET /api/v1/admin/audit.
type auditPage struct {
	Entries []store.AuditEntry `json:"entries"`
	// NextBefore continues the list (?before=); null on the last page.
	NextBefore *int64 `json:"next_before"`
}

// auditDefaultLimit is how many entries a page shows when not asked.
const auditDefaultLimit = 100

// readAudit reads the page ?before=ID&limit=N (1 to store.MaxAuditPage)
// asks for.
func (s *Server) readAudit(r *http.Request) (*auditPage, error) {
	q := store.AuditQuery{Limit: auditDefaultLimit}
	v := r.URL.Query()
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return nil, badParam("before", "a whole number >= 1", "before is not an audit entry id")
		}
		q.Before = n
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxAuditPage {
			return nil, badParam("limit", "a whole number from 1 to "+strconv.Itoa(store.MaxAuditPage), "limit is out of range")
		}
		q.Limit = n
	}
	entries, err := s.store.AuditLog(r.Context(), q)
	if err != nil {
		return nil, unavailable(err)
	}
	p := &auditPage{Entries: entries}
	if p.Entries == nil {
		p.Entries = []store.AuditEntry{}
	}
	if len(entries) == q.PageSize() {
		next := entries[len(entries)-1].ID
		p.NextBefore = &next
	}
	return p, nil
}

// auditLog serves GET /api/v1/admin/audit.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	p, err := s.readAudit(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// auditView is the audit page's data.
type auditView struct {
	Page  *auditPage
	Error string
}

// auditHTML is the dashboard's audit page: the same list, newest first,
// with a link to older entries. Signed-out visitors go to the sign-in
// form, which brings them back here.
func (s *Server) auditHTML(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.isAdmin(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login?next=%2Faudit", http.StatusSeeOther)
		return nil
	}
	p, err := s.readAudit(r)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return render(w, http.StatusBadRequest, "audit", auditView{Page: &auditPage{}, Error: ae.Message})
	}
	if err != nil {
		return err
	}
	return render(w, http.StatusOK, "audit", auditView{Page: p})
}
