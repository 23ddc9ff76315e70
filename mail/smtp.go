package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"time"
)

// TLSMode says how a Sender secures its connection to the SMTP server.
type TLSMode string

// The TLS modes.
const (
	// StartTLS connects in plain text and upgrades with STARTTLS before
	// anything else is said; a server that does not offer it is refused.
	// The usual mode for the submission port 587, and the default.
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (SMTPS, port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS sends in plain text: for a relay on the same host or network.
	// Credentials are then only sent to a Host named localhost, 127.0.0.1
	// or ::1.
	NoTLS TLSMode = "none"
)

// ParseTLSMode reads a TLS mode as written in configuration: "starttls",
// "tls" or "none".
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(s); m {
	case StartTLS, ImplicitTLS, NoTLS:
		return m, nil
	}
	return "", fmt.Errorf("SMTP TLS mode must be starttls, tls or none, not %q", s)
}

// Config says how to reach the SMTP server that relays talentloop's mail.
type Config struct {
	Host     string // the server's name, also checked against its certificate
	Port     int    // 0: 587 for StartTLS, 465 for ImplicitTLS, 25 for NoTLS
	Username string // with Password: AUTH PLAIN; empty: no authentication
	Password string
	// From is the sender: an address with an optional name,
	// "talentloop <noreply@talentloop.example>". Message-IDs are made in
	// its domain.
	From string
	TLS  TLSMode // "": StartTLS
	// TLSConfig overrides the TLS settings (trusted roots, minimum version);
	// its ServerName defaults to Host.
	TLSConfig *tls.Config
	LocalName string        // the name this host gives in EHLO; "": localhost
	Timeout   time.Duration // for the whole exchange of one message; 0: 30s
}

// Sender sends one message per SMTP connection.
//
// It uses the standard library's net/smtp client. That package is frozen,
// but what a notification sender needs is all there: EHLO, STARTTLS, AUTH
// PLAIN (which it refuses to send in clear text except to a loopback server,
// a safety net worth having), MAIL/RCPT/DATA with dot-stuffing, and checks
// that addresses hold no line breaks. Timeouts and cancellation come from
// the connection, which Sender dials itself and gives a deadline. A client
// of our own over net/textproto would repeat that code and its care for no
// gain; the one feature we miss, AUTH LOGIN, only matters to servers that
// offer no PLAIN, and can be added as an smtp.Auth if one shows up.
type Sender struct {
	cfg  Config
	from *mail.Address
}

// NewSender checks cfg and fills in its defaults.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("SMTP host is not set")
	}
	if cfg.TLS == "" {
		cfg.TLS = StartTLS
	}
	if _, err := ParseTLSMode(string(cfg.TLS)); err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = map[TLSMode]int{StartTLS: 587, ImplicitTLS: 465, NoTLS: 25}[cfg.TLS]
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("SMTP port %d is out of range", cfg.Port)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("SMTP username and password go together")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP from address %q: %v", cfg.From, err)
	}
	if err := checkAddress(from.Address); err != nil {
		return nil, fmt.Errorf("SMTP from address: %v", err)
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.TLSConfig == nil {
		cfg.TLSConfig = &tls.Config{}
	}
	cfg.TLSConfig = cfg.TLSConfig.Clone()
	if cfg.TLSConfig.ServerName == "" {
		cfg.TLSConfig.ServerName = cfg.Host
	}
	return &Sender{cfg: cfg, from: from}, nil
}

// From returns the sender's address.
func (s *Sender) From() *mail.Address { return s.from }

// PermanentError marks a failure that sending again cannot mend, such as a
// malformed recipient address.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a failure that retrying cannot mend.
func IsPermanent(err error) bool {
	var pe *PermanentError
	var re *RenderError
	return errors.As(err, &pe) || errors.As(err, &re)
}

// Send delivers e to the SMTP server: it returns nil once the server has
// accepted the message (the reply to the end of DATA), whatever happens
// after. An error wraps the server's reply (*textproto.Error) when there was
// one; a message that cannot be composed is a *PermanentError. Send gives
// up when ctx ends or the Timeout passes.
func (s *Sender) Send(ctx context.Context, e *Email) (err error) {
	msg, err := Compose(s.from, e)
	if err != nil {
		return &PermanentError{fmt.Errorf("mail: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	defer func() {
		switch {
		case err == nil:
		case ctx.Err() != nil:
			err = fmt.Errorf("%w: %v", context.Cause(ctx), err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The connection's deadline is ctx's, and may pass a moment
			// before ctx notices.
			err = fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
	}()

	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer conn.Close()
	// The deadline bounds every read and write; cancelling ctx moves it to
	// the past, which ends a read or write under way at once.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if s.cfg.TLS == ImplicitTLS {
		tc := tls.Client(conn, s.cfg.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("smtp: TLS with %s: %w", addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.LocalName); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if s.cfg.TLS == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp: %s does not offer STARTTLS (set the TLS mode to none to send in plain text)", addr)
		}
		if err := c.StartTLS(s.cfg.TLSConfig); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("smtp: %s does not offer AUTH", addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(e.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: message not accepted: %w", err)
	}
	// The server has the message now: a failed QUIT must not make the
	// caller send it again.
	c.Quit()
	return nil
}
