package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Bounds of each report folder (spool, sent, rejected, local): the oldest
// reports are dropped first.
const (
	maxReports     = 100
	maxReportBytes = 5 << 20
)

const (
	reportExt  = ".json"
	answerExt  = ".answer.json"
	nameLayout = "20060102T150405.000000000Z"
)

// box is a bounded folder of reports, one file each, named
// <time>-<report_id>.json so that names sort by time. A report may have a
// sidecar <time>-<report_id>.answer.json: the server's answer.
type box struct{ dir string }

// entry is one report file of a box.
type entry struct {
	name string
	id   string // report_id
	at   time.Time
	size int64
}

func reportName(at time.Time, id string) string {
	return at.UTC().Format(nameLayout) + "-" + id + reportExt
}

func parseName(name string) (entry, bool) {
	if !strings.HasSuffix(name, reportExt) || strings.HasSuffix(name, answerExt) {
		return entry{}, false
	}
	stamp, id, ok := strings.Cut(strings.TrimSuffix(name, reportExt), "-")
	if !ok {
		return entry{}, false
	}
	at, err := time.Parse(nameLayout, stamp)
	if err != nil {
		return entry{}, false
	}
	return entry{name: name, id: id, at: at}, true
}

func (b box) path(name string) string { return filepath.Join(b.dir, name) }

// list returns the box's reports, oldest first; a missing box is empty.
func (b box) list() ([]entry, error) {
	des, err := os.ReadDir(b.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("client: listing %s: %w", b.dir, err)
	}
	var out []entry
	for _, de := range des {
		e, ok := parseName(de.Name())
		if !ok || !de.Type().IsRegular() {
			continue
		}
		if info, err := de.Info(); err == nil {
			e.size = info.Size()
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y entry) int { return strings.Compare(x.name, y.name) })
	return out, nil
}

// add stores a report and trims the box; dropped counts the old reports
// that made room.
func (b box) add(name string, data []byte) (dropped int, err error) {
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return 0, fmt.Errorf("client: creating %s: %w", b.dir, err)
	}
	if err := writeAtomic(b.path(name), data); err != nil {
		return 0, err
	}
	return b.trim()
}

// trim drops the oldest reports (and their answers) until the box is
// within its bounds.
func (b box) trim() (int, error) {
	es, err := b.list()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range es {
		total += e.size
	}
	dropped := 0
	for len(es)-dropped > maxReports || (total > maxReportBytes && len(es)-dropped > 1) {
		e := es[dropped]
		if err := b.remove(e); err != nil {
			return dropped, err
		}
		total -= e.size
		dropped++
	}
	return dropped, nil
}

// remove deletes a report and its answer.
func (b box) remove(e entry) error {
	if err := os.Remove(b.path(e.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("client: removing %s: %w", b.path(e.name), err)
	}
	os.Remove(b.path(answerName(e.name))) // most reports have none
	return nil
}

// moveTo renames a report into another box under a new name, atomically.
func (b box) moveTo(e entry, to box, name string) error {
	if err := os.MkdirAll(to.dir, 0o700); err != nil {
		return fmt.Errorf("client: creating %s: %w", to.dir, err)
	}
	if err := os.Rename(b.path(e.name), to.path(name)); err != nil {
		return fmt.Errorf("client: moving %s to %s: %w", e.name, to.dir, err)
	}
	syncDir(to.dir)
	return nil
}

func (b box) read(name string) ([]byte, error) { return os.ReadFile(b.path(name)) }

func answerName(reportFile string) string {
	return strings.TrimSuffix(reportFile, reportExt) + answerExt
}

// find returns the report whose report_id starts with prefix: exactly one
// must.
func (b box) find(prefix string) (entry, bool, error) {
	es, err := b.list()
	if err != nil {
		return entry{}, false, err
	}
	var found []entry
	for _, e := range es {
		if strings.HasPrefix(e.id, strings.ToLower(prefix)) || e.name == prefix {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return entry{}, false, nil
	case 1:
		return found[0], true, nil
	}
	return entry{}, false, fmt.Errorf("client: %q matches %d reports; give more of the id", prefix, len(found))
}
