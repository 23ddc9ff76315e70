package demo

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

// snapshot is what a second load must leave as it was.
type snapshot struct {
	Counts  talentloop.CatalogCounts
	Users   int
	Demo    int
	Changes int64
}

func take(t *testing.T, db *sqldb.DB) snapshot {
	t.Helper()
	ctx := context.Background()
	c, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, users, err := db.FindUsers(ctx, talentloop.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	_, demo, err := db.FindUsers(ctx, talentloop.UserFilter{Demo: &yes, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{Counts: *c, Users: users, Demo: demo}
	if ch, err := db.RecentChanges(ctx, 1); err != nil {
		t.Fatal(err)
	} else if len(ch) > 0 {
		s.Changes = ch[0].ID
	}
	return s
}

func TestLoadSQL(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, err := Load(ctx, db, db, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded in %s", s.Elapsed)
		c, _ := Catalog()
		checkSummary(t, s, c)

		before := take(t, db)
		want := talentloop.CatalogCounts{Programs: s.Programs, Published: s.Published, Courses: s.Courses, Lessons: s.Lessons,
			Projects: s.Projects, Skills: s.Skills, Companies: s.Companies, Learners: s.Learners + 1}
		if before.Counts != want || before.Users != before.Demo || before.Users != s.Accounts+s.Learners {
			t.Errorf("database holds %+v, want %+v", before, want)
		}

		// Every account signs in with the demo password and holds its role.
		for role, email := range Accounts {
			u, err := db.Authenticate(ctx, email, Password)
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			if !u.HasRole(role) || !u.Demo {
				t.Errorf("%s: roles %v, demo %v", email, u.Roles, u.Demo)
			}
		}
		if _, err := db.Authenticate(ctx, "learner042@demo.test", Password); err != nil {
			t.Errorf("learner042: %v", err)
		}

		// The instructor teaches several programs; the partner's company owns projects.
		in, _ := db.FindUserByEmail(ctx, Accounts[talentloop.RoleInstructor])
		taught, _, err := db.FindPrograms(ctx, talentloop.ProgramFilter{InstructorID: in.ID, IncludeDrafts: true})
		if err != nil || len(taught) < 2 {
			t.Errorf("instructor teaches %d programs (%v)", len(taught), err)
		}
		prof, err := db.FindInstructorProfile(ctx, in.ID)
		if err != nil || prof.Title.ZH == "" || prof.Company.ZH == "" {
			t.Errorf("instructor profile %+v (%v)", prof, err)
		}
		partner, _ := db.FindUserByEmail(ctx, Accounts[talentloop.RolePartner])
		owned, err := db.FindProjects(ctx, partner.CompanyID)
		if err != nil || partner.CompanyID == 0 || len(owned) < 2 {
			t.Errorf("partner company %d owns %d projects (%v)", partner.CompanyID, len(owned), err)
		}

		// Programs read back whole.
		progs, total, err := db.FindPrograms(ctx, talentloop.ProgramFilter{Limit: 200})
		if err != nil || total != s.Published {
			t.Fatalf("%d published programs listed, want %d (%v)", total, s.Published, err)
		}
		full, err := db.FindProgramByID(ctx, progs[0].ID)
		if err != nil || len(full.Courses) < 2 || len(full.Courses[0].Lessons) < 3 || len(full.Courses[0].Projects) < 1 || len(full.Courses[0].Instructors) < 1 {
			t.Errorf("program %s read back incomplete (%v)", progs[0].Slug, err)
		}

		// Loading again changes nothing.
		s2, err := Load(ctx, db, db, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !s2.AlreadyLoaded || s2.Programs+s2.Learners+s2.Accounts != 0 {
			t.Errorf("second load: %+v", s2)
		}
		if after := take(t, db); after != before {
			t.Errorf("second load changed the database: %+v → %+v", before, after)
		}
	})
}

func TestLoadSQLRefusesRealUsers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := &talentloop.User{Email: "wang.fang@example.com", Name: "王芳", Lang: "zh"}
		if err := db.CreateUser(ctx, u, "a real password"); err != nil {
			t.Fatal(err)
		}
		before := take(t, db)
		_, err := Load(ctx, db, db, Options{})
		if talentloop.ErrorCode(err) != talentloop.EINVALID || talentloop.ErrorMessage(err) != "err.demo_nondemo_data" {
			t.Fatalf("got %v, want EINVALID err.demo_nondemo_data", err)
		}
		if after := take(t, db); after != before {
			t.Errorf("a refused load changed the database: %+v → %+v", before, after)
		}
	})
}

// TestLoadSQLTiming loads the demo with its learning history into a SQLite
// file with the production password-hashing cost and reports how long it
// takes. It runs only when
// TALENTLOOP_DEMO_TIMING is set, as it takes several seconds.
func TestLoadSQLTiming(t *testing.T) {
	if os.Getenv("TALENTLOOP_DEMO_TIMING") == "" {
		t.Skip("set TALENTLOOP_DEMO_TIMING to measure loading with production password hashing")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var steps int
	realNow := db.Now
	s, err := Load(ctx, db, db, Options{Progress: func(done, total int, what string) { steps++ },
		Learning: db, Clock: func(at time.Time) { db.Now = func() time.Time { return at } }})
	db.Now = realNow
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded in %s (%d progress steps)\n%s", time.Since(start), steps, s)
	if !reflect.DeepEqual(s.Logins[0].Email, Accounts[talentloop.RoleLearner]) {
		t.Errorf("logins %+v", s.Logins)
	}
}
