package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	sessionCookie = "ipa_session"
	sessionTTL    = 12 * time.Hour
)

// sessions signs browser sessions with a key made at start, so a restart
// signs everyone out and no session secret is stored anywhere.
type sessions struct {
	key    []byte
	secure bool
}

func newSessions(secure bool) (*sessions, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("server: session key: %w", err)
	}
	return &sessions{key: k, secure: secure}, nil
}

func (s *sessions) sign(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// start sets a session cookie valid for sessionTTL.
func (s *sessions) start(w http.ResponseWriter, now time.Time) {
	exp := strconv.FormatInt(now.Add(sessionTTL).Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: exp + "." + s.sign(exp), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure, MaxAge: int(sessionTTL.Seconds()),
	})
}

// end clears the session cookie.
func (s *sessions) end(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure, MaxAge: -1})
}

func (s *sessions) valid(r *http.Request, now time.Time) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	exp, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(exp))) {
		return false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && now.Unix() < unix
}
