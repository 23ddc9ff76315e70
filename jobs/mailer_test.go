package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"talentloop"
	"talentloop/jobs"
	tlmail "talentloop/mail"
	"talentloop/mail/mailtest"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

const baseURL = "https://talentloop.example"

// fast are options for tests: short waits, so that polling ends soon.
func fast() jobs.MailerOptions {
	return jobs.MailerOptions{Interval: 5 * time.Millisecond, BatchSize: 3, SendTimeout: 5 * time.Second, Lease: time.Minute,
		MaxAttempts: 5, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond}
}

func logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func sender(t *testing.T, srv *mailtest.Server) *tlmail.Sender {
	t.Helper()
	s, err := tlmail.NewSender(tlmail.Config{Host: srv.Host, Port: srv.Port, TLS: tlmail.NoTLS, Username: "mailer", Password: "pw",
		From: "talentloop <noreply@talentloop.example>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startServer(t *testing.T) *mailtest.Server {
	return mailtest.Start(t, mailtest.Options{Username: "mailer", Password: "pw"})
}

func enqueueReview(t *testing.T, db *sqldb.DB, to, lang string) int64 {
	t.Helper()
	id, err := db.EnqueueMail(context.Background(), to, lang, talentloop.NotifyReview, map[string]string{
		"name": "李雷", "project": "电商首页重构", "project_en": "Rebuild a shop's home page", "result": talentloop.ReviewPassed,
		"total": "21", "max": "24", "link": "/submissions/31"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type row struct {
	status    string
	attempts  int
	lastError string
}

func readRow(t *testing.T, db *sqldb.DB, id int64) row {
	t.Helper()
	driver, dsn, q := "sqlite", "file:"+db.DSN, `SELECT status, attempts, last_error FROM outbox WHERE id = ?`
	if db.Dialect == sqldb.Postgres {
		driver, dsn, q = "pgx", db.DSN, strings.Replace(q, "?", "$1", 1)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var r row
	if err := raw.QueryRow(q, id).Scan(&r.status, &r.attempts, &r.lastError); err != nil {
		t.Fatal(err)
	}
	return r
}

func counts(t *testing.T, db *sqldb.DB) map[string]int {
	t.Helper()
	c, err := db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// until calls step until it reports true, failing the test after a
// generous deadline. It waits for completion; it does not measure time.
func until(t *testing.T, what string, step func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !step() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func header(t *testing.T, d mailtest.Delivery) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(d.Data))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header
}

// text returns the decoded plain-text part of a delivered message.
func text(t *testing.T, d mailtest.Delivery) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(d.Data))
	if err != nil {
		t.Fatal(err)
	}
	_, ps, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, ps["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(quotedprintable.NewReader(part))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

func subject(t *testing.T, d mailtest.Delivery) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(header(t, d).Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMailerSends(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		zh := enqueueReview(t, db, "li.lei@example.com", "zh")
		en := enqueueReview(t, db, "han.meimei@example.com", "en")
		m := jobs.NewMailer(db, sender(t, srv), baseURL, logger(t), fast())
		sent, failed, err := m.RunOnce(ctx)
		if err != nil || sent != 2 || failed != 0 {
			t.Fatalf("RunOnce = %d sent, %d failed, %v; want 2, 0", sent, failed, err)
		}
		d := srv.Deliveries()
		if len(d) != 2 {
			t.Fatalf("%d deliveries, want 2", len(d))
		}
		wantSubject := map[string]string{"li.lei@example.com": "你的实战项目「电商首页重构」已通过评审",
			"han.meimei@example.com": "Your project “Rebuild a shop's home page” passed review"}
		wantID := map[string]int64{"li.lei@example.com": zh, "han.meimei@example.com": en}
		for _, got := range d {
			if len(got.To) != 1 || got.User != "mailer" {
				t.Fatalf("delivery to %v by %q", got.To, got.User)
			}
			to := got.To[0]
			h := header(t, got)
			if s := subject(t, got); s != wantSubject[to] {
				t.Errorf("subject to %s = %q, want %q", to, s, wantSubject[to])
			}
			if prefix := fmt.Sprintf("<outbox.%d.", wantID[to]); !strings.HasPrefix(h.Get("Message-ID"), prefix) {
				t.Errorf("Message-ID %q, want it to start %q", h.Get("Message-ID"), prefix)
			}
			if !strings.Contains(text(t, got), "\n"+baseURL+"/submissions/31\r\n") {
				t.Errorf("mail to %s has no link", to)
			}
		}
		if r := readRow(t, db, zh); r.status != "sent" || r.attempts != 1 {
			t.Errorf("row after sending = %+v", r)
		}
		// Nothing is sent twice.
		if sent, failed, err := m.RunOnce(ctx); sent+failed != 0 || err != nil {
			t.Errorf("second RunOnce = %d, %d, %v; want nothing to do", sent, failed, err)
		}
		if c := counts(t, db); c["sent"] != 2 || c["pending"]+c["sending"]+c["failed"] != 0 {
			t.Errorf("counts = %v", c)
		}
	})
}

// Two app servers run a Mailer each on one database; every message is
// delivered exactly once.
func TestTwoMailersDeliverEachMessageOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		srv := startServer(t)
		const n = 40
		ids := map[int64]bool{}
		for i := range n {
			lang := []string{"zh", "en"}[i%2]
			ids[enqueueReview(t, db, fmt.Sprintf("learner%02d@example.com", i), lang)] = true
		}
		other := sqldbtest.OpenDSN(t, db.DSN)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, store := range []*sqldb.DB{db, other} {
			m := jobs.NewMailer(store, sender(t, srv), baseURL, logger(t), fast())
			wg.Go(func() {
				if err := m.Run(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		until(t, "every message is sent", func() bool { return counts(t, db)["sent"] == n })
		cancel()
		wg.Wait()

		seen := map[string]int{}
		for _, d := range srv.Deliveries() {
			seen[header(t, d).Get("Message-ID")]++
			seen[d.To[0]]++
		}
		if len(srv.Deliveries()) != n {
			t.Errorf("%d deliveries, want %d", len(srv.Deliveries()), n)
		}
		for key, k := range seen {
			if k != 1 {
				t.Errorf("%s delivered %d times", key, k)
			}
		}
		for id := range ids {
			if r := readRow(t, db, id); r.status != "sent" || r.attempts != 1 {
				t.Errorf("outbox %d = %+v, want sent at the first attempt", id, r)
			}
		}
	})
}

// A rejecting or unreachable mail server leaves the message pending; it is
// retried after a backoff and delivered once the server is back.
func TestMailerRetriesUntilServerIsBack(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		id := enqueueReview(t, db, "li.lei@example.com", "zh")
		m := jobs.NewMailer(db, sender(t, srv), baseURL, logger(t), fast())

		srv.Reject(mailtest.Transient)
		if sent, failed, err := m.RunOnce(ctx); sent != 0 || failed != 1 || err != nil {
			t.Fatalf("rejected: RunOnce = %d, %d, %v; want 0 sent, 1 failed", sent, failed, err)
		}
		if r := readRow(t, db, id); r.status != "pending" || r.attempts != 1 || !strings.Contains(r.lastError, "451") {
			t.Fatalf("after a rejection: %+v, want pending with the 451 reply", r)
		}

		srv.Reject(nil)
		srv.Stop()
		until(t, "the retry after the backoff", func() bool {
			sent, failed, err := m.RunOnce(ctx)
			if err != nil || sent != 0 {
				t.Fatalf("server down: RunOnce = %d, %d, %v", sent, failed, err)
			}
			return failed == 1
		})
		if r := readRow(t, db, id); r.status != "pending" || r.attempts != 2 || strings.Contains(r.lastError, "451") {
			t.Fatalf("after the server went down: %+v, want pending at attempt 2 with a connection error", r)
		}

		srv.Restart(t)
		until(t, "the message is delivered", func() bool {
			sent, _, err := m.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return sent == 1
		})
		if d := srv.Deliveries(); len(d) != 1 || d[0].To[0] != "li.lei@example.com" {
			t.Fatalf("deliveries %+v, want one", d)
		}
		if r := readRow(t, db, id); r.status != "sent" || r.attempts != 3 {
			t.Errorf("row = %+v, want sent at attempt 3", r)
		}
	})
}

func TestMailerGivesUpAfterMaxAttempts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		srv.Reject(mailtest.Transient)
		id := enqueueReview(t, db, "li.lei@example.com", "zh")
		opts := fast()
		opts.MaxAttempts = 3
		m := jobs.NewMailer(db, sender(t, srv), baseURL, logger(t), opts)
		until(t, "the message is given up", func() bool {
			if _, _, err := m.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			return counts(t, db)["failed"] == 1
		})
		if r := readRow(t, db, id); r.status != "failed" || r.attempts != 3 || !strings.Contains(r.lastError, "451") {
			t.Errorf("row = %+v, want failed after 3 attempts with the reply", r)
		}
		// Given up means given up, even once the server accepts again.
		srv.Reject(nil)
		if sent, failed, err := m.RunOnce(ctx); sent+failed != 0 || err != nil {
			t.Errorf("RunOnce after giving up = %d, %d, %v", sent, failed, err)
		}
		if n := len(srv.Deliveries()); n != 0 {
			t.Errorf("%d deliveries, want 0", n)
		}
	})
}

// panicky is a sender with a bug that shows for one recipient.
type panicky struct{ jobs.MessageSender }

func (p panicky) Send(ctx context.Context, e *tlmail.Email) error {
	if e.To == "bug@example.com" {
		var m map[string]int
		m["boom"]++
	}
	return p.MessageSender.Send(ctx, e)
}

// Bad rows are given up with a reason; they neither stop the Mailer nor
// hold up the good ones.
func TestMailerBadRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		noProject, err := db.EnqueueMail(ctx, "li.lei@example.com", "zh", talentloop.NotifyReview, map[string]string{"result": "passed", "link": "/s/1"})
		if err != nil {
			t.Fatal(err)
		}
		badLink, err := db.EnqueueMail(ctx, "li.lei@example.com", "en", talentloop.NotifyAnswer, map[string]string{"question": "Q", "link": "https://evil.example/"})
		if err != nil {
			t.Fatal(err)
		}
		bug := enqueueReview(t, db, "bug@example.com", "zh")
		good := enqueueReview(t, db, "han.meimei@example.com", "zh")
		m := jobs.NewMailer(db, panicky{sender(t, srv)}, baseURL, logger(t), jobs.MailerOptions{BatchSize: 10})
		sent, failed, err := m.RunOnce(ctx)
		if err != nil || sent != 1 || failed != 3 {
			t.Fatalf("RunOnce = %d sent, %d failed, %v; want 1, 3", sent, failed, err)
		}
		for id, want := range map[int64]string{noProject: `"project" is missing`, badLink: "site path", bug: "panic"} {
			if r := readRow(t, db, id); r.status != "failed" || r.attempts != 1 || !strings.Contains(r.lastError, want) {
				t.Errorf("outbox %d = %+v, want failed at once, mentioning %q", id, r, want)
			}
		}
		if r := readRow(t, db, good); r.status != "sent" {
			t.Errorf("good row = %+v", r)
		}
		if d := srv.Deliveries(); len(d) != 1 || d[0].To[0] != "han.meimei@example.com" {
			t.Errorf("deliveries %+v", d)
		}
	})
}

