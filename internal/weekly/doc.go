// Package weekly builds the weekly report (issue 14): one ISO week
// (Monday to Sunday, UTC) of the fleet, each figure beside the week
// before's, with the insights and recommendations the maintainers read on
// Monday, as JSON, Markdown or an HTML e-mail, and delivers it once per
// week through the alert channels (package notify).
//
// Rules the package keeps:
//
//   - Every number comes from the code the API and the dashboard call:
//     the dashboard model's Overview (summary and trends), package
//     insights (priorities, algorithm advice, release health, anomalies),
//     errorgroup.Summarize over the store's error window, and the
//     experiment service's analyses. It holds no query of its own.
//   - A section without data is left out, never shown empty.
//   - A week is delivered once per channel, ever: the sent ledger
//     (store.Ledger) is claimed before sending and marked after, so a
//     restart or a second process never sends it twice.
//   - The HTML has inline styles only, no script and no remote image: it
//     reads the same with images blocked.
package weekly
