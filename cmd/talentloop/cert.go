package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"talentloop/credential"
)

// runCert issues certificates from the command line: every due certificate
// of a program at once (graduation day), with a progress bar.
func runCert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "cert issue --program ID [--db DSN] [--key-dir DIR] [--base-url URL]\n       talentloop cert rotate-key [--key-dir DIR] [--db DSN]"
	if len(args) > 0 && args[0] == "rotate-key" {
		return runRotateKey(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "issue" {
		fmt.Fprintf(stderr, "Usage: talentloop %s\n", synopsis)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return exitCode(2)
	}
	fs := newFlags("cert issue", synopsis, stderr)
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL")
	programID := fs.Int64("program", 0, "the program whose graduates get their certificates (0: every program)")
	keyDir := fs.String("key-dir", "", "folder of the issuer's signing keys (default: keys/ beside a SQLite file)")
	baseURL := fs.String("base-url", "", "public URL the certificates name, as for serve")
	actor := fs.String("as", "", "email of the operator recorded as the issuer (default: none)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, true, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	if *programID > 0 {
		if _, err := db.FindProgramByID(ctx, *programID); err != nil {
			return explain(err)
		}
	}
	var actorID int64
	if *actor != "" {
		u, err := db.FindUserByEmail(ctx, *actor)
		if err != nil {
			return explain(err)
		}
		actorID = u.ID
	}
	certs, err := newCertifier(db, *dsn, *keyDir, *baseURL, "127.0.0.1:8080", slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	bar := progressBar(stderr, "issuing")
	n, err := certs.IssueEligible(ctx, actorID, *programID, func(done, total int) { bar(done, total, "") })
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	noun := "certificates"
	if n == 1 {
		noun = "certificate"
	}
	fmt.Fprintf(stdout, "issued %d %s\n", n, noun)
	return err
}

// runRotateKey makes a new signing key active. The old key is kept, so the
// certificates it signed stay verifiable.
func runRotateKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cert rotate-key", "cert rotate-key [--key-dir DIR] [--db DSN]", stderr)
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL (locates the default key folder)")
	keyDir := fs.String("key-dir", "", "folder of the issuer's signing keys (default: keys/ beside a SQLite file)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *keyDir == "" {
		*keyDir = defaultKeyDir(*dsn)
	}
	ks, err := credential.OpenKeystore(*keyDir, nil)
	if err != nil {
		return err
	}
	old := ks.Active()
	k, err := ks.Rotate()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new active key %s (was %s); %d keys kept in %s\n", credential.DIDKey(k.Public), credential.DIDKey(old.Public), len(ks.Keys()), *keyDir)
	return nil
}
