package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// signInAt opens path signed out, checks that it leads to the sign-in
// form, signs in with the admin token and checks that it comes back to
// path, showing the element with id shown.
func signInAt(t *testing.T, s *service, b *browser, path, shown string) {
	t.Helper()
	b.do("open "+path+" signed out", chromedp.Navigate(s.url+path))
	if loc := eval[string](b, `location.pathname + location.search`); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("signed out, %s went to %q, not the sign-in form", path, loc)
	}
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), adminToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID(shown)))
	if loc := eval[string](b, `location.pathname + location.search`); loc != path {
		t.Fatalf("after signing in: %q, want %s, the page asked for", loc, path)
	}
}
