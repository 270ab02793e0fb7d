package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

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
}

// maxCachedKeys bounds the key cache (about 100 bytes an entry); past it
// the cache starts over.
const maxCachedKeys = 200_000

// lookup returns the record of a key id from the cache or the store.
func (s *Server) lookup(ctx context.Context, sec auth.Secret) (keyRecord, error) {
	now := s.now()
	if r, ok := s.keys.get(sec.ID, now); ok && r.kind == sec.Prefix {
		return r, nil
	}
	gen := s.keys.generation()
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
	s.keys.put(sec.ID, r, gen, now)
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

// isAdmin reports whether the request carries an admin credential: a
// session, or the configured token or a stored admin key as a Bearer
// token. A wrong Bearer token costs the client address one attempt of its
// sign-in budget (see signInAttempt); with none left, Bearer tokens from
// that address are refused unchecked until the budget refills.
func (s *Server) isAdmin(r *http.Request) (bool, error) {
	_, ok, err := s.adminOf(r)
	return ok, err
}

// adminOf returns the admin a request comes from (see isAdmin).
func (s *Server) adminOf(r *http.Request) (actor, bool, error) {
	if keyID, ok, err := s.sessionKey(r); ok || err != nil {
		return actor{keyID: keyID}, ok, err
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return actor{}, false, nil
	}
	keyID, ok, err := s.signInAttempt(r, token)
	return actor{keyID: keyID}, ok, err
}

// signInAttempt checks an admin token presented by a client. It first
// takes one attempt from the client address's budget (none left: a 429
// before the token is looked at, so guessing stays slow whatever the
// answers are) and gives it back when the token is good. It returns the
// id of the admin key the token is, or configTag for the configured one.
func (s *Server) signInAttempt(r *http.Request, token string) (keyID string, ok bool, err error) {
	attempt, wait := s.regLimits.take("sign-in "+s.clientAddr(r), s.now())
	if attempt == nil {
		return "", false, tooMany(wait, "too many failed sign-ins from this address; retry after the given seconds")
	}
	keyID, ok, err = s.checkAdminToken(r.Context(), token)
	if ok {
		attempt.refund()
	}
	return keyID, ok, err
}

// checkAdminToken says whether token is the configured admin token or a
// stored admin key, and which.
func (s *Server) checkAdminToken(ctx context.Context, token string) (keyID string, ok bool, err error) {
	if auth.EqualText(token, s.cfg.AdminToken) {
		return s.sessions.configTag, true, nil
	}
	sec, _, err := s.authenticate(ctx, token, auth.PrefixAdmin)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return "", false, nil
		}
		return "", false, err
	}
	return sec.ID, true, nil
}

// adminKeyValid says whether an admin key id (or configTag) still admits
// its holder: the configured token while it is configured, a stored key
// until it is revoked.
func (s *Server) adminKeyValid(ctx context.Context, keyID string) (bool, error) {
	if strings.HasPrefix(keyID, configPrefix) {
		return s.sessions.configTag != "" && keyID == s.sessions.configTag, nil
	}
	rec, err := s.lookup(ctx, auth.Secret{Prefix: auth.PrefixAdmin, ID: keyID})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, unavailable(err)
	}
	return !rec.revoked, nil
}

// requireAdmin wraps a handler that only admins may call.
func (s *Server) requireAdmin(h handlerFunc) handlerFunc {
	return s.withAdmin(func(w http.ResponseWriter, r *http.Request, _ actor) error { return h(w, r) })
}
