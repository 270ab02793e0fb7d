// Package auth makes and checks the service's secrets: per-installation
// API keys, fleet keys and admin tokens.
//
// A secret reads "<prefix>_<id>_<secret>". Only the SHA-256 of the secret
// part is stored; the id finds the record and the hash is compared in
// constant time. Secrets are never logged.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefixes say what a secret is, so a leaked one can be recognised.
const (
	PrefixInstallation = "ipk"
	PrefixFleet        = "ipf"
	PrefixAdmin        = "ipa"
)

// ErrMalformed is returned for a string that is not one of our secrets.
var ErrMalformed = errors.New("auth: malformed key")

// Secret is a parsed secret.
type Secret struct {
	Prefix string
	ID     string
	secret string
}

// New makes a secret with the given prefix. It returns the full text,
// shown once to its owner, and the parsed form to store.
func New(prefix string) (text string, s Secret, err error) {
	var id [6]byte
	var sec [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", s, err
	}
	if _, err := rand.Read(sec[:]); err != nil {
		return "", s, err
	}
	s = Secret{Prefix: prefix, ID: hex.EncodeToString(id[:]), secret: base64.RawURLEncoding.EncodeToString(sec[:])}
	return s.Prefix + "_" + s.ID + "_" + s.secret, s, nil
}

// Parse splits a presented secret into its parts.
func Parse(text string) (Secret, error) {
	parts := strings.SplitN(text, "_", 3)
	if len(parts) != 3 || len(parts[1]) != 12 || len(parts[2]) < 32 || len(parts[2]) > 64 {
		return Secret{}, ErrMalformed
	}
	switch parts[0] {
	case PrefixInstallation, PrefixFleet, PrefixAdmin:
	default:
		return Secret{}, ErrMalformed
	}
	return Secret{Prefix: parts[0], ID: parts[1], secret: parts[2]}, nil
}

// Hash returns what is stored for s.
func (s Secret) Hash() []byte { return Hash(s.secret) }

// Matches reports, in constant time, whether s hashes to stored.
func (s Secret) Matches(stored []byte) bool {
	return subtle.ConstantTimeCompare(s.Hash(), stored) == 1
}

// Hash returns the SHA-256 of text.
func Hash(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

// EqualText compares a presented token with a configured one in constant
// time (through their hashes, so their lengths leak nothing either).
func EqualText(presented, configured string) bool {
	return configured != "" && subtle.ConstantTimeCompare(Hash(presented), Hash(configured)) == 1
}
