package fleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The simulated project's GitHub issues, as
//
//	gh issue list --json number,title,body,labels,reactionGroups,createdAt,url --limit 1000
//
// writes them to a file: one line, each issue's keys sorted, reaction
// groups without reactions left out, HTML not escaped. Feature requests
// (labelled enhancement) ask for the fleet's wishes, with 👍 votes in
// proportion to how often users wish for them; bugs are there too, and
// an import skips them.

// ghIssue is one issue with its fields in gh's (alphabetical) order.
type ghIssue struct {
	Body           string          `json:"body"`
	CreatedAt      time.Time       `json:"createdAt"`
	Labels         []ghLabel       `json:"labels"`
	Number         int             `json:"number"`
	ReactionGroups []ghReactionSet `json:"reactionGroups"`
	Title          string          `json:"title"`
	URL            string          `json:"url"`
}

type ghLabel struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Color       string `json:"color"`
}

type ghReactionSet struct {
	Content string `json:"content"`
	Users   struct {
		TotalCount int `json:"totalCount"`
	} `json:"users"`
}

var (
	enhancementLabel = ghLabel{ID: "LA_kwDOLx3f9M8AAAABmT0a3Q", Name: "enhancement", Description: "New feature or request", Color: "a2eeef"}
	bugLabel         = ghLabel{ID: "LA_kwDOLx3f9M8AAAABmT0a1w", Name: "bug", Description: "Something isn't working", Color: "d73a4a"}
)

// issueTitles name each wish as a user would title an issue; the import
// maps IndexPilot's feature names back from the titles' words.
var issueTitles = map[string]string{
	"auto_rollback":       "Auto rollback: wait for a full weekly cycle before judging an index",
	"predictive_indexing": "Predictive indexing: learn from pg_stat_statements instead of sampling",
	"workload_analysis":   "Workload analysis should ignore queries from pg_dump",
	"approval_workflow":   "Approval workflow: notify on Slack when an approval is pending",
	"qpg":                 "QPG: explain why a plan was preferred",
}

// GitHubExport returns the simulated project's issues as gh exports them:
// a pure function of c's Installations, Seed and Now.
func GitHubExport(c Config) []byte {
	c = c.withDefaults()
	r := stream(c.Seed, kindFeedback, -1, 0)
	var issues []ghIssue
	number := 40
	add := func(title, body string, label ghLabel, thumbs int) {
		number += 1 + r.IntN(6)
		age := time.Duration(170-12*len(issues))*24*time.Hour - time.Duration(r.IntN(24*3600))*time.Second // later issues are newer
		is := ghIssue{Body: body, CreatedAt: c.Now.Add(-age).Truncate(time.Second),
			Labels: []ghLabel{label}, Number: number, Title: title,
			URL: fmt.Sprintf("https://github.com/indexpilot/indexpilot/issues/%d", number)}
		for _, g := range []struct {
			content string
			n       int
		}{{"THUMBS_UP", thumbs}, {"HEART", r.IntN(3)}, {"EYES", r.IntN(2)}} {
			if g.n > 0 { // gh leaves out reactions nobody gave
				set := ghReactionSet{Content: g.content}
				set.Users.TotalCount = g.n
				is.ReactionGroups = append(is.ReactionGroups, set)
			}
		}
		issues = append(issues, is)
	}
	scale := math.Max(1, float64(c.Installations)/100)
	for _, w := range wishes {
		title := issueTitles[w.name]
		if title == "" {
			title = w.name
		}
		add(title, "Requested by several users; see the linked discussions.\r\n\r\nWould help our workloads.", enhancementLabel,
			int(w.weight*scale*(1+r.Float64())))
	}
	add("Auto-indexer crashes on partitioned tables when the parent has no rows", "ZeroDivisionError in analyze.", bugLabel, 3)
	add("Rollback leaves an invalid index behind after a cancelled CREATE INDEX CONCURRENTLY", "Seen on 1.1.0a8.", bugLabel, 5)
	// gh lists the newest first.
	for i, j := 0, len(issues)-1; i < j; i, j = i+1, j-1 {
		issues[i], issues[j] = issues[j], issues[i]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(issues) // plain structs: cannot fail
	return buf.Bytes()
}
