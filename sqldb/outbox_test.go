package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

// outboxRow is a row of the outbox as stored, read behind the store's back.
type outboxRow struct {
	status       string
	attempts     int
	lastError    string
	nextAttempt  time.Time
	lockedUntil  sql.NullTime
	sentAt       sql.NullTime
	notification sql.NullInt64
}

// outboxRawDB opens a second, plain connection to the test database.
func outboxRawDB(t *testing.T, db *sqldb.DB) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+db.DSN
	if db.Dialect == sqldb.Postgres {
		driver, dsn = "pgx", db.DSN
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func readOutbox(t *testing.T, db *sqldb.DB, id int64) outboxRow {
	t.Helper()
	q := `SELECT status, attempts, last_error, next_attempt_at, locked_until, sent_at, notification_id FROM outbox WHERE id = ?`
	if db.Dialect == sqldb.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var r outboxRow
	if err := outboxRawDB(t, db).QueryRow(q, id).Scan(&r.status, &r.attempts, &r.lastError, &r.nextAttempt, &r.lockedUntil, &r.sentAt, &r.notification); err != nil {
		t.Fatalf("read outbox %d: %v", id, err)
	}
	return r
}

// outboxClock is a settable DB.Now for tests that move time.
type outboxClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *outboxClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *outboxClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func setOutboxClock(db *sqldb.DB) *outboxClock {
	c := &outboxClock{t: time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC)}
	db.Now = c.now
	return c
}

func enqueueOutbox(t *testing.T, db *sqldb.DB, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		id, err := db.EnqueueMail(context.Background(), fmt.Sprintf("learner%d@example.com", i), "zh", talentloop.NotifyReview,
			map[string]string{"project": fmt.Sprintf("项目 %d", i), "result": talentloop.ReviewPassed, "link": "/submissions/1"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func outboxIDs(msgs []*talentloop.OutboxMessage) []int64 {
	var out []int64
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestOutboxEnqueue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := setOutboxClock(db)
		params := map[string]string{"question": "怎么配置 \"路由\"？", "course": "前端工程", "link": "/questions/7"}
		id, err := db.EnqueueMail(ctx, " li.lei@example.com ", "en", talentloop.NotifyAnswer, params)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := db.ClaimOutbox(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Fatalf("claimed %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.ID != id || m.To != "li.lei@example.com" || m.Lang != "en" || m.Kind != talentloop.NotifyAnswer || m.Attempts != 1 {
			t.Errorf("claimed %+v", m)
		}
		for k, v := range params {
			if m.Params[k] != v {
				t.Errorf("params[%q] = %q, want %q", k, m.Params[k], v)
			}
		}
		if !m.CreatedAt.Equal(c.now().Truncate(time.Microsecond)) {
			t.Errorf("created_at = %v, want %v", m.CreatedAt, c.now())
		}
		if r := readOutbox(t, db, id); r.notification.Valid {
			t.Errorf("notification_id = %d, want NULL", r.notification.Int64)
		}

		_, err = db.EnqueueMail(ctx, "not an address", "fr", "gossip", nil)
		e, ok := err.(*talentloop.Error)
		if !ok || e.Code != talentloop.EINVALID {
			t.Fatalf("bad mail: %v, want invalid", err)
		}
		for _, f := range []string{"to", "lang", "kind"} {
			if e.Fields[f] == "" {
				t.Errorf("no error for field %s: %v", f, e.Fields)
			}
		}
		if _, err := db.EnqueueMail(ctx, "a@example.com\r\nBcc: b@example.com", "zh", talentloop.NotifyReview, nil); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("address with a header in it: %v, want invalid", err)
		}
		counts, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"pending": 0, "sending": 1, "sent": 0, "failed": 0}; fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("counts = %v, want %v", counts, want)
		}
	})
}

func TestOutboxClaimLeasesOldestFirst(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := setOutboxClock(db)
		all := enqueueOutbox(t, db, 5)
		first, err := db.ClaimOutbox(ctx, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(outboxIDs(first)), fmt.Sprint(all[:3]); got != want {
			t.Errorf("first claim = %s, want %s", got, want)
		}
		second, err := db.ClaimOutbox(ctx, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(outboxIDs(second)), fmt.Sprint(all[3:]); got != want {
			t.Errorf("second claim = %s, want %s", got, want)
		}
		if more, _ := db.ClaimOutbox(ctx, 3, time.Minute); len(more) != 0 {
			t.Errorf("third claim took leased messages %v", outboxIDs(more))
		}
		r := readOutbox(t, db, all[0])
		if r.status != "sending" || r.attempts != 1 || !r.lockedUntil.Valid || !r.lockedUntil.Time.Equal(c.now().Add(time.Minute).Truncate(time.Microsecond)) {
			t.Errorf("claimed row = %+v, want sending, 1 attempt, leased a minute", r)
		}
	})
}

// Several servers claiming at once never get the same message.
func TestOutboxConcurrentClaimsAreExclusive(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const messages = 60
		enqueueOutbox(t, db, messages)
		// A second handle is a second app server.
		servers := []*sqldb.DB{db, sqldbtest.OpenDSN(t, db.DSN)}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					msgs, err := servers[w%2].ClaimOutbox(ctx, 4, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != messages {
			t.Errorf("claimed %d distinct messages, want %d", len(seen), messages)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("message %d claimed %d times", id, n)
			}
		}
	})
}

// A sender that dies leaves its lease to lapse; the message is then due again.
func TestOutboxLeaseExpiry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := setOutboxClock(db)
		id := enqueueOutbox(t, db, 1)[0]
		if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 1 {
			t.Fatalf("claimed %d, want 1", len(msgs))
		}
		c.add(59 * time.Second)
		if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 0 {
			t.Fatalf("claimed %v within the lease", outboxIDs(msgs))
		}
		c.add(2 * time.Second)
		msgs, err := db.ClaimOutbox(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].ID != id || msgs[0].Attempts != 2 {
			t.Fatalf("after the lease lapsed claimed %+v, want message %d at attempt 2", msgs, id)
		}
	})
}

