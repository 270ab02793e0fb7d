package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// mailer sends messages by e-mail over SMTP: STARTTLS whenever the server
// offers it (smtp://), TLS from the start with smtps://; it authenticates
// when the URL names a user, with the best mechanism the server offers
// (never a clear-text password over an unencrypted connection).
type mailer struct {
	host       string
	port       int
	ssl        bool
	user, pass string
	from       string
	to         []string
	masked     string
	tls        *tls.Config // see Config.TLS
}

func newMailer(c Config) *mailer {
	host, port := hostPort(c.SMTP)
	pass, _ := c.SMTP.User.Password()
	return &mailer{host: host, port: port, ssl: c.SMTP.Scheme == "smtps", user: c.SMTP.User.Username(), pass: pass,
		from: c.From, to: c.To, masked: MaskSMTP(c.SMTP.String()), tls: c.TLS}
}

func (m *mailer) Name() string   { return "email" }
func (m *mailer) Target() string { return m.masked }

func (m *mailer) Send(ctx context.Context, msg Message) error {
	e := gomail.NewMsg()
	if err := e.From(m.from); err != nil {
		return &permanentError{fmt.Errorf("notify: e-mail sender: %w", err)}
	}
	if err := e.To(m.to...); err != nil {
		return &permanentError{fmt.Errorf("notify: e-mail recipients: %w", err)}
	}
	e.Subject(msg.Subject)
	e.SetDate()
	e.SetMessageID()
	e.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		e.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	c, err := gomail.NewClient(m.host, m.options()...)
	if err != nil {
		return &permanentError{fmt.Errorf("notify: e-mail client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, e); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() {
			return &permanentError{fmt.Errorf("notify: e-mail through %s: %w", m.masked, err)}
		}
		return fmt.Errorf("notify: e-mail through %s: %w", m.masked, err)
	}
	return nil
}

func (m *mailer) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(30 * time.Second)}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.tls != nil {
		tc = m.tls.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = m.host
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if m.ssl {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	return opts
}
