package pack

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// The first byte of a stored report key (Key).
const (
	keyUUID   = 'u' // the 16 bytes of a canonical lower-case UUID
	keyDigest = 's' // the 16 bytes of a "sha256:" key of 32 lower-case hex digits
	keyText   = 't' // any other key, as its text
)

const digestPrefix = "sha256:"

// Key is the stored form of a report key (migration 017): every key the
// service makes is a report_id, a UUID, or a digest of 16 bytes
// (report.Decoded.Key), 17 bytes instead of their 36 and 39 characters.
// Any other key is kept as its text; the first byte tells them apart, so
// two keys never share a stored form.
func Key(k string) []byte {
	if isUUID(k) {
		b := make([]byte, 1, 17)
		b[0] = keyUUID
		for _, part := range strings.Split(k, "-") {
			b, _ = hex.AppendDecode(b, []byte(part))
		}
		return b
	}
	if d, ok := strings.CutPrefix(k, digestPrefix); ok && len(d) == 32 && isLowerHex(d) {
		b, _ := hex.AppendDecode([]byte{keyDigest}, []byte(d))
		return b
	}
	return append([]byte{keyText}, k...)
}

// KeyString is the report key of its stored form b.
func KeyString(b []byte) (string, error) {
	if len(b) == 0 {
		return "", fmt.Errorf("pack: empty report key")
	}
	switch b[0] {
	case keyUUID:
		if len(b) != 17 {
			return "", fmt.Errorf("pack: UUID report key of %d bytes", len(b)-1)
		}
		h := hex.EncodeToString(b[1:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	case keyDigest:
		if len(b) != 17 {
			return "", fmt.Errorf("pack: digest report key of %d bytes", len(b)-1)
		}
		return digestPrefix + hex.EncodeToString(b[1:]), nil
	case keyText:
		return string(b[1:]), nil
	}
	return "", fmt.Errorf("pack: report key of unknown kind %q", b[0])
}

// isUUID reports whether k is a UUID in canonical lower-case form, the
// form report_id is validated and stored in.
func isUUID(k string) bool {
	if len(k) != 36 {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch i {
		case 8, 13, 18, 23:
			if k[i] != '-' {
				return false
			}
		default:
			if !isLowerHex(k[i : i+1]) {
				return false
			}
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
