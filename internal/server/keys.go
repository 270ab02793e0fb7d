package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// sender is who sent a report: one installation, or a fleet key that may
// send for any.
type sender struct {
	keyID          string
	installationID string // empty for a fleet key
}

// keyRecord is what the cache remembers of a key id: enough to check a
// presented secret without the store.
type keyRecord struct {
	hash           []byte
	kind           string // auth prefix
	installationID string
	revoked        bool
	expires        time.Time
}

// keyCache keeps looked-up keys for a short TTL, so ingest at thousands of
// reports per second does not query the store per request. A revoked key
// stops working within the TTL.
type keyCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]keyRecord
}

const maxCachedKeys = 200_000

func newKeyCache(ttl time.Duration) *keyCache { return &keyCache{ttl: ttl, m: map[string]keyRecord{}} }

func (c *keyCache) get(id string, now time.Time) (keyRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[id]
	if !ok || now.After(r.expires) {
		return keyRecord{}, false
	}
	return r, true
}

func (c *keyCache) put(id string, r keyRecord, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedKeys {
		clear(c.m)
	}
	r.expires = now.Add(c.ttl)
	c.m[id] = r
}

func (c *keyCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// lookup returns the record of a key id from the cache or the store.
func (s *Server) lookup(ctx context.Context, sec auth.Secret) (keyRecord, error) {
	now := s.now()
	if r, ok := s.keys.get(sec.ID, now); ok && r.kind == sec.Prefix {
		return r, nil
	}
	var r keyRecord
	switch sec.Prefix {
	case auth.PrefixInstallation:
		in, err := s.store.InstallationByKeyID(ctx, sec.ID)
		if err != nil {
			return r, err
		}
		r = keyRecord{hash: in.KeyHash, kind: sec.Prefix, installationID: in.ID}
	default:
		k, err := s.store.Key(ctx, sec.ID)
		if err != nil {
			return r, err
		}
		if (k.Kind == store.KindFleet) != (sec.Prefix == auth.PrefixFleet) {
			return r, store.ErrNotFound
		}
		r = keyRecord{hash: k.Hash, kind: sec.Prefix, revoked: k.Revoked != nil}
	}
	s.keys.put(sec.ID, r, now)
	return r, nil
}

// authenticate checks a presented secret of one of the allowed kinds.
func (s *Server) authenticate(ctx context.Context, text string, kinds ...string) (auth.Secret, keyRecord, error) {
	sec, err := auth.Parse(text)
	if err != nil {
		return sec, keyRecord{}, unauthorized("the key is not one this service issued")
	}
	allowed := false
	for _, k := range kinds {
		allowed = allowed || k == sec.Prefix
	}
	if !allowed {
		return sec, keyRecord{}, unauthorized("this kind of key cannot be used here")
	}
	rec, err := s.lookup(ctx, sec)
	if errors.Is(err, store.ErrNotFound) {
		return sec, rec, unauthorized("unknown key")
	}
	if err != nil {
		return sec, rec, unavailable(err)
	}
	if !sec.Matches(rec.hash) || rec.revoked {
		return sec, rec, unauthorized("unknown or revoked key")
	}
	return sec, rec, nil
}

// reportSender authenticates the X-API-Key of a telemetry request.
func (s *Server) reportSender(r *http.Request) (sender, error) {
	text := r.Header.Get("X-API-Key")
	if text == "" {
		return sender{}, unauthorized("missing X-API-Key header")
	}
	sec, rec, err := s.authenticate(r.Context(), text, auth.PrefixInstallation, auth.PrefixFleet)
	if err != nil {
		return sender{}, err
	}
	return sender{keyID: sec.ID, installationID: rec.installationID}, nil
}

// isAdmin reports whether the request carries an admin credential: the
// configured token or a stored admin key as a Bearer token, or a session.
func (s *Server) isAdmin(r *http.Request) (bool, error) {
	_, ok, err := s.adminOf(r)
	return ok, err
}

// adminOf returns the admin a request comes from (see isAdmin).
func (s *Server) adminOf(r *http.Request) (actor, bool, error) {
	if who, ok := s.sessions.who(r, s.now()); ok {
		return actor{keyID: who}, true, nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return actor{}, false, nil
	}
	return s.checkAdminToken(r.Context(), token)
}

func (s *Server) checkAdminToken(ctx context.Context, token string) (actor, bool, error) {
	if auth.EqualText(token, s.cfg.AdminToken) {
		return actor{keyID: envAdmin}, true, nil
	}
	sec, _, err := s.authenticate(ctx, token, auth.PrefixAdmin)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return actor{}, false, nil
		}
		return actor{}, false, err
	}
	return actor{keyID: sec.ID}, true, nil
}

// requireAdmin wraps a handler that only admins may call.
func (s *Server) requireAdmin(h handlerFunc) handlerFunc {
	return s.withAdmin(func(w http.ResponseWriter, r *http.Request, _ actor) error { return h(w, r) })
}
