package sqldb

import (
	"context"
	"encoding/json"

	"talentloop"
)

// notify records an in-app notification and queues its email in the same
// transaction as the event, so the message exists exactly when the event
// does.
func (tx *Tx) notify(ctx context.Context, userID int64, kind string, params map[string]string, link string) error {
	var email, lang string
	if err := tx.queryRow(ctx, `SELECT email, lang FROM users WHERE id = ?`, userID).Scan(&email, &lang); err != nil {
		return err
	}
	raw, _ := json.Marshal(params)
	now := tx.db.now()
	id, err := tx.insert(ctx, `INSERT INTO notifications (user_id, kind, params_json, link, created_at) VALUES (?, ?, ?, ?, ?)`, userID, kind, string(raw), link, now)
	if err != nil {
		return err
	}
	mailParams := map[string]string{"link": link}
	for k, v := range params {
		mailParams[k] = v
	}
	return tx.enqueueMail(ctx, email, lang, kind, mailParams, id)
}

// FindNotifications returns a user's newest notifications and the unread count.
func (db *DB) FindNotifications(ctx context.Context, userID int64, limit int) ([]*talentloop.Notification, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := db.query(ctx, `SELECT id, kind, params_json, link, read_at IS NOT NULL, created_at FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*talentloop.Notification
	for rows.Next() {
		n := &talentloop.Notification{}
		var params string
		if err := rows.Scan(&n.ID, &n.Kind, &params, &n.Link, &n.Read, &n.CreatedAt); err != nil {
			return nil, 0, err
		}
		json.Unmarshal([]byte(params), &n.Params)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	unread, err := db.UnreadCount(ctx, userID)
	return out, unread, err
}

// UnreadCount counts a user's unread notifications.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkNotificationsRead marks every notification of a user read.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, db.now(), userID)
		return err
	})
}
