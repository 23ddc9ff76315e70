// Package sqldbtest opens fresh, migrated databases for tests: a SQLite file
// in a temporary folder, or, when TALENTLOOP_TEST_POSTGRES holds a connection
// URL, a new PostgreSQL database created for the test and dropped after it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"talentloop/sqldb"
)

// EnvPostgres names the variable that holds the PostgreSQL server URL.
const EnvPostgres = "TALENTLOOP_TEST_POSTGRES"

// Dialects returns the databases tests should run on: SQLite always, and
// PostgreSQL when EnvPostgres is set.
func Dialects() []string {
	d := []string{"sqlite"}
	if os.Getenv(EnvPostgres) != "" {
		d = append(d, "postgres")
	}
	return d
}

// DSN returns the data source of a fresh empty database of the dialect.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == "sqlite" {
		return filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set: skipping the PostgreSQL run")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "tl_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a fresh migrated database of the dialect, closed when the test
// ends. Password hashing is made cheap so tests stay quick.
func Open(t testing.TB, dialect string) *sqldb.DB {
	t.Helper()
	db := OpenDSN(t, DSN(t, dialect))
	return db
}

// OpenDSN opens and migrates the database at dsn for a test.
func OpenDSN(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.PasswordMemoryKiB, db.PasswordTime = 1024, 1
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Each runs f as a subtest on every dialect of Dialects.
func Each(t *testing.T, f func(t *testing.T, db *sqldb.DB)) {
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { f(t, Open(t, d)) })
	}
}
