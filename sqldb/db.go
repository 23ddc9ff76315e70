// Package sqldb implements talentloop's services on SQLite (modernc.org/sqlite,
// no cgo) and PostgreSQL (pgx). The SQL is written by hand in the subset both
// databases share; the Dialect covers the rest.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
	"talentloop"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Dialect says which database a DB talks to.
type Dialect int

// The supported databases.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is a connection to the database with a single-writer pool and a read
// pool (the same pool on PostgreSQL, which handles concurrent writers).
type DB struct {
	write   *sql.DB
	read    *sql.DB
	Dialect Dialect
	DSN     string
	Logger  *slog.Logger

	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Argon2 parameters for new password hashes.
	PasswordMemoryKiB uint32
	PasswordTime      uint32
	// QuestionOverdue is how long a question may wait for an instructor's
	// answer before it is flagged.
	QuestionOverdue time.Duration
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL or a SQLite file
// path (its folder is created).
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{DSN: dsn, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Now() },
		PasswordMemoryKiB: 19 * 1024, PasswordTime: 2, QuestionOverdue: 24 * time.Hour}
	if IsPostgresURL(dsn) {
		db.Dialect = Postgres
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read = pool, pool
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		// busy_timeout first so the later pragmas wait for a lock too.
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		w, err := sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		q.Set("_txlock", "deferred")
		q.Add("_pragma", "query_only(ON)")
		r, err := sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		if err != nil {
			w.Close()
			return nil, err
		}
		r.SetMaxOpenConns(8)
		db.write, db.read = w, r
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.Dialect, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Stats returns the pool statistics of the writer and reader pools.
func (db *DB) Stats() (write, read sql.DBStats) { return db.write.Stats(), db.read.Stats() }

// now returns the current time in UTC at the precision both databases keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// rebind turns ? placeholders into $1, $2 … on PostgreSQL.
func (db *DB) rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// queryer is what reads and writes need: a pool or a transaction.
type queryer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Tx is a write transaction.
type Tx struct {
	tx *sql.Tx
	db *DB
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.rebind(q), args...)
}
func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.rebind(q), args...)
}
func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.rebind(q), args...)
}

// execOne runs a statement that must change one row; changing none means
// the row does not exist (or is not the caller's), reported as ENOTFOUND
// with the message key notFound.
func (t *Tx) execOne(ctx context.Context, notFound, q string, args ...any) error {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return talentloop.Errorf(talentloop.ENOTFOUND, notFound)
	}
	return nil
}

// insert runs an INSERT … RETURNING id and returns the id.
func (t *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// change records an audit-trail entry inside the transaction.
func (t *Tx) change(ctx context.Context, actorID int64, action, subject string) error {
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	_, err := t.exec(ctx, `INSERT INTO changes (actor_id, action, subject, at) VALUES (?, ?, ?, ?)`, actor, action, subject, t.db.now())
	return err
}

// withTx runs fn in one write transaction, committing when fn returns nil.
func (db *DB) withTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&Tx{tx: sqlTx, db: db}); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// q runs a read query on the read pool.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.rebind(q), args...)
}

// Migrate applies every embedded migration not applied yet, each in its own
// transaction. On PostgreSQL an advisory lock lets several servers start at
// once.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	defer wrapErr(&err, "migrate")
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		did, err := db.applyMigration(ctx, version, base, string(body))
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", base, err)
		}
		if did {
			applied = append(applied, base)
			db.Logger.Info("migration applied", "name", base)
		}
	}
	return applied, nil
}

func (db *DB) applyMigration(ctx context.Context, version int, name, body string) (bool, error) {
	did := false
	err := db.withTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7245001)`); err != nil {
				return err
			}
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, stmt := range splitSQL(db.expand(body)) {
			if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%w\n%s", err, stmt)
			}
		}
		did = true
		_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, version, name, db.now().Format(time.RFC3339))
		return err
	})
	return did, err
}

// expand replaces the type tokens of a migration with the dialect's types.
func (db *DB) expand(body string) string {
	r := strings.NewReplacer("{{pk}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{ts}}", "TIMESTAMP", "{{blob}}", "BLOB")
	if db.Dialect == Postgres {
		r = strings.NewReplacer("{{pk}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{{ts}}", "TIMESTAMPTZ", "{{blob}}", "BYTEA")
	}
	return r.Replace(body)
}

// splitSQL splits a migration into statements at semicolons that end a line.
func splitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// wrapErr annotates a non-application error with where it happened.
func wrapErr(errp *error, format string, args ...any) { talentloop.Wrap(errp, format, args...) }

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
