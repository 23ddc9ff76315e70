package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"talentloop"
	"talentloop/certify"
	"talentloop/credential"
	"talentloop/demo"
	"talentloop/jobs"
	"talentloop/mail"
	"talentloop/sqldb"
	"talentloop/web"
)

// openDB opens and, unless told not to, migrates the database.
func openDB(ctx context.Context, dsn string, migrate bool, logger *slog.Logger) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.Logger = logger
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [flags]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL")
	withDemo := fs.Bool("demo", false, "load the demo data set into an empty database and print the demo accounts")
	noMigrate := fs.Bool("no-migrate", false, "do not apply migrations at start")
	baseURL := fs.String("base-url", "", "public URL of the site, e.g. https://talentloop.example (default: the request's host)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set automatically when served over TLS)")
	trustProxy := fs.Bool("trust-proxy", false, "take client addresses from X-Forwarded-For (behind a load balancer)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "text or json")
	maxBody := fs.Int64("max-body-bytes", 1<<20, "largest accepted request body")
	maxFile := fs.Int64("max-file-bytes", 20<<20, "largest accepted file in a project submission")
	smtpHost := fs.String("smtp-host", "", "SMTP server for notification mail (empty: mail stays queued, nothing is sent)")
	smtpPort := fs.Int("smtp-port", 0, "SMTP port (0: 587 for starttls, 465 for tls, 25 for none)")
	smtpUser := fs.String("smtp-user", "", "SMTP user name (AUTH PLAIN)")
	smtpPassword := fs.String("smtp-password", "", "SMTP password")
	smtpFrom := fs.String("smtp-from", "", "From address of notification mail, e.g. 'talentloop <noreply@example.com>'")
	smtpTLS := fs.String("smtp-tls", "starttls", "starttls, tls or none")
	overdue := fs.Duration("question-overdue", 24*time.Hour, "how long a question may wait for an instructor before it is flagged")
	keyDir := fs.String("key-dir", "", "folder of the issuer's Ed25519 signing keys, owner-only (default: keys/ beside a SQLite file, ./data/keys for PostgreSQL)")
	certEvery := fs.Duration("certify-every", time.Minute, "how often the background job issues due certificates")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		return err
	}
	if *smtpHost != "" && !strings.HasPrefix(*baseURL, "http") {
		return errors.New("--smtp-host needs --base-url (e.g. https://talentloop.example): mail links must be absolute")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := openDB(ctx, *dsn, !*noMigrate, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	db.QuestionOverdue = *overdue

	certs, err := newCertifier(db, *dsn, *keyDir, *baseURL, *addr, logger)
	if err != nil {
		return err
	}
	var summary *demo.Summary
	if *withDemo {
		if summary, err = loadDemo(ctx, db, certs, false, stderr); err != nil {
			return err
		}
	}

	srv, err := web.NewServer(web.Services{Users: db, Auth: db, Catalog: db, Learning: db, Certs: certs, CertStore: db}, db, logger, web.Config{BaseURL: strings.TrimRight(*baseURL, "/"), SecureCookies: *secure,
		TrustProxy: *trustProxy, MaxBodyBytes: *maxBody, MaxFileBytes: *maxFile, Version: version})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	url := "http://" + ln.Addr().String()
	logger.Info("talentloop serving", "url", url, "database", db.Dialect.String(), "version", version)
	fmt.Fprintf(stdout, "talentloop %s is running at %s (database: %s)\n", version, url, db.Dialect)
	if summary != nil {
		fmt.Fprint(stdout, summary.String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go runCertifier(ctx, certs, *certEvery, logger)
	mailDone := make(chan error, 1)
	if *smtpHost != "" {
		mode, err := mail.ParseTLSMode(*smtpTLS)
		if err != nil {
			return fmt.Errorf("--smtp-tls: %w", err)
		}
		sender, err := mail.NewSender(mail.Config{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser, Password: *smtpPassword, From: *smtpFrom, TLS: mode})
		if err != nil {
			return err
		}
		mailer := jobs.NewMailer(db, sender, strings.TrimRight(*baseURL, "/"), logger, jobs.MailerOptions{})
		go func() { mailDone <- mailer.Run(ctx) }()
		logger.Info("mail sender started", "smtp", *smtpHost)
	} else {
		mailDone <- nil
		logger.Info("no --smtp-host: notification mail is queued in the outbox and not sent")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-mailDone; err != nil && !errors.Is(err, context.Canceled) {
		logger.Warn("mail sender stopped", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// defaultKeyDir keeps keys beside a SQLite database, or in ./data/keys.
func defaultKeyDir(dsn string) string {
	if sqldb.IsPostgresURL(dsn) {
		return filepath.Join("data", "keys")
	}
	return filepath.Join(filepath.Dir(dsn), "keys")
}

// newCertifier opens the issuer's keystore and builds the certificate
// service. Without a public base URL the issuer is did:key and credentials
// name the local address.
func newCertifier(db *sqldb.DB, dsn, keyDir, baseURL, addr string, logger *slog.Logger) (*certify.Service, error) {
	if keyDir == "" {
		keyDir = defaultKeyDir(dsn)
	}
	ks, err := credential.OpenKeystore(keyDir, nil)
	if err != nil {
		return nil, fmt.Errorf("issuer keys in %s: %w", keyDir, err)
	}
	public := strings.TrimRight(baseURL, "/")
	webDID := ""
	if strings.HasPrefix(public, "https://") {
		webDID = public
	}
	id, err := credential.NewIdentity(ks, webDID)
	if err != nil {
		return nil, err
	}
	if public == "" {
		public = "http://" + addr
	}
	svc := certify.New(db, db, db, id, public, logger)
	logger.Info("certificate issuer", "did", id.DID(), "keys", keyDir)
	return svc, nil
}

// runCertifier issues due certificates now and then, until ctx ends.
func runCertifier(ctx context.Context, certs *certify.Service, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := certs.AutoIssue(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("automatic certificate issuance", "err", err)
		} else if n > 0 {
			logger.Info("certificates issued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// loadDemo loads the demo data with its learning history (moving the
// database clock back through it), then issues the graduates'
// certificates and revokes and suspends one each, so every state shows.
func loadDemo(ctx context.Context, db *sqldb.DB, certs *certify.Service, force bool, stderr io.Writer) (*demo.Summary, error) {
	realNow := db.Now
	summary, err := demo.Load(ctx, db, db, demo.Options{Force: force, Learning: db, Progress: progressBar(stderr, "demo data"),
		Clock: func(t time.Time) { db.Now = func() time.Time { return t } }})
	db.Now = realNow
	if err != nil || summary.AlreadyLoaded {
		return summary, err
	}
	op, err := db.FindUserByEmail(ctx, demo.Accounts[talentloop.RoleOperator])
	if err != nil {
		return nil, err
	}
	// Each graduate's certificate is dated an hour after they completed,
	// as the background job would have issued it.
	due, err := db.CompletedWithoutCertificate(ctx, 0)
	if err != nil {
		return nil, err
	}
	bar := progressBar(stderr, "certificates")
	for i, p := range due {
		bar(i, len(due), "")
		at := realNow()
		if e, err := db.FindEnrolment(ctx, p[0], p[1]); err == nil && e.CompletedAt != nil && e.CompletedAt.Before(at) {
			at = e.CompletedAt.Add(time.Hour)
		}
		certs.Now = func() time.Time { return at }
		db.Now = certs.Now
		_, _, err := certs.Issue(ctx, op.ID, p[0], p[1])
		certs.Now, db.Now = time.Now, realNow
		if err != nil && talentloop.ErrorCode(err) != talentloop.EINVALID {
			return nil, err
		}
	}
	bar(len(due), len(due), "")
	list, _, err := db.FindCertificates(ctx, talentloop.CertificateFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	revoked, suspended := false, false
	for _, c := range list {
		if c.HolderEmail == demo.Accounts[talentloop.RoleLearner] {
			continue
		}
		switch {
		case !revoked:
			_, err = certs.Revoke(ctx, op.ID, c.ID, "复核发现项目作品与他人雷同 / The project work was found to copy another learner's")
			revoked = true
		case !suspended:
			_, err = certs.Suspend(ctx, op.ID, c.ID, "持证人身份核验中 / The holder's identity is being checked")
			suspended = true
		}
		if err != nil {
			return nil, err
		}
	}
	return summary, nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [--db DSN]", stderr)
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, false, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [--db DSN] [--force]", stderr)
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL")
	force := fs.Bool("force", false, "load even when the database holds non-demo users")
	keyDir := fs.String("key-dir", "", "folder of the issuer's signing keys (default: keys/ beside a SQLite file)")
	baseURL := fs.String("base-url", "", "public URL the certificates name (as for serve)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, true, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	certs, err := newCertifier(db, *dsn, *keyDir, *baseURL, "127.0.0.1:8080", slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	summary, err := loadDemo(ctx, db, certs, *force, stderr)
	if err != nil {
		return explain(err)
	}
	fmt.Fprint(stdout, summary.String())
	return nil
}

// progressBar draws a one-line bar on a terminal, ending the line at
// completion; elsewhere (a log file) it prints a line every tenth.
func progressBar(w io.Writer, label string) func(done, total int, what string) {
	last := time.Time{}
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		step := -1
		return func(done, total int, what string) {
			if total <= 0 || done*10/total == step {
				return
			}
			step = done * 10 / total
			fmt.Fprintf(w, "%s: %3d%% (%d/%d) %s\n", label, done*100/total, done, total, what)
		}
	}
	return func(done, total int, what string) {
		if total <= 0 {
			return
		}
		if done < total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		filled := done * width / total
		fmt.Fprintf(w, "\r%s [%s%s] %3d%% %-40.40s", label, strings.Repeat("█", filled), strings.Repeat("·", width-filled), done*100/total, what)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
