package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"talentloop"
)

var _ talentloop.OutboxStore = (*DB)(nil)

// Outbox statuses. A message is "pending" until a sender claims it
// ("sending", leased until locked_until), then "sent", or back to "pending"
// with a later next_attempt_at after a failed attempt, or "failed" when it
// is given up.
const (
	outboxPending = "pending"
	outboxSending = "sending"
	outboxSent    = "sent"
	outboxFailed  = "failed"
)

// maxLastError bounds the stored reason of a failed attempt.
const maxLastError = 2000

// enqueueMail queues an email inside the transaction of the event it tells
// of, so that the mail is queued if and only if the event commits. to is the
// recipient's address, lang "zh" or "en", kind one of the talentloop.Notify*
// kinds and params the kind's parameters (see package mail; "link" is the
// site path the mail points to). notificationID links the in-app
// notification of the same event; 0 stores NULL.
//
// A mail must not undo its event: a language other than "en" is sent in
// Chinese, and an address the mail server cannot take is queued all the
// same, for the sender to give up with the reason where operators see it.
// Only an unknown kind, a programming error, fails.
func (tx *Tx) enqueueMail(ctx context.Context, to, lang, kind string, params map[string]string, notificationID int64) error {
	if lang != "en" {
		lang = "zh"
	}
	if err := validateOutbox(to, lang, kind, false); err != nil {
		return err
	}
	_, err := tx.insertOutbox(ctx, strings.TrimSpace(to), lang, kind, params, notificationID)
	return err
}

func (tx *Tx) insertOutbox(ctx context.Context, to, lang, kind string, params map[string]string, notificationID int64) (int64, error) {
	if params == nil {
		params = map[string]string{}
	}
	body, err := json.Marshal(params)
	if err != nil {
		return 0, err
	}
	var notification any
	if notificationID > 0 {
		notification = notificationID
	}
	now := tx.db.now()
	return tx.insert(ctx, `INSERT INTO outbox (notification_id, to_email, lang, kind, params_json, status, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`, notification, to, lang, kind, string(body), outboxPending, now, now)
}

// EnqueueMail queues one email in a transaction of its own and returns the
// outbox id: for operators' test mails and for tests. Events queue their
// mail with Tx.enqueueMail inside their own transaction instead.
func (db *DB) EnqueueMail(ctx context.Context, to, lang, kind string, params map[string]string) (id int64, err error) {
	defer wrapErr(&err, "EnqueueMail(%q, %q)", kind, to)
	to = strings.TrimSpace(to)
	if err := validateOutbox(to, lang, kind, true); err != nil {
		return 0, err
	}
	err = db.withTx(ctx, func(tx *Tx) error {
		id, err = tx.insertOutbox(ctx, to, lang, kind, params, 0)
		return err
	})
	return id, err
}

// validateOutbox checks a mail to be queued, its address only if checkTo.
func validateOutbox(to, lang, kind string, checkTo bool) error {
	f := map[string]string{}
	if a, err := mail.ParseAddress(to); checkTo && (err != nil || a.Address != to) {
		f["to"] = "err.email_invalid"
	}
	if lang != "zh" && lang != "en" {
		f["lang"] = "err.lang_invalid"
	}
	switch kind {
	case talentloop.NotifyReview, talentloop.NotifyAnswer, talentloop.NotifyOrderPaid, talentloop.NotifyCompletion, talentloop.NotifyQuestion, talentloop.NotifyCertificate,
		talentloop.NotifyRefund, talentloop.NotifyCertStatus:
	default:
		f["kind"] = "err.kind_invalid"
	}
	if len(f) > 0 {
		return talentloop.Invalid(f)
	}
	return nil
}

