package server

import (
	"context"
	"net/http"
	"sync"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Watch keeps this process's caches true to the store until ctx ends: it
// follows the store's change feed (store.Changes) and drops what another
// process (or this one) revoked, erased or ended. Until the feed is
// watched, and whenever it is down, the caches are bypassed, so that a
// change is never missed for longer than the feed takes to deliver it
// (PostgreSQL: at commit; SQLite: a quarter of a second).
func (s *Server) Watch(ctx context.Context) error {
	return s.store.WatchChanges(ctx, func(c store.Change) { s.apply(ctx, c) })
}

// apply takes one change into the caches.
func (s *Server) apply(ctx context.Context, c store.Change) {
	switch c.Kind {
	case store.ChangeKey:
		s.keys.drop(c.ID)
	case store.ChangeInstallation:
		s.erased.add(c.ID)
		if c.KeyID != "" {
			s.keys.drop(c.KeyID)
		}
	case store.ChangeSession:
		s.sessions.cache.drop(c.ID)
	case store.ChangeResync:
		ids, err := s.store.ErasedInstallations(ctx)
		if err != nil {
			// The store's own guard still refuses these installations;
			// only the answer is a 503 instead of a 410 until the next
			// resync.
			s.log.Error("loading erased installations failed", "err", err)
		}
		s.erased.add(ids...)
		s.keys.reset(true)
		s.sessions.cache.reset(true)
		s.watching.Store(true)
		s.log.Info("watching the store's changes: caches on")
	case store.ChangeBlind:
		s.keys.reset(false)
		s.sessions.cache.reset(false)
		if s.watching.Swap(false) { // once per outage, not once per retry
			s.log.Warn("not watching the store's changes: caches off until it is back", "err", c.Err)
		}
	}
}

// erasedSet holds the ids of erased installations (a few dozen bytes
// each; it only grows, as erasures are for good).
type erasedSet struct {
	mu  sync.RWMutex
	ids map[string]struct{}
}

func (e *erasedSet) add(ids ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ids == nil {
		e.ids = make(map[string]struct{}, len(ids))
	}
	for _, id := range ids {
		e.ids[id] = struct{}{}
	}
}

func (e *erasedSet) has(id string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.ids[id]
	return ok
}

// admit refuses a report of another installation sent with an
// installation key (a fleet key may send for any) and a report of an
// erased installation.
func (s *Server) admit(who sender, installationID string) error {
	if who.installationID != "" && who.installationID != installationID {
		return unauthorized("this key belongs to another installation")
	}
	if s.erased.has(installationID) {
		return errorf(http.StatusGone, "installation_erased",
			"this installation was erased at its owner's request; its reports are refused")
	}
	return nil
}
