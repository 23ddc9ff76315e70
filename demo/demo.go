// Package demo holds the demo data set of talentloop — partner companies,
// instructors, programs with courses, lessons and real projects, one account
// per role and a few hundred learners — and loads it through the service
// interfaces, so that a fresh installation shows the whole loop on first
// start (serve --demo).
package demo

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"talentloop"
)

// Password is the password of every demo account.
const Password = "talentloop-demo"

// Accounts are the demo accounts, one per role.
var Accounts = map[talentloop.Role]string{
	talentloop.RoleLearner:    "learner@demo.test",
	talentloop.RoleInstructor: "instructor@demo.test",
	talentloop.RolePartner:    "partner@demo.test",
	talentloop.RoleCounsellor: "counsellor@demo.test",
	talentloop.RoleOperator:   "operator@demo.test",
}

// markerEmail is created last: when it exists as a demo user, the demo set
// is complete.
const markerEmail = "learner@demo.test"

// Options tune Load.
type Options struct {
	// Force loads even when the database holds users that are not demo
	// users.
	Force bool
	// Progress, when set, is called as the work advances.
	Progress func(done, total int, what string)

	// Learning, when set, adds some five months of learning history in
	// the generated learners' and the demo accounts' names: enrolments and
	// orders (paid, pending, refunded, cancelled) with baseline incomes,
	// lessons done, submissions and resubmissions, rubric reviews,
	// completions on time and late, questions and answers, notifications.
	// The history is written once, in the Load that loads the catalog or in
	// a later Load when learner@demo.test has no enrolment yet.
	Learning talentloop.LearningService
	// Clock, when set with Learning, is called before each write of the
	// history with the time that write should carry, so that the storage
	// stamps it with that time (the caller points the storage's clock at
	// t and restores it after Load). The catalog is then stamped with a
	// time before the history begins. Without Clock every write carries
	// the storage's own time. Load makes its writes one after another
	// while it moves the clock.
	Clock func(t time.Time)
}

// Account is a demo account to print.
type Account struct {
	Role  talentloop.Role `json:"role"`
	Email string          `json:"email"`
	Name  string          `json:"name"`
}

// Summary says what Load did.
type Summary struct {
	// AlreadyLoaded is true when the demo set was present and nothing was
	// written.
	AlreadyLoaded bool `json:"already_loaded"`

	// What was created.
	Skills      int `json:"skills"`
	Companies   int `json:"companies"`
	Instructors int `json:"instructors"`
	Accounts    int `json:"accounts"` // every named account, instructors included
	Learners    int `json:"learners"` // generated learners
	Programs    int `json:"programs"`
	Published   int `json:"published"`
	Courses     int `json:"courses"`
	Lessons     int `json:"lessons"`
	Projects    int `json:"projects"`

	// The learning history, when Options.Learning was set.
	History *HistorySummary `json:"history,omitempty"`

	// Logins are the demo accounts, one per role, in role order.
	Logins   []Account     `json:"logins"`
	Password string        `json:"password"`
	Elapsed  time.Duration `json:"elapsed"`
}

// String is a few lines to print after loading.
func (s *Summary) String() string {
	var b strings.Builder
	if s.AlreadyLoaded {
		b.WriteString("demo data already present; nothing loaded\n")
	} else {
		fmt.Fprintf(&b, "demo data loaded in %s: %d skills, %d companies, %d programs (%d published), %d courses, %d lessons, %d projects, %d instructors, %d learners\n",
			s.Elapsed.Round(time.Millisecond), s.Skills, s.Companies, s.Programs, s.Published, s.Courses, s.Lessons, s.Projects, s.Instructors, s.Learners)
	}
	if h := s.History; h != nil {
		fmt.Fprintf(&b, "learning history: %d enrolments (orders: %d paid, %d pending, %d refunded, %d cancelled), %d lessons done, %d submissions, %d reviews, %d completions (%d on time, %d late), %d questions, %d answers\n",
			h.Enrolments, h.Orders[talentloop.OrderPaid], h.Orders[talentloop.OrderPending], h.Orders[talentloop.OrderRefunded], h.Orders[talentloop.OrderCancelled],
			h.Lessons, h.Submissions, h.Reviews, h.Completions, h.OnTime, h.Completions-h.OnTime, h.Questions, h.Answers)
	}
	fmt.Fprintf(&b, "demo accounts (password %q):\n", s.Password)
	for _, a := range s.Logins {
		fmt.Fprintf(&b, "  %-10s %-22s %s\n", a.Role, a.Email, a.Name)
	}
	return b.String()
}

