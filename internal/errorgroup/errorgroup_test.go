package errorgroup

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// decoded returns a decoded report of installation i whose message and
// frames carry values that differ from one installation to the next.
func decoded(t *testing.T, i int, errorType string, frames bool) *report.DecodedError {
	t.Helper()
	r := report.ErrorReport{
		InstallationID: fmt.Sprintf("installation-%04d", i), Version: fmt.Sprintf("1.%d.0", i%3),
		Timestamp: now.Add(-time.Duration(i) * time.Minute).Format(time.RFC3339), ErrorType: errorType,
		Message: fmt.Sprintf(`connection to server at "db%d.corp%d.example" (10.0.%d.%d), port %d failed: `+
			`FATAL:  password authentication failed for user "user%d" (password=secret%d); after %d.%d s, id '%d'`,
			i, i, i%250, i%200+1, 5432+i, i, i, i, i, i),
	}
	if frames {
		home := fmt.Sprintf("/home/user%d/venv%d/lib/python3.%d/site-packages", i, i, 9+i%4)
		r.Frames = []report.Frame{
			{File: home + "/indexpilot/cli.py", Function: "main", Line: 10 + i, InApp: true},
			{File: home + "/indexpilot/core.py", Function: "create_index", Line: 200 + i%7, InApp: true},
			{File: home + "/psycopg2/extras.py", Function: "execute", Line: 300 + i},
			{File: fmt.Sprintf("/usr/lib/python3.%d/socket.py", 9+i%4), Function: "connect", Line: i},
		}
	}
	if _, err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return &report.DecodedError{ErrorReport: r, Time: now.Add(-time.Duration(i) * time.Minute)}
}

func prepare(t *testing.T, d *report.DecodedError) *Prepared {
	t.Helper()
	p, err := Scrubber{}.Prepare(d, now)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return p
}

func TestSameErrorFromManyInstallationsIsOneGroup(t *testing.T) {
	for _, frames := range []bool{true, false} {
		groups := map[string]int{}
		for i := range 50 {
			groups[prepare(t, decoded(t, i, "psycopg2.OperationalError", frames)).Item.Fingerprint]++
		}
		if len(groups) != 1 {
			t.Errorf("frames %v: 50 installations gave %d groups, want 1: %v", frames, len(groups), groups)
		}
		other := prepare(t, decoded(t, 1, "psycopg2.InterfaceError", frames)).Item.Fingerprint
		if groups[other] != 0 {
			t.Errorf("frames %v: another error type joined the group", frames)
		}
	}
	withFrames := prepare(t, decoded(t, 1, "psycopg2.OperationalError", true)).Item
	if withFrames.Culprit != "indexpilot.core:create_index" || len(withFrames.Fingerprint) != 32 {
		t.Errorf("culprit %q, fingerprint %q", withFrames.Culprit, withFrames.Fingerprint)
	}
}

func TestGroupsSplit(t *testing.T) {
	base := decoded(t, 1, "OperationalError", true)
	fp := func(edit func(r *report.ErrorReport)) string {
		d := *base
		d.Frames = slices.Clone(base.Frames)
		edit(&d.ErrorReport)
		return prepare(t, &d).Item.Fingerprint
	}
	same := fp(func(*report.ErrorReport) {})
	tests := []struct {
		name string
		edit func(r *report.ErrorReport)
		same bool
	}{
		{"another in-app function", func(r *report.ErrorReport) { r.Frames[1].Function = "drop_index" }, false},
		{"another in-app module", func(r *report.ErrorReport) { r.Frames[1].File = "/x/site-packages/indexpilot/advisor.py" }, false},
		{"a third-party frame more", func(r *report.ErrorReport) {
			r.Frames = append(r.Frames, report.Frame{File: "/x/site-packages/pool.py", Function: "get"})
		}, true},
		{"another in-app line", func(r *report.ErrorReport) { r.Frames[1].Line = 1 }, true},
		{"another message", func(r *report.ErrorReport) { r.Message = "something else" }, true},
		{"the in-app frame outside site-packages", func(r *report.ErrorReport) {
			r.Frames[1].File = `C:\Users\Bob\src\indexpilot\core.py`
			r.Frames[0].File = "/srv/checkout/indexpilot/cli.py"
		}, true},
	}
	for _, tt := range tests {
		if got := fp(tt.edit); (got == same) != tt.same {
			t.Errorf("%s: same group %v, want %v", tt.name, got == same, tt.same)
		}
	}
}

