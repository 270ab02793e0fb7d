package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

// feedbackCharts are the ids of the Feedback page's charts.
var feedbackCharts = []string{"ratings", "requests"}

// hostileMessage is feedback that would run script if the page parsed it.
const hostileMessage = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & "quotes"`

// TestFeedbackPageInChromium fills the service with a simulated fleet's
// feedback, one hostile message and an import of the recorded gh export,
// and reads the Feedback page as a maintainer does: from the overview's
// navigation, through the sign-in, its charts drawn, its tables and
// messages matching the API, the hostile message shown as text, the
// version filter kept in the URL, and a phone's width.
func TestFeedbackPageInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 90*time.Second)
	s := startService(t)
	sum, err := fleet.SendFeedback(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 120, Days: 21, Seed: 6, Now: time.Now()})
	if err != nil || sum.Stored < 5 {
		t.Fatalf("fleet feedback: %+v, %v", sum, err)
	}
	s.postFeedback(`{"message":` + quote(hostileMessage) + `,"rating":3,"feature_requests":["<b>bold</b> feature"]}`)
	if out, err := exec.Command(s.bin, "feedback", "import", "--github", "../internal/feedback/testdata/gh-issue-list.json",
		"--database", s.dsn).CombinedOutput(); err != nil || !strings.Contains(string(out), "added 7") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	b := newBrowser(t, exe)
	signInAt(t, s, b, "/feedback?days=30", "figures")
	b.waitFor("the charts' data", `document.getElementById('feedback').dataset.loaded !== undefined`, 15*time.Second)
	api := s.feedbackAPI("days=30")
	feedbackMatchesAPI(t, b, api)
	chartsDrew(t, b, feedbackCharts)
	hostileShownAsText(t, b)
	b.screenshot("feedback-1280.png")

	// The version filter reloads the page with the version in the URL.
	version := eval[string](b, `(() => {
		const s = document.getElementById('version');
		s.value = s.options[1].value;
		setTimeout(() => s.dispatchEvent(new Event('change')), 50); // after this returns: it navigates
		return s.value;
	})()`)
	b.afterNavigation("the filtered page", fmt.Sprintf(`location.search.includes('version=%s') && document.getElementById('feedback').dataset.loaded !== undefined`,
		url.QueryEscape(version)))
	feedbackMatchesAPI(t, b, s.feedbackAPI("days=30&version="+url.QueryEscape(version)))
	if note := eval[bool](b, `!document.getElementById('note-requests').hidden`); !note {
		t.Error("with a version filter the requests chart does not say GitHub votes carry no version")
	}

	atPhoneWidth(t, b, chromedp.Navigate(s.url+"/feedback?days=30"), `document.getElementById('feedback').dataset.loaded !== undefined`, 15*time.Second)
	chartsDrew(t, b, feedbackCharts)
	b.screenshot("feedback-390.png")
	b.do("widen the window", chromedp.EmulateViewport(1280, 900))

	// The overview links to it, and it back.
	b.do("open the overview", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.ID("figures")))
	b.do("follow the Feedback link", chromedp.Click(chromedp.CSS(`nav.views a[href="/feedback"]`)),
		chromedp.WaitVisible(chromedp.ID("messages")))
	if cur := eval[string](b, `document.querySelector('nav.views a[aria-current="page"]').textContent`); cur != "Feedback" {
		t.Errorf("the current view in the navigation: %q", cur)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the feedback page:\n%s", strings.Join(errs, "\n"))
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// postFeedback sends anonymous feedback.
func (s *service) postFeedback(body string) {
	s.t.Helper()
	res, err := http.Post(s.url+"/api/v1/feedback", "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		s.t.Fatalf("POST /api/v1/feedback: %d", res.StatusCode)
	}
}

// feedbackSummary is the part of GET /api/v1/feedback the test compares.
type feedbackSummary struct {
	Total           int64 `json:"total"`
	Rated           int64 `json:"rated"`
	FeatureRequests []struct {
		Feature               string
		Votes, Client, GitHub int64
	} `json:"feature_requests"`
	Feedback []struct{ Message string } `json:"feedback"`
}

func (s *service) feedbackAPI(query string) feedbackSummary {
	s.t.Helper()
	var sum feedbackSummary
	s.getJSON("/api/v1/feedback?"+query, &sum)
	return sum
}

// feedbackMatchesAPI compares the page's figures, requests table and
// messages with the API.
func feedbackMatchesAPI(t *testing.T, b *browser, api feedbackSummary) {
	t.Helper()
	grid := gridText(b)
	if grid["feedback_total"] != fmt.Sprint(api.Total) || grid["feedback_rated"] != fmt.Sprint(api.Rated) {
		t.Errorf("figures %v, API total %d rated %d", grid, api.Total, api.Rated)
	}
	rows := eval[[][]string](b, `[...document.querySelectorAll('#table-requests tbody tr')].map(r => [...r.cells].map(c => c.textContent))`)
	if len(rows) != len(api.FeatureRequests) {
		t.Fatalf("requests table has %d rows, API %d", len(rows), len(api.FeatureRequests))
	}
	for i, v := range api.FeatureRequests {
		want := []string{v.Feature, fmt.Sprint(v.Votes), fmt.Sprint(v.Client), fmt.Sprint(v.GitHub)}
		if strings.Join(rows[i], "|") != strings.Join(want, "|") {
			t.Errorf("requests row %d: %v, API %v", i, rows[i], want)
		}
	}
	if api.Total > 0 && api.FeatureRequests[0].GitHub == 0 && api.FeatureRequests[0].Client == 0 {
		t.Error("the most requested feature has no votes")
	}
	shown := eval[int](b, `document.querySelectorAll('#messages > li').length`)
	if shown != min(len(api.Feedback), 50) || shown == 0 {
		t.Errorf("%d messages shown, API lists %d", shown, len(api.Feedback))
	}
}

// chartsDrew checks that each chart of ids has a canvas with pixels
// drawn and that none shows its "no data yet" state.
func chartsDrew(t *testing.T, b *browser, ids []string) {
	t.Helper()
	drawn := eval[map[string]int](b, `Object.fromEntries(`+jsList(ids)+`.map(id => {
		const c = document.querySelector('#chart-' + id + ' canvas');
		if (!c || !document.getElementById('empty-' + id).hidden) return [id, -1];
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
		return [id, n];
	}))`)
	for _, id := range ids {
		if drawn[id] < 1000 {
			t.Errorf("chart %s: %d pixels drawn (-1: no canvas or empty state)", id, drawn[id])
		}
	}
}

// hostileShownAsText checks that the hostile message and request are
// shown as typed and that nothing of them ran.
func hostileShownAsText(t *testing.T, b *browser) {
	t.Helper()
	texts := eval[[]string](b, `[...document.querySelectorAll('#messages .message')].map(p => p.textContent)`)
	found := false
	for _, m := range texts {
		found = found || m == hostileMessage
	}
	if !found {
		t.Errorf("the hostile message is not shown as text: %q", texts)
	}
	if eval[bool](b, `window.pwned !== undefined || document.querySelector('#messages img, #messages script, #messages b') !== null`) {
		t.Error("the hostile message became markup or ran")
	}
	if !eval[bool](b, `[...document.querySelectorAll('#messages .requests li')].some(li => li.textContent === '<b>bold</b> feature')`) {
		t.Error("the hostile feature request is not shown as text")
	}
}

// afterNavigation waits for a condition on a page the browser is
// navigating to: polls that meet the page being replaced are retried.
func (b *browser) afterNavigation(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(2*time.Second)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
