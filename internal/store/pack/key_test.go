package pack

import (
	"bytes"
	"testing"
)

// TestKeys round-trips the keys the service makes and others, and checks
// the sizes and that distinct keys keep distinct stored forms.
func TestKeys(t *testing.T) {
	cases := []struct {
		key  string
		size int
	}{
		{"0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b", 17},
		{"sha256:00112233445566778899aabbccddeeff", 17},
		{"0F8E2A4C-1B3D-4E5F-8A9B-0C1D2E3F4A5B", 37}, // not canonical: kept as text
		{"sha256:00112233445566778899aabbccddeef", 39},
		{"0f8e2a4c1b3d4e5f8a9b0c1d2e3f4a5b", 33},
		{"u0123456789abcdef", 18},
		{"", 1},
	}
	seen := map[string]string{}
	for _, c := range cases {
		b := Key(c.key)
		if len(b) != c.size {
			t.Errorf("Key(%q) = %x, %d bytes, want %d", c.key, b, len(b), c.size)
		}
		got, err := KeyString(b)
		if err != nil || got != c.key {
			t.Errorf("KeyString(Key(%q)) = %q, %v", c.key, got, err)
		}
		if other, ok := seen[string(b)]; ok {
			t.Errorf("%q and %q share the stored form %x", c.key, other, b)
		}
		seen[string(b)] = c.key
	}
	for _, b := range [][]byte{nil, {'u', 1}, {'s'}, {'x', 'y'}} {
		if k, err := KeyString(b); err == nil {
			t.Errorf("KeyString(%x) = %q, want an error", b, k)
		}
	}
	if !bytes.Equal(Key("sha256:00112233445566778899aabbccddeeff")[1:3], []byte{0, 0x11}) {
		t.Error("digest bytes out of order")
	}
}
