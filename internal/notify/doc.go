// Package notify delivers messages to the maintainers: to a webhook (a
// JSON POST whose "text" field Slack and Mattermost incoming webhooks
// render) and by e-mail over SMTP (STARTTLS whenever the server offers
// it). Alerts use it, and so does the weekly report: both are configured
// by the same three options (--webhook, --smtp-url, --alert-email-to,
// with --alert-email-from), parsed by ParseConfig.
//
// Rules the package keeps:
//
//   - A failing channel is retried with backoff, a bounded number of
//     times, and logged once when it gives up, never per attempt.
//   - Secrets never reach a log line or an error: the SMTP password and
//     the webhook URL's path and query (Slack's webhook URLs are secrets)
//     are masked (MaskWebhook, MaskSMTP), and errors that would quote a
//     URL are stripped of it.
//   - It remembers nothing: what was already sent is the caller's to
//     record (store.Ledger), per channel.
package notify
