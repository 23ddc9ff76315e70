package demo

import (
	"context"
	"os"
	"testing"
	"time"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

// loadWithHistory loads the demo with its learning history into db, the
// storage clock following the history as the commands do (unless
// noClock), and restores the clock. Progress must count up to its total.
func loadWithHistory(t *testing.T, db *sqldb.DB, noClock bool) *Summary {
	t.Helper()
	realNow := db.Now
	defer func() { db.Now = realNow }()
	opts := Options{Learning: db, Clock: func(at time.Time) { db.Now = func() time.Time { return at } }}
	if noClock {
		opts.Clock = nil
	}
	last, total, calls := 0, 0, 0
	opts.Progress = func(done, n int, what string) {
		if done != last+1 || total != 0 && n != total || done > n {
			t.Errorf("progress %d/%d %s after %d/%d", done, n, what, last, total)
		}
		last, total = done, n
		calls++
	}
	s, err := Load(context.Background(), db, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !s.AlreadyLoaded && (calls == 0 || last != total) {
		t.Errorf("progress ended at %d/%d after %d calls", last, total, calls)
	}
	return s
}

// census is what the learners' pages show, gathered through the service.
type census struct {
	completers      map[int64]bool
	onTime, late    int
	latest          map[string]int // status of each learner's newest version of a project
	reviews         map[string]int // by result
	resubmitted     int            // projects with more than one version
	orders          map[string]int
	learnerEnrolled map[int64]*talentloop.Enrolment // learner@demo.test's, by program
}

func takeCensus(t *testing.T, db *sqldb.DB) *census {
	t.Helper()
	ctx := context.Background()
	c := &census{completers: map[int64]bool{}, latest: map[string]int{}, reviews: map[string]int{}, orders: map[string]int{}, learnerEnrolled: map[int64]*talentloop.Enrolment{}}
	programs := map[int64]*talentloop.Program{}
	emails := []string{markerEmail}
	for _, u := range Learners() {
		emails = append(emails, u.Email)
	}
	for _, email := range emails {
		u, err := db.FindUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		es, err := db.FindEnrolments(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if email == markerEmail {
				c.learnerEnrolled[e.ProgramID] = e
			}
			if e.Completed {
				c.completers[u.ID] = true
				if *e.OnTime {
					c.onTime++
				} else {
					c.late++
				}
			}
			p := programs[e.ProgramID]
			if p == nil {
				if p, err = db.FindProgramByID(ctx, e.ProgramID); err != nil {
					t.Fatal(err)
				}
				programs[e.ProgramID] = p
			}
			for _, course := range p.Courses {
				for _, pj := range course.Projects {
					subs, err := db.FindSubmissions(ctx, u.ID, pj.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(subs) == 0 {
						continue
					}
					c.latest[subs[0].Status]++
					if len(subs) > 1 {
						c.resubmitted++
					}
					for _, s := range subs {
						if s.Review != nil {
							c.reviews[s.Review.Result]++
						}
					}
				}
			}
		}
	}
	for _, st := range []string{talentloop.OrderPaid, talentloop.OrderPending, talentloop.OrderRefunded, talentloop.OrderCancelled} {
		_, n, err := db.FindOrders(ctx, talentloop.OrderFilter{Status: st, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.orders[st] = n
	}
	return c
}

// historySnapshot is what a second load must leave as it was.
type historySnapshot struct {
	snapshot
	Orders, Queue, Overdue, Unread, Notifications int
}

func takeHistory(t *testing.T, db *sqldb.DB) historySnapshot {
	t.Helper()
	ctx := context.Background()
	s := historySnapshot{snapshot: take(t, db)}
	var err error
	if _, s.Orders, err = db.FindOrders(ctx, talentloop.OrderFilter{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	learner, _ := db.FindUserByEmail(ctx, markerEmail)
	instructor, _ := db.FindUserByEmail(ctx, Accounts[talentloop.RoleInstructor])
	queue, err := db.ReviewQueue(ctx, instructor.ID)
	if err != nil {
		t.Fatal(err)
	}
	overdue, err := db.OverdueQuestions(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Queue, s.Overdue = len(queue), len(overdue)
	ns, unread, err := db.FindNotifications(ctx, learner.ID, 200)
	if err != nil {
		t.Fatal(err)
	}
	s.Unread, s.Notifications = unread, len(ns)
	return s
}

func TestHistorySQL(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := loadWithHistory(t, db, false)
		t.Logf("loaded in %s\n%s", s.Elapsed, s)
		if s.History == nil || s.AlreadyLoaded {
			t.Fatalf("no history loaded: %+v", s)
		}
		c := checkHistory(t, db, time.Now())
		if s.History.Completions != c.onTime+c.late || s.History.OnTime != c.onTime {
			t.Errorf("summary says %d completions (%d on time), the learners' pages %d (%d)", s.History.Completions, s.History.OnTime, c.onTime+c.late, c.onTime)
		}
		checkLearnerAccount(t, db, c)

		// Loading again changes nothing.
		before := takeHistory(t, db)
		s2 := loadWithHistory(t, db, false)
		if !s2.AlreadyLoaded || s2.History != nil {
			t.Errorf("second load: %+v", s2)
		}
		if after := takeHistory(t, db); after != before {
			t.Errorf("second load changed the database: %+v → %+v", before, after)
		}
	})
}

// checkHistory checks what every learning page needs, as of now.
func checkHistory(t *testing.T, db *sqldb.DB, now time.Time) *census {
	t.Helper()
	ctx := context.Background()
	c := takeCensus(t, db)
	t.Logf("census: %d completers (%d on time, %d late), latest versions %v, reviews %v, %d resubmitted, orders %v",
		len(c.completers), c.onTime, c.late, c.latest, c.reviews, c.resubmitted, c.orders)

	// Completions, on time and late.
	if len(c.completers) < 40 || c.onTime < 5 || c.late < 5 {
		t.Errorf("%d learners completed a program (%d on time, %d late), want ≥ 40 with ≥ 5 of each", len(c.completers), c.onTime, c.late)
	}
	// Every order status, every submission state, both review results.
	for st, n := range c.orders {
		if n == 0 {
			t.Errorf("no %s orders", st)
		}
	}
	for _, st := range []string{talentloop.SubmissionSubmitted, talentloop.SubmissionPassed, talentloop.SubmissionRevise} {
		if c.latest[st] == 0 {
			t.Errorf("no project whose newest version is %s: %v", st, c.latest)
		}
	}
	if c.reviews[talentloop.ReviewPassed] == 0 || c.reviews[talentloop.ReviewRevise] == 0 || c.resubmitted == 0 {
		t.Errorf("reviews %v, %d resubmitted projects", c.reviews, c.resubmitted)
	}

	// The instructor's queue has work, some of it waiting over two days,
	// and they have answered questions in the last 30 days.
	instructor, _ := db.FindUserByEmail(ctx, Accounts[talentloop.RoleInstructor])
	queue, err := db.ReviewQueue(ctx, instructor.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := 0
	for _, sub := range queue {
		if now.Sub(sub.CreatedAt) > 48*time.Hour {
			old++
		}
	}
	if len(queue) < 3 || old == 0 {
		t.Errorf("instructor's review queue holds %d, %d waiting over 48 h; want ≥ 3 with one or more over 48 h", len(queue), old)
	}
	stats, err := db.AnswerStats(ctx, instructor.ID, 30)
	if err != nil || stats.Answered == 0 {
		t.Errorf("instructor's answer stats %+v (%v), want answers in the last 30 days", stats, err)
	}
	t.Logf("instructor: %d in the review queue (%d over 48 h), answer stats %+v", len(queue), old, stats)
	overdue, err := db.OverdueQuestions(ctx, 0)
	if err != nil || len(overdue) == 0 {
		t.Errorf("%d overdue questions (%v), want some", len(overdue), err)
	}
	return c
}

// checkLearnerAccount checks learner@demo.test's pages: one program of
// instructor@demo.test's completed on time with everything done, one under
// way with work waiting for instructor@demo.test, one order awaiting
// payment, unread notifications and an answered question.
func checkLearnerAccount(t *testing.T, db *sqldb.DB, c *census) {
	t.Helper()
	ctx := context.Background()
	learner, _ := db.FindUserByEmail(ctx, markerEmail)
	instructor, _ := db.FindUserByEmail(ctx, Accounts[talentloop.RoleInstructor])
	var completed, current, pending *talentloop.Enrolment
	for _, e := range c.learnerEnrolled {
		switch {
		case e.Completed:
			completed = e
		case e.Active:
			current = e
		case e.Order.Status == talentloop.OrderPending:
			pending = e
		}
	}
	if len(c.learnerEnrolled) != 3 || completed == nil || current == nil || pending == nil {
		t.Fatalf("learner@demo.test's enrolments: %+v", c.learnerEnrolled)
	}
	if !*completed.OnTime || completed.Progress != 100 || completed.Order.Status != talentloop.OrderPaid || completed.Order.Reference == "" {
		t.Errorf("completed enrolment %+v, order %+v: want on time, 100%%, paid with a reference", completed, completed.Order)
	}
	if pending.Order.AmountFen == 0 || pending.Active {
		t.Errorf("pending enrolment %+v, order %+v", pending, pending.Order)
	}
	if current.Progress == 0 || current.Progress == 100 {
		t.Errorf("current enrolment at %d%%", current.Progress)
	}

	// Everything of the completed program is done, and the instructor taught it.
	p, err := db.FindProgramByID(ctx, completed.ProgramID)
	if err != nil {
		t.Fatal(err)
	}
	taught := false
	for _, course := range p.Courses {
		for _, in := range course.Instructors {
			taught = taught || in.UserID == instructor.ID
		}
		cp, err := db.CourseProgress(ctx, learner.ID, course.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range course.Lessons {
			if !cp.LessonsDone[l.ID] {
				t.Errorf("completed program %s: lesson %q not done", p.Slug, l.Title.ZH)
			}
		}
		for _, pj := range course.Projects {
			if pj.Required && cp.ProjectStatus[pj.ID] != talentloop.SubmissionPassed {
				t.Errorf("completed program %s: project %q is %q", p.Slug, pj.Title.ZH, cp.ProjectStatus[pj.ID])
			}
		}
		if !cp.Completed {
			t.Errorf("completed program %s: course %q not complete", p.Slug, course.Title.ZH)
		}
	}
	if !taught {
		t.Errorf("instructor@demo.test does not teach the learner's completed program %s", p.Slug)
	}

	// Their work waits in the instructor's queue, and they asked questions
	// an instructor answered.
	queue, err := db.ReviewQueue(ctx, instructor.ID)
	if err != nil {
		t.Fatal(err)
	}
	waiting := false
	for _, s := range queue {
		waiting = waiting || s.UserID == learner.ID
	}
	if !waiting {
		t.Error("nothing of learner@demo.test's in the instructor's review queue")
	}
	answered := 0
	for _, pid := range []int64{completed.ProgramID, current.ProgramID} {
		p, err := db.FindProgramByID(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		for _, course := range p.Courses {
			qs, err := db.FindQuestions(ctx, course.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range qs {
				if q.UserID != learner.ID {
					continue
				}
				full, err := db.FindQuestionByID(ctx, q.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range full.Answers {
					if a.ByInstructor {
						answered++
						break
					}
				}
			}
		}
	}
	if answered == 0 {
		t.Error("no question of learner@demo.test's answered by an instructor")
	}
	if n, err := db.UnreadCount(ctx, learner.ID); err != nil || n == 0 {
		t.Errorf("learner@demo.test has %d unread notifications (%v)", n, err)
	}
	if rs, err := db.FindIncomeReports(ctx, learner.ID); err != nil || len(rs) == 0 {
		t.Errorf("learner@demo.test has %d income reports (%v)", len(rs), err)
	}
}

// TestHistoryLater loads the catalog first and the history in a later
// Load, as an installation that loaded the demo before the learning loop
// existed does; without a clock, every write carries the present time, so
// every completion is on time.
func TestHistoryLater(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole history a second time")
	}
	db := sqldbtest.Open(t, "sqlite")
	ctx := context.Background()
	if _, err := Load(ctx, db, db, Options{}); err != nil {
		t.Fatal(err)
	}
	s := loadWithHistory(t, db, true)
	if s.AlreadyLoaded || s.History == nil || s.Programs != 0 || s.Learners != 0 {
		t.Fatalf("history after the catalog: %+v", s)
	}
	if h := s.History; h.Completions < 40 || h.OnTime != h.Completions || h.Orders[talentloop.OrderRefunded] == 0 {
		t.Errorf("history without a clock: %+v", h)
	}
	before := takeHistory(t, db)
	if s := loadWithHistory(t, db, true); !s.AlreadyLoaded {
		t.Errorf("third load: %+v", s)
	}
	if after := takeHistory(t, db); after != before {
		t.Errorf("third load changed the database: %+v → %+v", before, after)
	}
}

// TestHistoryEveryWeekday loads the history as it would be told on each
// day of a week at different hours (the plan follows the calendar:
// weekends, office hours), and checks every one has what the pages need.
// It runs only when TALENTLOOP_DEMO_WEEK is set, as it loads seven times.
func TestHistoryEveryWeekday(t *testing.T) {
	if os.Getenv("TALENTLOOP_DEMO_WEEK") == "" {
		t.Skip("set TALENTLOOP_DEMO_WEEK to load the history as of each day of a week")
	}
	defer func() { historyNow = time.Now }()
	base := time.Now()
	for k := range 7 {
		now := base.Add(-time.Duration(k) * (26*time.Hour + 37*time.Minute))
		t.Run(now.In(china).Format("Mon-15h04"), func(t *testing.T) {
			historyNow = func() time.Time { return now }
			db := sqldbtest.Open(t, "sqlite")
			s, err := Load(context.Background(), db, db, Options{Learning: db, Clock: func(at time.Time) { db.Now = func() time.Time { return at } }})
			db.Now = func() time.Time { return now }
			if err != nil {
				t.Fatal(err)
			}
			c := checkHistory(t, db, now)
			checkLearnerAccount(t, db, c)
			t.Log(s.History)
		})
	}
}