// A Mailer that died holding messages leaves them to another when its lease
// lapses.
func TestMailerTakesOverLapsedLeases(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		id := enqueueReview(t, db, "li.lei@example.com", "zh")
		// The dead server's claim.
		if msgs, err := db.ClaimOutbox(ctx, 10, 20*time.Millisecond); err != nil || len(msgs) != 1 {
			t.Fatalf("claim = %v, %v", msgs, err)
		}
		m := jobs.NewMailer(db, sender(t, srv), baseURL, logger(t), fast())
		until(t, "the lapsed message is sent", func() bool {
			sent, _, err := m.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return sent == 1
		})
		if r := readRow(t, db, id); r.status != "sent" || r.attempts != 2 {
			t.Errorf("row = %+v, want sent at attempt 2", r)
		}
		if n := len(srv.Deliveries()); n != 1 {
			t.Errorf("%d deliveries, want 1", n)
		}
	})
}

func TestMailerNeedsBaseURL(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	id := enqueueReview(t, db, "li.lei@example.com", "zh")
	for _, base := range []string{"", "talentloop.example", "ftp://talentloop.example"} {
		m := jobs.NewMailer(db, nil, base, nil, jobs.MailerOptions{})
		if err := m.Run(context.Background()); err == nil {
			t.Errorf("Run with base URL %q started", base)
		}
		if _, _, err := m.RunOnce(context.Background()); err == nil {
			t.Errorf("RunOnce with base URL %q ran", base)
		}
	}
	// The message waits for a configured Mailer instead of being given up.
	if r := readRow(t, db, id); r.status != "pending" || r.attempts != 0 {
		t.Errorf("row = %+v, want untouched", r)
	}
}

