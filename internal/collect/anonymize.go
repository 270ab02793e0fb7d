package collect

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// MinSaltBytes is the shortest salt Collect accepts.
const MinSaltBytes = 16

// anonymizedHexChars is the length of an Anonymize result: 128 bits are
// plenty to keep names apart and fit report's experiment pattern.
const anonymizedHexChars = 32

// Anonymize returns the lowercase hex of HMAC-SHA-256(salt, name),
// truncated to 32 characters. With a salt that never leaves the machine the
// result is stable for one installation and useless to anyone else, so a
// name can be told apart from others without being revealed.
func Anonymize(salt []byte, name string) string {
	mac := hmac.New(sha256.New, salt)
	mac.Write([]byte(name)) // a hash.Hash never returns an error
	return hex.EncodeToString(mac.Sum(nil))[:anonymizedHexChars]
}

// NewSalt returns 32 random bytes for Anonymize. The caller stores them
// with the installation's state and never sends them anywhere.
func NewSalt() ([]byte, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("collect: generating a salt: %w", err)
	}
	return salt, nil
}
