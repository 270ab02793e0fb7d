package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
)

// Files and folders under the state folder.
const (
	stateFile   = "state.json"
	saltFile    = "salt"
	lockName    = "lock"
	spoolDir    = "spool"    // built, waiting to be sent
	sentDir     = "sent"     // the local copy of every upload, with the answer
	rejectedDir = "rejected" // refused by the server (400, 413): never retried
	localDir    = "local"    // built in local mode: never sent
)

// state is state.json: the stored mode and consent, the identity, and what
// Send and Run remember between runs. It holds the installation's API key,
// so it is written with mode 0600 in a 0700 folder.
type state struct {
	Mode           Mode           `json:"mode,omitempty"`
	Consented      int            `json:"consented_schema,omitempty"`
	ModeSet        time.Time      `json:"mode_set_at,omitzero"`
	NoticeShown    bool           `json:"notice_shown,omitempty"`
	InstallationID string         `json:"installation_id,omitempty"`
	APIKey         string         `json:"api_key,omitempty"`
	Registered     time.Time      `json:"registered_at,omitzero"`
	Cursor         collect.Cursor `json:"cursor,omitzero"`
	NextReport     time.Time      `json:"next_report,omitzero"` // when Run builds the next report
	NotBefore      time.Time      `json:"not_before,omitzero"`  // the server's Retry-After
	LastAttempt    *Attempt       `json:"last_attempt,omitempty"`
	Dropped        int            `json:"dropped_reports,omitempty"` // spool overflow, oldest first
}

// Attempt is the outcome of the last upload attempt.
type Attempt struct {
	At       time.Time `json:"at"`
	ReportID string    `json:"report_id,omitempty"`
	OK       bool      `json:"ok"`
	Result   string    `json:"result"` // "stored", "duplicate", "rejected: …", "failed: …"
}

// dropIdentity forgets the installation id and key: the next upload
// registers afresh.
func (st *state) dropIdentity() {
	st.InstallationID, st.APIKey, st.Registered = "", "", time.Time{}
}

// folder is the state folder.
type folder struct{ dir string }

func (f folder) path(elem ...string) string {
	return filepath.Join(append([]string{f.dir}, elem...)...)
}

// exists reports whether the state folder exists; off mode never creates it.
func (f folder) exists() bool {
	_, err := os.Stat(f.dir)
	return err == nil
}

// load reads state.json. A missing file is an empty state; a file that
// cannot be read or parsed is a *ConfigError, with an empty state.
func (f folder) load() (*state, error) {
	data, err := os.ReadFile(f.path(stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &state{}, nil
	}
	st := &state{}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(st)
		if err == nil {
			err = st.check()
		}
	}
	if err != nil {
		return &state{}, &ConfigError{
			Problem: fmt.Sprintf("the state file %s is unreadable or corrupted (%v)", f.path(stateFile), err),
			Fix:     "run `indexpilot-telemetry on`, `off` or `local` to write a fresh one (telemetry stays off until then)",
		}
	}
	return st, nil
}

// check rejects values no version of the client writes.
func (st *state) check() error {
	if st.Mode != "" {
		if _, err := ParseMode(string(st.Mode)); err != nil {
			return fmt.Errorf("unknown mode %q", st.Mode)
		}
	}
	if (st.InstallationID == "") != (st.APIKey == "") {
		return errors.New("an installation id without its key, or the reverse")
	}
	return nil
}

// ensure creates the state folder (0700) and checks it is writable.
func (f folder) ensure() error {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return f.unwritable(err)
	}
	probe, err := os.CreateTemp(f.dir, ".probe-*")
	if err != nil {
		return f.unwritable(err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

func (f folder) unwritable(err error) error {
	return &ConfigError{Problem: fmt.Sprintf("the state folder %s cannot be written (%v)", f.dir, err),
		Fix: "make it writable, or set XDG_STATE_HOME to a writable folder"}
}

// save writes state.json atomically.
func (f folder) save(st *state) error { return f.writeJSON(stateFile, st) }

// writeJSON writes v as indented JSON to the file called name, atomically,
// creating the state folder if need be.
func (f folder) writeJSON(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("client: encoding %s: %w", name, err)
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("client: creating the state folder: %w", err)
	}
	return writeAtomic(f.path(name), append(data, '\n'))
}

// salt returns the installation's collector salt, creating it when create
// is set. Without one and without create it returns nil: a preview then
// uses a throwaway salt. The salt never leaves the machine.
func (f folder) salt(create bool) ([]byte, error) {
	salt, err := os.ReadFile(f.path(saltFile))
	if err == nil && len(salt) >= collect.MinSaltBytes {
		return salt, nil
	}
	if !create {
		return nil, nil
	}
	// A missing or truncated salt is replaced: experiment hashes change
	// once, which is harmless.
	salt, err = collect.NewSalt()
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(f.path(saltFile), salt); err != nil {
		return nil, fmt.Errorf("client: storing the salt: %w", err)
	}
	return salt, nil
}

// writeAtomic replaces path with data: a temporary file in the same
// folder, written, synced and renamed over path, so a crash or a full disk
// leaves the old file or the new one, never a mix. Files are 0600.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("client: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("client: writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable. Some systems cannot sync a directory;
// the rename is then as durable as the system makes it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
