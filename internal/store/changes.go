package store

import (
	"context"
	"strings"
)

// Changes is how the processes sharing one store learn what another one
// changed that they may have cached: a revoked key, an erased
// installation, an ended session. The store sends them itself when the
// change commits, whoever made it (PostgreSQL: LISTEN/NOTIFY; SQLite: a
// table the watcher polls), so a cache is corrected within a second.
type Changes interface {
	// WatchChanges calls fn, from one goroutine, with every change
	// committed from now on, until ctx ends; it then returns ctx's error.
	// It calls fn with ChangeResync each time it starts watching (anything
	// may have changed before: start over) and with ChangeBlind, and the
	// cause, each time it fails to (until the next ChangeResync nothing is
	// seen: trust no cache); it retries on its own.
	WatchChanges(ctx context.Context, fn func(Change)) error
	// ErasedInstallations returns the id of every erased installation. An
	// erased installation cannot be created again: a transaction that
	// tries fails whole.
	ErasedInstallations(ctx context.Context) ([]string, error)
}

// Change kinds.
const (
	ChangeKey          = "key"          // ID: an operator key id, now revoked
	ChangeInstallation = "installation" // ID: an erased installation's id; KeyID its key's id, if it had one
	ChangeSession      = "session"      // ID: the hex of an ended session's hash
	ChangeResync       = "resync"       // watching (again): forget everything cached
	ChangeBlind        = "blind"        // not watching: cached answers may be stale
)

// Change is one committed change.
type Change struct {
	Kind  string
	ID    string
	KeyID string
	Err   error // ChangeBlind: why
}

// ParseChange reads a change in the form the stores write: the kind, a
// space, and the id ("installation" has its key id, maybe empty, a
// space, then the installation id). It returns false for anything else.
func ParseChange(text string) (Change, bool) {
	kind, rest, ok := strings.Cut(text, " ")
	switch {
	case !ok:
		return Change{}, false
	case kind == ChangeInstallation:
		keyID, id, ok := strings.Cut(rest, " ")
		return Change{Kind: kind, ID: id, KeyID: keyID}, ok && id != ""
	case kind == ChangeKey || kind == ChangeSession:
		return Change{Kind: kind, ID: rest}, rest != ""
	}
	return Change{}, false
}
