// Package e2e holds the end-to-end test of the maintainers' dashboard: it
// builds and starts the real indexpilot-analytics binary, fills it through
// the HTTP API, and drives headless Chromium the way a maintainer uses the
// page: sign in, read the figures and charts, watch a new report arrive.
// Screenshots go to e2e/artifacts/ (ignored by git; CI keeps them as test
// artefacts).
//
// The test needs Chromium (Debian's chromium, or the binary $CHROMIUM
// names). Without one it skips, unless CI or INDEXPILOT_TEST_REQUIRE_BROWSER
// is set, when it fails: in CI the browser test never silently skips.
package e2e
