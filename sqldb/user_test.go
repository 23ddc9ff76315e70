package sqldb_test

import (
	"context"
	"testing"
	"time"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

func TestMigrateTwiceIsHarmless(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
	})
}

func TestUsersAndRoles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := &talentloop.User{Email: "  Li.Lei@Example.COM ", Name: "李雷"}
		if err := db.CreateUser(ctx, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if got, want := u.Email, "li.lei@example.com"; got != want {
			t.Errorf("email = %q, want %q", got, want)
		}
		got, err := db.FindUserByEmail(ctx, "LI.LEI@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if !got.HasRole(talentloop.RoleLearner) || len(got.Roles) != 1 {
			t.Errorf("roles = %v, want [learner]", got.Roles)
		}
		if got.CreatedAt.Location() != time.UTC && got.CreatedAt.UTC() != u.CreatedAt {
			t.Errorf("created_at = %v, want %v", got.CreatedAt, u.CreatedAt)
		}
		if !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("created_at round trip = %v, want %v", got.CreatedAt, u.CreatedAt)
		}

		// Same email again: a conflict naming the field, nothing written.
		err = db.CreateUser(ctx, &talentloop.User{Email: "li.lei@example.com", Name: "x"}, "another password")
		if code := talentloop.ErrorCode(err); code != talentloop.ECONFLICT {
			t.Fatalf("duplicate email: code %q, want conflict", code)
		}
		_, total, _ := db.FindUsers(ctx, talentloop.UserFilter{})
		if total != 1 {
			t.Fatalf("users after duplicate = %d, want 1", total)
		}

		// Bad input names every bad field.
		err = db.CreateUser(ctx, &talentloop.User{Email: "not-an-email", Name: ""}, "short")
		var e *talentloop.Error
		if talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Fatalf("bad registration: %v", err)
		}
		e = err.(*talentloop.Error)
		for _, f := range []string{"email", "name", "password"} {
			if e.Fields[f] == "" {
				t.Errorf("no error for field %s: %v", f, e.Fields)
			}
		}

		// Authentication.
		if _, err := db.Authenticate(ctx, "li.lei@example.com", "wrong password!"); talentloop.ErrorCode(err) != talentloop.EUNAUTHORIZED {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := db.Authenticate(ctx, "nobody@example.com", "whatever123"); talentloop.ErrorCode(err) != talentloop.EUNAUTHORIZED {
			t.Errorf("unknown user: %v", err)
		}
		if a, err := db.Authenticate(ctx, "Li.Lei@example.com", "correct horse battery"); err != nil || a.ID != u.ID {
			t.Fatalf("authenticate: %v %v", a, err)
		}

		// Change password checks the old one.
		if err := db.ChangePassword(ctx, u.ID, "nope nope nope", "new password 123"); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("change with wrong old password: %v", err)
		}
		if err := db.ChangePassword(ctx, u.ID, "correct horse battery", "new password 123"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, "li.lei@example.com", "new password 123"); err != nil {
			t.Errorf("login with new password: %v", err)
		}

		// Roles: partner needs a company; an unknown company is rejected.
		if err := db.SetRoles(ctx, 0, u.ID, []talentloop.Role{talentloop.RolePartner}, 0); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("partner without company: %v", err)
		}
		if err := db.SetRoles(ctx, 0, u.ID, []talentloop.Role{talentloop.RolePartner}, 999); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("partner with unknown company: %v", err)
		}
		c := &talentloop.Company{Slug: "pixel-forge", Name: talentloop.Text{ZH: "像素工坊", EN: "Pixel Forge"}}
		if err := db.CreateCompany(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRoles(ctx, 0, u.ID, []talentloop.Role{talentloop.RoleOperator, talentloop.RoleLearner, talentloop.RoleInstructor}, c.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindUserByID(ctx, u.ID)
		if want := []talentloop.Role{"learner", "instructor", "operator"}; len(got.Roles) != 3 || got.Roles[0] != want[0] || got.Roles[2] != want[2] || got.CompanyID != c.ID {
			t.Errorf("after SetRoles: roles %v company %d", got.Roles, got.CompanyID)
		}
		ops, n, err := db.FindUsers(ctx, talentloop.UserFilter{Role: talentloop.RoleOperator})
		if err != nil || n != 1 || ops[0].ID != u.ID {
			t.Errorf("FindUsers(operator) = %v %d %v", ops, n, err)
		}
		if _, err := db.FindUserByID(ctx, 12345); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("missing user: %v", err)
		}
	})
}

func TestSessionsTokensAndRateLimits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := &talentloop.User{Email: "han@example.com", Name: "韩梅梅"}
		if err := db.CreateUser(ctx, u, "password-1234"); err != nil {
			t.Fatal(err)
		}
		token, s, err := db.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s2, su, err := db.FindSession(ctx, token)
		if err != nil || su.ID != u.ID || s2.CSRF != s.CSRF {
			t.Fatalf("FindSession: %v %v %v", s2, su, err)
		}
		if _, _, err := db.FindSession(ctx, token+"x"); talentloop.ErrorCode(err) != talentloop.EUNAUTHORIZED {
			t.Errorf("forged session: %v", err)
		}
		// An expired session is gone.
		old := db.Now
		db.Now = func() time.Time { return old().Add(2 * time.Hour) }
		if _, _, err := db.FindSession(ctx, token); talentloop.ErrorCode(err) != talentloop.EUNAUTHORIZED {
			t.Errorf("expired session still valid: %v", err)
		}
		db.Now = old
		if err := db.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.FindSession(ctx, token); err == nil {
			t.Error("session valid after logout")
		}

		tok, at, err := db.CreateAPIToken(ctx, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindUserByAPIToken(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("FindUserByAPIToken: %v %v", got, err)
		}
		list, _ := db.FindAPITokens(ctx, u.ID)
		if len(list) != 1 || list[0].Prefix != tok[:9] || list[0].LastUsedAt == nil {
			t.Errorf("tokens = %+v", list)
		}
		other := &talentloop.User{Email: "other@example.com", Name: "Other"}
		db.CreateUser(ctx, other, "password-5678")
		if err := db.RevokeAPIToken(ctx, other.ID, at.ID); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("revoking someone else's token: %v", err)
		}
		if err := db.RevokeAPIToken(ctx, u.ID, at.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindUserByAPIToken(ctx, tok); talentloop.ErrorCode(err) != talentloop.EUNAUTHORIZED {
			t.Errorf("revoked token still works: %v", err)
		}

		for i := 1; i <= 4; i++ {
			ok, retry, err := db.Hit(ctx, "login:x", time.Minute, 3)
			if err != nil {
				t.Fatal(err)
			}
			if want := i <= 3; ok != want {
				t.Fatalf("hit %d ok = %v, want %v", i, ok, want)
			}
			if !ok && (retry <= 0 || retry > time.Minute) {
				t.Errorf("retry after %v", retry)
			}
		}
		db.Now = func() time.Time { return old().Add(61 * time.Second) }
		if ok, _, _ := db.Hit(ctx, "login:x", time.Minute, 3); !ok {
			t.Error("a new window should allow again")
		}
		db.Now = old
	})
}
