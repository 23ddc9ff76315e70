// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) on
// the loopback address for tests: it records what it receives, can demand
// AUTH PLAIN, offer STARTTLS or speak implicit TLS, reject messages, and stop
// and start again on the same port.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// Username and Password, when set, make the server demand AUTH PLAIN
	// before MAIL FROM. Without TLS the server allows it in clear text (the
	// test runs on the loopback address).
	Username, Password string
	// TLS, when set, is offered with STARTTLS, or spoken from the first byte
	// when ImplicitTLS is set.
	TLS         *tls.Config
	ImplicitTLS bool
}

// Delivery is one message the server accepted.
type Delivery struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Data []byte   // the message as received
	User string   // the authenticated user, or ""
	TLS  bool     // whether the session was encrypted
}

// Server is an SMTP server for one test, stopped when the test ends.
type Server struct {
	Host string // 127.0.0.1
	Port int

	opts Options

	mu         sync.Mutex
	deliveries []Delivery
	reject     error
	srv        *smtp.Server
	done       chan struct{}
}

// Start starts a server on 127.0.0.1 at a free port.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{Host: "127.0.0.1", opts: opts}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if s.opts.ImplicitTLS {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		sess := &session{server: s, tls: isTLS}
		if s.opts.Username != "" {
			return &authSession{sess}, nil
		}
		return sess, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if !s.opts.ImplicitTLS {
		srv.TLSConfig = s.opts.TLS
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	s.mu.Lock()
	s.srv, s.done = srv, done
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.mu.Unlock()
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Stop closes the listener and every connection: the server is down and
// connections are refused. Stopping twice is harmless.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Close()
	<-done
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.listen(s.Addr()); err != nil {
		t.Fatal(err)
	}
}

// Reject makes the server answer every message's DATA with err (an
// *smtp.SMTPError such as Transient below), after reading it; nil accepts
// again.
func (s *Server) Reject(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = err
}

// Transient is a 451 reply: try again later.
var Transient = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}

// Deliveries returns the messages accepted so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitFor polls until the server has accepted at least n messages and
// returns them, or fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Delivery {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d := s.Deliveries()
		if len(d) >= n {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d messages after %s, want %d", len(d), timeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type session struct {
	server *Server
	tls    bool
	user   string
	from   string
	to     []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.opts.Username != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	if s.server.reject != nil {
		return s.server.reject
	}
	s.server.deliveries = append(s.server.deliveries, Delivery{From: s.from, To: append([]string(nil), s.to...), Data: data, User: s.user, TLS: s.tls})
	return nil
}

// authSession offers AUTH PLAIN; a session without it offers no AUTH.
type authSession struct{ *session }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.server.opts.Username || password != s.server.opts.Password || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

// TLSConfigs returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1 and localhost, and a client configuration that
// trusts only it.
func TLSConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailtest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},

		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: roots}
	return server, client
}
