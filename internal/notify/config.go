package notify

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Config says where messages go. The zero Config sends nothing.
type Config struct {
	// Webhook is an http(s) URL that receives each message as JSON.
	Webhook string
	// SMTP is the mail server: smtp://[user[:password]@]host[:port]
	// (STARTTLS when offered; port 587 by default) or smtps:// (TLS from
	// the first byte; port 465 by default).
	SMTP *url.URL
	// To are the recipients' addresses; From the sender's.
	To   []string
	From string
	// TLS configures the mail server's TLS connections; nil trusts the
	// system's roots (or $SSL_CERT_FILE) for the server's host name.
	TLS *tls.Config
}

// ParseConfig checks and parses the options: a webhook URL, an SMTP URL,
// a comma-separated list of recipients and a sender (empty: derived from
// the SMTP user or host). Each may be empty; mail needs both the SMTP URL
// and recipients.
func ParseConfig(webhook, smtpURL, to, from string) (Config, error) {
	var c Config
	if webhook != "" {
		u, err := url.Parse(webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, errors.New("notify: --webhook must be an http:// or https:// URL")
		}
		c.Webhook = webhook
	}
	for _, a := range strings.Split(to, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return c, fmt.Errorf("notify: --alert-email-to: %q is not an e-mail address", a)
		}
		c.To = append(c.To, addr.Address)
	}
	if smtpURL == "" {
		if len(c.To) > 0 {
			return c, errors.New("notify: --alert-email-to needs --smtp-url")
		}
		return c, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		// The URL may hold a password: never quote it.
		return c, errors.New("notify: --smtp-url must be smtp://user:password@host:port or smtps://…")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return c, errors.New("notify: --smtp-url: the port must be a number from 1 to 65535")
		}
	}
	if len(c.To) == 0 {
		return c, errors.New("notify: --smtp-url needs --alert-email-to")
	}
	c.SMTP = u
	if c.From, err = sender(from, u); err != nil {
		return c, err
	}
	return c, nil
}

// sender returns the From address: the option, else the SMTP user when
// it is an address, else indexpilot-analytics@ the SMTP host.
func sender(from string, u *url.URL) (string, error) {
	if from != "" {
		a, err := mail.ParseAddress(from)
		if err != nil {
			return "", fmt.Errorf("notify: --alert-email-from: %q is not an e-mail address", from)
		}
		return a.String(), nil
	}
	if a, err := mail.ParseAddress(u.User.Username()); err == nil {
		return a.Address, nil
	}
	return "indexpilot-analytics@" + u.Hostname(), nil
}

// Enabled tells whether any channel is configured.
func (c Config) Enabled() bool { return c.Webhook != "" || c.SMTP != nil }

// MaskWebhook returns a webhook URL with its path and query masked: they
// are the secret of Slack's and most other incoming webhooks.
func MaskWebhook(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(set, masked)"
	}
	masked := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		masked += "/(masked)"
	}
	return masked
}

// MaskSMTP returns an SMTP URL with its password masked.
func MaskSMTP(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(set, masked)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "masked")
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// hostPort returns the SMTP server's address, with the scheme's default
// port.
func hostPort(u *url.URL) (string, int) {
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p) // checked by ParseConfig
	}
	return u.Hostname(), port
}
