package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/public"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The public page: usage figures anyone may see, without signing in, off
// unless Config.PublicPage. Every figure is k-anonymous (package public,
// docs/public.md). The figures cover whole days that have ended, so they
// hold still while today's reports arrive; they are computed at most once
// per publicTTL per period, and browsers and proxies may keep them as
// long. The three periods of a day are published together, under one
// rule (public.PublishAll). Nothing here reads or sets a cookie.

// publicDays are the periods the page offers; any other is a 400, so that
// nobody can difference two overlapping periods of their choosing.
var publicDays = []int{7, 30, 90}

// defaultPublicDays is the period when the URL names none.
const defaultPublicDays = 90

// publicTTL is how long a computed summary is served.
const publicTTL = 5 * time.Minute

var publicCacheControl = "public, max-age=" + strconv.Itoa(int(publicTTL.Seconds()))

// publicCache keeps the summaries of the periods ending on one day,
// computed together (the rule covers differences between periods).
type publicCache struct {
	mu sync.Mutex
	to rollup.Day
	at time.Time
	s  []*public.Summary // by publicDays
}

func newPublicCache() *publicCache { return &publicCache{} }

// summaries returns the cached summaries of the periods ending on to, or
// computes them with fill.
func (c *publicCache) summaries(to rollup.Day, now time.Time, fill func() ([]*public.Summary, error)) ([]*public.Summary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s != nil && c.to == to && now.Sub(c.at) < publicTTL {
		return c.s, nil
	}
	s, err := fill()
	if err != nil {
		return nil, err
	}
	c.s, c.to, c.at = s, to, now
	return s, nil
}

// publicSummaryOf returns the summary of the last days complete days.
func (s *Server) publicSummaryOf(ctx context.Context, days int) (*public.Summary, error) {
	now := s.now()
	all, err := s.public.summaries(dashboard.LastCompleteDays(now, 1).To, now, func() ([]*public.Summary, error) {
		var cs []*dashboard.Cohorts
		for _, d := range publicDays {
			c, err := s.dash.Cohorts(ctx, dashboard.LastCompleteDays(now, d))
			if err != nil {
				return nil, unavailable(err)
			}
			cs = append(cs, c)
		}
		k := s.cfg.PublicK
		if k == 0 {
			k = public.DefaultK
		}
		return public.PublishAll(cs, k), nil
	})
	if err != nil {
		return nil, err
	}
	return all[slices.Index(publicDays, days)], nil
}

// publicPeriod reads ?days=, one of publicDays.
func publicPeriod(r *http.Request) (int, error) {
	v := r.URL.Query().Get("days")
	if v == "" {
		return defaultPublicDays, nil
	}
	n, err := strconv.Atoi(v)
	for _, d := range publicDays {
		if err == nil && n == d {
			return n, nil
		}
	}
	return 0, badParam("days", "one of 7, 30 or 90", "days is not a period the public page offers")
}

// publicRequest answers what both public routes ask first: is the page
// on, which period, and its summary.
func (s *Server) publicRequest(r *http.Request) (*public.Summary, error) {
	if !s.cfg.PublicPage {
		return nil, errorf(http.StatusNotFound, "not_found", "the public page is off; the operator turns it on with --public-page")
	}
	days, err := publicPeriod(r)
	if err != nil {
		return nil, err
	}
	return s.publicSummaryOf(r.Context(), days)
}

// publicSummary serves GET /api/v1/public/summary?days=N.
func (s *Server) publicSummary(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.publicRequest(r)
	if err != nil {
		return err
	}
	writeJSONCached(w, http.StatusOK, sum, publicCacheControl)
	return nil
}

// publicHTML serves GET /public?days=N: the same figures as a page, with
// every chart's numbers in a table, complete without JavaScript.
func (s *Server) publicHTML(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.publicRequest(r)
	if err != nil {
		return err
	}
	return renderCached(w, http.StatusOK, "public", newPublicView(sum), publicCacheControl)
}
