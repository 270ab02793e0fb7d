package client

import (
	"context"
	"fmt"
	"os"
	"time"
)

// lockWait is how long a command waits for another one (a `run` daemon's
// upload, a cron `send`) to finish with the state folder.
const lockWait = 15 * time.Second

// hold creates the folder if need be and takes its lock.
func (f folder) hold(ctx context.Context) (unlock func(), err error) {
	if err := f.ensure(); err != nil {
		return nil, err
	}
	return f.lock(ctx)
}

// lock takes the state folder's lock, so that `run` and a cron `send`
// never upload the same spool at once and never overwrite each other's
// state. The folder must exist. Unlock releases it.
func (f folder) lock(ctx context.Context) (unlock func(), err error) {
	file, err := os.OpenFile(f.path(lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("client: opening the lock file: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		busy, err := tryLock(file)
		if err != nil {
			file.Close()
			return nil, fmt.Errorf("client: locking %s: %w", f.path(lockName), err)
		}
		if !busy {
			return func() { file.Close() }, nil // closing releases the flock
		}
		if time.Now().After(deadline) {
			file.Close()
			return nil, fmt.Errorf("client: another indexpilot-telemetry has held %s for %s; try again later", f.path(lockName), lockWait)
		}
		select {
		case <-ctx.Done():
			file.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