func TestModule(t *testing.T) {
	for file, want := range map[string]string{
		"/opt/venv/lib/python3.11/site-packages/indexpilot/core.py":       "indexpilot.core",
		"/usr/lib/python3/dist-packages/psycopg2/__init__.py":             "psycopg2",
		`C:\Users\[user]\AppData\Python311\site-packages\indexpilot\a.py`: "indexpilot.a",
		"/home/[user]/src/indexpilot/src/indexpilot/algorithms/cert.py":   "indexpilot.algorithms.cert",
		"indexpilot/core.py:120":                                          "indexpilot.core",
		"/srv/app/hooks.py":                                               "app.hooks",
		"<frozen importlib._bootstrap>":                                   "<frozen importlib._bootstrap>",
		report.TruncationMarker + "ges/x/y/z.py":                          "y.z",
		"/usr/lib/python3.11/asyncio/base_events.py":                      "asyncio.base_events",
	} {
		if got := Module(file); got != want {
			t.Errorf("Module(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for msg, want := range map[string]string{
		`value "abc" for column 'x' out of range: 42.5`:                     `value "?" for column '?' out of range: 0`,
		"object at 0x7f3a2b9c\n\n  id 6ba7b810-9dad-11d1-80b4-00c04fd430c8": "object at 0 id 0",
		"relation tenant_42.orders and $1":                                  "relation tenant_42.orders and $0",
	} {
		if got := Normalize(msg); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestPrepareScrubsAgain(t *testing.T) {
	d := decoded(t, 7, "OperationalError", true)
	d.Message = "login failed: password=hunter2 postgresql://bob:pw@db.example.com/prod alice@example.com 192.168.1.20 /home/alice/x.py"
	d.Frames[0].File = "/home/alice/indexpilot/cli.py"
	p := prepare(t, d)
	got := p.Item.Report.Message + p.Item.Report.Frames[0].File + p.Item.Culprit
	for _, secret := range []string{"hunter2", "bob", "pw@", "db.example.com", "alice", "192.168.1.20"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q survived scrubbing: %q", secret, got)
		}
	}
	if !strings.Contains(d.Message, "hunter2") || d.Frames[0].File != "/home/alice/indexpilot/cli.py" {
		t.Error("Prepare changed the decoded report instead of a copy")
	}
	if p.Item.Key != d.Key() || !p.Item.Time.Equal(d.Time) || !p.Item.Received.Equal(now) {
		t.Errorf("item %+v", p.Item)
	}
}

func TestPrepareDropsWhatTheScrubberFailsOn(t *testing.T) {
	boom := func(string) string { panic("scrubber bug") }
	for name, s := range map[string]Scrubber{"text": {Text: boom}, "path": {Path: boom}} {
		if _, err := s.Prepare(decoded(t, 1, "E", true), now); !errors.Is(err, ErrScrub) {
			t.Errorf("%s scrubber panicked: err = %v, want ErrScrub", name, err)
		}
	}
}

func TestPrepareRefusesWhatScrubbingInvalidates(t *testing.T) {
	d := decoded(t, 1, "E", true)
	d.Frames[1].Function = "sk_live_abcdefghijklmnop1234" // a key, as the scrubber sees it
	_, err := Scrubber{}.Prepare(d, now)
	var fe *report.FieldError
	if !errors.As(err, &fe) || fe.Field != "frames.function" {
		t.Fatalf("err = %v, want a FieldError naming frames.function", err)
	}
}

func TestPrepareTruncatesWhatScrubbingLengthens(t *testing.T) {
	d := decoded(t, 1, "E", false)
	d.Message = strings.Repeat("a@b.io ", report.MaxMessageBytes/7) // every address becomes a longer [email]
	if _, err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	p := prepare(t, d)
	if m := p.Item.Report.Message; len(m) > report.MaxMessageBytes || !strings.HasSuffix(m, report.TruncationMarker) ||
		!slices.Equal(p.Truncated, []string{"message"}) {
		t.Errorf("message of %d bytes, truncated %q", len(m), p.Truncated)
	}
}

func TestSummarize(t *testing.T) {
	bm := func(nums ...uint32) *roaring.Bitmap { return roaring.BitmapOf(nums...) }
	day := rollup.DayOf(now)
	w := &store.ErrorWindow{
		Days: []*store.ErrorDay{
			{Day: day - 1, Fingerprint: "a", Version: "1.1.0", Reports: 2, Installs: bm(1, 2)},
			{Day: day - 1, Fingerprint: "a", Version: "1.2.0", Reports: 1, Installs: bm(2)},
			{Day: day - 1, Fingerprint: "b", Version: "1.1.0", Reports: 1, Installs: bm(3)},
			{Day: day, Fingerprint: "a", Version: "1.10.0", Reports: 1, Installs: bm(4)},
			{Day: day, Fingerprint: "b", Version: "1.2.0", Reports: 5, Installs: bm(3)},
		},
		Groups: map[string]*store.ErrorGroup{
			"a": {Fingerprint: "a", ErrorType: "A", Reports: 9, Installs: bm(1, 2, 4, 9)},
			"b": {Fingerprint: "b", ErrorType: "B", Reports: 6, Installs: bm(3)},
		},
	}
	got := Summarize(w, "")
	if len(got) != 2 || got[0].Fingerprint != "b" || got[0].Count != 6 || got[0].InstallationsAffected != 1 {
		t.Fatalf("groups = %+v, want b (6 reports, 1 installation) first", got)
	}
	a := got[1]
	if a.ErrorType != "A" || a.Count != 4 || a.InstallationsAffected != 3 || a.TotalCount != 9 || a.TotalInstallations != 4 {
		t.Errorf("a = %+v", a)
	}
	if fmt.Sprint(a.Versions) != "[{1.10.0 1 1} {1.2.0 1 1} {1.1.0 2 2}]" {
		t.Errorf("a's versions = %v, newest first", a.Versions)
	}
	if fmt.Sprint(a.Days) != fmt.Sprintf("[{%s 3} {%s 1}]", day-1, day) {
		t.Errorf("a's days = %v", a.Days)
	}
	only := Summarize(w, "1.1.0")
	if len(only) != 2 || only[0].Fingerprint != "a" || only[0].Count != 2 || only[1].Count != 1 {
		t.Errorf("version 1.1.0: %+v", only)
	}
}
