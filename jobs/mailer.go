// Package jobs runs talentloop's background work against the same database
// as the web app, so that any number of app servers can run it side by side.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"talentloop"
	"talentloop/mail"
)

// MessageSender hands one email to a mail server; *mail.Sender is one. It
// returns nil once the server has accepted the message, and an error for
// which mail.IsPermanent is true when sending again cannot help.
type MessageSender interface {
	Send(ctx context.Context, e *mail.Email) error
}

// MailerOptions tune a Mailer; the zero value of each field takes its
// default.
type MailerOptions struct {
	Interval  time.Duration // between polls of an empty outbox; default 5s
	BatchSize int           // messages claimed at once; default 20
	// SendTimeout bounds one message's delivery; default 1m.
	SendTimeout time.Duration
	// Lease is how long a claimed message is the Mailer's alone; when it
	// lapses (the server died) another Mailer takes the message. Default
	// 5m, and at least 4 × SendTimeout: a message is only begun while
	// its whole SendTimeout fits in the first three quarters of the lease.
	Lease time.Duration
	// MaxAttempts is how many attempts a message gets before it is given
	// up; default 10.
	MaxAttempts int
	// Retries wait RetryBase·2^(attempt−1), at most RetryMax, less a random
	// part of up to half so that servers spread out; defaults 1m and 6h.
	// With the defaults, 10 attempts span about 4 to 8½ hours.
	RetryBase, RetryMax time.Duration
	// Now is the clock for retry times; default time.Now. It must agree
	// with the store's clock.
	Now func() time.Time
}

// Mailer sends the outbox: it claims due messages, renders them with
// package mail, sends them, and marks each sent, or failed to be retried
// with exponential backoff, or given up after MaxAttempts or at once when
// no retry can help (a message that cannot be rendered, a bad address).
//
// Delivery is at least once: a Mailer that crashes between the mail
// server's acceptance and marking the message sent leaves it to be sent
// again when its lease lapses. The repeat carries the same Message-ID
// (mail.OutboxRef), so receivers can recognise it.
type Mailer struct {
	store   talentloop.OutboxStore
	sender  MessageSender
	baseURL string
	logger  *slog.Logger
	opts    MailerOptions
}

// NewMailer returns a Mailer sending store's outbox through sender, with
// links to baseURL, the site's public URL ("https://talentloop.example").
func NewMailer(store talentloop.OutboxStore, sender MessageSender, baseURL string, logger *slog.Logger, opts MailerOptions) *Mailer {
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Second
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 20
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = time.Minute
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	opts.Lease = max(opts.Lease, 4*opts.SendTimeout)
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = time.Minute
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 6 * time.Hour
	}
	opts.RetryMax = max(opts.RetryMax, opts.RetryBase)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Mailer{store: store, sender: sender, baseURL: baseURL, logger: logger.With("job", "mailer"), opts: opts}
}

// Options returns the options in effect, defaults filled in.
func (m *Mailer) Options() MailerOptions { return m.opts }

// checkBaseURL refuses to start without a usable base URL: every mail
// would fail to render and be given up, where waiting keeps them.
func (m *Mailer) checkBaseURL() error {
	u, err := url.Parse(m.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("mailer: the base URL %q is not an absolute http(s) URL; mail links need it", m.baseURL)
	}
	return nil
}

// Run sends the outbox until ctx ends: a batch at a time, at once again
// while batches come back full, else after Interval. It returns nil when
// ctx ends and an error only when it cannot start. Failures of the store or
// the mail server are logged and retried.
func (m *Mailer) Run(ctx context.Context) error {
	if err := m.checkBaseURL(); err != nil {
		return err
	}
	m.logger.Info("mailer started", "interval", m.opts.Interval, "batch", m.opts.BatchSize, "max_attempts", m.opts.MaxAttempts)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			m.logger.Info("mailer stopped")
			return nil
		case <-timer.C:
		}
		claimed, sent, failed, err := m.runOnce(ctx)
		if err != nil && ctx.Err() == nil {
			m.logger.Error("mailer batch", "err", err)
		}
		if claimed > 0 {
			m.logger.Debug("mailer batch", "claimed", claimed, "sent", sent, "failed", failed)
		}
		wait := m.opts.Interval
		if claimed == m.opts.BatchSize && err == nil {
			wait = 0
		}
		timer.Reset(wait)
	}
}

// RunOnce claims one batch and works through it. It returns how many
// messages were sent and how many attempts failed (retried later or given
// up), and an error when the batch could not be claimed or a result could
// not be recorded.
func (m *Mailer) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if err := m.checkBaseURL(); err != nil {
		return 0, 0, err
	}
	_, sent, failed, err = m.runOnce(ctx)
	return sent, failed, err
}

