package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// feedbackServer is the real service, recording the feedback bodies it
// receives.
type feedbackServer struct {
	url   string
	store store.Store
	mu    sync.Mutex
	got   [][]byte
}

func startFeedbackServer(t *testing.T) *feedbackServer {
	fs := &feedbackServer{}
	fs.url, fs.store = startServerWith(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/feedback" {
				body, _ := io.ReadAll(r.Body)
				fs.mu.Lock()
				fs.got = append(fs.got, body)
				fs.mu.Unlock()
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			h.ServeHTTP(w, r)
		})
	})
	return fs
}

func (fs *feedbackServer) bodies() [][]byte {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([][]byte(nil), fs.got...)
}

// stored reads the feedback the service stored.
func (fs *feedbackServer) stored(t *testing.T) []store.StoredFeedback {
	t.Helper()
	w, err := fs.store.FeedbackWindow(context.Background(), store.FeedbackQuery{From: time.Now().Add(-time.Hour),
		To: time.Now().Add(time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return w.Latest
}

// terminal is a terminal for the command line: a person types stdin and
// reads stdout.
type terminal struct {
	in  io.Reader
	out bytes.Buffer
}

func (t *terminal) Read(p []byte) (int, error)  { return t.in.Read(p) }
func (t *terminal) Write(p []byte) (int, error) { return t.out.Write(p) }
func (t *terminal) String() string              { return t.out.String() }
func (*terminal) IsTerminal() bool              { return true }

// runWith runs the command line with stdin and stdout given and the clock
// at now.
func (e *env) runWith(stdin io.Reader, stdout io.Writer, now time.Time, args ...string) (int, string) {
	var errOut bytes.Buffer
	o := telemetry.Options{Getenv: func(k string) string { return e.vars[k] }, Timeout: time.Second,
		Now: func() time.Time { return now }}
	return runIO(context.Background(), args, o, stdin, stdout, &errOut), errOut.String()
}

const plantedMessage = "Rollback undid my index. Connection: postgres://admin:hunter2@db.internal:5432/prod, " +
	"reach me at jane.doe@example.org, host 10.1.2.3, logs in /home/jdoe/indexpilot.log"

var planted = []string{"hunter2", "db.internal", "jane.doe@example.org", "10.1.2.3", "jdoe"}

// TestFeedbackWithTelemetryOff: the preview is the bytes the service
// received, scrubbed, without an installation id, and nothing is written
// on this machine.
func TestFeedbackWithTelemetryOff(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	var out bytes.Buffer
	code, errOut := e.runWith(strings.NewReader(""), &out, time.Now(),
		"feedback", "-m", plantedMessage, "--rating", "2", "--feature", "Auto Rollback", "--feature", "BRIN support", "--yes")
	if code != exitOK || !strings.Contains(errOut, "Sent, as feedback #1") || !strings.Contains(errOut, "Installation id: none, since telemetry is off (the default)") ||
		!strings.Contains(errOut, "its own act of consent") {
		t.Fatalf("feedback: exit %d\n%s", code, errOut)
	}
	got := srv.bodies()
	if len(got) != 1 || !bytes.Equal(got[0], out.Bytes()) {
		t.Fatalf("the bytes shown are not the bytes sent:\nshown:\n%s\nsent:\n%q", out.Bytes(), got)
	}
	var sent map[string]any
	if err := json.Unmarshal(got[0], &sent); err != nil {
		t.Fatal(err)
	}
	if _, ok := sent["installation_id"]; ok || sent["rating"] != 2.0 || sent["version"] != "1.2.0" ||
		fmtList(sent["feature_requests"]) != "auto_rollback,BRIN support" || sent["feedback_id"] == nil {
		t.Errorf("sent %s", got[0])
	}
	stored := srv.stored(t)
	for _, s := range planted {
		if strings.Contains(string(got[0]), s) || strings.Contains(stored[0].Message, s) {
			t.Errorf("%q was sent or stored: %s / %q", s, got[0], stored[0].Message)
		}
	}
	if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
		t.Error("feedback with telemetry off wrote state")
	}
}

func fmtList(v any) string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		out = append(out, x.(string))
	}
	return strings.Join(out, ",")
}

// TestFeedbackWithTelemetryOn carries the installation's id, which links
// it in the service.
func TestFeedbackWithTelemetryOn(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	e.mustRun("on")
	var out bytes.Buffer
	code, errOut := e.runWith(strings.NewReader(""), &out, time.Now(), "feedback", "-m", "not registered yet", "--yes")
	if code != exitOK || !strings.Contains(errOut, "has not uploaded a report yet") || strings.Contains(out.String(), "installation_id") {
		t.Fatalf("before the first upload: exit %d\n%s%s", code, out.String(), errOut)
	}
	e.mustRun("send")
	var st struct {
		ID string `json:"installation_id"`
	}
	json.Unmarshal([]byte(e.mustRun("export")), &st)
	out.Reset()
	code, errOut = e.runWith(strings.NewReader(""), &out, time.Now(), "feedback", "-m", "linked now", "--yes")
	if code != exitOK || !strings.Contains(out.String(), `"installation_id": "`+st.ID+`"`) || !strings.Contains(errOut, "Installation id: "+st.ID+", since telemetry is on") {
		t.Fatalf("after the first upload: exit %d\n%s%s", code, out.String(), errOut)
	}
	mine, err := srv.store.FeedbackOf(context.Background(), st.ID)
	if err != nil || len(mine) != 1 || mine[0].Message != "linked now" {
		t.Fatalf("the installation's feedback: %+v, %v", mine, err)
	}
}