// ClaimOutbox leases up to limit due messages, oldest first: pending ones
// whose next attempt is due, and messages whose sender's lease lapsed
// (it crashed or hung). Each claimed message is marked "sending", leased
// until now+lease and counts one more attempt.
//
// The claim is one UPDATE whose WHERE repeats the due test, so a row that
// another server claimed between the inner SELECT and the UPDATE is left
// alone; on PostgreSQL the inner SELECT also skips rows locked by a
// concurrent claim (FOR UPDATE SKIP LOCKED) rather than waiting for them. On
// SQLite writers take turns, so the statement alone is atomic.
//
// The lease is measured with this server's clock (DB.Now), as are the
// leases of other servers: their clocks must agree to well within the
// lease.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) (_ []*talentloop.OutboxMessage, err error) {
	defer wrapErr(&err, "ClaimOutbox(%d, %s)", limit, lease)
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("lease must be positive")
	}
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now := db.now()
	due := `status IN ('pending', 'sending') AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)`
	// MATERIALIZED: the choice is made once. Inlined as the inner side of
	// a PostgreSQL nested loop it is rescanned per row, and a rescan skips
	// the rows this very statement just updated and picks later ones,
	// claiming more than limit.
	q := `WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE ` + due + ` ORDER BY id LIMIT ?` + lock + `)
		UPDATE outbox SET status = 'sending', locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM due) AND ` + due + `
		RETURNING id, to_email, lang, kind, params_json, attempts, created_at`
	var out []*talentloop.OutboxMessage
	err = db.withTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, now, now, limit, now.Add(lease), now, now)
		if err != nil {
			return err
		}
		type bad struct {
			id  int64
			err error
		}
		var bads []bad
		for rows.Next() {
			m := &talentloop.OutboxMessage{}
			var params string
			if err := rows.Scan(&m.ID, &m.To, &m.Lang, &m.Kind, &params, &m.Attempts, &m.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			m.CreatedAt = m.CreatedAt.UTC()
			if err := json.Unmarshal([]byte(params), &m.Params); err != nil {
				// A row no sender can read would otherwise come back after
				// every lease: give it up now, with the reason.
				bads = append(bads, bad{m.ID, err})
				continue
			}
			out = append(out, m)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, b := range bads {
			if _, err := tx.exec(ctx, `UPDATE outbox SET status = 'failed', locked_until = NULL, last_error = ? WHERE id = ?`,
				cleanReason("params_json: "+b.err.Error()), b.id); err != nil {
				return err
			}
			db.Logger.Error("outbox message has unreadable params: given up", "outbox_id", b.id, "err", b.err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// MarkOutboxSent records that the message was handed to the mail server.
// Marking a sent message again changes nothing.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64) (err error) {
	defer wrapErr(&err, "MarkOutboxSent(%d)", id)
	return db.withTx(ctx, func(tx *Tx) error {
		// A message given up ("failed") by a sender whose lease lapsed may
		// still have been delivered by another: the delivery is the truth.
		res, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, locked_until = NULL WHERE id = ? AND status <> 'sent'`, db.now(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		return tx.outboxExists(ctx, id)
	})
}

// MarkOutboxFailed records a failed attempt of a message being sent: the
// reason, and either a retry at retryAt ("pending") or, once the message's
// attempts reach maxAttempts, its end ("failed"). maxAttempts 0 gives up at
// once, for faults no retry can mend. A message not being sent (someone
// else's lease lapsed and it was sent meanwhile) is left as it is, with
// ECONFLICT.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, reason string, retryAt time.Time, maxAttempts int) (err error) {
	defer wrapErr(&err, "MarkOutboxFailed(%d)", id)
	return db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET last_error = ?, locked_until = NULL, next_attempt_at = ?,
			status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END
			WHERE id = ? AND status = 'sending'`,
			cleanReason(reason), retryAt.UTC().Truncate(time.Microsecond), maxAttempts, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		if err := tx.outboxExists(ctx, id); err != nil {
			return err
		}
		return talentloop.Errorf(talentloop.ECONFLICT, "err.outbox_not_sending")
	})
}

func (tx *Tx) outboxExists(ctx context.Context, id int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.outbox_not_found")
	}
	return nil
}

// OutboxCounts returns the number of messages by status; every status is
// present, with 0 when none.
func (db *DB) OutboxCounts(ctx context.Context) (_ map[string]int, err error) {
	defer wrapErr(&err, "OutboxCounts")
	counts := map[string]int{outboxPending: 0, outboxSending: 0, outboxSent: 0, outboxFailed: 0}
	rows, err := db.query(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		counts[status] = n
	}
	return counts, rows.Err()
}

// cleanReason makes an error text storable: valid UTF-8 without NUL bytes
// (PostgreSQL refuses both in TEXT), at most maxLastError bytes.
func cleanReason(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= maxLastError {
		return s
	}
	cut := maxLastError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