// Load writes the demo data set through users and catalog.
//
// Loading twice changes nothing: when learner@demo.test exists as a demo
// user (and, with opts.Learning, has an enrolment), Load returns a Summary
// with AlreadyLoaded set and writes nothing.
// Load refuses (EINVALID, err.demo_nondemo_data) to write into a database
// that holds users who are not demo users, unless opts.Force is set; a
// demo catalog in such a database gets no learning history. An
// interrupted load can be run again: accounts and companies that exist are
// reused and programs that exist (by slug) are skipped. The history's
// first write is learner@demo.test's first enrolment, so a history that
// was interrupted after it is kept as it is, not written again.
func Load(ctx context.Context, users talentloop.UserService, catalog talentloop.CatalogService, opts Options) (_ *Summary, err error) {
	defer talentloop.Wrap(&err, "demo.Load")
	start := time.Now()
	content, err := Catalog()
	if err != nil {
		return nil, err
	}
	skills, err := talentloop.Taxonomy()
	if err != nil {
		return nil, err
	}
	if err := content.Check(skills); err != nil {
		return nil, err
	}
	s := &Summary{Password: Password}

	// Real users?
	real := false
	_, n, err := users.FindUsers(ctx, talentloop.UserFilter{Demo: &real, Limit: 1})
	if err != nil {
		return nil, err
	}
	l := &loader{ctx: ctx, users: users, catalog: catalog, opts: opts, s: s, content: content, people: map[string]*talentloop.User{}}
	now := historyNow()

	// Done already? The catalog is, when learner@demo.test exists; the
	// history is, when they have an enrolment.
	marker, err := findUser(ctx, users, markerEmail)
	if err != nil {
		return nil, err
	}
	if marker != nil && marker.Demo {
		missing := false
		if opts.Learning != nil && (n == 0 || opts.Force) {
			mine, err := opts.Learning.FindEnrolments(ctx, marker.ID)
			if err != nil {
				return nil, err
			}
			missing = len(mine) == 0
		}
		if !missing {
			s.AlreadyLoaded = true
			s.Logins, err = logins(ctx, users)
			return s, err
		}
		l.total = historySteps
		if err := l.history(now); err != nil {
			return nil, err
		}
	} else {
		if n > 0 && !opts.Force {
			return nil, talentloop.Errorf(talentloop.EINVALID, "err.demo_nondemo_data", n)
		}
		learners := Learners()
		l.total = 1 + len(content.Companies) + len(content.People) + len(learners)
		for _, p := range content.Programs {
			l.total += 1 + len(p.Courses)
		}
		if opts.Learning != nil {
			l.total += historySteps
			if opts.Clock != nil {
				// The catalog and the accounts exist before the history begins.
				opts.Clock(atHours(day(now).AddDate(0, 0, -historyDays-20), 10))
			}
		}
		if err := l.load(skills, learners); err != nil {
			return nil, err
		}
		if opts.Learning != nil {
			if err := l.history(now); err != nil {
				return nil, err
			}
		}
	}
	s.Logins, err = logins(ctx, users)
	s.Elapsed = time.Since(start)
	return s, err
}

// HistorySummary says what the learning history holds.
type HistorySummary struct {
	Enrolments  int            `json:"enrolments"`
	Orders      map[string]int `json:"orders"` // by status
	Lessons     int            `json:"lessons_done"`
	Submissions int            `json:"submissions"`
	Reviews     int            `json:"reviews"`
	Completions int            `json:"completions"` // programs completed
	OnTime      int            `json:"on_time"`
	Questions   int            `json:"questions"`
	Answers     int            `json:"answers"`
	Accepted    int            `json:"accepted"`
}

// history writes the learning history as it stood at now.
func (l *loader) history(now time.Time) error {
	h, err := newHistory(l.ctx, l.users, l.catalog, l.opts, l.content, now)
	if err != nil {
		return err
	}
	h.plan()
	l.step("learning history")
	if err := h.run(func() { l.step("learning history") }); err != nil {
		return err
	}
	sum := &HistorySummary{Orders: map[string]int{}, Enrolments: h.written.enrolments, Lessons: h.written.lessons, Submissions: h.written.submissions,
		Reviews: h.written.reviews, Questions: h.written.questions, Answers: h.written.answers, Accepted: h.written.accepted}
	for _, st := range []string{talentloop.OrderPaid, talentloop.OrderPending, talentloop.OrderRefunded, talentloop.OrderCancelled} {
		_, n, err := l.opts.Learning.FindOrders(l.ctx, talentloop.OrderFilter{Status: st, Limit: 1})
		if err != nil {
			return err
		}
		sum.Orders[st] = n
	}
	for _, u := range append(h.learners, h.learner) {
		es, err := l.opts.Learning.FindEnrolments(l.ctx, u.ID)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Completed {
				sum.Completions++
				if e.OnTime != nil && *e.OnTime {
					sum.OnTime++
				}
			}
		}
	}
	l.s.History = sum
	l.step("learning history")
	return nil
}

