package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const (
	sessionCookie = "ipa_session"
	sessionTTL    = 12 * time.Hour
	// configPrefix starts the key id of sessions signed in with the
	// configured admin token (INDEXPILOT_ANALYTICS_ADMIN_TOKEN).
	configPrefix = "config:"
)

// sessions are the dashboard's sign-ins. The cookie holds a random secret;
// the store keeps its SHA-256 with the admin key signed in with, so any
// process behind a load balancer knows the session, and signing out or
// revoking that key ends it in every process (their caches hear of it
// through the store's change feed).
type sessions struct {
	cache  *ttlCache[store.Session]
	secure bool
	// configTag stands for the configured admin token in a session's key
	// id: a digest of it, so that changing the token ends its sessions.
	configTag string
}

func newSessions(cfg Config) *sessions {
	s := &sessions{cache: newTTLCache[store.Session](cfg.KeyCacheTTL, maxCachedKeys), secure: cfg.SecureCookies}
	if cfg.AdminToken != "" {
		sum := sha256.Sum256([]byte("indexpilot-analytics session\x00" + cfg.AdminToken))
		s.configTag = configPrefix + hex.EncodeToString(sum[:8])
	}
	return s
}

// startSession stores a session signed in with keyID and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, keyID string) error {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return fmt.Errorf("server: session secret: %w", err)
	}
	value := base64.RawURLEncoding.EncodeToString(secret[:])
	now := s.now().UTC().Truncate(time.Microsecond)
	// Expired sessions go when new ones come: rare, and never a scan of
	// live ones.
	if _, err := s.store.DeleteExpiredSessions(r.Context(), now); err != nil {
		return unavailable(err)
	}
	se := store.Session{Hash: auth.Hash(value), KeyID: keyID, Created: now, Expires: now.Add(sessionTTL)}
	if err := s.store.CreateSession(r.Context(), se); err != nil {
		return unavailable(err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.sessions.secure, MaxAge: int(sessionTTL.Seconds()),
	})
	return nil
}

// endSession deletes the request's session, if any, from the store and
// clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		hash := auth.Hash(c.Value)
		if err := s.store.DeleteSession(r.Context(), hash); err != nil {
			return unavailable(err)
		}
		s.sessions.cache.drop(hex.EncodeToString(hash))
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.sessions.secure, MaxAge: -1})
	return nil
}

// validSession says whether the request carries a live session: stored,
// not expired, and made with an admin key that still admits.
func (s *Server) validSession(r *http.Request) (bool, error) {
	_, ok, err := s.sessionKey(r)
	return ok, err
}

// sessionKey returns the admin key id (or configTag) of the request's live
// session: who acts, for the audit log.
func (s *Server) sessionKey(r *http.Request) (string, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", false, nil
	}
	hash := auth.Hash(c.Value)
	id, now := hex.EncodeToString(hash), s.now()
	se, ok := s.sessions.cache.get(id, now)
	if !ok {
		gen := s.sessions.cache.generation()
		se, err = s.store.Session(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			return "", false, nil
		}
		if err != nil {
			return "", false, unavailable(err)
		}
		s.sessions.cache.put(id, se, gen, now)
	}
	if !now.Before(se.Expires) {
		return "", false, nil
	}
	ok, err = s.adminKeyValid(r.Context(), se.KeyID)
	return se.KeyID, ok, err
}
