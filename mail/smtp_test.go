package mail_test

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"talentloop/mail"
	"talentloop/mail/mailtest"
)

func newSender(t *testing.T, srv *mailtest.Server, cfg mail.Config) *mail.Sender {
	t.Helper()
	cfg.Host, cfg.Port = srv.Host, srv.Port
	if cfg.From == "" {
		cfg.From = "talentloop 学习平台 <noreply@talentloop.example>"
	}
	if cfg.TLS == "" {
		cfg.TLS = mail.NoTLS
	}
	s, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkDelivery checks the envelope, the headers and the body a real SMTP
// server received.
func checkDelivery(t *testing.T, d mailtest.Delivery, e *mail.Email) {
	t.Helper()
	if d.From != "noreply@talentloop.example" || len(d.To) != 1 || d.To[0] != e.To {
		t.Errorf("envelope from %q to %v, want noreply@talentloop.example to [%s]", d.From, d.To, e.To)
	}
	p := parseMessage(t, d.Data)
	if p.subject != e.Subject {
		t.Errorf("subject = %q, want %q", p.subject, e.Subject)
	}
	if !strings.Contains(p.subject, "你的问题") {
		t.Errorf("subject %q is not the Chinese one", p.subject)
	}
	if got, want := p.header.Get("Message-ID"), "<"+e.Ref+"@talentloop.example>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	if p.text != e.Text || p.html != e.HTML {
		t.Errorf("body differs:\n%s\nwant\n%s", p.text, e.Text)
	}
	if !strings.Contains(p.text, "https://talentloop.example/questions/7") {
		t.Errorf("body has no link:\n%s", p.text)
	}
}

func TestSendPlain(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	e := sampleEmail(t, "zh")
	// Dots at the start of a line must survive SMTP's dot-stuffing.
	e.Text += ".\n.. two dots\n"
	if err := newSender(t, srv, mail.Config{}).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	d := srv.Deliveries()
	if len(d) != 1 {
		t.Fatalf("%d deliveries, want 1", len(d))
	}
	checkDelivery(t, d[0], e)
	if d[0].User != "" || d[0].TLS {
		t.Errorf("delivery user %q tls %v, want neither", d[0].User, d[0].TLS)
	}
}

func TestSendAuthPlain(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: "mailer", Password: "s3cret 密码"})
	e := sampleEmail(t, "zh")
	if err := newSender(t, srv, mail.Config{Username: "mailer", Password: "s3cret 密码"}).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	d := srv.Deliveries()
	if len(d) != 1 || d[0].User != "mailer" {
		t.Fatalf("deliveries %+v, want one by mailer", d)
	}
	checkDelivery(t, d[0], e)

	for _, tt := range []struct {
		name string
		cfg  mail.Config
		code int
	}{
		{"wrong password", mail.Config{Username: "mailer", Password: "guess"}, 535},
		{"no credentials", mail.Config{}, 502},
	} {
		err := newSender(t, srv, tt.cfg).Send(context.Background(), e)
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != tt.code {
			t.Errorf("%s: %v, want SMTP %d", tt.name, err, tt.code)
		}
		if mail.IsPermanent(err) {
			t.Errorf("%s: a refusal by the server is retried, not permanent", tt.name)
		}
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("%d deliveries after the refusals, want 1", n)
	}
}

func TestSendStartTLS(t *testing.T) {
	serverTLS, clientTLS := mailtest.TLSConfigs(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Username: "mailer", Password: "pw"})
	e := sampleEmail(t, "zh")
	s := newSender(t, srv, mail.Config{TLS: mail.StartTLS, TLSConfig: clientTLS, Username: "mailer", Password: "pw"})
	if err := s.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	d := srv.Deliveries()
	if len(d) != 1 || !d[0].TLS || d[0].User != "mailer" {
		t.Fatalf("deliveries %+v, want one over TLS by mailer", d)
	}
	checkDelivery(t, d[0], e)

	// A certificate the sender does not trust stops it before any secret
	// is sent.
	if err := newSender(t, srv, mail.Config{TLS: mail.StartTLS, Username: "mailer", Password: "pw"}).Send(context.Background(), e); err == nil {
		t.Error("sent to a server with an untrusted certificate")
	}
	// A server that offers no STARTTLS is refused in StartTLS mode.
	plain := mailtest.Start(t, mailtest.Options{})
	err := newSender(t, plain, mail.Config{TLS: mail.StartTLS, TLSConfig: clientTLS}).Send(context.Background(), e)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("server without STARTTLS: %v", err)
	}
	if n := len(plain.Deliveries()); n != 0 {
		t.Errorf("%d deliveries in clear text, want 0", n)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := mailtest.TLSConfigs(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, ImplicitTLS: true, Username: "mailer", Password: "pw"})
	e := sampleEmail(t, "en")
	e.Subject = "你的问题 in English mail"
	if err := newSender(t, srv, mail.Config{TLS: mail.ImplicitTLS, TLSConfig: clientTLS, Username: "mailer", Password: "pw"}).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	d := srv.Deliveries()
	if len(d) != 1 || !d[0].TLS {
		t.Fatalf("deliveries %+v, want one over TLS", d)
	}
	checkDelivery(t, d[0], e)
}

func TestSendFailures(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSender(t, srv, mail.Config{})
	e := sampleEmail(t, "zh")

	srv.Reject(mailtest.Transient)
	err := s.Send(context.Background(), e)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 451 || mail.IsPermanent(err) {
		t.Errorf("rejected: %v, want a 451 to retry", err)
	}
	srv.Reject(nil)

	srv.Stop()
	if err := s.Send(context.Background(), e); err == nil || mail.IsPermanent(err) {
		t.Errorf("server down: %v, want an error to retry", err)
	}
	srv.Restart(t)
	if err := s.Send(context.Background(), e); err != nil {
		t.Errorf("server back: %v", err)
	}

	bad := *e
	bad.To = "nobody"
	if err := s.Send(context.Background(), &bad); !mail.IsPermanent(err) {
		t.Errorf("bad address: %v, want a permanent error", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, e); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
}

// A server that accepts the connection and never answers cannot hold the
// sender past its timeout.
func TestSendTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, err := mail.NewSender(mail.Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "noreply@talentloop.example",
		TLS: mail.NoTLS, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), sampleEmail(t, "zh")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent server: %v, want a deadline error", err)
	}
}

func TestNewSender(t *testing.T) {
	ok := mail.Config{Host: "smtp.example.com", From: "noreply@talentloop.example"}
	for _, tt := range []struct {
		name string
		edit func(c *mail.Config)
	}{
		{"no host", func(c *mail.Config) { c.Host = "" }},
		{"bad from", func(c *mail.Config) { c.From = "talentloop" }},
		{"bad TLS mode", func(c *mail.Config) { c.TLS = "ssl" }},
		{"bad port", func(c *mail.Config) { c.Port = 70000 }},
		{"user without password", func(c *mail.Config) { c.Username = "u" }},
	} {
		c := ok
		tt.edit(&c)
		if _, err := mail.NewSender(c); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	s, err := mail.NewSender(ok)
	if err != nil {
		t.Fatal(err)
	}
	if s.From().Address != "noreply@talentloop.example" {
		t.Errorf("from = %v", s.From())
	}
	if _, err := mail.ParseTLSMode("tls"); err != nil {
		t.Error(err)
	}
}
