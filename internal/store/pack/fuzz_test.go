package pack

import (
	"bytes"
	"testing"
)

// FuzzPack checks that any document packs and unpacks to itself, that
// unpacking any bytes (a damaged row) returns an error or a document but
// never panics, and the same for report keys.
func FuzzPack(f *testing.F) {
	f.Add([]byte(`{"features_used":["auto_indexing"],"indexes_created":2}`))
	f.Add(dict1[:200])
	f.Add([]byte{FormatDict1, 0x80, 0x05, 0x03, 'a', 'b', 'c', 'd'})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(nil, Encode(nil, b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %q gave %q, %v", b, got, err)
		}
		_, _ = Decode(nil, b)
		k, err := KeyString(Key(string(b)))
		if err != nil || k != string(b) {
			t.Fatalf("key round trip of %q gave %q, %v", b, k, err)
		}
		_, _ = KeyString(b)
	})
}
