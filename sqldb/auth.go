package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"talentloop"
)

// newToken returns a random URL-safe token with a prefix that names its kind.
func newToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the database keeps of a token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a browser session for a user.
func (db *DB) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, *talentloop.Session, error) {
	token := newToken("s_")
	s := &talentloop.Session{UserID: userID, CSRF: newToken(""), ExpiresAt: db.now().Add(ttl)}
	err := db.withTx(ctx, func(tx *Tx) error {
		// Expired sessions are swept here, on the write path that makes new ones.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, db.now()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash(token), userID, s.CSRF, db.now(), s.ExpiresAt)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// FindSession returns a live session and its user.
func (db *DB) FindSession(ctx context.Context, token string) (*talentloop.Session, *talentloop.User, error) {
	if !strings.HasPrefix(token, "s_") {
		return nil, nil, talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.login_required")
	}
	s := &talentloop.Session{}
	err := db.queryRow(ctx, `SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?`, tokenHash(token), db.now()).
		Scan(&s.UserID, &s.CSRF, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.login_required")
	} else if err != nil {
		return nil, nil, err
	}
	u, err := db.FindUserByID(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return s, u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token))
		return err
	})
}

// DeleteUserSessions ends every session of a user but one (after a password
// change, the other devices are signed out).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, exceptToken string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, tokenHash(exceptToken))
		return err
	})
}

// CreateAPIToken makes a bearer token; the token is returned only here.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *talentloop.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if len([]rune(name)) > 60 {
		return "", nil, talentloop.Invalid(map[string]string{"name": "err.too_long"})
	}
	token := newToken("tl_")
	t := &talentloop.APIToken{Name: name, Prefix: token[:9], CreatedAt: db.now()}
	err := db.withTx(ctx, func(tx *Tx) error {
		id, err := tx.insert(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			userID, t.Name, t.Prefix, tokenHash(token), t.CreatedAt)
		t.ID = id
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// FindUserByAPIToken returns the owner of a live token.
func (db *DB) FindUserByAPIToken(ctx context.Context, token string) (*talentloop.User, error) {
	var id, userID int64
	var last sql.NullTime
	err := db.queryRow(ctx, `SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash(token)).Scan(&id, &userID, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.bad_token")
	} else if err != nil {
		return nil, err
	}
	// Record use at most once a minute, so reads stay reads.
	if now := db.now(); !last.Valid || now.Sub(last.Time) > time.Minute {
		_ = db.withTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
			return err
		})
	}
	return db.FindUserByID(ctx, userID)
}

// FindAPITokens lists a user's live tokens.
func (db *DB) FindAPITokens(ctx context.Context, userID int64) ([]*talentloop.APIToken, error) {
	rows, err := db.query(ctx, `SELECT id, name, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.APIToken
	for rows.Next() {
		t := &talentloop.APIToken{}
		var last sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &last); err != nil {
			return nil, err
		}
		if last.Valid {
			t.LastUsedAt = &last.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes one of the user's own tokens; another user's token
// is reported as not found.
func (db *DB) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		return tx.execOne(ctx, "err.token_not_found", `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, db.now(), tokenID, userID)
	})
}

// Hit counts an attempt in a fixed window shared by every app server.
func (db *DB) Hit(ctx context.Context, key string, window time.Duration, limit int) (bool, time.Duration, error) {
	now := db.now()
	var hits int
	var start time.Time
	err := db.withTx(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
				hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END,
				window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
			RETURNING hits, window_start`, key, now, now.Add(-window), now.Add(-window)).Scan(&hits, &start)
	})
	if err != nil {
		return false, 0, err
	}
	if hits > limit {
		return false, start.Add(window).Sub(now), nil
	}
	return true, 0, nil
}

// ResetHits forgets a key's attempts (after a successful login).
func (db *DB) ResetHits(ctx context.Context, key string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM rate_limits WHERE key = ?`, key)
		return err
	})
}

// ForgiveHit takes back one counted attempt (a login that succeeded).
func (db *DB) ForgiveHit(ctx context.Context, key string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0`, key)
		return err
	})
}
