package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"talentloop"
	"talentloop/web"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "user create|grant|reset-password [flags]\n\n" +
		"  create          create a user: --email --name --password [--roles learner,instructor] [--company-id N]\n" +
		"  grant           replace a user's roles: --email --roles operator,learner [--company-id N]\n" +
		"  reset-password  set a new password: --email --password"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "Usage: talentloop %s\n", synopsis)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return exitCode(2)
	}
	sub := args[0]
	fs := newFlags("user "+sub, synopsis, stderr)
	dsn := fs.String("db", defaultDB, "SQLite file path or postgres:// URL")
	email := fs.String("email", "", "the user's email")
	name := fs.String("name", "", "the user's name (create)")
	password := fs.String("password", "", "password, at least 10 characters (create, reset-password)")
	roleList := fs.String("roles", "learner", "comma-separated roles: learner, instructor, partner, counsellor, operator")
	companyID := fs.Int64("company-id", 0, "company of an instructor or partner")
	lang := fs.String("lang", "zh", "language of the user's emails: zh or en")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var roles []talentloop.Role
	for _, r := range strings.Split(*roleList, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, talentloop.Role(r))
		}
	}
	db, err := openDB(ctx, *dsn, true, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "create":
		u := &talentloop.User{Email: *email, Name: *name, Lang: *lang, Roles: roles, CompanyID: *companyID}
		if err := db.CreateUser(ctx, u, *password); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "created user %d %s with roles %v\n", u.ID, u.Email, u.Roles)
	case "grant":
		u, err := db.FindUserByEmail(ctx, *email)
		if err != nil {
			return explain(err)
		}
		if err := db.SetRoles(ctx, 0, u.ID, roles, *companyID); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "user %s now has roles %v\n", u.Email, roles)
	case "reset-password":
		u, err := db.FindUserByEmail(ctx, *email)
		if err != nil {
			return explain(err)
		}
		if err := db.SetPassword(ctx, u.ID, *password); err != nil {
			return explain(err)
		}
		if err := db.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s reset; their sessions were ended\n", u.Email)
	default:
		return fmt.Errorf("unknown user command %q (create, grant, reset-password)", sub)
	}
	return nil
}

// explain turns an application error into a sentence for the terminal.
func explain(err error) error {
	var e *talentloop.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := messageEN(e.Message, e.Args...)
	if len(e.Fields) > 0 {
		var parts []string
		for f, m := range e.Fields {
			parts = append(parts, "--"+strings.ReplaceAll(f, "_", "-")+": "+messageEN(m))
		}
		msg += " " + strings.Join(parts, "; ")
	}
	return errors.New(msg)
}

func messageEN(key string, args ...any) string { return web.Message("en", key, args...) }