// TestFeedbackConfirmation: nothing is sent without a yes.
func TestFeedbackConfirmation(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  string
		sent  int
	}{
		{"n\n", []string{"-m", "hello"}, exitOK, "Not sent.", 0},
		{"", []string{"-m", "hello"}, exitFailure, "no answer", 0},
		{"", []string{"-m", "hello", "--dry-run"}, exitOK, "Dry run: nothing was sent.", 0},
		{"Works well, from a script\n", nil, exitUsage, "the message came from stdin", 0},
		{"Works well, from a script\n", []string{"--yes"}, exitOK, "Sent, as feedback", 1},
		{"yes\n", []string{"-m", "hello"}, exitOK, "Sent, as feedback", 2},
	} {
		var out bytes.Buffer
		code, errOut := e.runWith(strings.NewReader(tc.stdin), &out, time.Now(), append([]string{"feedback"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) || len(srv.bodies()) != tc.sent {
			t.Errorf("%q %v: exit %d, %d sent\n%s", tc.stdin, tc.args, code, len(srv.bodies()), errOut)
		}
		if !json.Valid(out.Bytes()) {
			t.Errorf("%v: stdout is not the JSON shown: %q", tc.args, out.String())
		}
	}
}

// TestFeedbackAsked: on a terminal, the message, rating and requests are
// asked for.
func TestFeedbackAsked(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	term := &terminal{in: strings.NewReader("Line one\nLine two\n\n4\nqpg, BRIN support\ny\n")}
	code, errOut := e.runWith(term, term, time.Now(), "feedback")
	if code != exitOK || !strings.Contains(errOut, "How well does IndexPilot work for you") {
		t.Fatalf("asked: exit %d\n%s", code, errOut)
	}
	var sent map[string]any
	if b := srv.bodies(); len(b) != 1 || json.Unmarshal(b[0], &sent) != nil || sent["message"] != "Line one\nLine two" ||
		sent["rating"] != 4.0 || fmtList(sent["feature_requests"]) != "qpg,BRIN support" {
		t.Fatalf("sent %s", srv.bodies())
	}
}

// TestFeedbackBadInput: exit 2 naming the flag, nothing sent.
func TestFeedbackBadInput(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	six := []string{}
	for _, f := range []string{"a", "b", "c", "d", "e", "f"} {
		six = append(six, "--feature", f)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-m", "hi", "--rating", "7"}, "--rating: must be a whole number between 1 and 5 (got 7)"},
		{[]string{"-m", "   ", "--yes"}, "the message (-m): must not be empty"},
		{[]string{"-m", strings.Repeat("ü", 2001), "--yes"}, "the message (-m): must be at most 2000 characters (got 2001)"},
		{append([]string{"-m", "hi", "--yes"}, six...), "--feature: must hold at most 5 requests (got 6)"},
		{[]string{"-m", "hi", "--indexpilot-version", "1.0 beta", "--yes"}, "--indexpilot-version: must match"},
		{[]string{"-m", "hi", "--message-file", "x"}, "give -m or --message-file, not both"},
	} {
		code, errOut := e.runWith(strings.NewReader(""), io.Discard, time.Now(), append([]string{"feedback"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "nothing was sent") {
			t.Errorf("%.40v: exit %d, want 2 and %q\n%s", tc.args, code, tc.want, errOut)
		}
	}
	if n := len(srv.bodies()); n != 0 {
		t.Errorf("%d bad feedback sent", n)
	}
}

// TestSurveyInvitation: send prints the one-line invitation at most every
// 90 days, only to a terminal, never with telemetry off or the setting
// off, and never after feedback was just given.
func TestSurveyInvitation(t *testing.T) {
	srv := startFeedbackServer(t)
	e := newEnv(t, srv.url)
	now := time.Now()
	invited := func(at time.Time, args ...string) bool {
		t.Helper()
		term := &terminal{in: strings.NewReader("")}
		if code, errOut := e.runWith(term, term, at, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
		return strings.Contains(term.String(), "indexpilot-telemetry feedback")
	}
	if invited(now, "send") {
		t.Fatal("invited with telemetry off")
	}
	e.mustRun("on")
	if invited(now, "send", "-q") {
		t.Error("invited by send -q")
	}
	var pipe bytes.Buffer // not a terminal: cron, a pipe
	if code, _ := e.runWith(strings.NewReader(""), &pipe, now, "send"); code != exitOK || strings.Contains(pipe.String(), "feedback") {
		t.Errorf("invited on a pipe:\n%s", pipe.String())
	}
	if !invited(now, "send") {
		t.Fatal("not invited on a terminal with telemetry on")
	}
	if invited(now.Add(89*24*time.Hour), "send") {
		t.Error("invited again within 90 days")
	}
	if !invited(now.Add(91*24*time.Hour), "send") {
		t.Error("not invited after 90 days")
	}
	if code, errOut := e.runWith(strings.NewReader(""), io.Discard, now.Add(200*24*time.Hour), "feedback", "-m", "thanks", "--yes"); code != exitOK {
		t.Fatalf("feedback: %d %s", code, errOut)
	}
	if invited(now.Add(250*24*time.Hour), "send") {
		t.Error("invited 50 days after giving feedback")
	}
	e.vars["INDEXPILOT_TELEMETRY_SURVEY"] = "false"
	if invited(now.Add(400*24*time.Hour), "send") {
		t.Error("invited with INDEXPILOT_TELEMETRY_SURVEY=false")
	}
	delete(e.vars, "INDEXPILOT_TELEMETRY_SURVEY")
	os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte("telemetry:\n  survey: false\n"), 0o600)
	if invited(now.Add(400*24*time.Hour), "send") {
		t.Error("invited with telemetry.survey: false")
	}
}