type loader struct {
	ctx     context.Context
	users   talentloop.UserService
	catalog talentloop.CatalogService
	opts    Options
	s       *Summary
	content *Content

	done, total int
	actor       int64                       // the demo operator
	companies   map[string]int64            // slug → id
	people      map[string]*talentloop.User // key → user
}

func (l *loader) step(what string) {
	l.done++
	if l.opts.Progress != nil {
		l.opts.Progress(l.done, l.total, what)
	}
}

func (l *loader) load(skills []*talentloop.Skill, learners []*talentloop.User) error {
	ctx := l.ctx
	people := map[string]*Person{}
	for _, p := range l.content.People {
		people[p.Key] = p
	}

	// The operator first: every change is made in their name.
	var operator *Person
	for _, p := range l.content.People {
		if p.Email == Accounts[talentloop.RoleOperator] {
			operator = p
		}
	}
	op, created, err := l.ensureUser(operator.user(), operator.Roles, 0)
	if err != nil {
		return err
	}
	l.actor = op.ID
	l.people[operator.Key] = op
	if created {
		l.s.Accounts++
	}
	l.step("operator")

	if err := l.catalog.UpsertSkills(ctx, skills); err != nil {
		return err
	}
	l.s.Skills = len(skills)
	l.step("skills")

	// Companies.
	existing, err := l.users.FindCompanies(ctx)
	if err != nil {
		return err
	}
	l.companies = map[string]int64{}
	for _, c := range existing {
		l.companies[c.Slug] = c.ID
	}
	for _, c := range l.content.Companies {
		if _, ok := l.companies[c.Slug]; !ok {
			co := *c
			if err := l.users.CreateCompany(ctx, &co); err != nil {
				return fmt.Errorf("company %s: %w", c.Slug, err)
			}
			l.companies[c.Slug] = co.ID
			l.s.Companies++
		}
		l.step("companies")
	}

	// Named accounts and instructors; learner@demo.test comes last.
	var marker *Person
	for _, p := range l.content.People {
		switch {
		case p == operator:
			continue
		case p.Email == markerEmail:
			marker = p
			continue
		}
		if err := l.person(p); err != nil {
			return err
		}
	}

	// Programs.
	have, err := l.programSlugs()
	if err != nil {
		return err
	}
	for _, ps := range l.content.Programs {
		if have[ps.Slug] {
			l.done += len(ps.Courses)
			l.step("program " + ps.Slug)
			continue
		}
		if err := l.program(ps); err != nil {
			return fmt.Errorf("program %s: %w", ps.Slug, err)
		}
	}

	if err := l.learners(learners); err != nil {
		return err
	}
	return l.person(marker)
}

// programSlugs returns the slugs of the programs that exist, drafts
// included.
func (l *loader) programSlugs() (map[string]bool, error) {
	have := map[string]bool{}
	for offset := 0; ; {
		page, total, err := l.catalog.FindPrograms(l.ctx, talentloop.ProgramFilter{IncludeDrafts: true, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			have[p.Slug] = true
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			return have, nil
		}
	}
}

// learners creates the generated learners, a few at a time: most of the
// work is hashing their passwords, which runs in parallel.
func (l *loader) learners(users []*talentloop.User) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	jobs := make(chan *talentloop.User)
	for range max(1, min(runtime.GOMAXPROCS(0), 4)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				_, created, err := l.ensureUser(u, u.Roles, 0)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if created {
					l.s.Learners++
				}
				l.step("learners")
				mu.Unlock()
			}
		}()
	}
	for _, u := range users {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	return first
}

