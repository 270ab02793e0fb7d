package server

import (
	"errors"
	"net/http"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Operator erasure and export: what an installation can do for itself
// (DELETE /api/v1/installations/me, GET …/me/export), done by an admin on a
// user's written request, for a user who may no longer have the machine.
// Each act is in the audit log before it happens.

// operatorInstallation returns the {id} of the path, checked.
func operatorInstallation(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !report.ValidInstallationID(id) {
		return "", badParam("id", report.InstallationIDRule(), "id is not an installation id")
	}
	return id, nil
}

// operatorExport serves GET /api/v1/admin/installations/{id}: the
// installation's own export, byte for byte. The data leaves only once its
// audit entry is stored.
func (s *Server) operatorExport(w http.ResponseWriter, r *http.Request, a actor) error {
	id, err := operatorInstallation(r)
	if err != nil {
		return err
	}
	exp, err := s.exportOf(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "not_found", "no installation with this id is stored")
	}
	if err != nil {
		return err
	}
	entry := store.AuditEntry{Action: store.AuditExport, InstallationID: id}
	if err := s.record(r.Context(), a, entry); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, exp)
	return nil
}

// operatorDelete serves DELETE /api/v1/admin/installations/{id}: the
// installation's own erasure (its reports taken out of the rollups
// exactly), after its audit entry is stored.
func (s *Server) operatorDelete(w http.ResponseWriter, r *http.Request, a actor) error {
	id, err := operatorInstallation(r)
	if err != nil {
		return err
	}
	if err := s.record(r.Context(), a, store.AuditEntry{Action: store.AuditDelete, InstallationID: id}); err != nil {
		return err
	}
	n, err := s.store.DeleteInstallation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "not_found", "no installation with this id is stored")
	}
	if err != nil {
		return unavailable(err)
	}
	s.erased.add(id) // the store tells every process, and drops its key; this one knows now
	writeJSON(w, http.StatusOK, map[string]any{"status": "deleted", "installation_id": id, "reports_deleted": n})
	return nil
}
