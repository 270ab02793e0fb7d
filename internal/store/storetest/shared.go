package storetest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// testErasedStaysErased: an erased installation leaves a tombstone, and
// nothing creates it again: not a report batch (which fails whole, so
// the other reports in it are not stored either and can be retried), not
// an error report, not a registration.
func testErasedStaysErased(t *testing.T, s store.Store) {
	c := ctx(t)
	victim, other := Item(1, 0, 1, "1.0.0"), Item(2, 0, 2, "1.0.0")
	ingest(t, s, []store.Item{victim, other})
	if _, err := s.DeleteInstallation(c, victim.Report.InstallationID); err != nil {
		t.Fatal(err)
	}
	erased, err := s.ErasedInstallations(c)
	if err != nil || len(erased) != 1 || erased[0] != victim.Report.InstallationID {
		t.Fatalf("ErasedInstallations = %v, %v; want [%s]", erased, err, victim.Report.InstallationID)
	}
	before := Snapshot(t, s)
	late, next := Item(1, 0, 3, "1.0.0"), Item(2, 0, 4, "1.0.0")
	if _, err := s.Ingest(c, []store.Item{next, late}); err == nil {
		t.Fatal("a batch with a report of an erased installation was stored")
	}
	if _, err := s.IngestError(c, ErrorItem(1, 0, 5, "fp1", "1.0.0")); err == nil {
		t.Fatal("an error report of an erased installation was stored")
	}
	err = s.CreateInstallation(c, store.Installation{ID: victim.Report.InstallationID, KeyID: "kid-again", KeyHash: []byte("h"), Created: Now})
	if err == nil {
		t.Fatal("an erased installation was registered again")
	}
	if _, err := s.ExportInstallation(c, victim.Report.InstallationID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("export of the erased installation: %v, want ErrNotFound", err)
	}
	equalRows(t, "after refused batches", Snapshot(t, s), before)
	if got := ingest(t, s, []store.Item{next}); !got[0] {
		t.Fatal("the retried report of a live installation was not stored")
	}
}

func testSessions(t *testing.T, s store.Store) {
	c := ctx(t)
	a := store.Session{Hash: bytes.Repeat([]byte{1}, 32), KeyID: "k1", Created: Now, Expires: Now.Add(time.Hour)}
	b := store.Session{Hash: bytes.Repeat([]byte{2}, 32), KeyID: "config:abc", Created: Now, Expires: Now.Add(-time.Minute)}
	for _, se := range []store.Session{a, b} {
		if err := s.CreateSession(c, se); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(c, a); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate session: %v, want ErrConflict", err)
	}
	got, err := s.Session(c, a.Hash)
	if err != nil || got.KeyID != "k1" || !got.Created.Equal(a.Created) || !got.Expires.Equal(a.Expires) {
		t.Fatalf("Session = %+v, %v; want %+v", got, err, a)
	}
	if n, err := s.DeleteExpiredSessions(c, Now); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := s.Session(c, b.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session after deletion: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(c, a.Hash); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(c, a.Hash); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	if _, err := s.Session(c, a.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ended session: %v, want ErrNotFound", err)
	}
}

// testChangesReachWatchers: a revoked key, an erased installation and an
// ended session each reach a watcher, within a second, as what they are.
func testChangesReachWatchers(t *testing.T, s store.Store) {
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	seen := make(chan store.Change, 16)
	done := make(chan error, 1)
	go func() { done <- s.WatchChanges(c, func(ch store.Change) { seen <- ch }) }()
	expect := func(what string, want store.Change) {
		t.Helper()
		deadline := time.After(time.Second)
		for {
			select {
			case got := <-seen:
				if got.Kind == store.ChangeBlind {
					t.Fatalf("%s: the watch went blind: %v", what, got.Err)
				}
				if got.Kind == want.Kind && got.ID == want.ID && got.KeyID == want.KeyID {
					return
				}
				if got.Kind != store.ChangeResync {
					t.Fatalf("%s: got %+v, want %+v", what, got, want)
				}
			case <-deadline:
				t.Fatalf("%s: not seen within a second", what)
			}
		}
	}
	expect("start", store.Change{Kind: store.ChangeResync})

	if err := s.CreateKey(c, store.Key{ID: "k1", Kind: store.KindAdmin, Name: "ops", Hash: []byte{1}, Created: Now}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(c, "k1", Now); err != nil {
		t.Fatal(err)
	}
	expect("revoked key", store.Change{Kind: store.ChangeKey, ID: "k1"})

	in := store.Installation{ID: "inst-watch", KeyID: "kid-watch", KeyHash: []byte("h"), Created: Now}
	if err := s.CreateInstallation(c, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteInstallation(c, in.ID); err != nil {
		t.Fatal(err)
	}
	expect("erased installation", store.Change{Kind: store.ChangeInstallation, ID: in.ID, KeyID: in.KeyID})

	se := store.Session{Hash: bytes.Repeat([]byte{0xab}, 32), KeyID: "k1", Created: Now, Expires: Now.Add(time.Hour)}
	if err := s.CreateSession(c, se); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(c, se.Hash); err != nil {
		t.Fatal(err)
	}
	expect("ended session", store.Change{Kind: store.ChangeSession, ID: hex.EncodeToString(se.Hash)})

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchChanges after cancel: %v", err)
	}
}
