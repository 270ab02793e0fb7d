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

// start sets a session cookie valid for sessionTTL, for the admin who (a
// key id, or envAdmin): the audit log names who acted.
func (s *sessions) start(w http.ResponseWriter, now time.Time, who string) {
	payload := strconv.FormatInt(now.Add(sessionTTL).Unix(), 10) + "." + who
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: payload + "." + s.sign(payload), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure, MaxAge: int(sessionTTL.Seconds()),
	})
}

// end clears the session cookie.
func (s *sessions) end(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure, MaxAge: -1})
}

func (s *sessions) valid(r *http.Request, now time.Time) bool {
	_, ok := s.who(r, now)
	return ok
}

// who returns the admin of a valid session.
func (s *sessions) who(r *http.Request, now time.Time) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	k := strings.LastIndexByte(c.Value, '.')
	if k < 0 || !hmac.Equal([]byte(c.Value[k+1:]), []byte(s.sign(c.Value[:k]))) {
		return "", false
	}
	exp, who, _ := strings.Cut(c.Value[:k], ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	return who, err == nil && now.Unix() < unix
}