func (m *Mailer) runOnce(ctx context.Context) (claimed, sent, failed int, err error) {
	// The lease starts no later than this.
	start := time.Now()
	msgs, err := m.store.ClaimOutbox(ctx, m.opts.BatchSize, m.opts.Lease)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("claim outbox: %w", err)
	}
	var errs []error
	for i, msg := range msgs {
		// A message begun late in the lease could still be sending when
		// the lease lapses and another Mailer takes it: leave the rest of
		// the batch to lapse and be claimed afresh.
		if time.Since(start)+m.opts.SendTimeout > m.opts.Lease*3/4 {
			m.logger.Warn("mailer batch outlived its lease; leaving the rest for later", "left", len(msgs)-i)
			break
		}
		if ctx.Err() != nil {
			break // the rest are claimed again when their lease lapses
		}
		ok, err := m.deliver(ctx, msg)
		if ok {
			sent++
		} else {
			failed++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return len(msgs), sent, failed, errors.Join(errs...)
}

// deliver renders and sends one message and records the outcome. It
// reports whether the message was sent, and an error when the outcome
// could not be recorded. A panic while rendering or sending gives the
// message up instead of stopping the Mailer.
func (m *Mailer) deliver(ctx context.Context, msg *talentloop.OutboxMessage) (sent bool, err error) {
	log := m.logger.With("outbox_id", msg.ID, "kind", msg.Kind, "attempt", msg.Attempts)
	defer func() {
		if r := recover(); r != nil {
			log.Error("mailer panic", "panic", r, "stack", string(debug.Stack()))
			sent, err = false, m.fail(msg, fmt.Sprintf("panic: %v", r), false)
		}
	}()
	if reservedDomain(msg.To) {
		// Addresses under the reserved test TLDs (RFC 2606: the demo data's
		// @demo.test) reach no one: give them up without a connection.
		log.Info("mail to a reserved domain: not sent")
		return false, m.fail(msg, "reserved domain: not sent", false)
	}
	rendered, err := mail.Render(msg.Kind, msg.Lang, msg.Params, m.baseURL)
	if err != nil {
		log.Error("mail cannot be rendered: given up", "err", err)
		return false, m.fail(msg, err.Error(), false)
	}
	e := &mail.Email{To: msg.To, Lang: msg.Lang, Ref: mail.OutboxRef(msg.ID, msg.CreatedAt), Date: m.opts.Now(), Message: *rendered}
	sendCtx, cancel := context.WithTimeout(ctx, m.opts.SendTimeout)
	err = m.sender.Send(sendCtx, e)
	cancel()
	if err != nil {
		retry := !mail.IsPermanent(err) && msg.Attempts < m.opts.MaxAttempts
		if retry {
			log.Warn("mail not sent; will retry", "err", err)
		} else {
			log.Error("mail not sent: given up", "err", err)
		}
		return false, m.fail(msg, err.Error(), retry)
	}
	// Record the delivery even when ctx has just ended: a message sent but
	// not marked would be sent again.
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := m.store.MarkOutboxSent(markCtx, msg.ID); err != nil {
		return true, fmt.Errorf("outbox %d was sent but not marked: %w", msg.ID, err)
	}
	log.Info("mail sent", "to_domain", domainOf(msg.To))
	return true, nil
}

// fail records a failed attempt, to be retried after a backoff or, when
// retry is false, given up now.
func (m *Mailer) fail(msg *talentloop.OutboxMessage, reason string, retry bool) error {
	maxAttempts := 0 // gives up now
	if retry {
		maxAttempts = m.opts.MaxAttempts
	}
	retryAt := m.opts.Now().Add(m.Backoff(msg.Attempts))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.store.MarkOutboxFailed(ctx, msg.ID, reason, retryAt, maxAttempts); err != nil {
		return fmt.Errorf("outbox %d failed but was not marked: %w", msg.ID, err)
	}
	return nil
}

// Backoff is the wait before the attempt after the given one:
// RetryBase·2^(attempt−1), at most RetryMax, less a random part of up to
// half.
func (m *Mailer) Backoff(attempt int) time.Duration {
	d := m.opts.RetryBase
	for i := 1; i < attempt && d < m.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, m.opts.RetryMax)
	return d - rand.N(d/2+1)
}

// domainOf returns the domain of an address, which is enough to tell
// mail providers apart in logs without writing people's addresses there.
func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return ""
}

// reservedDomain reports whether an address is under a top-level domain
// that RFC 2606 reserves for tests and examples.
func reservedDomain(addr string) bool {
	d := strings.ToLower(domainOf(addr))
	for _, tld := range []string{".test", ".example", ".invalid", ".localhost"} {
		if strings.HasSuffix(d, tld) {
			return true
		}
	}
	return false
}