func TestBackoff(t *testing.T) {
	m := jobs.NewMailer(nil, nil, baseURL, nil, jobs.MailerOptions{RetryBase: time.Minute, RetryMax: time.Hour})
	for attempt := 1; attempt <= 12; attempt++ {
		full := min(time.Minute<<(attempt-1), time.Hour)
		for range 50 {
			if d := m.Backoff(attempt); d < full/2 || d > full {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
	o := jobs.NewMailer(nil, nil, baseURL, nil, jobs.MailerOptions{SendTimeout: 2 * time.Minute}).Options()
	if o.Lease < 4*o.SendTimeout || o.MaxAttempts != 10 || o.BatchSize != 20 {
		t.Errorf("defaults %+v", o)
	}
}

// An event of the learning loop queues its mail in its own transaction; the
// Mailer delivers it in the learner's language with the event's content.
func TestMailerDeliversAnEventsMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv := startServer(t)
		op := &talentloop.User{Email: "op@example.com", Name: "运营", Roles: []talentloop.Role{talentloop.RoleOperator}}
		ann := &talentloop.User{Email: "ann@example.com", Name: "Ann", Lang: "en"}
		for _, u := range []*talentloop.User{op, ann} {
			if err := db.CreateUser(ctx, u, "password-1234"); err != nil {
				t.Fatal(err)
			}
		}
		p := &talentloop.Program{Slug: "dub", Chain: "sound", Title: talentloop.Text{ZH: "影视配音", EN: "Film dubbing"}, PriceFen: 99900,
			Level: "beginner", DurationWeeks: 4, Status: talentloop.StatusPublished}
		if err := db.CreateProgram(ctx, op.ID, p); err != nil {
			t.Fatal(err)
		}
		e, _, err := db.Enrol(ctx, ann.ID, p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MarkOrderPaid(ctx, op.ID, e.Order.ID, "bank-123"); err != nil {
			t.Fatal(err)
		}
		m := jobs.NewMailer(db, sender(t, srv), baseURL, logger(t), fast())
		if _, _, err := m.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if c := counts(t, db); c["sent"] == 0 || c["failed"] != 0 || c["pending"] != 0 {
			t.Fatalf("outbox after the event = %v, want all sent", c)
		}
		var paid []mailtest.Delivery
		for _, d := range srv.Deliveries() {
			if strings.HasPrefix(subject(t, d), "Payment received") {
				paid = append(paid, d)
			}
		}
		if len(paid) != 1 || paid[0].To[0] != "ann@example.com" {
			t.Fatalf("payment mails %+v, want one to Ann", paid)
		}
		if s := subject(t, paid[0]); s != "Payment received: “Film dubbing”" {
			t.Errorf("subject = %q", s)
		}
		body := text(t, paid[0])
		if !strings.Contains(body, fmt.Sprintf("%s/programs/%d", baseURL, p.ID)) || !strings.Contains(body, "(CNY 999.00)") {
			t.Errorf("mail lacks the link or the amount:\n%s", body)
		}
	})
}