// person creates a named account with its roles and, for an instructor,
// the profile.
func (l *loader) person(p *Person) error {
	companyID := l.companies[p.Company]
	u, created, err := l.ensureUser(p.user(), p.Roles, companyID)
	if err != nil {
		return err
	}
	l.people[p.Key] = u
	if !created {
		l.step("accounts")
		return nil
	}
	l.s.Accounts++
	if p.IsInstructor() {
		prof := &talentloop.InstructorProfile{UserID: u.ID, Name: u.Name, CompanyID: companyID, Title: p.Title, Bio: p.Bio}
		if err := l.users.SetInstructorProfile(l.ctx, prof); err != nil {
			return fmt.Errorf("instructor %s: %w", p.Email, err)
		}
		l.s.Instructors++
	}
	l.step("accounts")
	return nil
}

func (p *Person) user() *talentloop.User {
	return &talentloop.User{Email: p.Email, Name: p.Name, Lang: p.Lang, Roles: p.Roles, Demo: true}
}

// ensureUser creates u unless a demo user with its email exists, and gives
// it roles and company. created is false when the user existed.
func (l *loader) ensureUser(u *talentloop.User, roles []talentloop.Role, companyID int64) (_ *talentloop.User, created bool, err error) {
	old, err := findUser(l.ctx, l.users, u.Email)
	if err != nil {
		return nil, false, err
	}
	if old != nil {
		if !old.Demo {
			return nil, false, talentloop.Errorf(talentloop.ECONFLICT, "err.demo_email_taken", u.Email)
		}
		return old, false, nil
	}
	u.CompanyID = companyID
	if err := l.users.CreateUser(l.ctx, u, Password); err != nil {
		return nil, false, fmt.Errorf("user %s: %w", u.Email, err)
	}
	actor := l.actor
	if actor == 0 {
		actor = u.ID // the operator grants themselves the role
	}
	if err := l.users.SetRoles(l.ctx, actor, u.ID, roles, companyID); err != nil {
		return nil, false, fmt.Errorf("roles of %s: %w", u.Email, err)
	}
	u.Roles, u.CompanyID = roles, companyID
	return u, true, nil
}

// program creates a program as a draft with its courses, lessons, projects
// and instructors, then publishes it if it should be.
func (l *loader) program(ps *ProgramSpec) error {
	ctx := l.ctx
	p := ps.Program()
	if err := l.catalog.CreateProgram(ctx, l.actor, p); err != nil {
		return err
	}
	l.s.Programs++
	l.step("program " + ps.Slug)
	for i, cs := range ps.Courses {
		c := cs.Course(p.ID, i+1)
		if err := l.catalog.CreateCourse(ctx, l.actor, c); err != nil {
			return fmt.Errorf("course %d: %w", i+1, err)
		}
		l.s.Courses++
		for j, ls := range cs.Lessons {
			if err := l.catalog.CreateLesson(ctx, l.actor, ls.Lesson(c.ID, j+1)); err != nil {
				return fmt.Errorf("course %d lesson %d: %w", i+1, j+1, err)
			}
			l.s.Lessons++
		}
		for j, pj := range cs.Projects {
			proj, err := pj.Project(c.ID, l.companies[pj.Company], j+1)
			if err != nil {
				return err
			}
			if err := l.catalog.CreateProject(ctx, l.actor, proj); err != nil {
				return fmt.Errorf("course %d project %d: %w", i+1, j+1, err)
			}
			l.s.Projects++
		}
		var ids []int64
		for _, k := range cs.Instructors {
			ids = append(ids, l.people[k].ID)
		}
		if err := l.catalog.SetCourseInstructors(ctx, l.actor, c.ID, ids); err != nil {
			return fmt.Errorf("course %d instructors: %w", i+1, err)
		}
		l.step("program " + ps.Slug)
	}
	if ps.Published() {
		p.Status = talentloop.StatusPublished
		if err := l.catalog.UpdateProgram(ctx, l.actor, p); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		l.s.Published++
	}
	return nil
}

func findUser(ctx context.Context, users talentloop.UserService, email string) (*talentloop.User, error) {
	u, err := users.FindUserByEmail(ctx, email)
	switch talentloop.ErrorCode(err) {
	case "":
		return u, nil
	case talentloop.ENOTFOUND:
		return nil, nil
	default:
		return nil, err
	}
}

// logins lists the demo accounts in role order with their names.
func logins(ctx context.Context, users talentloop.UserService) ([]Account, error) {
	var out []Account
	for _, r := range talentloop.Roles {
		a := Account{Role: r, Email: Accounts[r]}
		u, err := findUser(ctx, users, a.Email)
		if err != nil {
			return nil, err
		}
		if u != nil {
			a.Name = u.Name
		}
		out = append(out, a)
	}
	return out, nil
}
