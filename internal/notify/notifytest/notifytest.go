// Package notifytest starts the real receivers that notification tests
// deliver to: an SMTP server on loopback (go-smtp) that offers STARTTLS
// with a throwaway certificate and takes PLAIN authentication only over
// TLS, and an HTTP webhook receiver. Both record what they received.
package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data string
	TLS  bool   // delivered after STARTTLS
	User string // who authenticated
}

// SMTP is a running SMTP server.
type SMTP struct {
	// URL is smtp://user:password@127.0.0.1:port.
	URL string
	// ClientTLS trusts the server's certificate.
	ClientTLS *tls.Config
	// CertFile is the certificate as PEM, for a process that trusts it
	// through $SSL_CERT_FILE.
	CertFile string

	mu    sync.Mutex
	mails []Mail
	fail  int // refuse the next fail messages with a temporary error
	got   chan struct{}
}

const user, password = "alerts", "s3cret-Passw0rd"

// StartSMTP starts an SMTP server on a free loopback port until the test
// ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	cert, pemBytes := certificate(t)
	s := &SMTP{got: make(chan struct{}, 100)}
	s.CertFile = filepath.Join(t.TempDir(), "smtp-cert.pem")
	if err := os.WriteFile(s.CertFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	s.ClientTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: s, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.URL = (&url.URL{Scheme: "smtp", User: url.UserPassword(user, password), Host: ln.Addr().String()}).String()
	return s
}

// FailNext makes the server refuse the next n messages with a temporary
// error (451).
func (s *SMTP) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Mails returns the messages accepted so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Wait waits until n messages were accepted, or fails the test.
func (s *SMTP) Wait(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	return waitFor(t, "SMTP server: %d messages after %v, want %d", s.Mails, s.got, n, timeout)
}

// waitFor waits until list has n entries, looking again each time got
// signals one more, or fails the test with format (entries, timeout, n).
func waitFor[T any](t testing.TB, format string, list func() []T, got <-chan struct{}, n int, timeout time.Duration) []T {
	t.Helper()
	deadline := time.After(timeout)
	for len(list()) < n {
		select {
		case <-got:
		case <-deadline:
			t.Fatalf(format, len(list()), timeout, n)
		}
	}
	return list()
}

type session struct {
	srv  *SMTP
	conn *smtp.Conn
	mail Mail
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, u, p string) error {
		if u != user || p != password {
			return errors.New("invalid credentials")
		}
		se.mail.User = u
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.mail.User == "" {
		return smtp.ErrAuthRequired
	}
	se.mail.From = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.mail.To = append(se.mail.To, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, tlsOn := se.conn.TLSConnectionState()
	s := se.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := se.mail
	m.Data, m.TLS = string(b), tlsOn
	s.mails = append(s.mails, m)
	select {
	case s.got <- struct{}{}:
	default:
	}
	return nil
}

func (se *session) Reset()        { se.mail = Mail{User: se.mail.User} }
func (se *session) Logout() error { return nil }

// certificate makes a throwaway self-signed certificate for 127.0.0.1
// and localhost.
func certificate(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "notifytest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Webhook is a running webhook receiver.
type Webhook struct {
	// URL is where to post, with a secret-looking path as Slack's have.
	URL string

	mu       sync.Mutex
	bodies   [][]byte
	requests int
	fail     int
	status   int
	got      chan struct{}
}

// StartWebhook starts an HTTP receiver on loopback until the test ends.
func StartWebhook(t testing.TB) *Webhook {
	t.Helper()
	w := &Webhook{got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.requests++
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(rw, "want a JSON POST", http.StatusBadRequest)
			return
		}
		if w.fail > 0 {
			w.fail--
			http.Error(rw, "not now", w.status)
			return
		}
		w.bodies = append(w.bodies, b)
		select {
		case w.got <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	w.URL = srv.URL + "/services/T000/B000/XXXXsecretXXXX"
	return w
}

// FailNext makes the receiver answer status (such as 503) to the next n
// posts.
func (w *Webhook) FailNext(n, status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fail, w.status = n, status
}

// Requests counts every request received, answered or refused.
func (w *Webhook) Requests() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.requests
}

// Bodies returns the JSON bodies received so far.
func (w *Webhook) Bodies() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.bodies...)
}

// Wait waits until n bodies were received, or fails the test.
func (w *Webhook) Wait(t testing.TB, n int, timeout time.Duration) [][]byte {
	t.Helper()
	return waitFor(t, "webhook: %d posts after %v, want %d", w.Bodies, w.got, n, timeout)
}
