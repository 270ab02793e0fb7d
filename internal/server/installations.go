package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

type registration struct {
	InstallationID string `json:"installation_id"`
	APIKey         string `json:"api_key"`
	Note           string `json:"note"`
}

// register creates an installation and its key. Nothing about the caller
// is recorded; its address is used, in memory, only to rate-limit.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := s.regLimits.allow("register "+s.clientAddr(r), s.now()); !ok {
		return tooMany(wait, "too many registrations from this address; retry after the given seconds")
	}
	var ignored map[string]any // the body is optional and nothing of it is kept
	if err := decodeSmall(w, r, &ignored); err != nil {
		return err
	}
	text, sec, err := auth.New(auth.PrefixInstallation)
	if err != nil {
		return err
	}
	in := store.Installation{ID: uuid.NewString(), KeyID: sec.ID, KeyHash: sec.Hash(), Created: s.now().UTC().Truncate(time.Microsecond)}
	if err := s.store.CreateInstallation(r.Context(), in); err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusCreated, registration{InstallationID: in.ID, APIKey: text,
		Note: "the api_key is shown once; keep it with the installation's telemetry state"})
	return nil
}

// installationOf authenticates an installation key (fleet keys cannot
// act as an installation).
func (s *Server) installationOf(r *http.Request) (string, string, error) {
	text := r.Header.Get("X-API-Key")
	if text == "" {
		return "", "", unauthorized("missing X-API-Key header")
	}
	sec, rec, err := s.authenticate(r.Context(), text, auth.PrefixInstallation)
	return sec.ID, rec.installationID, err
}

// forget deletes every report of the calling installation and the
// installation itself.
func (s *Server) forget(w http.ResponseWriter, r *http.Request) error {
	keyID, id, err := s.installationOf(r)
	if err != nil {
		return err
	}
	n, err := s.store.DeleteInstallation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return unauthorized("unknown key")
	}
	if err != nil {
		return unavailable(err)
	}
	s.keys.drop(keyID) // the store tells every process; this one knows now
	s.erased.add(id)
	writeJSON(w, http.StatusOK, map[string]any{"status": "deleted", "installation_id": id, "reports_deleted": n})
	return nil
}

// export returns everything stored about the calling installation.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	_, id, err := s.installationOf(r)
	if err != nil {
		return err
	}
	exp, err := s.exportOf(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return unauthorized("unknown key")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, exp)
	return nil
}

// exportOf reads everything stored about installation id: what the
// installation's own export and an operator's export return.
func (s *Server) exportOf(ctx context.Context, id string) (*store.Export, error) {
	exp, err := store.ExportAll(ctx, s.store, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, unavailable(err)
	}
	return exp, err
}
