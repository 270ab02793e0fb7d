package client

import (
	"context"
	"os"
	"strings"
	"time"
)

// The survey: at most once every 90 days, `send` and `run` may print one
// line inviting the user to `indexpilot-telemetry feedback`. It is a line,
// never a prompt; the command line prints it only when its standard output
// is a terminal (a person is there, not cron); it is never shown with
// telemetry off (which writes nothing, so could not remember it); and
// INDEXPILOT_TELEMETRY_SURVEY=false or telemetry.survey: false in
// indexpilot_config.yaml turns it off.

// SurveyEvery is the shortest time between two invitations, or between
// feedback and the next invitation.
const SurveyEvery = 90 * 24 * time.Hour

// surveyFile holds when the last invitation was shown (or feedback sent).
const surveyFile = "survey"

// SurveyInvitation is the invitation's line.
const SurveyInvitation = "How well does IndexPilot work for you? Tell its maintainers with `indexpilot-telemetry feedback` " +
	"(you see exactly what is sent; asked at most every 90 days; INDEXPILOT_TELEMETRY_SURVEY=false stops it)."

// SurveyDue returns SurveyInvitation when an invitation is due, and then
// remembers that it was shown; else "". It never fails and waits at most
// a second for the state folder's lock: a survey is not worth more.
func (c *Client) SurveyDue(ctx context.Context) string {
	v := c.view()
	if v.err() != nil || v.s.mode == Off || v.s.debug || !c.surveyOn(v) || !v.f.exists() {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	unlock, err := v.f.lock(ctx)
	if err != nil {
		return ""
	}
	defer unlock()
	now := c.now().UTC()
	if last, ok := c.lastSurvey(v.f); ok && now.Sub(last) < SurveyEvery {
		return ""
	}
	if writeAtomic(v.f.path(surveyFile), []byte(now.Format(time.RFC3339)+"\n")) != nil {
		return "" // it could not be remembered: better not shown than shown every time
	}
	return SurveyInvitation
}

// surveyOn reads the setting: the environment, else the config file, else
// on. A value that is neither true nor false turns it off.
func (c *Client) surveyOn(v *view) bool {
	if env := strings.TrimSpace(c.getenv("INDEXPILOT_TELEMETRY_SURVEY")); env != "" {
		on, ok := parseBool(env)
		return ok && on
	}
	return v.s.collects(v.s.file.Survey)
}

// lastSurvey reads when the last invitation was shown; false when never
// (or unreadable).
func (c *Client) lastSurvey(f folder) (time.Time, bool) {
	data, err := os.ReadFile(f.path(surveyFile))
	if err != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(data)))
	return t, err == nil
}