func TestOutboxRetryBackoffAndGiveUp(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := setOutboxClock(db)
		id := enqueueOutbox(t, db, 1)[0]
		const maxAttempts = 3
		for attempt := 1; attempt <= maxAttempts; attempt++ {
			msgs, err := db.ClaimOutbox(ctx, 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || msgs[0].Attempts != attempt {
				t.Fatalf("attempt %d: claimed %+v", attempt, msgs)
			}
			backoff := time.Duration(attempt) * 10 * time.Minute
			// The reason is an SMTP reply: any bytes at all.
			reason := fmt.Sprintf("451 4.3.0 try again \xff\x00 (%d)", attempt)
			if err := db.MarkOutboxFailed(ctx, id, reason, c.now().Add(backoff), maxAttempts); err != nil {
				t.Fatal(err)
			}
			r := readOutbox(t, db, id)
			if !strings.Contains(r.lastError, fmt.Sprintf("try again \uFFFD (%d)", attempt)) {
				t.Errorf("last_error = %q", r.lastError)
			}
			if attempt == maxAttempts {
				if r.status != "failed" {
					t.Fatalf("after %d attempts status = %q, want failed", attempt, r.status)
				}
				break
			}
			if r.status != "pending" || r.lockedUntil.Valid {
				t.Fatalf("after attempt %d: %+v, want pending without lease", attempt, r)
			}
			// Not before the retry time, even though the lease would have lapsed.
			c.add(backoff - time.Second)
			if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 0 {
				t.Fatalf("attempt %d: retried %v before the backoff ended", attempt, outboxIDs(msgs))
			}
			c.add(time.Second)
		}
		c.add(365 * 24 * time.Hour)
		if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 0 {
			t.Fatalf("a given-up message was claimed again: %v", outboxIDs(msgs))
		}
		if err := db.MarkOutboxFailed(ctx, id, "again", c.now(), maxAttempts); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("failing a given-up message: %v, want conflict", err)
		}
		if err := db.MarkOutboxFailed(ctx, id+1000, "x", c.now(), maxAttempts); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("failing an unknown message: %v, want not found", err)
		}
		counts, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["failed"] != 1 || counts["pending"] != 0 || counts["sending"] != 0 {
			t.Errorf("counts = %v, want 1 failed", counts)
		}

		// maxAttempts 0 gives up at the first failure.
		id2 := enqueueOutbox(t, db, 1)[0]
		if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 1 || msgs[0].ID != id2 {
			t.Fatalf("claimed %v, want [%d]", msgs, id2)
		}
		if err := db.MarkOutboxFailed(ctx, id2, "cannot render", c.now(), 0); err != nil {
			t.Fatal(err)
		}
		if r := readOutbox(t, db, id2); r.status != "failed" {
			t.Errorf("status after a permanent fault = %q, want failed", r.status)
		}
	})
}

func TestOutboxSent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := setOutboxClock(db)
		all := enqueueOutbox(t, db, 2)
		if msgs, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(msgs) != 2 {
			t.Fatalf("claimed %d, want 2", len(msgs))
		}
		c.add(time.Second)
		if err := db.MarkOutboxSent(ctx, all[0]); err != nil {
			t.Fatal(err)
		}
		r := readOutbox(t, db, all[0])
		if r.status != "sent" || !r.sentAt.Valid || !r.sentAt.Time.Equal(c.now().Truncate(time.Microsecond)) || r.lockedUntil.Valid {
			t.Errorf("sent row = %+v", r)
		}
		// Marking twice is harmless and keeps the first time.
		c.add(time.Second)
		if err := db.MarkOutboxSent(ctx, all[0]); err != nil {
			t.Errorf("second MarkOutboxSent: %v", err)
		}
		if r2 := readOutbox(t, db, all[0]); !r2.sentAt.Time.Equal(r.sentAt.Time) {
			t.Errorf("sent_at moved from %v to %v", r.sentAt.Time, r2.sentAt.Time)
		}
		if err := db.MarkOutboxFailed(ctx, all[0], "late failure", c.now(), 5); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("failing a sent message: %v, want conflict", err)
		}
		if err := db.MarkOutboxSent(ctx, all[1]+1000); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("sending an unknown message: %v, want not found", err)
		}
		// Only the unsent message comes back when the leases lapse.
		c.add(time.Hour)
		msgs, err := db.ClaimOutbox(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(outboxIDs(msgs)), fmt.Sprint(all[1:]); got != want {
			t.Errorf("claim after lapse = %s, want %s", got, want)
		}
		counts, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["sent"] != 1 || counts["sending"] != 1 {
			t.Errorf("counts = %v, want 1 sent and 1 sending", counts)
		}
	})
}

// A row whose params no sender can read is given up at claim time instead
// of blocking the queue.
func TestOutboxUnreadableParams(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		good := enqueueOutbox(t, db, 2)
		q := `UPDATE outbox SET params_json = 'not json' WHERE id = ?`
		if db.Dialect == sqldb.Postgres {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := outboxRawDB(t, db).Exec(q, good[0]); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.ClaimOutbox(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(outboxIDs(msgs)), fmt.Sprint(good[1:]); got != want {
			t.Errorf("claimed %s, want %s", got, want)
		}
		r := readOutbox(t, db, good[0])
		if r.status != "failed" || !strings.Contains(r.lastError, "params_json") {
			t.Errorf("bad row = %+v, want failed naming params_json", r)
		}
	})
}
