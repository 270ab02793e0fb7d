package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// testLedger: a key is claimed by one sender at a time, stays quiet for
// its suppression window once sent, is sent once ever with Forever, and a
// dead sender's claim is taken over after its lease.
func testLedger(t *testing.T, s store.Store) {
	c := ctx(t)
	claim := func(key string, at time.Time, suppress time.Duration) bool {
		t.Helper()
		ok, err := s.ClaimSend(c, store.SendClaim{Key: key, Kind: "alert", Now: at, Suppress: suppress, Lease: 10 * time.Minute})
		if err != nil {
			t.Fatalf("ClaimSend: %v", err)
		}
		return ok
	}
	mark := func(key string, at time.Time) {
		t.Helper()
		if err := s.MarkSent(c, key, "alert", at); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
	}
	if _, err := s.Sent(c, "alert:a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Sent of an unknown key: %v, want ErrNotFound", err)
	}
	day := 24 * time.Hour
	if !claim("alert:a", Now, day) {
		t.Fatal("a new key was not claimed")
	}
	if claim("alert:a", Now.Add(time.Minute), day) {
		t.Error("a key was claimed twice while its claim was fresh")
	}
	if !claim("alert:a", Now.Add(11*time.Minute), day) {
		t.Error("a claim older than its lease was not taken over")
	}
	mark("alert:a", Now.Add(12*time.Minute))
	if claim("alert:a", Now.Add(13*time.Hour), day) {
		t.Error("a key sent 13 h ago was claimed again inside its 24 h window")
	}
	if !claim("alert:a", Now.Add(25*time.Hour), day) {
		t.Error("a key sent 25 h ago was not claimed again after its 24 h window")
	}
	if err := s.ReleaseSend(c, "alert:a"); err != nil {
		t.Fatal(err)
	}
	if !claim("alert:a", Now.Add(25*time.Hour+time.Minute), day) {
		t.Error("a released claim was not claimed again at once")
	}
	mark("alert:a", Now.Add(26*time.Hour))
	r, err := s.Sent(c, "alert:a")
	if err != nil {
		t.Fatal(err)
	}
	want := store.SentRecord{Key: "alert:a", Kind: "alert", FirstSent: Now.Add(12 * time.Minute), LastSent: Now.Add(26 * time.Hour), Sends: 2}
	if r != want {
		t.Errorf("record %+v, want %+v", r, want)
	}

	// Sent once, ever; MarkSent needs no claim.
	mark("report:weekly:2026-W47", Now)
	if claim("report:weekly:2026-W47", Now.Add(400*day), store.Forever) {
		t.Error("a key sent once was claimed again with a Forever window")
	}
	if !claim("report:weekly:2026-W48", Now, store.Forever) {
		t.Error("a new key with a Forever window was not claimed")
	}
}
